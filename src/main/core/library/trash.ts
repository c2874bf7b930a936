/**
 * Moving library files to the system trash (never deleting), in batches, one review action each,
 * and putting a batch back. Only ready files of the library are moved; the library forgets a
 * trashed file at once, and a restored file is found again (and keeps its embeddings if they are
 * still known).
 */
import { randomUUID } from 'node:crypto';
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
    const report: RestoreReport = { restored: [], failed: [] };
    for (const item of this.store.trash.unrestored(batch)) {
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
