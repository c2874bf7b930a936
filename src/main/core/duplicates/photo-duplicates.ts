/**
 * Duplicate and near-duplicate photos.
 *
 *  - Exact: files with the same content hash.
 *  - Near: pictures whose visual fingerprints (media/visual-fingerprint.ts) agree. Candidates are
 *    each picture's nearest neighbours by coarse appearance (an in-memory HNSW over 16x16 grids);
 *    a pair is kept when the grids still correlate after trying small crops and shifts, with the
 *    perceptual hash as a second opinion for the borderline ones. Flat pictures (sky, walls, blank
 *    pages) are never near duplicates, only exact ones: with no structure, looking alike means nothing.
 *  - With a model whose embeddings measure visual similarity (CLIP), pairs that it finds unrelated
 *    are dropped too. Classifier outputs (MobileNet's class probabilities) are not used for this:
 *    two different photos of pianos score the same there, and a brightened copy may not.
 *
 * Groups are closed transitively, and each suggests a keeper: the most pixels, then the largest
 * file, then the oldest, then the shortest path.
 */
import hnswlib from 'hnswlib-node';
import type { DuplicateMember as ApiDuplicateMember } from '../../../shared/api.js';
import type { Db } from '../store/database.js';
import type { VectorRepo } from '../store/vector-repo.js';
import { alignedSimilarity, gridVector, hammingDistance, type VisualFingerprint } from '../media/visual-fingerprint.js';
import { fingerprintImage } from '../media/image-decoder.js';

/** A pair is a near duplicate when its aligned grid correlation reaches this… */
export const NEAR_SIMILARITY = 0.9;
/** …or this much, with perceptual hashes at most this many bits apart. */
export const NEAR_SIMILARITY_WITH_HASH = 0.8;
export const NEAR_HASH_BITS = 8;
/** Below this grid standard deviation (grey levels) a picture counts as flat. */
export const FLAT_DETAIL = 6;
/** Neighbours by coarse appearance examined per picture. */
const CANDIDATES = 10;
/**
 * Candidates this unlike at a glance (16x16 correlation without alignment) and this far apart by hash
 * are not examined further: copies, even cropped or brightened, were never that different.
 */
const GLANCE_MIN = 0.3;
const GLANCE_HASH_BITS = 20;

/** A file of a group, as the API describes it (less its display name). */
export type DuplicateMember = Omit<ApiDuplicateMember, 'name'>;

export interface DuplicateGroup {
  kind: 'exact' | 'near';
  /** The lowest likeness of a member to the keeper. */
  similarity: number;
  keeper: number;
  members: DuplicateMember[];
}

export interface FindOptions {
  /** The loaded model, when its embeddings can veto pairs (see EmbeddingCheck). */
  embeddingCheck?: EmbeddingCheck;
  onProgress?: (done: number, total: number, phase: 'fingerprints' | 'comparing') => void;
  signal?: AbortSignal;
}

export interface EmbeddingCheck {
  modelId: number;
  vectors: VectorRepo;
  /** Pairs whose embeddings are less similar than this are not duplicates. */
  minCosine: number;
}

interface ContentRow {
  id: number;
  phash: string | null;
  grid: Buffer | null;
  detail: number | null;
}

export async function findPhotoDuplicates(db: Db, options: FindOptions = {}): Promise<DuplicateGroup[]> {
  await backfillFingerprints(db, options);
  const contents = (
    db
      .prepare(
        `SELECT c.id, c.phash, c.grid, c.detail FROM contents c
         WHERE c.kind = 'image' AND c.grid IS NOT NULL AND EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id AND f.status = 'ready')`,
      )
      .all() as ContentRow[]
  ).map((row) => ({ id: row.id, fingerprint: toFingerprint(row)! }));

  const groups = new UnionFind();
  const pairs = nearPairs(contents, options);
  for (const [a, b] of pairs) groups.union(a, b);

  const result: DuplicateGroup[] = [];
  const filesOf = db.prepare(
    `SELECT f.id, f.path, f.size, f.mtime_ms, c.width, c.height, c.taken_at FROM files f JOIN contents c ON c.id = f.content_id
     WHERE f.content_id = ? AND f.status = 'ready' ORDER BY f.path`,
  );
  const byId = new Map(contents.map((c) => [c.id, c.fingerprint]));
  const clusters = groups.clusters();
  // Contents in no near group but with several identical files are exact groups on their own.
  const exactOnly = db
    .prepare(
      `SELECT f.content_id AS id FROM files f JOIN contents c ON c.id = f.content_id
       WHERE f.status = 'ready' AND c.kind = 'image' GROUP BY f.content_id HAVING COUNT(*) > 1`,
    )
    .all() as { id: number }[];
  for (const { id } of exactOnly) if (!groups.has(id)) clusters.push([id]);

  for (const cluster of clusters) {
    const files = cluster.flatMap((contentId) => (filesOf.all(contentId) as FileRow[]).map((f) => ({ contentId, file: f })));
    if (files.length < 2) continue;
    const keeper = [...files].sort(keeperOrder)[0]!;
    const keeperPrint = byId.get(keeper.contentId);
    const members: DuplicateMember[] = files.map(({ contentId, file }) => ({
      fileId: file.id,
      path: file.path,
      width: file.width,
      height: file.height,
      bytes: file.size,
      date: file.taken_at ?? file.mtime_ms,
      similarity:
        contentId === keeper.contentId
          ? 1
          : keeperPrint && byId.get(contentId)
            ? round(alignedSimilarity(keeperPrint.grid, byId.get(contentId)!.grid))
            : 0,
    }));
    result.push({
      kind: cluster.length === 1 ? 'exact' : 'near',
      similarity: Math.min(...members.map((m) => m.similarity)),
      keeper: keeper.file.id,
      members,
    });
  }
  return result.sort((x, y) => y.similarity - x.similarity || y.members.length - x.members.length);
}

/** Whether two fingerprints show the same picture (see the thresholds above). */
export function sameLook(a: VisualFingerprint, b: VisualFingerprint): { same: boolean; similarity: number } {
  if (Math.min(a.detail, b.detail) < FLAT_DETAIL) return { same: false, similarity: 0 };
  const bits = hammingDistance(a.phash, b.phash);
  const similarity = alignedSimilarity(a.grid, b.grid);
  return { same: similarity >= NEAR_SIMILARITY || (similarity >= NEAR_SIMILARITY_WITH_HASH && bits <= NEAR_HASH_BITS), similarity };
}

function nearPairs(contents: { id: number; fingerprint: VisualFingerprint }[], options: FindOptions): [number, number][] {
  if (contents.length < 2) return [];
  const dim = 256;
  const index = new hnswlib.HierarchicalNSW('ip', dim);
  index.initIndex({ maxElements: contents.length, m: 16, efConstruction: 100, randomSeed: 7 });
  const vectors = contents.map((c) => Array.from(gridVector(c.fingerprint.grid)));
  vectors.forEach((v, i) => index.addPoint(v, i));
  index.setEf(Math.max(64, CANDIDATES * 4));
  const k = Math.min(CANDIDATES + 1, contents.length);
  const seen = new Set<string>();
  const pairs: [number, number][] = [];
  const embedding = options.embeddingCheck;
  for (let i = 0; i < contents.length; i += 1) {
    if (options.signal?.aborted) throw new Error('stopped');
    if (i % 200 === 0) options.onProgress?.(i, contents.length, 'comparing');
    const found = index.searchKnn(vectors[i]!, k);
    for (const [n, j] of found.neighbors.entries()) {
      if (j === i) continue;
      const key = i < j ? `${i}:${j}` : `${j}:${i}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const a = contents[i]!;
      const b = contents[j]!;
      const glance = 1 - found.distances[n]!;
      if (glance < GLANCE_MIN && hammingDistance(a.fingerprint.phash, b.fingerprint.phash) > GLANCE_HASH_BITS) continue;
      if (!sameLook(a.fingerprint, b.fingerprint).same) continue;
      if (embedding && cosineOf(embedding, a.id, b.id) < embedding.minCosine) continue;
      pairs.push([a.id, b.id]);
    }
  }
  options.onProgress?.(contents.length, contents.length, 'comparing');
  return pairs;
}

function cosineOf(check: EmbeddingCheck, a: number, b: number): number {
  const va = check.vectors.vectorsOfContent(check.modelId, a)[0]?.vector;
  const vb = check.vectors.vectorsOfContent(check.modelId, b)[0]?.vector;
  if (!va || !vb) return 1; // no opinion
  let dot = 0;
  for (let i = 0; i < va.length; i += 1) dot += va[i]! * vb[i]!;
  return dot;
}

/** Photos indexed before fingerprints existed get one now (decoded small), once. */
async function backfillFingerprints(db: Db, options: FindOptions): Promise<void> {
  const missing = db
    .prepare(
      `SELECT c.id, (SELECT f.path FROM files f WHERE f.content_id = c.id AND f.status = 'ready' LIMIT 1) AS path
       FROM contents c WHERE c.kind = 'image' AND c.grid IS NULL`,
    )
    .all() as { id: number; path: string | null }[];
  const store = db.prepare('UPDATE contents SET phash = ?, grid = ?, detail = ? WHERE id = ?');
  let done = 0;
  for (const { id, path } of missing) {
    if (options.signal?.aborted) throw new Error('stopped');
    done += 1;
    if (!path) continue;
    try {
      const print = await fingerprintImage(path);
      store.run(print.phash, Buffer.from(print.grid), print.detail, id);
    } catch {
      // Unreadable now: it simply takes no part in near-duplicate search.
    }
    if (done % 50 === 0) options.onProgress?.(done, missing.length, 'fingerprints');
  }
}

function toFingerprint(row: ContentRow): VisualFingerprint | undefined {
  if (!row.grid || !row.phash) return undefined;
  return { phash: row.phash, grid: new Uint8Array(row.grid), detail: row.detail ?? 0 };
}

interface FileRow {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  taken_at: number | null;
}

/** Most pixels, then largest file, then oldest, then shortest path. */
function keeperOrder(x: { file: FileRow }, y: { file: FileRow }): number {
  const pixels = (f: FileRow) => (f.width ?? 0) * (f.height ?? 0);
  return (
    pixels(y.file) - pixels(x.file) ||
    y.file.size - x.file.size ||
    (x.file.taken_at ?? x.file.mtime_ms) - (y.file.taken_at ?? y.file.mtime_ms) ||
    x.file.path.length - y.file.path.length ||
    x.file.path.localeCompare(y.file.path)
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

class UnionFind {
  private readonly parent = new Map<number, number>();

  has(x: number): boolean {
    return this.parent.has(x);
  }

  find(x: number): number {
    let root = x;
    while (this.parent.get(root) !== undefined && this.parent.get(root) !== root) root = this.parent.get(root)!;
    let node = x;
    while (node !== root) {
      const next = this.parent.get(node)!;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    if (!this.parent.has(a)) this.parent.set(a, a);
    if (!this.parent.has(b)) this.parent.set(b, b);
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }

  clusters(): number[][] {
    const byRoot = new Map<number, number[]>();
    for (const x of this.parent.keys()) {
      const root = this.find(x);
      byRoot.set(root, [...(byRoot.get(root) ?? []), x]);
    }
    return [...byRoot.values()];
  }
}
