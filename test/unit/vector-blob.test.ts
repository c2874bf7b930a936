/**
 * How the database keeps a vector: half precision behind a tag byte (half the bytes, so SQLite fits
 * three 512-d rows to a page instead of one), rows an earlier Trove wrote in float32 still read
 * exactly, and a damaged row is an error that says so rather than a vector of garbage.
 */
import { describe, expect, it } from 'vitest';
import { fromBlob, toBlob } from '../../src/main/core/store/vector-repo.js';

function unitVector(dim: number, seed: number): Float32Array {
  const v = Float32Array.from({ length: dim }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) + Math.cos(i * seed * 0.37));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

describe('stored vectors', () => {
  it('are half precision: a tag byte and two bytes a value, each within float16 rounding, cosines within 1e-3', () => {
    const a = unitVector(512, 1);
    const b = unitVector(512, 2);
    const blob = toBlob(a);
    expect(blob.byteLength).toBe(1 + 2 * 512);
    const back = fromBlob(blob);
    expect(back.length).toBe(512);
    for (let i = 0; i < 512; i += 1) expect(Math.abs(back[i]! - a[i]!)).toBeLessThanOrEqual(Math.abs(a[i]!) * 2 ** -11 + 2 ** -25);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((sum, v, i) => sum + v * y[i]!, 0);
    expect(Math.abs(dot(back, fromBlob(toBlob(b))) - dot(a, b))).toBeLessThan(1e-3);
    // Read from a Buffer that is a view at an odd offset, as SQLite's may be.
    const pooled = Buffer.concat([Buffer.from([9]), blob]).subarray(1);
    expect(fromBlob(pooled)).toEqual(back);
  });

  it('written by an earlier Trove in float32 read back exactly', () => {
    const v = unitVector(512, 3);
    const legacy = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(v.buffer)]).subarray(3);
    expect(fromBlob(legacy)).toEqual(v);
  });

  it('that are damaged are reported, not read as numbers', () => {
    expect(() => fromBlob(Buffer.from([0x15, 1, 2, 3, 4]))).toThrow(/damaged/);
    expect(() => fromBlob(Buffer.from([0x00, 1, 2]))).toThrow(/damaged/);
    expect(() => fromBlob(Buffer.alloc(6))).toThrow(/damaged/);
  });
});
