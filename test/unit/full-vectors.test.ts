/**
 * The float16 copies a projected index re-ranks by: conversions exact where float16 is, rounded to
 * nearest even elsewhere, and the store keeps, forgets and reloads vectors by id.
 */
import { describe, expect, it } from 'vitest';
import { FullVectors } from '../../src/main/core/index/full-vectors.js';
import { fromFloat16, toFloat16 } from '../../src/main/core/util/float16.js';

describe('float16', () => {
  it('converts exactly representable values exactly, and rounds the rest to the nearest', () => {
    for (const v of [0, 1, -1, 0.5, 2048, 65504, -(2 ** -14), 2 ** -24, 3 * 2 ** -20]) expect(fromFloat16(toFloat16(v))).toBe(v);
    expect(toFloat16(1 + 2 ** -11)).toBe(toFloat16(1)); // a tie: to even
    expect(fromFloat16(toFloat16(1 + 3 * 2 ** -12))).toBe(1 + 2 ** -10);
    expect(fromFloat16(toFloat16(1e6))).toBe(Infinity);
    expect(fromFloat16(toFloat16(-1e6))).toBe(-Infinity);
    expect(Number.isNaN(fromFloat16(toFloat16(NaN)))).toBe(true);
    expect(fromFloat16(toFloat16(1e-9))).toBe(0);
    for (let i = 0; i < 1000; i += 1) {
      const v = Math.sin(i) * 0.2;
      expect(Math.abs(fromFloat16(toFloat16(v)) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
    }
  });
});

describe('full vectors', () => {
  it('keeps, replaces, forgets and reloads vectors by id, and scores them against a query', () => {
    const store = new FullVectors(4, 1);
    store.set(7, Float32Array.from([1, 0, 0, 0]));
    store.set(9, Float32Array.from([0, 0.5, 0.5, 0]));
    store.set(11, Float32Array.from([0, 0, 0, 1]));
    store.set(9, Float32Array.from([0, 1, 0, 0]));
    store.delete(11);
    store.set(12, Float32Array.from([0.25, 0.25, 0.25, 0.25]));
    const query = Float32Array.from([0.5, 1, 0, 0]);
    expect(store.size).toBe(3);
    expect(store.dot(7, query)).toBe(0.5);
    expect(store.dot(9, query)).toBe(1);
    expect(store.dot(11, query)).toBeUndefined();
    const bytes = store.toBytes();
    const reloaded = FullVectors.fromBytes(new Uint8Array(bytes), 4);
    expect([7, 9, 11, 12].map((id) => reloaded.dot(id, query))).toEqual([0.5, 1, undefined, 0.375]);
    reloaded.set(13, Float32Array.from([1, 1, 1, 1]));
    expect(reloaded.dot(13, query)).toBe(1.5);
    expect(() => FullVectors.fromBytes(bytes.subarray(0, 20), 4)).toThrow(/does not match/);
  });
});
