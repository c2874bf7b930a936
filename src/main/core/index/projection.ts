/**
 * A large library's HNSW graph is built over its vectors projected onto their principal directions
 * (128 of 512), and every answer is re-ranked by the full vectors. Building and searching an HNSW
 * graph is almost all distance computations, which cost in proportion to the dimension: measured
 * on 100k low-rank 512-d vectors (bench/hnsw.ts), 0.49 ms a vector to build instead of 2.08, and
 * recall@10 0.982 at 1.8 ms per query after re-ranking 300 candidates (the full 512-d graph: 0.987 at
 * 3.0 ms). Embeddings keep most of their variance in a few dozen directions, so little is lost by
 * the projection, and what is lost in order the re-ranking restores.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { toNumbers } from '../util/vectors.js';

/** The graph's dimension once projected. */
export const PROJECTED_DIMS = 128;
/** Vectors the directions are learned from (a spread sample of the library). */
export const PROJECTION_SAMPLE = 5000;

export class Projection {
  private constructor(
    /** Row-major `to` x `from`: row j is the j-th principal direction. */
    private readonly basis: Float32Array,
    readonly from: number,
    readonly to: number,
  ) {}

  /**
   * The `to` directions along which `sample` varies most (eigenvectors of its second-moment matrix:
   * uncentred, since inner products, not distances from the mean, are what the index ranks by).
   */
  static fit(sample: Float32Array[], to = PROJECTED_DIMS): Projection {
    const from = sample[0]?.length ?? 0;
    if (sample.length === 0 || to >= from) throw new Error(`cannot project ${from}-d vectors to ${to} from ${sample.length}`);
    const moments = new Float64Array(from * from);
    for (const v of sample) {
      for (let a = 0; a < from; a += 1) {
        const va = v[a]!;
        const row = a * from;
        for (let b = a; b < from; b += 1) moments[row + b]! += va * v[b]!;
      }
    }
    const m = new Matrix(from, from);
    for (let a = 0; a < from; a += 1) {
      for (let b = a; b < from; b += 1) {
        const value = moments[a * from + b]! / sample.length;
        m.set(a, b, value);
        m.set(b, a, value);
      }
    }
    const decomposition = new EigenvalueDecomposition(m, { assumeSymmetric: true });
    const values = decomposition.realEigenvalues;
    const vectors = decomposition.eigenvectorMatrix;
    const strongest = [...values.keys()].sort((x, y) => values[y]! - values[x]!).slice(0, to);
    const basis = new Float32Array(to * from);
    strongest.forEach((k, j) => {
      for (let d = 0; d < from; d += 1) basis[j * from + d] = vectors.get(d, k);
    });
    return new Projection(basis, from, to);
  }

  static fromBytes(bytes: Uint8Array, from: number, to: number): Projection {
    if (bytes.byteLength !== from * to * 4) throw new Error(`projection of ${bytes.byteLength} bytes, expected ${from * to * 4}`);
    const basis = new Float32Array(from * to);
    new Uint8Array(basis.buffer).set(bytes);
    return new Projection(basis, from, to);
  }

  toBytes(): Uint8Array {
    return new Uint8Array(this.basis.buffer, this.basis.byteOffset, this.basis.byteLength);
  }

  /** The vector in the projected space, as the plain array hnswlib-node takes. */
  apply(vector: Float32Array): number[] {
    const out = new Array<number>(this.to);
    for (let j = 0; j < this.to; j += 1) {
      const row = j * this.from;
      let sum = 0;
      for (let d = 0; d < this.from; d += 1) sum += this.basis[row + d]! * vector[d]!;
      out[j] = sum;
    }
    return out;
  }
}

/** What a graph holds for a vector: its projection when the index projects, else the vector itself (as hnswlib-node takes it). */
export function graphPoint(projection: Projection | undefined, vector: Float32Array): number[] {
  return projection ? projection.apply(vector) : toNumbers(vector);
}
