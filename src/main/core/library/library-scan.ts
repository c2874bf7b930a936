/**
 * Reads every library folder from disk and brings the database in step (library-sync.ts), or one
 * folder that appeared while watching. A folder whose drive is not there keeps its files as they
 * were, with a note saying so, rather than having them all marked missing.
 */
import { statSync } from 'node:fs';
import type { LibraryStore } from '../store/library-store.js';
import { scanFolder } from './folder-scanner.js';
import type { Folder, Folders } from './folders.js';
import type { LibrarySync, SyncCounts } from './library-sync.js';

/** Said of a library folder whose drive is not there: its files are kept as they were. */
export const UNREACHABLE_FOLDER = 'folder not reachable (unplugged drive?); its files are kept as they were';

export function noChanges(): SyncCounts {
  return { added: 0, changed: 0, missing: 0, restored: 0, errors: 0 };
}

export class LibraryScan {
  constructor(
    private readonly store: LibraryStore,
    private readonly folders: Folders,
    private readonly sync: LibrarySync,
  ) {}

  /** Scans every folder; what is new or changed is queued for reading. */
  async all(signal?: AbortSignal, onScan?: (folder: Folder, counts: SyncCounts) => void): Promise<SyncCounts> {
    const total = noChanges();
    const filter = this.folders.pathFilter();
    for (const folder of this.folders.list()) {
      if (!isReachableFolder(folder.path)) {
        this.store.scanIssues.add(folder.id, { path: folder.path, error: UNREACHABLE_FOLDER });
        continue;
      }
      const scan = await scanFolder(folder.path, filter, signal);
      const counts = this.sync.reconcile(folder, scan);
      onScan?.(folder, counts);
      for (const key of Object.keys(total) as (keyof SyncCounts)[]) total[key] += counts[key];
    }
    return total;
  }

  /** Lists a folder that appeared while watching and takes in every media file found in it. */
  async folderAppeared(folder: Folder, path: string, signal?: AbortSignal): Promise<void> {
    const scan = await scanFolder(folder.path, this.folders.pathFilter(), signal, path);
    for (const file of scan.files) await this.sync.fileTouched(folder, file.path);
  }
}

function isReachableFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
