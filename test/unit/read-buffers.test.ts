/**
 * Whole files read into buffers used again (util/read-buffers): every byte of the file, however its
 * size changed since it was checked; nothing above the limit; a buffer given back serves the next
 * read, and no more spare memory is kept than asked.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReadBuffers } from '../../src/main/core/util/read-buffers.js';
import { tempDir } from '../helpers/temp.js';

const MiB = 2 ** 20;

async function readWith(buffers: ReadBuffers, path: string, size: number, limit = 32 * MiB) {
  const handle = await open(path);
  try {
    return await buffers.read(handle, size, limit);
  } finally {
    await handle.close();
  }
}

describe('read buffers', () => {
  it('read whole files of any size, and a file grown or shrunk since its size was taken', async () => {
    const dir = tempDir();
    const buffers = new ReadBuffers();
    for (const size of [1, MiB - 1, MiB, MiB + 1, 5 * MiB + 7]) {
      const bytes = randomBytes(size);
      const path = join(dir, `f-${size}`);
      writeFileSync(path, bytes);
      const lease = (await readWith(buffers, path, size))!;
      expect(lease.bytes.equals(bytes)).toBe(true);
      lease.release();
    }
    // Checked at 1 MiB, then grown to 3 MiB + 5 before it was read: all of it is read.
    const grown = join(dir, 'grown');
    const head = randomBytes(MiB);
    const tail = randomBytes(2 * MiB + 5);
    writeFileSync(grown, head);
    appendFileSync(grown, tail);
    const lease = (await readWith(buffers, grown, MiB))!;
    expect(lease.bytes.equals(Buffer.concat([head, tail]))).toBe(true);
    lease.release();
    // Checked at 2 MiB, shrunk to 10 bytes since.
    const shrunk = join(dir, 'shrunk');
    writeFileSync(shrunk, 'ten bytes!');
    expect((await readWith(buffers, shrunk, 2 * MiB))!.bytes.toString()).toBe('ten bytes!');
  });

  it('give up on a file larger than the limit (the caller streams it instead)', async () => {
    const path = join(tempDir(), 'big');
    writeFileSync(path, randomBytes(3 * MiB));
    expect(await readWith(new ReadBuffers(), path, MiB, 2 * MiB)).toBeUndefined();
    expect(await readWith(new ReadBuffers(), path, 3 * MiB, 3 * MiB)).toBeDefined();
  });

  it('lend a buffer to one file at a time, serve the next read with it once given back, keep no more than asked, and let go when cleared', async () => {
    const dir = tempDir();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => join(dir, name)) as [string, string, string];
    writeFileSync(a, randomBytes(2 * MiB));
    writeFileSync(b, randomBytes(2 * MiB - 100));
    writeFileSync(c, randomBytes(2 * MiB));
    const buffers = new ReadBuffers(4 * MiB);
    const first = (await readWith(buffers, a, 2 * MiB))!;
    const second = (await readWith(buffers, b, 2 * MiB - 100))!;
    expect(second.bytes.buffer).not.toBe(first.bytes.buffer); // both held: each its own memory
    const memory = first.bytes.buffer;
    first.release();
    first.release(); // a second release changes nothing
    const third = (await readWith(buffers, c, 2 * MiB))!;
    expect(third.bytes.buffer).toBe(memory);
    expect(second.bytes.equals(readFileSync(b))).toBe(true);

    // Spare memory is bounded: with room for one 3 MiB buffer, the second given back is dropped.
    const small = new ReadBuffers(3 * MiB);
    const x = (await readWith(small, a, 2 * MiB))!;
    const y = (await readWith(small, c, 2 * MiB))!;
    const [xMemory, yMemory] = [x.bytes.buffer, y.bytes.buffer];
    x.release();
    y.release();
    const next = [(await readWith(small, a, 2 * MiB))!, (await readWith(small, c, 2 * MiB))!];
    expect(next[0]!.bytes.buffer).toBe(xMemory);
    expect(next[1]!.bytes.buffer).not.toBe(yMemory);

    // Once the queue is empty, nothing is kept.
    next[0]!.release();
    small.clear();
    expect((await readWith(small, a, 2 * MiB))!.bytes.buffer).not.toBe(xMemory);
  });
});
