/**
 * What searches read: search filters (folder, date range, file type, kind) turned into the set of
 * vector ids a query may return (HNSW then searches only among those, so a filtered query still
 * gets its true top-k instead of a post-filtered, shortened list), where a vector sits (its content
 * and moment), the files of a content that pass the filters, and the library newest first.
 */
import type { MediaKind } from '../util/media-types.js';
import type { Db } from './database.js';
import { Statements } from './statements.js';
import { belowPrefix } from '../util/paths-inside.js';
import { isCompanion } from './companions.js';

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
  /** Part of the name of a folder the file lies in (any level), any case: `folder:holidays`. */
  folderPart?: string;
  /** Part of the camera's make and model, any case: `camera:canon`. */
  camera?: string;
  /** Only items whose words were read (`has:text`), or that carry a GPS position (`has:gps`). */
  hasText?: boolean;
  hasGps?: boolean;
  /** Taken at a place answering to this name (or a name starting with it): `in:paris`. */
  place?: string;
  /** Taken inside this box of latitudes and longitudes (a cluster on the map). */
  area?: { south: number; west: number; north: number; east: number };
}

export function hasFilters(f: SearchFilters): boolean {
  return Boolean(
    f.folder ||
    f.from !== undefined ||
    f.to !== undefined ||
    f.types?.length ||
    f.kinds?.length ||
    f.folderPart ||
    f.camera ||
    f.hasText ||
    f.hasGps ||
    f.place ||
    f.area,
  );
}

/** `value` for a LIKE pattern, its wildcards taken literally (escape character: backslash). */
function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A file a search may return. */
export interface FileInfo {
  id: number;
  path: string;
  kind: MediaKind;
  content_id: number;
  width: number | null;
  height: number | null;
  taken_at: number | null;
  /** Date taken, else file time (epoch ms): what the library is ordered and grouped by. */
  date: number;
}

/** SQL conditions over `files f JOIN contents c`, with their parameters. */
function filterSql(f: SearchFilters): { where: string; params: unknown[] } {
  // A RAW beside its developed picture, a Live Photo's motion: not items of their own (store/companions).
  const clauses: string[] = [`f.status = 'ready'`, `NOT ${isCompanion('f', 'c')}`];
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
  if (f.folderPart) {
    // A '/' after the match: the part is in a folder's name, not the file's.
    clauses.push(`lower(f.path) LIKE ? ESCAPE '\\'`);
    params.push(`%${likeLiteral(f.folderPart.toLowerCase())}%/%`);
  }
  if (f.camera) {
    clauses.push(`lower(COALESCE(c.camera_make, '') || ' ' || COALESCE(c.camera_model, '')) LIKE ? ESCAPE '\\'`);
    params.push(`%${likeLiteral(f.camera.toLowerCase())}%`);
  }
  if (f.hasText) clauses.push(`EXISTS (SELECT 1 FROM content_text t WHERE t.content_id = c.id AND t.text <> '')`);
  if (f.hasGps) clauses.push('c.gps_lat IS NOT NULL AND c.gps_lon IS NOT NULL');
  if (f.area) {
    clauses.push('c.gps_lat BETWEEN ? AND ? AND c.gps_lon BETWEEN ? AND ?');
    params.push(f.area.south, f.area.north, f.area.west, f.area.east);
  }
  if (f.place) {
    clauses.push(`EXISTS (SELECT 1 FROM content_place p WHERE p.content_id = c.id AND p.names LIKE ? ESCAPE '\\')`);
    params.push(`%|${likeLiteral(f.place.toLowerCase())}%`);
  }
  return { where: clauses.join(' AND '), params };
}

const FILE_COLUMNS = 'f.id, f.path, c.kind, f.content_id, c.width, c.height, c.taken_at, COALESCE(c.taken_at, f.mtime_ms) AS date';

export class SearchQueries {
  private readonly statements: Statements;

  constructor(private readonly db: Db) {
    this.statements = new Statements(db);
  }

  /**
   * Every vector of the model that passes the filters: a pass over the whole library (tens of
   * milliseconds at 20,000 items, seconds at a million), for a filter that keeps few (search-service).
   */
  allowedVectorIds(modelId: number, f: SearchFilters): Set<number> {
    const { where, params } = filterSql(f);
    const rows = this.db
      .prepare(
        `SELECT DISTINCT v.id FROM vectors v JOIN files f ON f.content_id = v.content_id JOIN contents c ON c.id = v.content_id
         WHERE v.model_id = ? AND ${where}`,
      )
      .all(modelId, ...params) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Which of these vectors pass the filters, each with its content (one query, a lookup per vector,
   * whatever the library's size).
   */
  passingVectors(ids: readonly number[], f: SearchFilters): Map<number, number> {
    const { where, params } = filterSql(f);
    // CROSS JOIN fixes the order (the given ids first) and INDEXED BY the files' lookup by content:
    // left to itself, SQLite (which keeps no statistics here) may seek the files by status instead.
    const rows = this.statements
      .get(
        `SELECT DISTINCT v.id, v.content_id FROM json_each(?) j CROSS JOIN vectors v ON v.id = j.value
         CROSS JOIN files f INDEXED BY files_content ON f.content_id = v.content_id JOIN contents c ON c.id = v.content_id
         WHERE ${where}`,
      )
      .raw()
      .all(JSON.stringify(ids), ...params) as [number, number][];
    return new Map(rows);
  }

  /** Which content a vector belongs to, and at which moment (videos, recordings). */
  placementOf(vectorId: number): { contentId: number; offsetS: number | null } | undefined {
    const row = this.statements.get('SELECT content_id, offset_s FROM vectors WHERE id = ?').get(vectorId) as
      { content_id: number; offset_s: number | null } | undefined;
    return row && { contentId: row.content_id, offsetS: row.offset_s };
  }

  /** The ready files of a content that pass the filters, by path. */
  filesOf(contentId: number, f: SearchFilters): FileInfo[] {
    const { where, params } = filterSql(f);
    // INDEXED BY: the files by content, whatever else the filters name (test/unit/store-query-plans).
    return this.statements
      .get(
        `SELECT ${FILE_COLUMNS} FROM files f INDEXED BY files_content JOIN contents c ON c.id = f.content_id
         WHERE f.content_id = ? AND ${where} ORDER BY f.path`,
      )
      .all(contentId, ...params) as FileInfo[];
  }

  /** How many ready files that pass the filters fall in each month (UTC), newest month first. */
  months(f: SearchFilters): { month: string; count: number }[] {
    const { where, params } = filterSql(f);
    return this.db
      .prepare(
        `SELECT strftime('%Y-%m', COALESCE(c.taken_at, f.mtime_ms) / 1000, 'unixepoch') AS month, COUNT(*) AS count
         FROM files f JOIN contents c ON c.id = f.content_id WHERE ${where} GROUP BY month ORDER BY month DESC`,
      )
      .all(...params) as { month: string; count: number }[];
  }

  /** Ready files that pass the filters, newest first (date taken, else file time). */
  newestFirst(f: SearchFilters, limit: number, offset: number): FileInfo[] {
    const { where, params } = filterSql(f);
    return this.db
      .prepare(
        `SELECT ${FILE_COLUMNS} FROM files f JOIN contents c ON c.id = f.content_id
         WHERE ${where} ORDER BY COALESCE(c.taken_at, f.mtime_ms) DESC, f.id DESC LIMIT ? OFFSET ?`,
      )
      .all(...params, limit, offset) as FileInfo[];
  }
}
