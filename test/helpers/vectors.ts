/**
 * Synthetic embedding-like vectors for the vector index's tests and benchmarks (bench/hnsw.ts says
 * what each kind models), L2-normalised and deterministic for a seed.
 */
export type VectorKind = 'clustered' | 'low-rank' | 'uniform';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
}

/** `count` vectors; the subspace and the cluster centres depend only on the kind, so queries share them. */
export function makeVectors(kind: VectorKind, count: number, dim: number, seed: number): Float32Array {
  const g = gaussian(seeded(seed));
  const out = new Float32Array(count * dim);
  const rank = 64;
  const structure = gaussian(seeded(99));
  const basis = kind === 'uniform' ? new Float32Array(0) : Float32Array.from({ length: dim * rank }, structure);
  const centres = kind === 'clustered' ? Array.from({ length: 1000 }, () => Float32Array.from({ length: rank }, structure)) : [];
  const pick = seeded(seed + 1);
  const z = new Float32Array(rank);
  for (let i = 0; i < count; i += 1) {
    const o = i * dim;
    if (kind === 'uniform') {
      for (let d = 0; d < dim; d += 1) out[o + d] = g();
    } else {
      if (kind === 'clustered') {
        const centre = centres[Math.floor(pick() * centres.length)]!;
        for (let j = 0; j < rank; j += 1) z[j] = centre[j]! + 0.7 * g();
      } else {
        for (let j = 0; j < rank; j += 1) z[j] = 1.22 * g(); // same spread as the clustered cloud
      }
      for (let d = 0; d < dim; d += 1) {
        let v = 0;
        for (let j = 0; j < rank; j += 1) v += basis[d * rank + j]! * z[j]!;
        out[o + d] = v + 5.6 * g(); // noise variance ~ 1/4 of the total
      }
    }
    let norm = 0;
    for (let d = 0; d < dim; d += 1) norm += out[o + d]! ** 2;
    norm = Math.sqrt(norm);
    for (let d = 0; d < dim; d += 1) out[o + d]! /= norm;
  }
  return out;
}

/** The `count` rows of `data` as separate vectors (views, not copies). */
export function rows(data: Float32Array, dim: number): Float32Array[] {
  return Array.from({ length: data.length / dim }, (_, i) => data.subarray(i * dim, (i + 1) * dim));
}

/** The ids of the `k` rows of `data` with the highest inner product with `query` (exact search). */
export function exactTopK(data: Float32Array[], query: Float32Array, k: number): number[] {
  const scores = new Float32Array(data.length);
  data.forEach((v, i) => {
    let s = 0;
    for (let d = 0; d < query.length; d += 1) s += v[d]! * query[d]!;
    scores[i] = s;
  });
  // The k best, kept sorted as the scores stream past (k is small).
  const best: number[] = [];
  for (let i = 0; i < scores.length; i += 1) {
    if (best.length === k && scores[i]! <= scores[best[k - 1]!]!) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && scores[best[at - 1]!]! < scores[i]!) at -= 1;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}
