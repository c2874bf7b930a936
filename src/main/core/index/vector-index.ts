/**
 * One vector index per embedding model, HNSW graphs (hnswlib-node) saved beside the database.
 *
 * SQLite is the source of truth: on open the index is checked against the `vectors` table and
 * repaired (missing vectors added, stale ones marked deleted), or rebuilt from the stored vectors
 * when it is missing, corrupt, for another dimension, or mostly tombstones. No model runs for that.
 * The file is written to a temporary name and renamed, with a sidecar holding its size and SHA-256,
 * so a torn or altered file is detected before hnswlib ever parses it.
 *
 * A large library's graphs hold its vectors projected onto their principal directions, and answers
 * are re-ranked by the full vectors, kept beside each graph in half precision (projection.ts,
 * full-vectors.ts). Its index is several graphs ("segments"), built side by side by one worker a
 * core (graph-builder.ts) and searched together: new vectors go into the last one.
 */
import { availableParallelism } from 'node:os';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { IdFingerprint, VectorRepo } from '../store/vector-repo.js';
import { FullVectors } from './full-vectors.js';
import { buildGraphsInWorkers, CHUNK, counted, dealt, GraphBuild, type GraphSpec } from './graph-builder.js';
import { graphPoint, PROJECTED_DIMS, PROJECTION_SAMPLE, Projection } from './projection.js';
import {
  isLegacy,
  loadIndexFiles,
  removeLeftovers,
  removeSegmentFiles,
  safeFileName,
  saveIndexFiles,
  segmentFile,
  type FileCheck,
} from './index-files.js';
import { markDeleted, newSegment, type Segment } from './segment.js';

const { HierarchicalNSW } = hnswlib;

/**
 * M 32 rather than 16: on embedding-like data whose variance spreads over dozens of directions, M 16
 * needed a search breadth of about 1000 for recall@10 0.99 at 100k vectors (0.97 at 512); M 32 gets
 * there with half the breadth (bench/hnsw.ts measures it up to a million vectors). A breadth of 512
 * costs a few milliseconds per query, small next to encoding the query text.
 */
export const HNSW_PARAMS = { m: 32, efConstruction: 200, efSearchMin: 512, efSearchMax: 2048 } as const;

/**
 * The projected graph (large libraries): M 32 with a construction breadth of 100, measured on 100k
 * low-rank vectors to reach the same recall after re-ranking as the full graph built with 200.
 */
export const PROJECTED_HNSW_PARAMS = { m: 32, efConstruction: 100, candidatesMin: 300, candidatesMax: 1500 } as const;

/** From this many vectors a library's graph is built over projected vectors (see projection.ts). */
export const PROJECT_FROM = 20_000;

/**
 * How many candidates the projected graph gives for re-ranking, for an index of `size` vectors: 300
 * reached recall@10 0.98 at 100k; like the full graph's breadth it grows with the square root of
 * the size beyond that.
 */
export function rerankCandidatesFor(size: number): number {
  const { candidatesMin, candidatesMax } = PROJECTED_HNSW_PARAMS;
  const grown = Math.round(candidatesMin * Math.sqrt(Math.max(1, size) / 100_000));
  return Math.min(candidatesMax, Math.max(candidatesMin, grown));
}

/**
 * How many of a graph's candidates, nearest by the projection first, the full vectors re-rank: this
 * many a result wanted. At a million low-rank vectors (two graphs, 671 candidates each), re-ranking
 * the nearest 100 of each kept recall@10 at 0.989 as re-ranking all did, for 0.5 ms instead of 2.7;
 * 16 leaves room for embeddings whose projection orders them less well.
 */
export const RERANK_PER_RESULT = 16;

/** What the index is built from and re-ranks by: the database's vectors (VectorRepo), or a bench's. */
export type StoredVectors = Pick<VectorRepo, 'count' | 'ids' | 'iterate' | 'sample' | 'byIds' | 'fingerprint'>;

/** A projected index is split into one graph per core when each would hold at least this many. */
export const SEGMENT_MIN = 50_000;

/** Graphs grown by additions are merged (the index rebuilt) beyond this many per thread (plus two). */
const MAX_GRAPHS_PER_THREAD = 2;

export interface IndexOptions {
  /** Vectors from which the graph is projected (PROJECT_FROM; tests lower it). */
  projectFrom?: number;
  /** Vectors a graph of a multi-graph index holds at least (SEGMENT_MIN; tests lower it). */
  segmentMin?: number;
  /** Graphs built at once, one worker each (default: the cores). */
  threads?: number;
  /** A rebuild's progress: vectors read into the graphs so far, of `total`. */
  onBuildProgress?: (done: number, total: number) => void;
}

/**
 * The search breadth for an index of `size` vectors. Graph search needs a wider beam as the graph
 * grows: at a fixed 512, recall@10 was 0.9985 at 100k low-rank vectors but 0.9855 at 300k (0.997 at
 * 1024). The breadth grows with the square root of the size above 100k: a million vectors search
 * with 1619, which measured recall@10 0.997 at 32 ms p50 (a fixed 512 gave 0.950; bench/hnsw.ts).
 * Small libraries keep the floor, which is cheap.
 */
export function efSearchFor(size: number): number {
  const grown = Math.round(HNSW_PARAMS.efSearchMin * Math.sqrt(Math.max(1, size) / 100_000));
  return Math.min(HNSW_PARAMS.efSearchMax, Math.max(HNSW_PARAMS.efSearchMin, grown));
}

export interface IndexOpenReport {
  rebuilt: boolean;
  reason?: string;
  added: number;
  removed: number;
}

export interface Neighbor {
  id: number;
  /** Cosine similarity for L2-normalised vectors: higher is closer, 1 is identical. */
  score: number;
}

export class VectorIndex {
  private projectionSaved: FileCheck | null = null;
  /** The ids it holds, summed up (kept as vectors come and go), or undefined until compared with the database. */
  private ids: IdFingerprint | undefined = { count: 0, maxId: 0, idSum: 0 };

  private constructor(
    private readonly segments: Segment[],
    readonly dim: number,
    private readonly file: string,
    private readonly stored: { vectors: StoredVectors; modelId: number },
    private readonly projection: Projection | undefined,
    /** A projected index's last graph takes new vectors until it holds this many; then a new one starts. */
    private readonly segmentMin: number,
  ) {}

  static async open(
    dir: string,
    modelName: string,
    dim: number,
    repo: StoredVectors,
    modelId: number,
    options: IndexOptions = {},
  ): Promise<{ index: VectorIndex; report: IndexOpenReport }> {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${safeFileName(modelName)}.hnsw`);
    removeLeftovers(dir, file);
    const loaded = await loadIndexFiles(file, dim);
    if (!loaded.segments) {
      const index = await VectorIndex.rebuild(file, dim, repo, modelId, options);
      return { index, report: { rebuilt: true, reason: loaded.reason, added: index.size, removed: 0 } };
    }
    const index = new VectorIndex(loaded.segments, dim, file, { vectors: repo, modelId }, loaded.projection, segmentMinOf(options));
    index.projectionSaved = loaded.projectionSaved ?? null;
    index.ids = loaded.ids;
    index.refillFullVectors();
    const report = index.catchUp(repo, modelId);
    const reason =
      index.tombstones > Math.max(1000, index.size / 4)
        ? 'compacting deleted entries'
        : index.graphs > MAX_GRAPHS_PER_THREAD * threadsOf(options) + 2
          ? 'merging the graphs it grew into'
          : !index.projection && wantsProjection(dim, index.size, options)
            ? 'the library has grown: a faster index over projected vectors'
            : undefined;
    if (reason) {
      const rebuilt = await VectorIndex.rebuild(file, dim, repo, modelId, options);
      return { index: rebuilt, report: { ...report, rebuilt: true, reason } };
    }
    index.save();
    return { index, report };
  }

  /**
   * Builds the index anew from the stored vectors: one graph on this thread, or (a large library)
   * one graph per core, each in its own worker.
   */
  static async rebuild(file: string, dim: number, repo: StoredVectors, modelId: number, options: IndexOptions = {}): Promise<VectorIndex> {
    const count = repo.count(modelId);
    const projection = wantsProjection(dim, count, options) ? Projection.fit(repo.sample(modelId, PROJECTION_SAMPLE)) : undefined;
    const params = projection ? PROJECTED_HNSW_PARAMS : HNSW_PARAMS;
    const graphs = projection ? Math.max(1, Math.min(threadsOf(options), Math.floor(count / segmentMinOf(options)))) : 1;
    const spec: GraphSpec = {
      dim,
      graphDims: projection?.to ?? dim,
      capacity: Math.ceil((count / graphs) * 1.25) + CHUNK,
      m: params.m,
      efConstruction: params.efConstruction,
      projection: projection?.toBytes() ?? null,
    };
    const stored = { vectors: repo, modelId };
    if (graphs === 1) {
      const segment = newSegment(new GraphBuild(spec).graph, projection ? new FullVectors(dim, count) : undefined);
      const index = new VectorIndex([segment], dim, file, stored, projection, segmentMinOf(options));
      index.addTo(segment, counted(repo.iterate(modelId), count, options.onBuildProgress));
      index.save();
      return index;
    }
    const fulls = Array.from({ length: graphs }, () => new FullVectors(dim, Math.ceil(count / graphs)));
    let ids: IdFingerprint = { count: 0, maxId: 0, idSum: 0 };
    const built = fulls.map((_, i) => `${segmentFile(file, i)}.build-${process.pid}`);
    let segments: Segment[];
    try {
      await buildGraphsInWorkers(
        fulls.map(() => spec),
        built,
        dealt(counted(repo.iterate(modelId), count, options.onBuildProgress), dim, graphs, count, (graph, id, vector) => {
          fulls[graph]!.set(id, vector);
          ids = withId(ids, id);
        }),
      );
      segments = fulls.map((full, i) => {
        const graph = new HierarchicalNSW('ip', spec.graphDims);
        graph.readIndexSync(built[i]!);
        return newSegment(graph, full);
      });
    } finally {
      for (const path of built) rmSync(path, { force: true });
    }
    const index = new VectorIndex(segments, dim, file, stored, projection, segmentMinOf(options));
    index.ids = ids;
    index.save();
    return index;
  }

  /** Whether the graphs hold projected vectors (re-ranked by the full ones). */
  get projected(): boolean {
    return this.projection !== undefined;
  }

  /** How many graphs the index searches. */
  get graphs(): number {
    return this.segments.length;
  }

  /**
   * Makes the index hold exactly the vectors the database holds for this model: at open, and when
   * this process takes the library over from another that added vectors meanwhile. The sets are
   * compared by their fingerprints first (one indexed query): ids only grow (AUTOINCREMENT), so a set
   * that gained an id after the index was saved has a larger largest id, one that only lost ids has
   * fewer, and the sum catches an id swapped for another below the largest. Only different
   * fingerprints cost comparing a million ids one by one.
   */
  catchUp(repo: StoredVectors, modelId: number): IndexOpenReport {
    const known = this.ids;
    const stored = repo.fingerprint(modelId);
    if (known && known.count === stored.count && known.maxId === stored.maxId && known.idSum === stored.idSum)
      return { rebuilt: false, added: 0, removed: 0 };
    return this.syncWith(repo, modelId);
  }

  /** Compares the index with the database id by id and adds or removes what differs. */
  syncWith(repo: StoredVectors, modelId: number): IndexOpenReport {
    const inDb = new Set(repo.ids(modelId));
    const inIndex = new Set<number>();
    let removed = 0;
    for (const segment of this.segments) {
      segment.tombstones = 0;
      for (const id of segment.graph.getIdsList()) {
        inIndex.add(id);
        if (inDb.has(id)) continue;
        segment.tombstones += 1;
        if (markDeleted(segment, id)) removed += 1;
      }
    }
    const missing = [...inDb].filter((id) => !inIndex.has(id));
    this.add(repo.iterate(modelId, missing));
    // It now holds exactly the database's ids.
    let ids: IdFingerprint = { count: 0, maxId: 0, idSum: 0 };
    for (const id of inDb) ids = withId(ids, id);
    this.ids = ids;
    return { rebuilt: false, added: missing.length, removed };
  }

  get size(): number {
    return this.segments.reduce((sum, s) => sum + s.graph.getCurrentCount() - s.tombstones, 0);
  }

  private get tombstones(): number {
    return this.segments.reduce((sum, s) => sum + s.tombstones, 0);
  }

  /**
   * Adds vectors to the last graph, the one still growing; a projected index starts a new graph when
   * that one is full, so saving what was added never rewrites a large graph built before.
   */
  add(items: Iterable<{ id: number; vector: Float32Array }>): void {
    for (const item of items) this.addTo(this.growing(), [item]);
  }

  private addTo(segment: Segment, items: Iterable<{ id: number; vector: Float32Array }>): void {
    for (const { id, vector } of items) {
      if (vector.length !== this.dim) throw new Error(`vector ${id} has ${vector.length} dimensions, the index ${this.dim}`);
      // hnswlib has a fixed capacity: grow it before it is full rather than fail the add.
      const max = segment.graph.getMaxElements();
      if (segment.graph.getCurrentCount() + 1 > max) segment.graph.resizeIndex(Math.max(1024, Math.ceil(max * 1.5)));
      segment.graph.addPoint(graphPoint(this.projection, vector), id);
      segment.full?.set(id, vector);
      segment.dirty = true;
      if (this.ids) this.ids = withId(this.ids, id);
    }
  }

  private growing(): Segment {
    const last = this.segments.at(-1)!;
    if (!this.projection || last.graph.getCurrentCount() < this.segmentMin) return last;
    const { m, efConstruction } = PROJECTED_HNSW_PARAMS;
    const graph = new HierarchicalNSW('ip', this.projection.to);
    graph.initIndex({ maxElements: 1024, m, efConstruction, randomSeed: 100 });
    const segment = newSegment(graph, new FullVectors(this.dim));
    this.segments.push(segment);
    return segment;
  }

  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      const segment = this.segments.find((s) => markDeleted(s, id));
      if (!segment) continue;
      segment.tombstones += 1;
      if (this.ids) this.ids = { ...this.ids, count: this.ids.count - 1, idSum: this.ids.idSum - id };
    }
  }

  /** Nearest neighbours by cosine similarity; `allow` restricts the candidates (filters). */
  search(query: Float32Array, k: number, allow?: (id: number) => boolean): Neighbor[] {
    const want = Math.min(k, this.size);
    if (want <= 0) return [];
    if (!this.projection) {
      const { graph } = this.segments[0]!;
      graph.setEf(Math.max(efSearchFor(this.size), want));
      const result = graph.searchKnn(graphPoint(this.projection, query), want, allow);
      return result.neighbors.map((id, i) => ({ id, score: 1 - result.distances[i]! }));
    }
    // Each graph gives candidates for the projected query; the full vectors rank the nearest of them.
    const projected = this.projection.apply(query);
    const ranked: Neighbor[] = [];
    const unknown: number[] = [];
    for (const segment of this.segments) {
      const live = segment.graph.getCurrentCount() - segment.tombstones;
      if (live <= 0) continue;
      const candidates = Math.min(live, Math.max(rerankCandidatesFor(live), want));
      segment.graph.setEf(candidates);
      const nearest = Math.min(candidates, RERANK_PER_RESULT * want);
      for (const id of segment.graph.searchKnn(projected, nearest, allow).neighbors) {
        const score = segment.full!.dot(id, query);
        if (score === undefined) unknown.push(id);
        else ranked.push({ id, score });
      }
    }
    // Never expected (every vector added is kept), but a missing one is read from the database.
    for (const [id, vector] of unknown.length > 0 ? this.stored.vectors.byIds(unknown) : []) ranked.push({ id, score: dot(query, vector) });
    return ranked.sort((a, b) => b.score - a.score).slice(0, want);
  }

  /** Writes what changed (index-files.ts: temporary names, renamed, the sidecar last). */
  save(): void {
    const legacy =
      isLegacy(this.projectionSaved) || this.segments.some((s) => isLegacy(s.saved?.graph ?? null) || isLegacy(s.saved?.vectors ?? null));
    if (!legacy && !this.segments.some((s) => s.dirty) && (this.projectionSaved || !this.projection)) return;
    const { dim, projection, projectionSaved, segments } = this;
    this.projectionSaved = saveIndexFiles(this.file, { dim, projection, projectionSaved, segments, ids: this.ids });
  }

  static remove(dir: string, modelName: string): void {
    const file = join(dir, `${safeFileName(modelName)}.hnsw`);
    for (const path of [file, `${file}.json`, `${file}.projection`, `${file}.vectors`]) rmSync(path, { force: true });
    removeSegmentFiles(file, 1);
  }

  /** Graphs loaded without their full vectors (missing or damaged) get them again from the database. */
  private refillFullVectors(): void {
    if (!this.projection) return;
    for (const segment of this.segments) {
      if (segment.full) continue;
      const ids = segment.graph.getIdsList();
      segment.full = new FullVectors(this.dim, ids.length);
      for (const { id, vector } of this.stored.vectors.iterate(this.stored.modelId, ids)) segment.full.set(id, vector);
      segment.dirty = true;
    }
  }
}

function segmentMinOf(options: IndexOptions): number {
  return options.segmentMin ?? SEGMENT_MIN;
}

function threadsOf(options: IndexOptions): number {
  return Math.max(1, options.threads ?? availableParallelism());
}

function wantsProjection(dim: number, size: number, options: IndexOptions): boolean {
  return dim > PROJECTED_DIMS && size >= (options.projectFrom ?? PROJECT_FROM);
}

/** The fingerprint with one more id. */
function withId(ids: IdFingerprint, id: number): IdFingerprint {
  return { count: ids.count + 1, maxId: Math.max(ids.maxId, id), idSum: ids.idSum + id };
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}
