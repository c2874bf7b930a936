/**
 * Nearest neighbours among a set of vectors held in memory only (no file, no database): for finding
 * candidate pairs among many items at once, e.g. near-duplicate photos by their coarse appearance.
 * An HNSW graph like the persistent indexes (vector-index.ts), built for one question and dropped.
 */
import hnswlib from 'hnswlib-node';
import { toNumbers } from '../util/vectors.js';

export interface Neighbours {
  /** Positions in the input, nearest first (the item itself usually among them). */
  positions: number[];
  /** Inner-product distances (1 - cosine for unit vectors), in the same order. */
  distances: number[];
}

export class KnnGraph {
  private readonly index: hnswlib.HierarchicalNSW;

  constructor(
    private readonly vectors: Float32Array[],
    options: { m?: number; efConstruction?: number; ef?: number } = {},
  ) {
    const dim = vectors[0]?.length ?? 1;
    this.index = new hnswlib.HierarchicalNSW('ip', dim);
    this.index.initIndex({
      maxElements: Math.max(1, vectors.length),
      m: options.m ?? 16,
      efConstruction: options.efConstruction ?? 100,
      randomSeed: 7,
    });
    vectors.forEach((v, i) => this.index.addPoint(toNumbers(v), i));
    this.index.setEf(options.ef ?? 64);
  }

  /** The `k` nearest items to item `position`. */
  neighboursOf(position: number, k: number): Neighbours {
    const found = this.index.searchKnn(toNumbers(this.vectors[position]!), Math.min(k, this.vectors.length));
    return { positions: found.neighbors, distances: found.distances };
  }
}
