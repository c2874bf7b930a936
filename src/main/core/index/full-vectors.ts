/**
 * The full vectors of a projected index, kept in memory as float16 for re-ranking its candidates.
 *
 * Re-ranking reads a few hundred vectors per query: from SQLite that took 5 ms of a 7.7 ms query
 * at 200k vectors (one B-tree lookup and a 2 KB copy each), from here it is a fraction of a
 * millisecond. Half precision keeps a million 512-d vectors in 1 GB instead of 2, and changes a
 * cosine score by about 1e-4, far below the gaps re-ranking decides on (util/float16).
 */
import { FLOAT16_VALUES, toFloat16 } from '../util/float16.js';

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
    for (let d = 0; d < this.dim; d += 1) sum += FLOAT16_VALUES[this.data[at + d]!]! * query[d]!;
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
