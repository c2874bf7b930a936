/**
 * The Trove engine: the composition root that the CLI, the local web server, the Electron app and
 * the tests all open. It opens the library's database and lock, wires the modules together, and
 * closes them; every behaviour lives in a module named for it:
 *
 *   folders     library/folders.ts           add, remove, list; Trove's own folders; the path filter
 *   indexer     indexing/indexer.ts          index, watch, pause; meeting other Trove processes
 *   search      search/searcher.ts           by text, by example, browsing
 *   duplicates  duplicates/duplicate-finder  duplicate photos, recordings and videos
 *   trash       library/trash.ts             move to the system trash, put back
 *   status      status/library-status.ts     what the library holds, per-file errors, file details
 *   media       library/media-access.ts      media for the UI: files still as indexed, thumbnails
 *   settings    library/library-settings.ts  the library's settings and their rules
 *   models      models/model-manager.ts      models located, downloaded, loaded
 *
 * Plain Node; it never imports electron.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { DuplicateFinder } from './duplicates/duplicate-finder.js';
import { Indexer } from './indexing/indexer.js';
import { Folders } from './library/folders.js';
import { LibrarySettings } from './library/library-settings.js';
import { LibraryScan } from './library/library-scan.js';
import { LibrarySync, type SyncCounts } from './library/library-sync.js';
import { MediaAccess } from './library/media-access.js';
import { Trash } from './library/trash.js';
import { ThumbnailCache } from './media/thumbnail-cache.js';
import type { DownloadProgress } from './models/hub-download.js';
import { ModelManager } from './models/model-manager.js';
import { defaultModelCacheDir, libraryFiles } from './paths.js';
import { Searcher } from './search/searcher.js';
import { LibraryStatusReader } from './status/library-status.js';
import { LibraryBackups, type BackupFile, type RepairReport } from './store/backups.js';
import { LibraryLock } from './store/library-lock.js';
import { closeRawReader } from './media/raw-photo.js';
import { LibraryStore } from './store/library-store.js';

export interface EngineOptions {
  libraryDir: string;
  modelCacheDir?: string;
  /** ONNX Runtime threads; default: the library setting, else see defaultInferenceThreads(). */
  threads?: number;
  /** Forbid every network access (also on with the library setting or TROVE_OFFLINE=1). */
  offline?: boolean;
  workerEntry?: URL;
  /** What this process is, named to other processes that find the library busy ("trove serve"). */
  purpose?: string;
  onDownloadProgress?: (p: DownloadProgress) => void;
}

export class Engine {
  readonly folders: Folders;
  readonly indexer: Indexer;
  readonly search: Searcher;
  readonly duplicates: DuplicateFinder;
  readonly trash: Trash;
  readonly status: LibraryStatusReader;
  readonly media: MediaAccess;
  readonly settings: LibrarySettings;
  readonly models: ModelManager;
  readonly modelCacheDir: string;
  private readonly store: LibraryStore;
  private readonly lock: LibraryLock;
  private readonly backups: LibraryBackups;

  private constructor(readonly options: EngineOptions) {
    mkdirSync(options.libraryDir, { recursive: true });
    const paths = libraryFiles(options.libraryDir);
    this.modelCacheDir = options.modelCacheDir ?? defaultModelCacheDir();
    this.backups = new LibraryBackups(paths.backups, paths.database);
    const store = LibraryStore.open(paths.database, { hasBackups: this.backups.list().length > 0 });
    this.store = store;
    this.lock = new LibraryLock(paths.lock, options.purpose);
    this.settings = new LibrarySettings(store, Boolean(options.offline));
    this.models = new ModelManager({
      cacheDir: this.modelCacheDir,
      indexDir: paths.indexDir,
      threads: options.threads ?? this.settings.get().threads ?? defaultInferenceThreads(),
      offline: () => this.settings.isOffline(),
      vectors: store.vectors,
      workerEntry: options.workerEntry,
      onDownloadProgress: options.onDownloadProgress,
    });
    this.folders = new Folders(store, { libraryDir: options.libraryDir, modelCacheDir: this.modelCacheDir });
    const sync = new LibrarySync(store);
    const scan = new LibraryScan(store, this.folders, sync);
    this.indexer = new Indexer(store, this.models, this.folders, scan, sync, this.lock);
    this.search = new Searcher(store, this.models, this.modelCacheDir);
    this.duplicates = new DuplicateFinder(store);
    this.trash = new Trash(store, this.folders, sync);
    this.status = new LibraryStatusReader(store, options.libraryDir, () => this.indexer.running);
    this.media = new MediaAccess(store, this.folders, new ThumbnailCache(paths.thumbnails), (path) => this.indexer.recheck(path));
  }

  static open(options: EngineOptions): Engine {
    return new Engine({ ...options, libraryDir: resolve(options.libraryDir) });
  }

  /**
   * `trove repair`: puts the newest good backup in place of a damaged database (kept aside), then
   * reads every folder again, so what changed on disk since the backup is queued. Needs the library
   * lock: no other Trove may be using the library meanwhile.
   */
  static async repair(options: EngineOptions): Promise<RepairReport & { scanned: SyncCounts }> {
    const libraryDir = resolve(options.libraryDir);
    const paths = libraryFiles(libraryDir);
    const lock = new LibraryLock(paths.lock, options.purpose);
    lock.acquire();
    let report: RepairReport;
    try {
      report = new LibraryBackups(paths.backups, paths.database).restore();
    } finally {
      lock.release();
    }
    const engine = Engine.open({ ...options, libraryDir });
    try {
      const store = engine.store;
      engine.lock.acquire();
      const scanned = await new LibraryScan(store, engine.folders, new LibrarySync(store)).all();
      engine.lock.release();
      return { ...report, scanned };
    } finally {
      await engine.close();
    }
  }

  isOffline(): boolean {
    return this.settings.isOffline();
  }

  /**
   * "ok", or the damage `quick_check` found in the library database: known at open for a small
   * library (a damaged one does not open), soon after for a large one, checked on a worker thread.
   */
  integrity(): Promise<string> {
    return this.store.integrity();
  }

  /** A backup of the database now (a long-running Trove takes one a day). */
  backupNow(): Promise<BackupFile | undefined> {
    return this.store.backupTo(this.backups);
  }

  /** Closes the library (a clean close that changed something leaves a backup); again does nothing. */
  async close(): Promise<void> {
    if (!this.store.isOpen) return;
    await this.models.close();
    await closeRawReader();
    this.lock.release();
    await this.store.close(this.backups);
  }
}

/**
 * All cores on small machines (the model is the bottleneck); on 4 cores and more, one is left for
 * decoding the next batch, the UI and the rest of the system, which keeps the computer responsive.
 */
export function defaultInferenceThreads(cores = availableParallelism()): number {
  return cores >= 4 ? cores - 1 : cores;
}
