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
 * Groups are closed transitively, and each suggests a keeper: the original (keeper.ts).
 */
import { KnnGraph } from '../index/knn-graph.js';
import type { FingerprintRepo } from '../store/fingerprint-repo.js';
import type { VectorRepo } from '../store/vector-repo.js';
import {
  alignedSimilarity,
  centreCorrelation,
  dctHash,
  gridVector,
  hammingDistance,
  type VisualFingerprint,
} from '../media/visual-fingerprint.js';
import { fingerprintImage } from '../media/image-decoder.js';
import { UnionFind } from './union-find.js';
import { backfillFingerprints, buildGroups, type DuplicateGroup } from './duplicate-groups.js';

export type { DuplicateGroup, DuplicateMember } from './duplicate-groups.js';

/** A pair is a near duplicate when its aligned grid correlation reaches this… */
export const NEAR_SIMILARITY = 0.9;
/** …or this much, with perceptual hashes at most this many bits apart. */
export const NEAR_SIMILARITY_WITH_HASH = 0.8;
export const NEAR_HASH_BITS = 8;
/** …and their centres (which no frame reaches) at least this correlated. */
export const CENTRE_AGREEMENT = 0.5;
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

export async function findPhotoDuplicates(prints: FingerprintRepo, options: FindOptions = {}): Promise<DuplicateGroup[]> {
  // Photos indexed before fingerprints existed: decoded small, never at full resolution.
  await backfillFingerprints(prints.missing('visual'), async (id, path) => prints.setVisual(id, await fingerprintImage(path)), options);
  const contents = prints.visual();

  const groups = new UnionFind();
  const pairs = nearPairs(contents, options);
  for (const [a, b] of pairs) groups.union(a, b);

  const byId = new Map(contents.map((c) => [c.id, c.fingerprint]));
  const clusters = groups.clusters();
  for (const id of prints.contentsWithCopies('image')) if (!groups.has(id)) clusters.push([id]);
  const result = buildGroups(prints, clusters, {
    media: 'photo',
    likeness: (keeper, other) => {
      const a = byId.get(keeper);
      const b = byId.get(other);
      return a && b ? Math.max(alignedSimilarity(a.grid, b.grid), sameLook(a, b).similarity) : 0;
    },
  });
  return result.sort((x, y) => y.similarity - x.similarity || y.members.length - x.members.length);
}

/** Whether two fingerprints show the same picture (see the thresholds above). */
/** The perceptual hash of a grid inside a frame, made once per grid (a picture meets many candidates). */
const innerHashes = new WeakMap<Uint8Array, string>();
function innerHash(grid: Uint8Array): string {
  let hash = innerHashes.get(grid);
  if (hash === undefined) innerHashes.set(grid, (hash = dctHash(grid)));
  return hash;
}

export function sameLook(a: VisualFingerprint, b: VisualFingerprint): { same: boolean; similarity: number } {
  if (Math.min(a.detail, b.detail) < FLAT_DETAIL) return { same: false, similarity: 0 };
  // Each picture as a whole, and a framed one also as what is inside its frame (its unframed copy
  // looks like that); whichever pair of views agrees. Every pair must agree in its centres too, so
  // the same frame or bars around different pictures never make them alike.
  const views: [Uint8Array, string, Uint8Array, string][] = [[a.grid, a.phash, b.grid, b.phash]];
  if (a.inner) views.push([a.inner, innerHash(a.inner), b.grid, b.phash]);
  if (b.inner) views.push([a.grid, a.phash, b.inner, innerHash(b.inner)]);
  if (a.inner && b.inner) views.push([a.inner, innerHash(a.inner), b.inner, innerHash(b.inner)]);
  let best = { same: false, similarity: 0 };
  for (const [gridA, hashA, gridB, hashB] of views) {
    const similarity = alignedSimilarity(gridA, gridB);
    const alike =
      similarity >= NEAR_SIMILARITY || (similarity >= NEAR_SIMILARITY_WITH_HASH && hammingDistance(hashA, hashB) <= NEAR_HASH_BITS);
    const same = alike && centreCorrelation(gridA, gridB) >= CENTRE_AGREEMENT;
    if (same && !best.same) best = { same, similarity };
    else if (same === best.same) best.similarity = Math.max(best.similarity, similarity);
  }
  return best;
}

function nearPairs(contents: { id: number; fingerprint: VisualFingerprint }[], options: FindOptions): [number, number][] {
  if (contents.length < 2) return [];
  // Each picture is a point by its look, and a framed one a second point by what is inside its
  // frame, so a framed copy and its unframed original are neighbours.
  const views = contents.flatMap((c, index) => [
    { index, grid: c.fingerprint.grid, phash: c.fingerprint.phash },
    ...(c.fingerprint.inner ? [{ index, grid: c.fingerprint.inner, phash: innerHash(c.fingerprint.inner) }] : []),
  ]);
  const graph = new KnnGraph(
    views.map((v) => gridVector(v.grid)),
    { m: 16, efConstruction: 100, ef: Math.max(64, CANDIDATES * 4) },
  );
  const k = Math.min(CANDIDATES + 1, views.length);
  const seen = new Set<string>();
  const pairs: [number, number][] = [];
  const embedding = options.embeddingCheck;
  for (let v = 0; v < views.length; v += 1) {
    if (options.signal?.aborted) throw new Error('stopped');
    if (v % 200 === 0) options.onProgress?.(views[v]!.index, contents.length, 'comparing');
    const found = graph.neighboursOf(v, k);
    for (const [n, w] of found.positions.entries()) {
      const i = views[v]!.index;
      const j = views[w]!.index;
      if (j === i) continue;
      const key = i < j ? `${i}:${j}` : `${j}:${i}`;
      if (seen.has(key)) continue;
      const glance = 1 - found.distances[n]!;
      if (glance < GLANCE_MIN && hammingDistance(views[v]!.phash, views[w]!.phash) > GLANCE_HASH_BITS) continue;
      seen.add(key);
      const a = contents[i]!;
      const b = contents[j]!;
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
