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
import { makeVectors, type VectorKind } from '../test/helpers/vectors.js';

export { makeVectors, type VectorKind };

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
