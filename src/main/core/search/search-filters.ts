/**
 * Search filters (folder, date range, file type) turned into the set of vector ids a query may
 * return. HNSW then searches only among those, so a filtered query still gets its true top-k
 * instead of a post-filtered, shortened list.
 */
import type { MediaKind } from '../media/media-types.js';
import type { Db } from '../store/database.js';
import { belowPrefix } from '../util/paths-inside.js';

export interface SearchFilters {
  /** Only files at or below this folder. */
  folder?: string;
  /** Date taken (or file time when there is none), epoch milliseconds, inclusive. */
  from?: number;
  to?: number;
  /** File extensions without the dot, e.g. ['jpg', 'png']. */
  types?: string[];
  /** Kinds of media: photos, recordings. */
  kinds?: MediaKind[];
}

export function hasFilters(f: SearchFilters): boolean {
  return Boolean(f.folder || f.from !== undefined || f.to !== undefined || f.types?.length || f.kinds?.length);
}

/** SQL conditions over `files f JOIN contents c`, with their parameters. */
export function filterSql(f: SearchFilters): { where: string; params: unknown[] } {
  const clauses: string[] = [`f.status = 'ready'`];
  const params: unknown[] = [];
  if (f.folder) {
    const prefix = belowPrefix(f.folder);
    clauses.push('(f.path = ? OR substr(f.path, 1, ?) = ?)');
    params.push(f.folder, prefix.length, prefix);
  }
  if (f.from !== undefined) {
    clauses.push('COALESCE(c.taken_at, f.mtime_ms) >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    clauses.push('COALESCE(c.taken_at, f.mtime_ms) <= ?');
    params.push(f.to);
  }
  if (f.types?.length) {
    const normalized = f.types
      .map((t) => t.toLowerCase().replace(/^\./, ''))
      .flatMap((t) => (t === 'jpg' || t === 'jpeg' ? ['jpg', 'jpeg', 'jpe'] : t === 'tif' || t === 'tiff' ? ['tif', 'tiff'] : [t]));
    clauses.push(`f.ext IN (${normalized.map(() => '?').join(', ')})`);
    params.push(...normalized);
  }
  if (f.kinds?.length) {
    clauses.push(`c.kind IN (${f.kinds.map(() => '?').join(', ')})`);
    params.push(...f.kinds);
  }
  return { where: clauses.join(' AND '), params };
}

export function allowedVectorIds(db: Db, modelId: number, f: SearchFilters): Set<number> {
  const { where, params } = filterSql(f);
  const rows = db
    .prepare(
      `SELECT DISTINCT v.id FROM vectors v JOIN files f ON f.content_id = v.content_id JOIN contents c ON c.id = v.content_id
       WHERE v.model_id = ? AND ${where}`,
    )
    .all(modelId, ...params) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}
