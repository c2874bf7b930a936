/**
 * Watching, once the library is indexed: the watcher's batches of changes, folders added or removed
 * (here or by another Trove process), `trove index` runs handed over by other processes, the
 * periodic stat-only reconcile (every few minutes, more often when the watcher is degraded, at once
 * after the machine wakes), and the purge of files whose move never completed. All of it runs one
 * piece at a time; a failure is reported and the next piece still runs.
 */
import { FolderWatcher, type WatchChange } from '../library/folder-watcher.js';
import type { Folders } from '../library/folders.js';
import type { LibraryScan } from '../library/library-scan.js';
import type { LibrarySync } from '../library/library-sync.js';
import type { LoadedModel } from '../models/model-manager.js';
import type { LibraryStore } from '../store/library-store.js';
import type { IndexPasses, PassOptions } from './index-passes.js';
import type { RunSummary } from './index-runner.js';

export interface WatchLoopOptions extends PassOptions {
  /** After each batch of changes (or a purge), with what it did. */
  onBatch?: (changes: WatchChange[], summary: RunSummary & { model: string; purged: number }) => void;
  onDegraded?: (reason: string) => void;
  /** A failure while following changes (the watch goes on). */
  onError?: (error: Error) => void;
  /** Called once the folders are being watched: changes from then on are picked up live. */
  onWatching?: () => void;
  /** Missing files are forgotten after this long, leaving time for the other half of a move. */
  missingGraceMs?: number;
  /** How often every folder is reconciled with the disk (default 3 minutes). */
  reconcileIntervalMs?: number;
}

export interface WatchLoopParts {
  store: LibraryStore;
  folders: Folders;
  scan: LibraryScan;
  sync: LibrarySync;
  passes: IndexPasses;
  /** The image model; absent when only recordings can be indexed now (see Indexer). */
  model: LoadedModel | undefined;
  dropOrphans: () => void;
}

/** What the rest of the engine may ask of a running watch. */
export interface WatchHandle {
  /** A file seen to differ from its record: look at it again. */
  recheck(path: string): void;
}

const DEFAULT_RECONCILE_MS = 3 * 60_000;
const DEGRADED_RECONCILE_MS = 60_000;
/** The clock is looked at this often; a look that comes far too late means the machine slept. */
const WAKE_TICK_MS = 10_000;
/** How often folders and requests left by other Trove processes are looked for. */
const OTHERS_POLL_MS = 1000;
const ANSWERED_KEPT_MS = 24 * 60 * 60_000;

/** Watches until `options.signal` aborts; `onHandle` receives the handle while it runs. */
export async function watchLibrary(
  parts: WatchLoopParts,
  options: WatchLoopOptions,
  onHandle: (handle?: WatchHandle) => void,
): Promise<void> {
  const { store, folders, scan, sync, passes, model } = parts;
  const grace = options.missingGraceMs ?? 10_000;
  let reconcileEvery = options.reconcileIntervalMs ?? DEFAULT_RECONCILE_MS;
  let serial: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    serial = serial.then(async () => {
      if (options.signal?.aborted) return;
      try {
        await work();
      } catch (error) {
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    });
    return serial;
  };
  const applyBatch = (changes: WatchChange[]) =>
    enqueue(async () => {
      for (const change of changes) {
        const folder = folders.holding(change.path);
        if (!folder) continue;
        if (change.type === 'removed') sync.pathRemoved(change.path);
        else if (change.type === 'folderAdded') await scan.folderAppeared(folder, change.path, options.signal);
        else await sync.fileTouched(folder, change.path);
      }
      const run = await passes.run(model, options);
      const purged = sync.purgeMissing(grace);
      parts.dropOrphans();
      options.onBatch?.(changes, { ...run, model: model?.name ?? '', purged });
    });
  const rescan = () =>
    enqueue(async () => {
      await scan.all(options.signal);
      await passes.run(model, options);
    });

  const watcher = new FolderWatcher({
    roots: folders.list().map((f) => f.path),
    filter: folders.pathFilter(),
    onBatch: (changes) => void applyBatch(changes),
    onDegraded: (reason) => {
      options.onDegraded?.(reason);
      reconcileEvery = Math.min(reconcileEvery, DEGRADED_RECONCILE_MS);
    },
  });
  const watchedRoots = new Set(folders.list().map((f) => f.path));
  const addRoot = (path: string) => {
    if (watchedRoots.has(path)) return;
    watchedRoots.add(path);
    watcher.addRoot(path);
    void rescan();
  };
  const removeRoot = (path: string) => {
    if (watchedRoots.delete(path)) watcher.removeRoot(path);
  };
  const unsubscribe = folders.subscribe({ added: (f) => addRoot(f.path), removed: (f) => removeRoot(f.path) });

  // A stale file seen by many requests at once (a grid of thumbnails) is looked at once.
  const rechecking = new Set<string>();
  onHandle({
    recheck: (path) => {
      if (rechecking.has(path)) return;
      rechecking.add(path);
      void applyBatch([{ type: 'touched', path }]).finally(() => rechecking.delete(path));
    },
  });

  // Other Trove processes share the database: a folder added or removed with the CLI is followed,
  // and a `trove index` handed over is answered after a rescan.
  const answering = new Set<number>();
  const othersTimer = setInterval(() => {
    const now = new Set(folders.list().map((f) => f.path));
    for (const path of now) addRoot(path);
    for (const path of [...watchedRoots]) if (!now.has(path)) removeRoot(path);
    const asked = store.requests.open().filter((r) => !answering.has(r.id));
    if (asked.length === 0) return;
    for (const r of asked) answering.add(r.id);
    void rescan().then(() => {
      for (const r of asked) store.requests.answer(r.id);
      store.requests.forgetAnswered(Date.now() - ANSWERED_KEPT_MS);
    });
  }, OTHERS_POLL_MS);
  // Forget files whose other half of a move never showed up, once their grace period is over.
  const purgeTimer = setInterval(() => void applyBatch([]), Math.max(grace, 1000));
  // The periodic reconcile, and at once after a sleep (timers do not run while the machine sleeps).
  let lastReconcile = Date.now();
  let lastTick = Date.now();
  const tickMs = Math.min(WAKE_TICK_MS, reconcileEvery);
  const reconcileTimer = setInterval(() => {
    const now = Date.now();
    const woke = now - lastTick > tickMs * 3;
    lastTick = now;
    if (!woke && now - lastReconcile < reconcileEvery) return;
    lastReconcile = now;
    void rescan();
  }, tickMs);

  try {
    await watcher.ready;
    // Close the gap between the first scan and the watcher being ready: anything changed in
    // between is caught by one more (cheap, incremental) scan.
    await rescan();
    options.onWatching?.();
    await new Promise<void>((resolveWait) => {
      if (options.signal?.aborted) return resolveWait();
      options.signal?.addEventListener('abort', () => resolveWait(), { once: true });
    });
  } finally {
    onHandle(undefined);
    unsubscribe();
    clearInterval(purgeTimer);
    clearInterval(reconcileTimer);
    clearInterval(othersTimer);
    await watcher.close();
    await serial;
    model?.index.save();
  }
}
