/** The record of files Trove moved to the system trash, in batches, so a batch can be put back. */
import type { Db } from './database.js';

export interface TrashedRecord {
  id: number;
  originalPath: string;
  trashedPath: string;
  infoPath: string | null;
}

export class TrashRepo {
  constructor(private readonly db: Db) {}

  record(batch: string, moved: Omit<TrashedRecord, 'id'>): void {
    this.db
      .prepare('INSERT INTO trash_log (batch, original_path, trashed_path, info_path, trashed_at) VALUES (?, ?, ?, ?, ?)')
      .run(batch, moved.originalPath, moved.trashedPath, moved.infoPath, Date.now());
  }

  /** The files of a batch not put back yet. */
  unrestored(batch: string): TrashedRecord[] {
    return (
      this.db
        .prepare('SELECT id, original_path, trashed_path, info_path FROM trash_log WHERE batch = ? AND restored_at IS NULL')
        .all(batch) as { id: number; original_path: string; trashed_path: string; info_path: string | null }[]
    ).map((r) => ({ id: r.id, originalPath: r.original_path, trashedPath: r.trashed_path, infoPath: r.info_path }));
  }

  /** This library's moves not put back, newest first. */
  recent(limit: number): (TrashedRecord & { batch: string; trashedAt: number })[] {
    return (
      this.db
        .prepare(
          `SELECT id, batch, original_path, trashed_path, info_path, trashed_at FROM trash_log
           WHERE restored_at IS NULL ORDER BY trashed_at DESC, id DESC LIMIT ?`,
        )
        .all(limit) as { id: number; batch: string; original_path: string; trashed_path: string; info_path: string | null; trashed_at: number }[]
    ).map((r) => ({
      id: r.id,
      batch: r.batch,
      originalPath: r.original_path,
      trashedPath: r.trashed_path,
      infoPath: r.info_path,
      trashedAt: r.trashed_at,
    }));
  }

  /** One moved file, if it was not put back. */
  unrestoredItem(id: number): TrashedRecord | undefined {
    const r = this.db
      .prepare('SELECT id, original_path, trashed_path, info_path FROM trash_log WHERE id = ? AND restored_at IS NULL')
      .get(id) as { id: number; original_path: string; trashed_path: string; info_path: string | null } | undefined;
    return r && { id: r.id, originalPath: r.original_path, trashedPath: r.trashed_path, infoPath: r.info_path };
  }

  markRestored(id: number): void {
    this.db.prepare('UPDATE trash_log SET restored_at = ? WHERE id = ?').run(Date.now(), id);
  }
}
