/**
 * Vector search at scale: HNSW (the product's parameters) against exact search on the same vectors.
 *
 * Synthetic 512-d, L2-normalised vectors of three kinds, from easy to pathological:
 *  - "clustered": 1,000 clusters in a 64-d subspace mapped into 512-d, plus isotropic noise carrying
 *    a quarter of the variance (photos come in groups: trips, events, pets).
 *  - "low-rank" (the headline): the same 64-d subspace and noise but no clusters, a continuous cloud.
 *    Real image embeddings have most of their variance in a few dozen directions, and no library is
 *    only tight groups; this is the harder, more honest model.
 *  - "uniform" (the worst case): i.i.d. Gaussian directions, no structure at all. No real embedding
 *    looks like this; it shows how HNSW degrades without structure.
 * Recall and latency are measured at several search breadths (ef) on the same index, including the
 * product's own setting.
 */
import hnswlib from 'hnswlib-node';
import { efSearchFor, HNSW_PARAMS } from '../src/main/core/index/vector-index.js';

export type VectorKind = 'clustered' | 'low-rank' | 'uniform';

export interface SearchPoint {
  ef: number;
  recallAt10: number;
  p50Ms: number;
  p99Ms: number;
}

export interface HnswResult {
  kind: VectorKind;
  vectors: number;
  dim: number;
  buildSeconds: number;
  rssMiBPerMillion: number;
  queries: number;
  /** The product's search breadth and its numbers. */
  productEf: number;
  recallAt10: number;
  p50Ms: number;
  p99Ms: number;
  sweep: SearchPoint[];
}

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

function exactTop10(data: Float32Array, dim: number, q: Float32Array): number[] {
  const count = data.length / dim;
  const best: { id: number; s: number }[] = [];
  for (let i = 0; i < count; i += 1) {
    let s = 0;
    const o = i * dim;
    for (let d = 0; d < dim; d += 1) s += data[o + d]! * q[d]!;
    if (best.length < 10 || s > best[best.length - 1]!.s) {
      best.push({ id: i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > 10) best.pop();
    }
  }
  return best.map((b) => b.id);
}

export function measureHnsw(kind: VectorKind, count: number, dim = 512, queries = 200, log: (m: string) => void = () => {}): HnswResult {
  const data = makeVectors(kind, count, dim, 42);
  const queryData = makeVectors(kind, queries, dim, 7);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const index = new hnswlib.HierarchicalNSW('ip', dim);
  index.initIndex({ maxElements: count, m: HNSW_PARAMS.m, efConstruction: HNSW_PARAMS.efConstruction, randomSeed: 100 });
  const buildStart = performance.now();
  for (let i = 0; i < count; i += 1) {
    index.addPoint(Array.from(data.subarray(i * dim, (i + 1) * dim)), i);
    if (i > 0 && i % 100_000 === 0) log(`  built ${i}/${count} (${((performance.now() - buildStart) / 1000).toFixed(0)} s)`);
  }
  const buildSeconds = (performance.now() - buildStart) / 1000;
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  const truths = Array.from({ length: queries }, (_, q) => new Set(exactTop10(data, dim, queryData.subarray(q * dim, (q + 1) * dim))));
  const sweep: SearchPoint[] = [];
  const productEf = efSearchFor(count);
  for (const ef of [...new Set([128, 256, 512, 1024, 2048, productEf])].sort((a, b) => a - b)) {
    index.setEf(ef);
    const latencies: number[] = [];
    let hits = 0;
    for (let q = 0; q < queries; q += 1) {
      const asArray = Array.from(queryData.subarray(q * dim, (q + 1) * dim));
      const t = performance.now();
      const found = index.searchKnn(asArray, 10).neighbors;
      latencies.push(performance.now() - t);
      hits += found.filter((id) => truths[q]!.has(id)).length;
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    sweep.push({ ef, recallAt10: hits / (queries * 10), p50Ms: pct(0.5), p99Ms: pct(0.99) });
    log(`  ef ${ef}: recall@10 ${(hits / (queries * 10)).toFixed(4)}, p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms`);
  }
  const product = sweep.find((p) => p.ef === productEf)!;
  return {
    kind,
    vectors: count,
    dim,
    buildSeconds,
    rssMiBPerMillion: ((rssAfter - rssBefore) / 2 ** 20) * (1_000_000 / count),
    queries,
    productEf: product.ef,
    recallAt10: product.recallAt10,
    p50Ms: product.p50Ms,
    p99Ms: product.p99Ms,
    sweep,
  };
}
