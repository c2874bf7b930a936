/**
 * The checks an index's files are described by: XXH3-64 of their bytes, computed in pieces (fast on
 * large buffers) and equal to the one-call hash an earlier Trove wrote into its sidecars, whatever
 * the size and wherever a view starts, so their indexes open without a rebuild.
 */
import { xxh3 } from '@node-rs/xxhash';
import { describe, expect, it } from 'vitest';
import { checkOf } from '../../src/main/core/index/index-files.js';

const MiB = 2 ** 20;

function bytesOf(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('index file checks', () => {
  it('are the XXH3-64 of the bytes, across piece boundaries and for views that start anywhere', () => {
    const big = bytesOf(9 * MiB + 3, 1);
    for (const size of [0, 1, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 3]) {
      const bytes = big.subarray(0, size);
      expect(checkOf(bytes)).toEqual({ bytes: size, xxh3: xxh3.xxh64(Buffer.from(bytes)).toString(16).padStart(16, '0') });
    }
    const view = big.subarray(3, 3 + 5 * MiB);
    expect(checkOf(view).xxh3).toBe(xxh3.xxh64(Buffer.from(view)).toString(16).padStart(16, '0'));
    // One changed byte anywhere changes it.
    const changed = new Uint8Array(view);
    changed[4 * MiB + 7] = changed[4 * MiB + 7]! ^ 1;
    expect(checkOf(changed).xxh3).not.toBe(checkOf(view).xxh3);
  });
});
