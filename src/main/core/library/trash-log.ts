/**
 * Files Trove moved to the system trash, in batches (one review action each), so a batch can be
 * put back from the app. The library forgets a trashed file at once; a restored file is found
 * again by the watcher or the next scan, and keeps its embeddings if they are still known.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';
import { moveToTrash, restoreFromTrash, type TrashedFile } from './system-trash.js';

export interface TrashReport {
  batch: string;
  trashed: string[];
  failed: { path: string; error: string }[];
}

export interface RestoreReport {
  restored: string[];
  failed: { path: string; error: string }[];
}

export class TrashLog {
  constructor(private readonly db: Db) {}

  /** Moves each path to the trash; one failure does not stop the others. */
  trash(paths: string[], onTrashed: (path: string) => void): TrashReport {
    const batch = randomUUID();
    const report: TrashReport = { batch, trashed: [], failed: [] };
    const record = this.db.prepare(
      'INSERT INTO trash_log (batch, original_path, trashed_path, info_path, trashed_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const path of paths) {
      let moved: TrashedFile;
      try {
        moved = moveToTrash(path);
      } catch (error) {
        report.failed.push({ path, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      record.run(batch, moved.originalPath, moved.trashedPath, moved.infoPath, Date.now());
      report.trashed.push(path);
      onTrashed(path);
    }
    return report;
  }

  restore(batch: string): RestoreReport {
    const rows = this.db
      .prepare('SELECT id, original_path, trashed_path, info_path FROM trash_log WHERE batch = ? AND restored_at IS NULL')
      .all(batch) as { id: number; original_path: string; trashed_path: string; info_path: string | null }[];
    const done = this.db.prepare('UPDATE trash_log SET restored_at = ? WHERE id = ?');
    const report: RestoreReport = { restored: [], failed: [] };
    for (const row of rows) {
      try {
        restoreFromTrash({ originalPath: row.original_path, trashedPath: row.trashed_path, infoPath: row.info_path });
        done.run(Date.now(), row.id);
        report.restored.push(row.original_path);
      } catch (error) {
        report.failed.push({ path: row.original_path, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return report;
  }
}
