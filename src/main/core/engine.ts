/**
 * The Trove engine: one object that the CLI, the local web server, the Electron app and the tests
 * all drive. Plain Node; it never imports electron.
 */
import type { MediaKind } from './media/media-types.js';
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { changedSinceOpen, openDatabase, type Db } from './store/database.js';
import { LibraryBackups, type BackupFile, type RepairReport } from './store/backups.js';
import { FolderRepo, type Folder } from './store/folder-repo.js';
import { FileRepo } from './store/file-repo.js';
import { ContentRepo } from './store/content-repo.js';
import { VectorRepo } from './store/vector-repo.js';
import { SettingsRepo, type Settings } from './store/settings-repo.js';
import { JobQueue } from './jobs/job-queue.js';
import { Ingestor } from './jobs/ingestor.js';
import { IndexRunner, type IndexProgress, type RunSummary } from './jobs/index-runner.js';
import { Pauser } from './jobs/pauser.js';
import { LibrarySync, type SyncCounts } from './library/library-sync.js';
import { scanFolder } from './library/folder-scanner.js';
import { PathFilter } from './library/path-filter.js';
import { FolderWatcher, type WatchChange } from './library/folder-watcher.js';
import { LibraryLock, type LockHolder } from './library/library-lock.js';
import { RequestRepo } from './store/request-repo.js';
import { ModelManager, type LoadedAudioModel, type LoadedModel } from './models/model-manager.js';
import type { DownloadProgress } from './models/hub-download.js';
import { SearchService, type SearchHit, type SearchOptions, type SearchResponse } from './search/search-service.js';
import { decodeForModel } from './media/image-decoder.js';
import { findPhotoDuplicates, type DuplicateGroup, type FindOptions } from './duplicates/photo-duplicates.js';
import { findAudioDuplicates } from './duplicates/audio-duplicates.js';
import { findVideoDuplicates } from './duplicates/video-duplicates.js';
import { findBuiltinModel } from './models/registry.js';
import { TrashLog, type RestoreReport, type TrashReport } from './library/trash-log.js';
import { TrackIndexer } from './jobs/track-indexer.js';
import { embedRecording } from './jobs/audio-track.js';
import { embedVideo } from './jobs/video-track.js';
import { mediaKindOf } from './media/media-types.js';
import { decodeAudio, extractVideoFrame } from './media/ffmpeg.js';
import { ThumbnailCache } from './media/thumbnail-cache.js';
import { describeFileError } from './util/file-errors.js';
import { defaultModelCacheDir, libraryFiles } from './paths.js';
import { locateModel, ModelNotInstalledError } from './models/model-locator.js';
import { isAtOrBelow } from './util/paths-inside.js';

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

export interface IndexOptions {
  model?: string;
  /** The audio model (remembered as the library's setting, like the image model). */
  audioModel?: string;
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
  onScan?: (folder: Folder, counts: SyncCounts) => void;
}

export interface IndexSummary extends RunSummary {
  model: string;
  scanned: SyncCounts;
  purged: number;
}

export interface WatchOptions extends IndexOptions {
  onBatch?: (changes: WatchChange[], summary: IndexSummary) => void;
  onDegraded?: (reason: string) => void;
  /** A failure while following changes (the watch goes on). */
  onError?: (error: Error) => void;
  /** Called once the folders are being watched: changes from then on are picked up live. */
  onWatching?: () => void;
  /** Missing files are forgotten after this long, leaving time for the other half of a move. */
  missingGraceMs?: number;
  /**
   * How often every folder is reconciled with the disk while watching (a stat-only scan, cheap), so
   * that a change the watcher missed is repaired within minutes. Default 3 minutes; 1 minute while
   * the watcher is degraded. A machine waking from sleep is reconciled at once.
   */
  reconcileIntervalMs?: number;
}

const DEFAULT_RECONCILE_MS = 3 * 60_000;
/** How often a watching Trove looks for folders and requests left by other Trove processes. */
const OTHERS_POLL_MS = 1000;
const DEGRADED_RECONCILE_MS = 60_000;
/** The clock is looked at this often; a look that comes far too late means the machine slept. */
const WAKE_TICK_MS = 10_000;

export interface LibraryStatus {
  libraryDir: string;
  folders: { path: string; files: number; ready: number; errors: number; pending: number; missing: number }[];
  files: Record<'pending' | 'ready' | 'error' | 'missing', number>;
  contents: number;
  models: { name: string; dim: number; vectors: number; pendingJobs: number }[];
  pendingIngest: number;
  errors: { path: string; error: string }[];
  scanIssues: { path: string; error: string }[];
  settings: Settings;
}

export class Engine {
  readonly db: Db;
  readonly folders: FolderRepo;
  readonly files: FileRepo;
  readonly contents: ContentRepo;
  readonly vectors: VectorRepo;
  readonly settings: SettingsRepo;
  readonly queue: JobQueue;
  readonly sync: LibrarySync;
  readonly models: ModelManager;
  readonly pauser = new Pauser();
  readonly thumbnails: ThumbnailCache;
  private readonly trashLog: TrashLog;
  private readonly search: SearchService;
  private readonly ingestor: Ingestor;
  private readonly lock: LibraryLock;
  private readonly backups: LibraryBackups;
  private readonly requests: RequestRepo;
  private readonly paths: ReturnType<typeof libraryFiles>;
  /** Set while watch() runs, so folders added or removed meanwhile are watched or dropped too. */
  private watching: { addRoot(path: string): void; removeRoot(path: string): void; recheck(path: string): void } | undefined;

  private constructor(readonly options: EngineOptions) {
    mkdirSync(options.libraryDir, { recursive: true });
    this.paths = libraryFiles(options.libraryDir);
    this.backups = new LibraryBackups(this.paths.backups, this.paths.database);
    this.db = openDatabase(this.paths.database, { hasBackups: this.backups.list().length > 0 });
    this.folders = new FolderRepo(this.db);
    this.requests = new RequestRepo(this.db);
    this.files = new FileRepo(this.db);
    this.contents = new ContentRepo(this.db);
    this.vectors = new VectorRepo(this.db);
    this.settings = new SettingsRepo(this.db);
    this.queue = new JobQueue(this.db);
    this.sync = new LibrarySync(this.db, this.files, this.queue);
    this.ingestor = new Ingestor(this.db, this.files, this.contents, this.queue);
    this.search = new SearchService(this.db, this.vectors);
    this.lock = new LibraryLock(this.paths.lock, options.purpose);
    this.thumbnails = new ThumbnailCache(this.paths.thumbnails);
    this.trashLog = new TrashLog(this.db);
    this.models = new ModelManager({
      cacheDir: options.modelCacheDir ?? defaultModelCacheDir(),
      indexDir: this.paths.indexDir,
      threads: options.threads ?? this.settings.get().threads ?? defaultInferenceThreads(),
      offline: () => this.isOffline(),
      vectors: this.vectors,
      workerEntry: options.workerEntry,
      onDownloadProgress: options.onDownloadProgress,
    });
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
      engine.lock.acquire();
      const scanned = await engine.scanAll({});
      engine.lock.release();
      return { ...report, scanned };
    } finally {
      await engine.close();
    }
  }

  /** A backup of the database now (the service takes one a day). */
  backupNow(): Promise<BackupFile | undefined> {
    return this.backups.take(this.db);
  }

  isOffline(): boolean {
    return Boolean(this.options.offline) || process.env.TROVE_OFFLINE === '1' || this.settings.get().offline;
  }

  /* ----------------------------- folders ----------------------------- */

  addFolder(path: string): Folder {
    let real: string;
    try {
      real = realpathSync(resolve(path));
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new Error(`cannot add ${path}: ${missing ? 'no such folder' : describeFileError(error).message}`);
    }
    if (!statSync(real).isDirectory()) throw new Error(`cannot add ${path}: it is not a folder`);
    const existing = this.folders.byPath(real);
    if (existing) return existing;
    for (const folder of this.folders.list()) {
      if (isAtOrBelow(real, folder.path)) throw new Error(`${real} is already in the library, inside ${folder.path}`);
      if (isAtOrBelow(folder.path, real)) {
        throw new Error(`${real} contains the library folder ${folder.path}; remove that one first, then add ${real}`);
      }
    }
    const folder = this.folders.add(real);
    this.watching?.addRoot(folder.path);
    return folder;
  }

  /** Forgets a folder and everything indexed from it. The user's files are never touched. */
  removeFolder(path: string): { removedFiles: number } {
    const abs = resolve(path);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // The folder may be gone from disk already; it can still be removed from the library.
    }
    const folder = this.folders.byPath(real) ?? this.folders.byPath(abs);
    if (!folder) throw new Error(`${path} is not a library folder (see \`trove status\`)`);
    const removedFiles = this.files.listByFolder(folder.id).length;
    this.watching?.removeRoot(folder.path);
    this.db.transaction(() => {
      this.folders.remove(folder.id);
    })();
    this.dropOrphans();
    return { removedFiles };
  }

  listFolders(): Folder[] {
    return this.folders.list();
  }

  /* ----------------------------- indexing ----------------------------- */

  activeModelName(requested?: string): string {
    return requested ?? this.settings.get().imageModel;
  }

  async useModel(name?: string, signal?: AbortSignal): Promise<LoadedModel> {
    return this.models.use(this.activeModelName(name), signal);
  }

  /**
   * `trove index` when another Trove may hold the library: run now if it is free; hand the request
   * to a Trove that is watching it (the app, `trove serve`, `trove watch`), which reads the folders
   * again and indexes what is new, and wait for its answer; else wait for the other indexer to end,
   * then take over. `onWaiting` is told whom it waits for.
   */
  async indexOrHandOver(
    options: IndexOptions & { onWaiting?: (holder: LockHolder | undefined) => void; pollMs?: number; handOver?: boolean } = {},
  ): Promise<{ summary: IndexSummary } | { handedTo: LockHolder; files: Record<'pending' | 'ready' | 'error' | 'missing', number> }> {
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
      if (holder?.watching && options.handOver !== false) {
        const asked = this.requests.ask('rescan');
        if (!told) options.onWaiting?.(holder);
        told = true;
        // Answered once the watcher has read the folders and indexed what it found; if the watcher
        // ends first, the lock comes free and this process does the work itself.
        while (!this.requests.isAnswered(asked) && !this.lock.tryAcquire()) await sleep(pollMs, options.signal);
        if (this.lock.held) {
          this.lock.release();
          continue;
        }
        return { handedTo: holder, files: this.files.countByStatus() };
      }
      if (!told) options.onWaiting?.(holder);
      told = true;
      await sleep(pollMs, options.signal);
    }
  }

  /** Scans every folder, then reads and embeds whatever is new or changed. Resumable. */
  async index(options: IndexOptions = {}): Promise<IndexSummary> {
    const takingOver = !this.lock.held;
    this.lock.acquire();
    // Another process may have indexed while this one held no lock: open indexes catch up first.
    if (takingOver) this.models.resyncIndexes();
    try {
      const model = await this.useModel(options.model, options.signal);
      if (options.model) this.settings.update({ imageModel: model.name });
      if (options.audioModel) this.settings.update({ audioModel: options.audioModel });
      this.queue.recoverInterrupted();
      const scanned = await this.scanAll(options);
      const run = addRuns(await this.runQueue(model, options), await this.runVideo(model, options), await this.runAudio(options));
      // Every folder was scanned in this run, so both halves of any move have been seen: a file
      // still missing now is gone.
      const purged = run.stopped ? 0 : this.sync.purgeMissing(0);
      this.dropOrphans();
      model.index.save();
      return { ...run, model: model.name, scanned, purged };
    } finally {
      this.lock.release();
    }
  }

  /** Lists a folder that appeared while watching and takes in every media file found in it. */
  private async folderAppeared(folder: Folder, path: string, signal?: AbortSignal): Promise<void> {
    const scan = await scanFolder(folder.path, this.pathFilter(), signal, path);
    for (const file of scan.files) await this.sync.fileTouched(folder, file.path);
  }

  private async scanAll(options: IndexOptions): Promise<SyncCounts> {
    const total: SyncCounts = { added: 0, changed: 0, missing: 0, restored: 0, errors: 0 };
    const filter = this.pathFilter();
    for (const folder of this.folders.list()) {
      if (!isReachableFolder(folder.path)) {
        // An unplugged drive or unmounted share: keep everything rather than mark it all missing.
        this.db
          .prepare('INSERT OR REPLACE INTO scan_issues (folder_id, path, error, seen_at) VALUES (?, ?, ?, ?)')
          .run(folder.id, folder.path, 'folder not reachable (unplugged drive?); its files are kept as they were', Date.now());
        continue;
      }
      const scan = await scanFolder(folder.path, filter, options.signal);
      const counts = this.sync.reconcile(folder, scan);
      options.onScan?.(folder, counts);
      for (const key of Object.keys(total) as (keyof SyncCounts)[]) total[key] += counts[key];
    }
    return total;
  }

  private runQueue(model: LoadedModel, options: IndexOptions): Promise<RunSummary> {
    return new IndexRunner(this.db, this.files, this.vectors, this.queue, this.ingestor, this.pauser).run(model, {
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }

  /** Embeds recordings with the audio model, when the library has one and there is work for it. */
  private async runAudio(options: IndexOptions): Promise<RunSummary | undefined> {
    const name = options.audioModel ?? this.settings.get().audioModel;
    if (!name || options.signal?.aborted) return undefined;
    const loaded = this.models.currentAudio();
    const known = this.vectors.findModel(name);
    // Model id 0 is never used, so for a model not seen yet this lists every ready recording, as
    // it would for the id the model is about to get.
    const recordings = this.vectors.unprocessedContents(known?.id ?? 0, 'sound');
    if (recordings.length + this.queue.pending('embed', name) === 0 && loaded?.name !== name) return undefined;
    let audio: LoadedAudioModel;
    try {
      audio = await this.models.useAudio(name, options.signal);
    } catch (error) {
      // The library's default audio model (CLAP) not downloaded yet, and downloads not allowed:
      // photos are still indexed and searchable; recordings wait for the model. A model asked for
      // by name on this run is a hard error instead.
      if (!(error instanceof ModelNotInstalledError) || options.audioModel) throw error;
      return { embedded: 0, failed: 0, ingested: 0, moved: 0, stopped: false, seconds: 0, audioSkipped: error.message };
    }
    return this.trackIndexer().run(
      { modelId: audio.modelId, queueKey: audio.name, index: audio.index },
      recordings,
      (path, signal) => embedRecording(audio, path, signal),
      options,
    );
  }

  /** Embeds videos' frames with the image model (their sound goes to the audio model, runAudio). */
  private async runVideo(model: LoadedModel, options: IndexOptions): Promise<RunSummary | undefined> {
    // Filed apart from the photo jobs of the same model: the photo pipeline must not pick these up.
    const queueKey = `${model.name}#video`;
    const videos = this.vectors.unprocessedContents(model.modelId, 'video');
    if (videos.length === 0 && this.queue.pending('embed', queueKey) === 0) return undefined;
    return this.trackIndexer().run(
      { modelId: model.modelId, queueKey, index: model.index },
      videos,
      (path, signal) => embedVideo(model, path, signal),
      options,
    );
  }

  private trackIndexer(): TrackIndexer {
    return new TrackIndexer(this.db, this.files, this.vectors, this.queue, this.pauser);
  }

  /** Indexes, then keeps watching the folders until the signal aborts. */
  async watch(options: WatchOptions = {}): Promise<void> {
    // Held from the first scan to the end of watching: no other indexer can slip in between.
    const takingOver = !this.lock.held;
    this.lock.acquire({ watching: true });
    if (takingOver) this.models.resyncIndexes();
    try {
      await this.watchWhileLocked(options);
    } finally {
      this.lock.release();
    }
  }

  private async watchWhileLocked(options: WatchOptions): Promise<void> {
    const first = await this.index(options);
    options.onBatch?.([], first);
    const model = await this.useModel(options.model, options.signal);
    const grace = options.missingGraceMs ?? 10_000;
    let serial: Promise<void> = Promise.resolve();
    let reconcileEvery = options.reconcileIntervalMs ?? DEFAULT_RECONCILE_MS;
    /** Watch work runs one piece at a time; a failure is reported and the next piece still runs. */
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
        const folders = this.folders.list();
        for (const change of changes) {
          const folder = folders.find((f) => isAtOrBelow(change.path, f.path));
          if (!folder) continue;
          if (change.type === 'removed') this.sync.pathRemoved(change.path);
          else if (change.type === 'folderAdded') await this.folderAppeared(folder, change.path, options.signal);
          else await this.sync.fileTouched(folder, change.path);
        }
        const run = addRuns(await this.runQueue(model, options), await this.runVideo(model, options), await this.runAudio(options));
        const purged = this.sync.purgeMissing(grace);
        this.dropOrphans();
        options.onBatch?.(changes, {
          ...run,
          model: model.name,
          scanned: { added: 0, changed: 0, missing: 0, restored: 0, errors: 0 },
          purged,
        });
      });
    const rescan = () =>
      enqueue(async () => {
        await this.scanAll(options);
        await this.runQueue(model, options);
        await this.runVideo(model, options);
        await this.runAudio(options);
      });
    const watcher = new FolderWatcher({
      roots: this.folders.list().map((f) => f.path),
      filter: this.pathFilter(),
      onBatch: (changes) => void applyBatch(changes),
      onDegraded: (reason) => {
        options.onDegraded?.(reason);
        reconcileEvery = Math.min(reconcileEvery, DEGRADED_RECONCILE_MS);
      },
    });
    const watchedRoots = new Set(this.folders.list().map((f) => f.path));
    const addRoot = (path: string) => {
      if (watchedRoots.has(path)) return;
      watchedRoots.add(path);
      watcher.addRoot(path);
      void rescan();
    };
    const removeRoot = (path: string) => {
      if (watchedRoots.delete(path)) watcher.removeRoot(path);
    };
    // A stale file seen by many requests at once (a grid of thumbnails) is looked at once.
    const rechecking = new Set<string>();
    const recheck = (path: string) => {
      if (rechecking.has(path)) return;
      rechecking.add(path);
      void applyBatch([{ type: 'touched', path }]).finally(() => rechecking.delete(path));
    };
    this.watching = { addRoot, removeRoot, recheck };
    // Other Trove processes share the database: a folder added or removed with the CLI while this
    // one watches is followed, and a `trove index` handed over is answered after a rescan.
    const answering = new Set<number>();
    const othersTimer = setInterval(() => {
      const now = new Set(this.folders.list().map((f) => f.path));
      for (const path of now) addRoot(path);
      for (const path of [...watchedRoots]) if (!now.has(path)) removeRoot(path);
      const asked = this.requests.open().filter((r) => !answering.has(r.id));
      if (asked.length === 0) return;
      for (const r of asked) answering.add(r.id);
      void rescan().then(() => {
        for (const r of asked) this.requests.answer(r.id);
        this.requests.forgetAnswered(Date.now() - 24 * 60 * 60_000);
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
      this.watching = undefined;
      clearInterval(purgeTimer);
      clearInterval(reconcileTimer);
      clearInterval(othersTimer);
      await watcher.close();
      await serial;
      model.index.save();
    }
  }

  pause(): void {
    this.pauser.pause();
  }

  resume(): void {
    this.pauser.resume();
  }

  /** Deletes contents nothing refers to any more, and their vectors from the open index. */
  private dropOrphans(): void {
    const removed = this.db.transaction(() => this.contents.deleteOrphans())();
    const model = this.models.current();
    if (model) model.index.remove(removed.get(model.modelId) ?? []);
  }

  private pathFilter(): PathFilter {
    const s = this.settings.get();
    return new PathFilter({ excludePatterns: s.excludePatterns, includeHidden: s.includeHidden, ownFolders: this.ownFolders() });
  }

  /** The library folder and the model cache, links resolved: Trove never indexes or serves them. */
  private ownFolders(): string[] {
    const real = (path: string) => {
      try {
        return realpathSync(path);
      } catch {
        return resolve(path);
      }
    };
    return [real(this.options.libraryDir), real(this.options.modelCacheDir ?? defaultModelCacheDir())];
  }

  isOwnPath(path: string): boolean {
    return this.ownFolders().some((own) => isAtOrBelow(path, own));
  }

  /**
   * A file seen to differ from its record (by the media route): looked at again now while watching,
   * else at the next scan.
   */
  recheck(path: string): void {
    this.watching?.recheck(path);
  }

  /* ----------------------------- search ----------------------------- */

  /**
   * Photos by text (CLIP, or tags), and recordings by their tags when the library has an audio
   * model. The two lists are merged by score; each is asked for the whole page so the merge is right.
   */
  async searchText(text: string, given: SearchOptions & { model?: string } = {}): Promise<SearchResponse> {
    const options = withRealFolder(given);
    const wants = (kind: MediaKind) => !options.kinds?.length || options.kinds.includes(kind);
    // Photos and video frames are in the image model's space; recordings and videos' sound tracks
    // in the audio model's.
    const seen: MediaKind[] = (['image', 'video'] as const).filter(wants);
    const heard: MediaKind[] = (['audio', 'video'] as const).filter(wants);
    const audioName = heard.length ? this.searchableAudioModel() : undefined;
    if (!audioName) {
      const model = await this.useModel(options.model);
      return this.search.byText(model, text, { ...options, kinds: seen.length ? seen : ['image'] });
    }
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 20;
    const whole = { ...options, offset: 0, limit: offset + limit };
    const audio = await this.models.useAudio(audioName);
    const imageModel = seen.length ? await this.useModel(options.model) : undefined;
    let ranked: SearchHit[];
    if (audio.hasText && (!imageModel || imageModel.hasText)) {
      // Two embedding spaces: rank by how far each hit stands above its own model's background.
      const lists = await Promise.all([
        imageModel ? this.search.byTextCalibrated(imageModel, text, { ...whole, kinds: seen }) : undefined,
        this.search.byTextCalibrated(audio, text, { ...whole, kinds: heard }),
      ]);
      ranked = lists
        .flatMap((list) => (list ? list.hits.map((hit) => ({ hit, z: (hit.score - list.background.mean) / list.background.spread })) : []))
        .sort((a, b) => b.z - a.z)
        .map((r) => r.hit);
    } else {
      const images = imageModel ? (await this.search.byText(imageModel, text, { ...whole, kinds: seen })).results : [];
      const sounds = audio.hasText
        ? (await this.search.byText(audio, text, { ...whole, kinds: heard })).results
        : this.search.byTags(audio, text, { ...whole, kinds: heard });
      ranked = [...images, ...sounds].sort((a, b) => b.score - a.score);
    }
    // A video found by both its picture and its sound is listed once, where it ranks best.
    const listed = new Set<number>();
    const results = ranked.filter((hit) => !listed.has(hit.fileId) && listed.add(hit.fileId));
    return { model: imageModel?.name ?? audio.name, results: results.slice(offset, offset + limit) };
  }

  /**
   * The audio model to search recordings with: the library's, when it has embedded recordings and
   * the model is at hand (a default CLAP not downloaded yet must not break photo searches).
   */
  private searchableAudioModel(): string | undefined {
    const name = this.settings.get().audioModel;
    if (!name) return undefined;
    if (this.models.currentAudio()?.name === name) return name;
    const known = this.vectors.findModel(name);
    if (!known || !this.vectors.hasAny(known.id)) return undefined;
    return locateModel(name, this.options.modelCacheDir ?? defaultModelCacheDir()) ? name : undefined;
  }

  /** The indexed files without a query, newest first. */
  browse(options: SearchOptions = {}): SearchHit[] {
    return this.search.browse(withRealFolder(options));
  }

  /** Items similar to a file: an indexed file uses its stored vector; any other image is embedded now. */
  async similar(
    path: string,
    given: SearchOptions & { model?: string; includeSelf?: boolean; /** A moment of a video: its frame is the query. */ atS?: number } = {},
  ): Promise<SearchResponse> {
    if (mediaKindOf(path) === 'audio') return this.similarSound(path, given);
    const options = withRealFolder(given);
    const model = await this.useModel(options.model);
    const { abs, row } = this.libraryRowOf(path);
    if (row?.content_id) {
      const stored = this.vectors.vectorsOfContent(model.modelId, row.content_id);
      if (stored.length > 0) {
        const at = given.atS;
        const query =
          at === undefined
            ? meanVector(stored.map((s) => s.vector))
            : stored.reduce((best, s) => (Math.abs((s.offsetS ?? 0) - at) < Math.abs((best.offsetS ?? 0) - at) ? s : best)).vector;
        return {
          model: model.name,
          results: this.search.byVector(model, query, options, options.includeSelf ? undefined : row.content_id),
        };
      }
    }
    if (mediaKindOf(path) === 'video')
      throw new Error(`cannot search by ${path}: only videos in the library can be searched by (add its folder and index it)`);
    return this.similarToImage(abs, path, options);
  }

  /** A path as given (absolute) and, when it is a library file (links followed), its row. */
  private libraryRowOf(path: string): { abs: string; row: ReturnType<FileRepo['byPath']> } {
    const abs = resolve(path);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // Missing: decoding it later says so in a sentence.
    }
    return { abs, row: this.files.byPath(real) };
  }

  /** Recordings that sound like a recording: an indexed one by its stored windows, any other decoded now. */
  private async similarSound(path: string, given: SearchOptions & { includeSelf?: boolean }): Promise<SearchResponse> {
    const options = { ...withRealFolder(given), kinds: narrowKinds(given.kinds, ['audio', 'video']) };
    const name = this.settings.get().audioModel;
    if (!name) throw new Error('this library has no audio model: index with `--audio-model NAME` first (see `trove models list`)');
    const audio = await this.models.useAudio(name);
    if (options.kinds.length === 0) return { model: audio.name, results: [] }; // only photos wanted
    const { abs, row } = this.libraryRowOf(path);
    let windows = row?.content_id ? this.vectors.vectorsOfContent(audio.modelId, row.content_id).map((v) => v.vector) : [];
    if (windows.length === 0) {
      windows = [];
      try {
        await decodeAudio(abs, {
          sampleRate: audio.sampleRate,
          chunkSeconds: audio.windowSeconds,
          onChunk: async (samples) => {
            windows.push((await audio.client.embedAudio(samples, 1, samples.length)).vectors[0]!);
          },
        });
      } catch (error) {
        throw new Error(`cannot search by ${path}: ${describeFileError(error).message}`);
      }
    }
    const exclude = options.includeSelf ? undefined : (row?.content_id ?? undefined);
    return { model: audio.name, results: this.search.byVector(audio, meanVector(windows), options, exclude) };
  }

  /** Items similar to an image that need not be in the library: a file, or bytes the user dropped. */
  async similarToImage(input: string | Buffer, label: string, given: SearchOptions & { model?: string } = {}): Promise<SearchResponse> {
    const options = { ...withRealFolder(given), kinds: narrowKinds(given.kinds, ['image', 'video']) };
    const model = await this.useModel(options.model);
    if (options.kinds.length === 0) return { model: model.name, results: [] }; // only recordings wanted
    const pre = model.preprocess;
    const pixels = new Float32Array(3 * pre.size * pre.size);
    try {
      await decodeForModel(input, pre, pixels, 0);
    } catch (error) {
      throw new Error(`cannot search by ${label}: ${describeFileError(error).message}`);
    }
    const { vectors } = await model.client.embedImages(pixels, 1, pre.size);
    return { model: model.name, results: this.search.byVector(model, vectors[0]!, options) };
  }

  /** Path of a cached thumbnail (longest edge `edge` px) for an indexed file. */
  async thumbnail(fileId: number, edge = 320): Promise<string> {
    const row = this.db
      .prepare(
        `SELECT f.path, c.sha256, c.kind, c.duration_s FROM files f JOIN contents c ON c.id = f.content_id WHERE f.id = ? AND f.status = 'ready'`,
      )
      .get(fileId) as { path: string; sha256: string; kind: MediaKind; duration_s: number | null } | undefined;
    if (!row) throw new Error(`no indexed file with id ${fileId}`);
    if (row.kind === 'audio') throw new Error('recordings have no picture');
    // A video's poster: a frame a moment in (the very first is often black).
    const source = row.kind === 'video' ? () => extractVideoFrame(row.path, Math.min(1, (row.duration_s ?? 0) / 3)) : row.path;
    return this.thumbnails.get(source, row.sha256, edge);
  }

  /* ---------------------------- duplicates ---------------------------- */

  /**
   * Identical and near-identical photos, grouped, each group with a suggested keeper. Uses the
   * active model's stored embeddings as a second opinion when the model supports it (no loading).
   */
  async duplicates(options: Omit<FindOptions, 'embeddingCheck'> = {}): Promise<DuplicateGroup[]> {
    const spec = findBuiltinModel(this.activeModelName());
    const modelRow = this.vectors.modelNames().find((m) => m.name === spec?.name);
    const minCosine = spec?.kind === 'clip' ? spec.nearDuplicateMinCosine : undefined;
    const photos = await findPhotoDuplicates(this.db, {
      ...options,
      embeddingCheck: modelRow && minCosine ? { modelId: modelRow.id, vectors: this.vectors, minCosine } : undefined,
    });
    const recordings = await findAudioDuplicates(this.db, options);
    const videos = findVideoDuplicates(this.db, options);
    return [...photos, ...recordings, ...videos].sort((x, y) => y.similarity - x.similarity || y.members.length - x.members.length);
  }

  /**
   * Moves library files to the system trash — only files of the library, never deleting — and
   * forgets them at once. The report's batch undoes it (restoreTrashed).
   */
  trashFiles(paths: string[]): TrashReport {
    const inLibrary = paths.filter((p) => this.files.byPath(p)?.status === 'ready');
    const refused = paths.filter((p) => !inLibrary.includes(p)).map((path) => ({ path, error: 'not a file of the library' }));
    const report = this.trashLog.trash(inLibrary, (path) => this.sync.pathRemoved(path));
    return { ...report, failed: [...refused, ...report.failed] };
  }

  /** Puts a trashed batch back; the files are found again by the watcher or the next scan. */
  restoreTrashed(batch: string): RestoreReport {
    const report = this.trashLog.restore(batch);
    const folders = this.folders.list();
    for (const path of report.restored) {
      const folder = folders.find((f) => isAtOrBelow(path, f.path));
      if (folder) void this.sync.fileTouched(folder, path);
    }
    return report;
  }

  /* ----------------------------- status ----------------------------- */

  /** The library's state; `errorLimit` caps the per-file errors listed (the count is always whole). */
  status(options: { errorLimit?: number } = {}): LibraryStatus {
    const folders = this.folders.list().map((folder) => {
      const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM files WHERE folder_id = ? GROUP BY status').all(folder.id) as {
        status: string;
        n: number;
      }[];
      const by = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
      return {
        path: folder.path,
        files: rows.reduce((a, r) => a + r.n, 0),
        ready: by('ready'),
        errors: by('error'),
        pending: by('pending'),
        missing: by('missing'),
      };
    });
    return {
      libraryDir: this.options.libraryDir,
      folders,
      files: this.files.countByStatus(),
      contents: this.contents.count(),
      models: this.vectors
        .modelNames()
        .map((m) => ({ name: m.name, dim: m.dim, vectors: this.vectors.count(m.id), pendingJobs: this.queue.pending('embed', m.name) })),
      pendingIngest: this.queue.pending('ingest'),
      errors: this.files.errors(options.errorLimit ?? 1000),
      scanIssues: this.db.prepare('SELECT path, error FROM scan_issues ORDER BY path').all() as { path: string; error: string }[],
      settings: this.settings.get(),
    };
  }

  /** Closes the library; closing it again does nothing. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.models.close();
    this.lock.release();
    // A clean close that changed something leaves a fresh backup.
    if (changedSinceOpen(this.db)) await this.backups.take(this.db).catch(() => undefined);
    this.db.close();
  }
}

/**
 * All cores on small machines (the model is the bottleneck); on 4 cores and more, one is left for
 * decoding the next batch, the UI and the rest of the system, which keeps the computer responsive.
 */
export function defaultInferenceThreads(cores = availableParallelism()): number {
  return cores >= 4 ? cores - 1 : cores;
}

/** Library paths are stored resolved (absolute, links followed): a folder filter must be too. */
function withRealFolder<T extends SearchOptions>(options: T): T {
  if (!options.folder) return options;
  let folder = resolve(options.folder);
  try {
    folder = realpathSync(folder);
  } catch {
    // A folder that does not exist simply matches nothing.
  }
  return { ...options, folder };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolveSleep, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolveSleep, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

function isReachableFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function meanVector(vectors: Float32Array[]): Float32Array {
  if (vectors.length === 1) return vectors[0]!;
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i += 1) out[i]! += v[i]!;
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return out.map((x) => x / norm);
}

/** The photo run's summary with the video and audio passes' counts added. */
function addRuns(photos: RunSummary, ...others: (RunSummary | undefined)[]): RunSummary {
  return others.reduce<RunSummary>(
    (sum, run) =>
      run
        ? {
            ...sum,
            embedded: sum.embedded + run.embedded,
            failed: sum.failed + run.failed,
            stopped: sum.stopped || run.stopped,
            seconds: sum.seconds + run.seconds,
            ...(run.audioSkipped ? { audioSkipped: run.audioSkipped } : {}),
          }
        : sum,
    photos,
  );
}

/** The kinds a query can reach in one model's space, within what the filters allow (maybe none). */
function narrowKinds(wanted: MediaKind[] | undefined, reachable: MediaKind[]): MediaKind[] {
  return wanted?.length ? reachable.filter((k) => wanted.includes(k)) : reachable;
}
