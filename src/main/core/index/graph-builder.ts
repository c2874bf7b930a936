/**
 * Building HNSW graphs, on the calling thread or several at once in worker threads
 * (workers/graph-builder-worker). hnswlib-node adds one vector at a time on the thread that calls
 * it, so the only way to use a second core for a large library's index is a second graph: the
 * library's vectors are dealt out in chunks to one graph per core, each built and written to its
 * file by its own worker, and searched together afterwards (vector-index.ts merges them).
 */
import { once } from 'node:events';
import hnswlib from 'hnswlib-node';
import { startWorker, workerEntry } from '../util/worker-start.js';
import { graphPoint, Projection } from './projection.js';

export interface GraphSpec {
  /** The stored vectors' dimension, and the graph's (smaller when projected). */
  dim: number;
  graphDims: number;
  capacity: number;
  m: number;
  efConstruction: number;
  /** The projection's bytes (Projection.toBytes), or null to index the vectors as they are. */
  projection: Uint8Array | null;
}

/** Consecutive vectors for one graph: ids[i] labels vectors[i * dim ...]. */
export interface GraphChunk {
  ids: Float64Array;
  vectors: Float32Array;
}

export type BuilderRequest = { type: 'start'; spec: GraphSpec } | { type: 'add'; chunk: GraphChunk } | { type: 'write'; file: string };
export type BuilderResponse = { type: 'ok' } | { type: 'error'; message: string };

/** One graph being built on this thread. */
export class GraphBuild {
  readonly graph: hnswlib.HierarchicalNSW;
  private readonly projection: Projection | undefined;

  constructor(private readonly spec: GraphSpec) {
    this.graph = new hnswlib.HierarchicalNSW('ip', spec.graphDims);
    this.graph.initIndex({ maxElements: Math.max(1024, spec.capacity), m: spec.m, efConstruction: spec.efConstruction, randomSeed: 100 });
    this.projection = spec.projection ? Projection.fromBytes(spec.projection, spec.dim, spec.graphDims) : undefined;
  }

  add({ ids, vectors }: GraphChunk): void {
    const { dim } = this.spec;
    for (let i = 0; i < ids.length; i += 1) {
      const vector = vectors.subarray(i * dim, (i + 1) * dim);
      this.graph.addPoint(graphPoint(this.projection, vector), ids[i]!);
    }
  }
}

/** Chunks a worker may have queued before the reader waits for it (bounded memory). */
const CHUNKS_AHEAD = 2;

/**
 * Builds `specs.length` graphs at once, one worker each, from `chunks` (each chunk goes to the graph
 * it names), and writes graph i to `files[i]`. Rejects, with every worker stopped, if any fails.
 */
export async function buildGraphsInWorkers(
  specs: GraphSpec[],
  files: string[],
  chunks: Iterable<{ graph: number; chunk: GraphChunk }>,
): Promise<void> {
  const builders = specs.map(() => new WorkerBuilder());
  try {
    await Promise.all(builders.map((builder, i) => builder.call({ type: 'start', spec: specs[i]! })));
    for (const { graph, chunk } of chunks) {
      const builder = builders[graph]!;
      while (builder.outstanding >= CHUNKS_AHEAD) await builder.settled();
      void builder
        .call({ type: 'add', chunk }, [chunk.ids.buffer as ArrayBuffer, chunk.vectors.buffer as ArrayBuffer])
        .catch(() => undefined);
    }
    await Promise.all(builders.map((builder, i) => builder.call({ type: 'write', file: files[i]! })));
  } finally {
    await Promise.all(builders.map((builder) => builder.stop()));
  }
}

/** A graph-building worker answering requests in order. */
class WorkerBuilder {
  private readonly worker = startWorker(workerEntry('graph-builder-worker'));
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor() {
    this.worker.on('message', (response: BuilderResponse) => {
      const next = this.waiting.shift();
      if (response.type === 'ok') next?.resolve();
      else this.fail(new Error(response.message));
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the index builder stopped (exit code ${code})`)));
  }

  get outstanding(): number {
    return this.waiting.length;
  }

  call(request: BuilderRequest, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const answered = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.worker.postMessage(request, transfer);
    return answered;
  }

  /** Resolves when the oldest outstanding request is answered; rejects if the worker failed. */
  async settled(): Promise<void> {
    if (this.failure) throw this.failure;
    const oldest = this.waiting[0];
    if (!oldest) return;
    await new Promise<void>((resolve, reject) => {
      const { resolve: done, reject: failed } = oldest;
      oldest.resolve = () => (done(), resolve());
      oldest.reject = (error) => (failed(error), reject(error));
    });
  }

  async stop(): Promise<void> {
    const exited = once(this.worker, 'exit').catch(() => undefined);
    await this.worker.terminate();
    await exited;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.failure);
  }
}

/** Vectors read from the database are dealt to the graphs in chunks of this many. */
export const CHUNK = 4096;

/** The stored vectors in chunks, dealt to `graphs` graphs in turn; `each` sees every vector first. */
export function* dealt(
  vectors: Iterable<{ id: number; vector: Float32Array }>,
  dim: number,
  graphs: number,
  total: number,
  each: (graph: number, id: number, vector: Float32Array) => void,
): Generator<{ graph: number; chunk: GraphChunk }> {
  // Chunks small enough that every graph gets several (an even share), at most CHUNK.
  const size = Math.max(64, Math.min(CHUNK, Math.ceil(total / (graphs * 8))));
  let turn = 0;
  let filled = 0;
  let chunk: GraphChunk = { ids: new Float64Array(size), vectors: new Float32Array(size * dim) };
  const flush = (): { graph: number; chunk: GraphChunk } => {
    const out = { graph: turn % graphs, chunk: { ids: chunk.ids.subarray(0, filled), vectors: chunk.vectors.subarray(0, filled * dim) } };
    turn += 1;
    filled = 0;
    chunk = { ids: new Float64Array(size), vectors: new Float32Array(size * dim) };
    return out;
  };
  for (const { id, vector } of vectors) {
    each(turn % graphs, id, vector);
    chunk.ids[filled] = id;
    chunk.vectors.set(vector, filled * dim);
    filled += 1;
    if (filled === size) yield flush();
  }
  if (filled > 0) yield flush();
}

/** The items, reporting every CHUNK of them passed on. */
export function* counted<T>(
  items: Iterable<T>,
  total: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Generator<T> {
  let done = 0;
  for (const item of items) {
    yield item;
    done += 1;
    if (done % CHUNK === 0) onProgress?.(done, total);
  }
  onProgress?.(done, total);
}
