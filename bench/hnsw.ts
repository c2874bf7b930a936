/**
 * Vector search at scale: HNSW (the product's parameters) against exact search on the same vectors.
 * Vectors are 512-d, L2-normalised, drawn around 2,000 random centres (embeddings of real photos
 * cluster; uniform random vectors in 512-d would be an unrealistically hard, structureless case).
 */
import hnswlib from 'hnswlib-node';
import { HNSW_PARAMS } from '../src/main/core/index/vector-index.js';

export interface HnswResult {
  vectors: number;
  dim: number;
  buildSeconds: number;
  recallAt10: number;
  p50Ms: number;
  p99Ms: number;
  rssMiBPerMillion: number;
  queries: number;
}

function makeData(count: number, dim: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: 2000 }, () => Float32Array.from({ length: dim }, gauss));
  const data = new Float32Array(count * dim);
  for (let i = 0; i < count; i += 1) {
    const c = centres[Math.floor(rand() * centres.length)]!;
    let norm = 0;
    for (let d = 0; d < dim; d += 1) {
      const v = c[d]! + 0.8 * gauss();
      data[i * dim + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dim; d += 1) data[i * dim + d]! /= norm;
  }
  return data;
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

export function measureHnsw(count: number, dim = 512, queries = 200, log: (m: string) => void = () => {}): HnswResult {
  const data = makeData(count, dim, 42);
  const queryData = makeData(queries, dim, 7);
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
  index.setEf(HNSW_PARAMS.efSearchMin);

  const latencies: number[] = [];
  let hits = 0;
  for (let q = 0; q < queries; q += 1) {
    const query = queryData.subarray(q * dim, (q + 1) * dim);
    const asArray = Array.from(query);
    const t = performance.now();
    const found = index.searchKnn(asArray, 10).neighbors;
    latencies.push(performance.now() - t);
    const truth = new Set(exactTop10(data, dim, query));
    hits += found.filter((id) => truth.has(id)).length;
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return {
    vectors: count,
    dim,
    buildSeconds,
    recallAt10: hits / (queries * 10),
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    rssMiBPerMillion: ((rssAfter - rssBefore) / 2 ** 20) * (1_000_000 / count),
    queries,
  };
}
