/**
 * Moving library files to the system trash (never deleting), in batches, one review action each,
 * and putting a batch back. Only ready files of the library are moved; the library forgets a
 * trashed file at once, and a restored file is found again (and keeps its embeddings if they are
 * still known).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { TrashedRecord } from '../store/trash-repo.js';
import type { LibraryStore } from '../store/library-store.js';
import type { LibrarySync } from './library-sync.js';
import type { Folders } from './folders.js';
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

export interface RecentlyTrashed {
  id: number;
  batch: string;
  path: string;
  trashedAt: number;
  /** False once the trash was emptied (or the file taken out of it by hand): it cannot come back. */
  inTrash: boolean;
}

export class Trash {
  constructor(
    private readonly store: LibraryStore,
    private readonly folders: Folders,
    private readonly sync: LibrarySync,
  ) {}

  /** Moves each file to the trash; one failure does not stop the others. */
  trash(paths: string[]): TrashReport {
    const batch = randomUUID();
    const report: TrashReport = { batch, trashed: [], failed: [] };
    for (const path of paths) {
      if (this.store.files.byPath(path)?.status !== 'ready') {
        report.failed.push({ path, error: 'not a file of the library' });
        continue;
      }
      let moved: TrashedFile;
      try {
        moved = moveToTrash(path);
      } catch (error) {
        report.failed.push({ path, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      this.store.trash.record(batch, moved);
      report.trashed.push(path);
      this.sync.pathRemoved(path);
    }
    return report;
  }

  /** Puts a trashed batch back; the files are read again where they were. */
  restore(batch: string): RestoreReport {
    return this.restoreItems(this.store.trash.unrestored(batch));
  }

  /** Puts one moved file back (the Recently trashed list's Undo). */
  restoreOne(id: number): RestoreReport {
    const item = this.store.trash.unrestoredItem(id);
    return item ? this.restoreItems([item]) : { restored: [], failed: [{ path: `#${id}`, error: 'already put back, or never moved' }] };
  }

  /** What this library moved to the trash and was not put back, newest first; whether it is still there. */
  recent(limit = 200): RecentlyTrashed[] {
    return this.store.trash.recent(limit).map((r) => ({
      id: r.id,
      batch: r.batch,
      path: r.originalPath,
      trashedAt: r.trashedAt,
      inTrash: existsSync(r.trashedPath),
    }));
  }

  private restoreItems(items: TrashedRecord[]): RestoreReport {
    const report: RestoreReport = { restored: [], failed: [] };
    for (const item of items) {
      try {
        restoreFromTrash(item);
        this.store.trash.markRestored(item.id);
        report.restored.push(item.originalPath);
      } catch (error) {
        report.failed.push({ path: item.originalPath, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const folder = this.folders.holding(item.originalPath);
      if (folder) void this.sync.fileTouched(folder, item.originalPath);
    }
    return report;
  }
}
