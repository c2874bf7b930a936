/**
 * Brings the database in step with the disk, after a scan (on every start) or after watcher events.
 *
 * New and changed files are queued for ingest; files no longer on disk are marked 'missing' rather
 * than deleted. Ingest then hashes new files: a hash that matches a missing file is a move or rename,
 * and the old row is moved to the new path with everything attached to it (see Ingestor). Only after
 * that chance do missing rows get purged, with their contents and vectors if nothing else uses them.
 */
import { stat } from 'node:fs/promises';
import type { LibraryStore } from '../store/library-store.js';
import type { Folder } from '../store/folder-repo.js';
import { extensionOf, mediaKindOf } from '../util/media-types.js';
import { describeFileError, notAFileMessage } from '../util/file-errors.js';
import type { ScanResult } from './folder-scanner.js';
import { belowPrefix } from '../util/paths-inside.js';

export interface SyncCounts {
  added: number;
  changed: number;
  missing: number;
  restored: number;
  errors: number;
}

export class LibrarySync {
  constructor(private readonly store: LibraryStore) {}

  reconcile(folder: Folder, scan: ScanResult): SyncCounts {
    const counts: SyncCounts = { added: 0, changed: 0, missing: 0, restored: 0, errors: 0 };
    this.store.atomically(() => {
      const known = new Map(this.store.files.listByFolder(folder.id).map((r) => [r.path, r]));
      const seen = new Set<string>();
      for (const file of scan.files) {
        seen.add(file.path);
        const row = known.get(file.path);
        if (!row) {
          this.store.jobs.enqueueIngest(this.store.files.insertPending(folder.id, file.path, file.ext, file.size, file.mtimeMs));
          counts.added += 1;
        } else if (row.size !== file.size || row.mtime_ms !== Math.round(file.mtimeMs) || row.status === 'pending') {
          this.store.files.markChanged(row.id, file.size, file.mtimeMs);
          this.store.jobs.enqueueIngest(row.id);
          counts.changed += 1;
        } else if (row.status === 'missing') {
          this.store.files.markPresent(row.id);
          counts.restored += 1;
        } else if (row.status === 'error' && row.content_id === null && row.error_code === 'permission-denied') {
          // Permissions may have been fixed since: try again.
          this.store.files.markChanged(row.id, file.size, file.mtimeMs);
          this.store.jobs.enqueueIngest(row.id);
          counts.changed += 1;
        }
      }
      for (const bad of scan.fileErrors) {
        seen.add(bad.path);
        const row = known.get(bad.path);
        const id = row?.id ?? this.store.files.insertPending(folder.id, bad.path, bad.ext, 0, 0);
        this.store.files.setError(id, { message: bad.error, code: bad.code });
        counts.errors += 1;
      }
      // Files under a folder that could not be listed this time are not known to be gone.
      const unlisted = scan.folderIssues.filter((i) => i.kind === 'unlisted').map((i) => belowPrefix(i.path));
      for (const [path, row] of known) {
        if (unlisted.some((prefix) => path.startsWith(prefix))) continue;
        if (!seen.has(path) && row.status !== 'missing') {
          this.store.files.markMissing(row.id);
          counts.missing += 1;
        }
      }
      this.store.scanIssues.replace(folder.id, scan.folderIssues);
    });
    return counts;
  }

  /** A watcher saw a file appear or change. */
  async fileTouched(folder: Folder, path: string): Promise<void> {
    if (!mediaKindOf(path)) return;
    let size: number;
    let mtimeMs: number;
    try {
      const st = await stat(path);
      if (st.isDirectory()) return;
      if (!st.isFile()) {
        const row = this.store.files.byPath(path);
        this.store.files.setError(row?.id ?? this.store.files.insertPending(folder.id, path, extensionOf(path), 0, 0), {
          message: notAFileMessage(st),
          code: 'special-file',
        });
        return;
      }
      ({ size, mtimeMs } = st);
    } catch (error) {
      const described = describeFileError(error);
      if (described.code === 'vanished') return this.pathRemoved(path);
      const row = this.store.files.byPath(path);
      this.store.files.setError(row?.id ?? this.store.files.insertPending(folder.id, path, extensionOf(path), 0, 0), described);
      return;
    }
    this.store.atomically(() => {
      const row = this.store.files.byPath(path);
      if (!row) {
        this.store.jobs.enqueueIngest(this.store.files.insertPending(folder.id, path, extensionOf(path), size, mtimeMs));
      } else if (row.size !== size || row.mtime_ms !== Math.round(mtimeMs) || row.status !== 'ready') {
        this.store.files.markChanged(row.id, size, mtimeMs);
        this.store.jobs.enqueueIngest(row.id);
      }
    });
  }

  /** A watcher saw a file or a whole folder disappear (deleted, or moved away). */
  pathRemoved(path: string): void {
    this.store.atomically(() => {
      for (const row of this.store.files.listUnder(path)) if (row.status !== 'missing') this.store.files.markMissing(row.id);
    });
  }

  /** Rows missing for longer than `graceMs` are forgotten; returns how many. */
  purgeMissing(graceMs: number): number {
    const cutoff = Date.now() - graceMs;
    return this.store.files.purgeMissingBefore(cutoff);
  }
}
