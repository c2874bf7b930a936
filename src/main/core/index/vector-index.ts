/**
 * One HNSW index (hnswlib-node) per embedding model, saved beside the database.
 *
 * SQLite is the source of truth: on open the index is checked against the `vectors` table and
 * repaired (missing vectors added, stale ones marked deleted), or rebuilt from the stored vectors
 * when it is missing, corrupt, for another dimension, or mostly tombstones. No model runs for that.
 * The file is written to a temporary name and renamed, with a sidecar holding its size and SHA-256,
 * so a torn or altered file is detected before hnswlib ever parses it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { z } from 'zod';
import type { VectorRepo } from '../store/vector-repo.js';

const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

/**
 * M 32 rather than 16: on embedding-like data whose variance spreads over dozens of directions, M 16
 * needed a search breadth of about 1000 for recall@10 0.99 at 100k vectors (0.97 at 512); M 32 gets
 * there with half the breadth (bench/hnsw.ts measures it up to a million vectors). A breadth of 512
 * costs a few milliseconds per query, small next to encoding the query text.
 */
export const HNSW_PARAMS = { m: 32, efConstruction: 200, efSearchMin: 512, efSearchMax: 2048 } as const;

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

const SidecarSchema = z.object({
  format: z.literal(1),
  dim: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().length(64),
});

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
  private dirty = false;
  private tombstones = 0;

  private constructor(
    private hnsw: Hnsw,
    readonly dim: number,
    private readonly file: string,
  ) {}

  static open(
    dir: string,
    modelName: string,
    dim: number,
    repo: VectorRepo,
    modelId: number,
  ): { index: VectorIndex; report: IndexOpenReport } {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${safeFileName(modelName)}.hnsw`);
    const loaded = tryLoad(file, dim);
    if (!loaded.hnsw) {
      const index = VectorIndex.rebuild(file, dim, repo, modelId);
      return { index, report: { rebuilt: true, reason: loaded.reason, added: index.size, removed: 0 } };
    }
    const index = new VectorIndex(loaded.hnsw, dim, file);
    const report = index.syncWith(repo, modelId);
    if (index.tombstones > Math.max(1000, index.size / 4)) {
      const rebuilt = VectorIndex.rebuild(file, dim, repo, modelId);
      return { index: rebuilt, report: { ...report, rebuilt: true, reason: 'compacting deleted entries' } };
    }
    if (index.dirty) index.save();
    return { index, report };
  }

  static rebuild(file: string, dim: number, repo: VectorRepo, modelId: number): VectorIndex {
    const count = repo.count(modelId);
    const hnsw = new HierarchicalNSW('ip', dim);
    hnsw.initIndex({
      maxElements: Math.max(1024, Math.ceil(count * 1.25)),
      m: HNSW_PARAMS.m,
      efConstruction: HNSW_PARAMS.efConstruction,
      randomSeed: 100,
    });
    const index = new VectorIndex(hnsw, dim, file);
    for (const { id, vector } of repo.iterate(modelId)) index.hnsw.addPoint(Array.from(vector), id);
    index.dirty = true;
    index.save();
    return index;
  }

  /**
   * Makes the index hold exactly the vectors the database holds for this model: at open, and when
   * this process takes the library over from another that added vectors meanwhile.
   */
  syncWith(repo: VectorRepo, modelId: number): IndexOpenReport {
    const inDb = new Set(repo.ids(modelId));
    const inIndex = this.hnsw.getIdsList();
    const inIndexSet = new Set(inIndex);
    let removed = 0;
    for (const id of inIndex) {
      if (inDb.has(id)) continue;
      this.tombstones += 1;
      if (this.markDeleted(id)) removed += 1;
    }
    const missing = [...inDb].filter((id) => !inIndexSet.has(id));
    this.add(repo.iterate(modelId, missing));
    return { rebuilt: false, added: missing.length, removed };
  }

  get size(): number {
    return this.hnsw.getCurrentCount() - this.tombstones;
  }

  add(items: Iterable<{ id: number; vector: Float32Array }>): void {
    for (const { id, vector } of items) {
      if (vector.length !== this.dim) throw new Error(`vector ${id} has ${vector.length} dimensions, the index ${this.dim}`);
      // hnswlib has a fixed capacity: grow it before it is full rather than fail the add.
      const max = this.hnsw.getMaxElements();
      if (this.hnsw.getCurrentCount() + 1 > max) this.hnsw.resizeIndex(Math.max(1024, Math.ceil(max * 1.5)));
      this.hnsw.addPoint(Array.from(vector), id);
      this.dirty = true;
    }
  }

  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      if (this.markDeleted(id)) {
        this.tombstones += 1;
        this.dirty = true;
      }
    }
  }

  private markDeleted(id: number): boolean {
    try {
      this.hnsw.markDelete(id);
      return true;
    } catch {
      return false; // unknown label or already deleted: nothing to do
    }
  }

  /** Nearest neighbours by cosine similarity; `allow` restricts the candidates (filters). */
  search(query: Float32Array, k: number, allow?: (id: number) => boolean): Neighbor[] {
    const available = this.size;
    const want = Math.min(k, available);
    if (want <= 0) return [];
    this.hnsw.setEf(Math.max(efSearchFor(available), want));
    const result = this.hnsw.searchKnn(Array.from(query), want, allow);
    return result.neighbors.map((id, i) => ({ id, score: 1 - result.distances[i]! }));
  }

  save(): void {
    if (!this.dirty) return;
    const tmp = `${this.file}.tmp`;
    this.hnsw.writeIndexSync(tmp);
    const bytes = statSync(tmp).size;
    const sidecar = { format: 1, dim: this.dim, bytes, sha256: sha256File(tmp) };
    writeFileSync(`${this.file}.json.tmp`, JSON.stringify(sidecar));
    renameSync(tmp, this.file);
    renameSync(`${this.file}.json.tmp`, `${this.file}.json`);
    this.dirty = false;
  }

  static remove(dir: string, modelName: string): void {
    const file = join(dir, `${safeFileName(modelName)}.hnsw`);
    rmSync(file, { force: true });
    rmSync(`${file}.json`, { force: true });
  }
}

function tryLoad(file: string, dim: number): { hnsw?: Hnsw; reason?: string } {
  if (!existsSync(file)) return { reason: 'index file missing' };
  let sidecar: z.infer<typeof SidecarSchema>;
  try {
    sidecar = SidecarSchema.parse(JSON.parse(readFileSync(`${file}.json`, 'utf8')));
  } catch {
    return { reason: 'index description missing or unreadable' };
  }
  if (sidecar.dim !== dim) return { reason: `index is ${sidecar.dim}-d, model gives ${dim}-d vectors` };
  if (statSync(file).size !== sidecar.bytes || sha256File(file) !== sidecar.sha256)
    return { reason: 'index file corrupt (checksum mismatch)' };
  try {
    const hnsw = new HierarchicalNSW('ip', dim);
    hnsw.readIndexSync(file);
    return { hnsw };
  } catch (error) {
    return { reason: `index file unreadable: ${(error as Error).message}` };
  }
}

function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let n: number;
    while ((n = readSync(fd, chunk, 0, chunk.length, null)) > 0) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
