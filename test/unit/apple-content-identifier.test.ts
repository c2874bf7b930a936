/**
 * Apple's Live Photo content identifier read from a MakerNote (media/exif): both byte orders, and
 * nothing (never a throw) from a note that is cut, foreign or holds no identifier.
 */
import { describe, expect, it } from 'vitest';
import { appleContentIdentifier } from '../../src/main/core/media/exif.js';

function note(order: 'MM' | 'II', entries: { tag: number; type: number; text: string }[]): Buffer {
  const head = Buffer.concat([Buffer.from('Apple iOS\0', 'latin1'), Buffer.from([0, 1]), Buffer.from(order, 'latin1')]);
  const ifd = Buffer.alloc(2 + 12 * entries.length + 4);
  const texts = entries.map((e) => Buffer.from(`${e.text}\0`, 'ascii'));
  const u16 = (v: number, at: number) => (order === 'MM' ? ifd.writeUInt16BE(v, at) : ifd.writeUInt16LE(v, at));
  const u32 = (v: number, at: number) => (order === 'MM' ? ifd.writeUInt32BE(v, at) : ifd.writeUInt32LE(v, at));
  u16(entries.length, 0);
  let dataAt = head.length + ifd.length;
  entries.forEach((e, i) => {
    const at = 2 + 12 * i;
    u16(e.tag, at);
    u16(e.type, at + 2);
    u32(texts[i]!.length, at + 4);
    u32(dataAt, at + 8);
    dataAt += texts[i]!.length;
  });
  return Buffer.concat([head, ifd, ...texts]);
}

const ID = 'A1B2C3D4-0000-4000-8000-123456789ABC';

describe("Apple's content identifier", () => {
  it('is read in either byte order, past other tags', () => {
    for (const order of ['MM', 'II'] as const) {
      const bytes = note(order, [
        { tag: 0x000a, type: 2, text: 'something else' },
        { tag: 0x0011, type: 2, text: ID },
      ]);
      expect(appleContentIdentifier(bytes)).toBe(ID);
    }
  });

  it('is nothing, without throwing, in a cut, foreign or empty note', () => {
    const whole = note('MM', [{ tag: 0x0011, type: 2, text: ID }]);
    for (let cut = 0; cut < whole.length; cut += 7) expect(appleContentIdentifier(whole.subarray(0, cut))).toBeUndefined();
    expect(appleContentIdentifier(Buffer.concat([Buffer.from('Nikon\0\x02\x10\0\0', 'latin1'), whole.subarray(10)]))).toBeUndefined();
    expect(appleContentIdentifier(note('MM', [{ tag: 0x000a, type: 2, text: ID }]))).toBeUndefined();
    expect(appleContentIdentifier(note('MM', [{ tag: 0x0011, type: 2, text: 'x' }]))).toBeUndefined(); // too short to be one
  });
});
