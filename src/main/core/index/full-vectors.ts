/**
 * The full vectors of a projected index, kept in memory as float16 for re-ranking its candidates.
 *
 * Re-ranking reads a few hundred vectors per query: from SQLite that took 5 ms of a 7.7 ms query
 * at 200k vectors (one B-tree lookup and a 2 KB copy each), from here it is a fraction of a
 * millisecond. Half precision keeps a million 512-d vectors in 1 GB instead of 2, and changes a
 * cosine score by about 1e-4, far below the gaps re-ranking decides on. (Node 20 has no
 * Float16Array; the conversions below are the standard bit manipulations, with a lookup table for
 * decoding.)
 */

/** float16 bits -> float32 value, for all 65536 patterns (256 KB, built once). */
const DECODE = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h += 1) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) table[h] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) table[h] = fraction ? NaN : sign * Infinity;
    else table[h] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return table;
})();

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bits nearest to `value` (round to nearest even; subnormals kept, overflow to infinity). */
export function toFloat16(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let bits = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && bits & 1)) bits += 1;
    return sign | bits;
  }
  let bits = mantissa >> 13;
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && bits & 1)) {
    bits += 1;
    if (bits === 0x400) {
      bits = 0;
      e += 1;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | bits;
}

export function fromFloat16(bits: number): number {
  return DECODE[bits & 0xffff]!;
}

export class FullVectors {
  private data: Uint16Array;
  private readonly slotOf = new Map<number, number>();
  private readonly free: number[] = [];
  private used = 0;

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    this.data = new Uint16Array(Math.max(1, capacity) * dim);
  }

  get size(): number {
    return this.slotOf.size;
  }

  set(id: number, vector: Float32Array): void {
    let slot = this.slotOf.get(id) ?? this.free.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot * this.dim >= this.data.length) {
        const grown = new Uint16Array(Math.max(this.data.length * 2, (slot + 1) * this.dim));
        grown.set(this.data);
        this.data = grown;
      }
    }
    this.slotOf.set(id, slot);
    const at = slot * this.dim;
    for (let d = 0; d < this.dim; d += 1) this.data[at + d] = toFloat16(vector[d]!);
  }

  delete(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    this.free.push(slot);
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  /** The inner product of the stored vector `id` with `query`; undefined when not stored. */
  dot(id: number, query: Float32Array): number | undefined {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return undefined;
    const at = slot * this.dim;
    let sum = 0;
    for (let d = 0; d < this.dim; d += 1) sum += DECODE[this.data[at + d]!]! * query[d]!;
    return sum;
  }

  /** Layout: u32 dim, u32 count, then count x (i32 id), then count x dim float16. */
  toBytes(): Uint8Array {
    const count = this.slotOf.size;
    const out = new Uint8Array(8 + count * 4 + count * this.dim * 2);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.dim, true);
    view.setUint32(4, count, true);
    const ids = new Int32Array(out.buffer, 8, count);
    const vectors = new Uint16Array(out.buffer, 8 + count * 4, count * this.dim);
    let i = 0;
    for (const [id, slot] of this.slotOf) {
      ids[i] = id;
      vectors.set(this.data.subarray(slot * this.dim, (slot + 1) * this.dim), i * this.dim);
      i += 1;
    }
    return out;
  }

  static fromBytes(bytes: Uint8Array, dim: number): FullVectors {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stored = view.getUint32(0, true);
    const count = view.getUint32(4, true);
    if (stored !== dim || bytes.byteLength !== 8 + count * 4 + count * dim * 2)
      throw new Error('full vectors file does not match the index');
    // Typed views need aligned offsets: a file's own buffer is used as it is, anything else copied.
    const copy = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
    const out = new FullVectors(dim, 1);
    out.data = new Uint16Array(copy.buffer, copy.byteOffset + 8 + count * 4, count * dim);
    const ids = new Int32Array(copy.buffer, copy.byteOffset + 8, count);
    for (let i = 0; i < count; i += 1) out.slotOf.set(ids[i]!, i);
    out.used = count;
    return out;
  }
}
