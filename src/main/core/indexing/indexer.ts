/**
 * Indexing the library: scan every folder, read what is new or changed, embed it (index), then keep
 * following changes (watch); pause and resume; and meeting other Trove processes on the same
 * library. Only the holder of the library lock indexes; another `trove index` hands its run to a
 * watching holder (through the database) or waits for the holder to end, then takes over.
 */
import type { Folder, Folders } from '../library/folders.js';
import type { LibraryScan } from '../library/library-scan.js';
import type { LibrarySync, SyncCounts } from '../library/library-sync.js';
import { isModelUnavailable, type LoadedModel, type ModelManager } from '../models/model-manager.js';
import type { LibraryLock, LockHolder } from '../store/library-lock.js';
import type { LibraryStore } from '../store/library-store.js';
import { IndexPasses, type PassOptions } from './index-passes.js';
import type { RunSummary } from './index-runner.js';
import { Pauser } from './pauser.js';
import { watchLibrary, type WatchHandle, type WatchLoopOptions } from './watch-loop.js';

export type { IndexProgress, RunSummary } from './index-runner.js';

export interface IndexOptions extends PassOptions {
  /** The image model (remembered as the library's setting). */
  model?: string;
  onScan?: (folder: Folder, counts: SyncCounts) => void;
}

export interface IndexSummary extends RunSummary {
  model: string;
  scanned: SyncCounts;
  purged: number;
}

export type WatchOptions = IndexOptions & WatchLoopOptions;

export type HandOverOutcome =
  { summary: IndexSummary } | { handedTo: LockHolder; files: Record<'pending' | 'ready' | 'error' | 'missing', number> };

export class Indexer {
  readonly pauser = new Pauser();
  private readonly passes: IndexPasses;
  private watching: WatchHandle | undefined;

  constructor(
    private readonly store: LibraryStore,
    private readonly models: ModelManager,
    private readonly folders: Folders,
    private readonly scan: LibraryScan,
    private readonly sync: LibrarySync,
    private readonly lock: LibraryLock,
  ) {
    this.passes = new IndexPasses(store, models, this.pauser);
    // A folder forgotten takes its contents and vectors with it.
    folders.subscribe({ removed: () => this.dropOrphans() });
  }

  /** Whether files are being read and embedded now (by `index()` or the watch loop). */
  get running(): boolean {
    return this.passes.running;
  }

  /** Scans every folder, then reads and embeds whatever is new or changed. Resumable. */
  async index(options: IndexOptions = {}): Promise<IndexSummary> {
    const started = Date.now();
    const takingOver = !this.lock.held;
    this.lock.acquire();
    // Another process may have indexed while this one held no lock: open indexes catch up first.
    if (takingOver) this.models.resyncIndexes();
    try {
      if (options.audioModel) this.store.settings.update({ audioModel: options.audioModel });
      const { model, missing } = await this.imageModel(options);
      if (options.model && model) this.store.settings.update({ imageModel: model.name });
      this.store.jobs.recoverInterrupted();
      const scanned = await this.scan.all(options.signal, options.onScan);
      const run = await this.passes.run(model, options);
      // Every folder was scanned in this run, so both halves of any move have been seen: a file
      // still missing now is gone.
      const purged = run.stopped ? 0 : this.sync.purgeMissing(0);
      this.dropOrphans();
      model?.index.save();
      const name = model?.name ?? options.model ?? this.store.settings.get().imageModel;
      // What a person waited for: the scan and the clean-up too (the CLI's "done: … in 4.2s").
      const seconds = (Date.now() - started) / 1000;
      return { ...run, ...(missing ? { imagesSkipped: missing } : {}), model: name, scanned, purged, seconds };
    } finally {
      this.lock.release();
    }
  }

  /**
   * `trove index` when another Trove may hold the library: run now if it is free; hand the request
   * to a Trove that is watching it (the app, `trove serve`, `trove watch`), which reads the folders
   * again and indexes what is new, and wait for its answer; else wait for the other indexer to end,
   * then take over. `onWaiting` is told whom it waits for.
   */
  async indexOrHandOver(
    options: IndexOptions & { onWaiting?: (holder: LockHolder | undefined) => void; pollMs?: number; handOver?: boolean } = {},
  ): Promise<HandOverOutcome> {
    const pollMs = options.pollMs ?? 1000;
    let told = false;
    for (;;) {
      options.signal?.throwIfAborted();
      if (this.lock.tryAcquire()) {
        try {
          return { summary: await this.index(options) };
        } finally {
          this.lock.release();
        }
      }
      const holder = this.lock.holder();
      if (!told) options.onWaiting?.(holder);
      told = true;
      if (holder?.watching && options.handOver !== false) {
        const asked = this.store.requests.ask('rescan');
        // Answered once the watcher has read the folders and indexed what it found; if the watcher
        // ends first, the lock comes free and this process does the work itself.
        while (!this.store.requests.isAnswered(asked) && !this.lock.tryAcquire()) await sleep(pollMs, options.signal);
        if (this.lock.held) {
          this.lock.release();
          continue;
        }
        return { handedTo: holder, files: this.store.files.countByStatus() };
      }
      await sleep(pollMs, options.signal);
    }
  }

  /** Indexes, then keeps watching the folders until the signal aborts. */
  async watch(options: WatchOptions = {}): Promise<void> {
    // Held from the first scan to the end of watching: no other indexer can slip in between.
    const takingOver = !this.lock.held;
    this.lock.acquire({ watching: true });
    if (takingOver) this.models.resyncIndexes();
    try {
      const first = await this.index(options);
      options.onBatch?.([], first);
      const { model } = await this.imageModel(options);
      const parts = { store: this.store, folders: this.folders, scan: this.scan, sync: this.sync, passes: this.passes, model };
      await watchLibrary({ ...parts, dropOrphans: () => this.dropOrphans() }, options, (handle) => (this.watching = handle));
    } finally {
      this.lock.release();
    }
  }

  pause(): void {
    this.pauser.pause();
  }

  resume(): void {
    this.pauser.resume();
  }

  /** A file seen to differ from its record: looked at again now while watching, else at the next scan. */
  recheck(path: string): void {
    this.watching?.recheck(path);
  }

  /**
   * The image model to index with. The library's own, when it is not installed and cannot be had
   * now, does not stop recordings from being indexed with an audio model the library has: pictures
   * wait, with the reason. A model asked for by name, or a library with no audio model, still fails.
   */
  private async imageModel(options: IndexOptions): Promise<{ model?: LoadedModel; missing?: string }> {
    try {
      return { model: await this.useModel(options.model, options.signal) };
    } catch (error) {
      const audio = options.audioModel ?? this.store.settings.get().audioModel;
      if (!isModelUnavailable(error) || options.model || !audio || !this.models.isInstalled(audio)) throw error;
      return { missing: error.message };
    }
  }

  /** The image model to index with: the one named, else the library's. */
  useModel(name?: string, signal?: AbortSignal): Promise<LoadedModel> {
    return this.models.use(name ?? this.store.settings.get().imageModel, signal);
  }

  /** Deletes contents nothing refers to any more, and their vectors from the open indexes. */
  dropOrphans(): void {
    const removed = this.store.atomically(() => this.store.contents.deleteOrphans());
    for (const model of [this.models.current(), this.models.currentAudio()]) {
      if (model) model.index.remove(removed.get(model.modelId) ?? []);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolveSleep, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolveSleep, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
