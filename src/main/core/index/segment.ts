/**
 * One graph of a vector index ("segment"), with the full vectors of its ids when the index is
 * projected (vector-index.ts): what is searched, what was deleted from it, and whether it must be
 * written again.
 */
import type hnswlib from 'hnswlib-node';
import type { FullVectors } from './full-vectors.js';

export type Hnsw = hnswlib.HierarchicalNSW;

/** A saved file, as the sidecar checks it (XXH3; SHA-256 when an older Trove saved it). */
export type SavedFile = { bytes: number; xxh3: string } | { bytes: number; sha256: string };

/** One graph of the index, with (when projected) the full vectors of its ids. */
export interface Segment {
  graph: Hnsw;
  full: FullVectors | undefined;
  tombstones: number;
  dirty: boolean;
  /** What its files were last saved as (undefined until saved). */
  saved: { graph: SavedFile; vectors: SavedFile | null } | undefined;
}

export function newSegment(graph: Hnsw, full: FullVectors | undefined): Segment {
  return { graph, full, tombstones: 0, dirty: true, saved: undefined };
}

export function markDeleted(segment: Segment, id: number): boolean {
  try {
    segment.graph.markDelete(id);
  } catch {
    return false; // not in this graph, or already deleted
  }
  segment.full?.delete(id);
  segment.dirty = true;
  return true;
}
