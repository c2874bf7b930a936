/** Files found in library folders, with their per-file status and the reason when it is an error. */
import type { Db } from './database.js';
import { Statements } from './statements.js';
import type { FileProblem, MediaErrorCode } from '../util/file-errors.js';
import { belowPrefix } from '../util/paths-inside.js';

/** What a file was when it was read. */
export interface SeenFile {
  size: number;
  mtimeMs: number;
  identity: string;
}

export type FileStatus = 'pending' | 'ready' | 'error' | 'missing';

export interface FileRow {
  id: number;
  folder_id: number;
  path: string;
  ext: string;
  size: number;
  mtime_ms: number;
  content_id: number | null;
  status: FileStatus;
  error: string | null;
  missing_since: number | null;
  /** "device:inode" of the file that was read (null before it was read, or for older libraries). */
  identity: string | null;
  /** The stable code of `error` (util/file-errors.ts), null for older libraries. */
  error_code: MediaErrorCode | null;
}

const COLUMNS = 'id, folder_id, path, ext, size, mtime_ms, content_id, status, error, missing_since, identity, error_code';

export class FileRepo {
  private readonly statements: Statements;

  constructor(private readonly db: Db) {
    this.statements = new Statements(db);
  }

  byId(id: number): FileRow | undefined {
    return this.statements.get(`SELECT ${COLUMNS} FROM files WHERE id = ?`).get(id) as FileRow | undefined;
  }

  byPath(path: string): FileRow | undefined {
    return this.statements.get(`SELECT ${COLUMNS} FROM files WHERE path = ?`).get(path) as FileRow | undefined;
  }

  listByFolder(folderId: number): FileRow[] {
    return this.statements.get(`SELECT ${COLUMNS} FROM files WHERE folder_id = ?`).all(folderId) as FileRow[];
  }

  /** Rows at or below a path (a file, or a folder that was removed or moved away). */
  listUnder(path: string): FileRow[] {
    const prefix = belowPrefix(path);
    return this.statements
      .get(`SELECT ${COLUMNS} FROM files WHERE path = ? OR substr(path, 1, ?) = ?`)
      .all(path, prefix.length, prefix) as FileRow[];
  }

  insertPending(folderId: number, path: string, ext: string, size: number, mtimeMs: number): number {
    const info = this.statements
      .get(
        `INSERT INTO files (folder_id, path, ext, size, mtime_ms, status, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
      )
      .run(folderId, path, ext, size, Math.round(mtimeMs), Date.now());
    return Number(info.lastInsertRowid);
  }

  markChanged(id: number, size: number, mtimeMs: number): void {
    this.statements
      .get(
        `UPDATE files SET size = ?, mtime_ms = ?, status = 'pending', error = NULL, error_code = NULL, missing_since = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(size, Math.round(mtimeMs), Date.now(), id);
  }

  markMissing(id: number): void {
    this.statements
      .get(`UPDATE files SET status = 'missing', missing_since = COALESCE(missing_since, ?), updated_at = ? WHERE id = ?`)
      .run(Date.now(), Date.now(), id);
  }

  /** A missing file is back unchanged: it is ready again if it had been read, else pending. */
  markPresent(id: number): void {
    this.statements
      .get(
        `UPDATE files SET status = CASE WHEN content_id IS NULL THEN 'pending' ELSE 'ready' END,
         missing_since = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(Date.now(), id);
  }

  /** The file was read: it holds this content, and `seen` is the size, time and identity it had then. */
  setReady(id: number, contentId: number, seen: SeenFile): void {
    this.statements
      .get(
        `UPDATE files SET content_id = ?, status = 'ready', error = NULL, error_code = NULL, size = ?, mtime_ms = ?, identity = ?, updated_at = ? WHERE id = ?`,
      )
      .run(contentId, seen.size, Math.round(seen.mtimeMs), seen.identity, Date.now(), id);
  }

  setError(id: number, problem: FileProblem): void {
    this.statements
      .get(`UPDATE files SET status = 'error', error = ?, error_code = ?, updated_at = ? WHERE id = ?`)
      .run(problem.message, problem.code, Date.now(), id);
  }

  setErrorForContent(contentId: number, problem: FileProblem): void {
    this.statements
      .get(`UPDATE files SET status = 'error', error = ?, error_code = ?, updated_at = ? WHERE content_id = ? AND status = 'ready'`)
      .run(problem.message, problem.code, Date.now(), contentId);
  }

  /** A missing row with this content, i.e. the file that was moved or renamed to a new path. */
  missingWithContent(contentId: number): FileRow | undefined {
    return this.statements
      .get(`SELECT ${COLUMNS} FROM files WHERE content_id = ? AND status = 'missing' ORDER BY missing_since LIMIT 1`)
      .get(contentId) as FileRow | undefined;
  }

  /** Moves a row to a new path, keeping its id, content and everything attached to it. */
  relocate(id: number, folderId: number, path: string, ext: string, seen: SeenFile): void {
    this.statements
      .get(
        `UPDATE files SET folder_id = ?, path = ?, ext = ?, size = ?, mtime_ms = ?, identity = ?, status = 'ready', error = NULL, error_code = NULL,
         missing_since = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(folderId, path, ext, seen.size, Math.round(seen.mtimeMs), seen.identity, Date.now(), id);
  }

  delete(id: number): void {
    this.statements.get('DELETE FROM files WHERE id = ?').run(id);
  }

  /** Forgets files missing since before `cutoff` (epoch ms); returns how many. */
  purgeMissingBefore(cutoff: number): number {
    return this.statements.get(`DELETE FROM files WHERE status = 'missing' AND missing_since <= ?`).run(cutoff).changes;
  }

  deleteMissing(): number {
    return this.statements.get(`DELETE FROM files WHERE status = 'missing'`).run().changes;
  }

  readyPathForContent(contentId: number): string | undefined {
    const row = this.statements
      .get(`SELECT path FROM files WHERE content_id = ? AND status = 'ready' ORDER BY id LIMIT 1`)
      .get(contentId) as { path: string } | undefined;
    return row?.path;
  }

  /** Paths of the files with a status, sorted. */
  pathsWithStatus(status: FileStatus): string[] {
    return (this.statements.get('SELECT path FROM files WHERE status = ? ORDER BY path').all(status) as { path: string }[]).map(
      (r) => r.path,
    );
  }

  countByStatus(): Record<FileStatus, number> {
    const counts: Record<FileStatus, number> = { pending: 0, ready: 0, error: 0, missing: 0 };
    for (const row of this.statements.get('SELECT status, COUNT(*) AS n FROM files GROUP BY status').all() as {
      status: FileStatus;
      n: number;
    }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  /** Files in error, by path; `limit` may be Infinity for all of them. */
  errors(limit: number): { path: string; error: string }[] {
    const rows = Number.isFinite(limit) ? limit : -1; // SQLite: a negative LIMIT is no limit
    return this.statements.get(`SELECT path, error FROM files WHERE status = 'error' ORDER BY path LIMIT ?`).all(rows) as {
      path: string;
      error: string;
    }[];
  }
}
