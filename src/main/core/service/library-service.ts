/**
 * The engine as a long-running service for the UI: it keeps the library indexed and watched in the
 * background, answers the API contract's requests (src/shared/api.ts) and pushes progress events.
 * Both transports — Electron's utility process and `trove serve` — host exactly this class, so the
 * desktop app and the browser twin behave the same. Plain Node, no electron.
 */
import { basename, dirname } from 'node:path';
import {
  describeInvalid,
  isMethod,
  RequestSchemas,
  type AppStatus,
  type DownloadState,
  type FileDetails,
  type IndexingState,
  type Method,
  type ModelInfo,
  type ParsedParams,
  type Results,
  type SearchFilters,
  type SearchHit,
  type SearchResult,
  type Settings,
  type TroveEvent,
} from '../../../shared/api.js';
import { Engine, defaultInferenceThreads, type EngineOptions } from '../engine.js';
import type { IndexProgress } from '../jobs/index-runner.js';
import type { DownloadProgress } from '../models/hub-download.js';
import { importModels } from '../models/model-import.js';
import { locateModel, ModelNotInstalledError } from '../models/model-locator.js';
import { builtinModels, findBuiltinModel, hasTextEncoder, isHubModel, modalityOf } from '../models/registry.js';
import { defaultModelCacheDir } from '../paths.js';
import type { SearchHit as EngineHit, SearchOptions, SearchResponse } from '../search/search-service.js';
import { MediaResolver } from './media-resolver.js';
import { RequestError, asRequestError } from './request-error.js';
import { LibraryLockedError } from '../library/library-lock.js';

export interface LibraryServiceOptions extends Omit<EngineOptions, 'onDownloadProgress'> {
  version: string;
  /** Shows a file in the system file manager; only the desktop app can. */
  revealFile?: (path: string) => void;
  /** Opens a native folder chooser; only the desktop app can. */
  pickFolder?: () => Promise<string | null>;
  /** How long a missing file waits for the other half of a move (tests shorten it). */
  missingGraceMs?: number;
  /** How often the folders are reconciled with the disk while watching (tests shorten it). */
  reconcileIntervalMs?: number;
}

type Handlers = { [M in Method]: (params: ParsedParams<M>) => Promise<Results[M]> | Results[M] };

const BACKUP_EVERY_MS = 24 * 60 * 60_000;
/** While another Trove holds the library, look again this often. */
const LOCK_RETRY_MS = 1000;
/** Progress events at most this often; phase changes are sent at once. */
const PROGRESS_INTERVAL_MS = 250;
/** While indexing, tell the UI that new results exist at most this often. */
const CHANGED_INTERVAL_MS = 1500;

export class LibraryService {
  readonly engine: Engine;
  readonly media: MediaResolver;
  private readonly listeners = new Set<(event: TroveEvent) => void>();
  private state: IndexingState = idleState();
  private run: { controller: AbortController; done: Promise<void> } | undefined;
  private download: DownloadState | undefined;
  private lastProgressAt = 0;
  private lastChangedAt = 0;
  private closed = false;
  private restarting: Promise<void> = Promise.resolve();
  private readonly handlers: Handlers;
  private backupTimer: NodeJS.Timeout | undefined;
  private waitTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LibraryServiceOptions) {
    this.engine = Engine.open({ ...options, onDownloadProgress: (p) => this.onDownload(p) });
    this.media = new MediaResolver(this.engine);
    this.handlers = this.makeHandlers();
  }

  /** Starts indexing and watching in the background (once there is a folder to watch). */
  start(): void {
    void this.restart();
    // A long-running Trove keeps a fresh backup of its database: once a day.
    this.backupTimer = setInterval(() => void this.engine.backupNow().catch(() => undefined), BACKUP_EVERY_MS);
    this.backupTimer.unref();
  }

  subscribe(listener: (event: TroveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and answers one request; refusals are RequestErrors carrying a status and a sentence. */
  async handle(method: string, raw: unknown): Promise<unknown> {
    if (!isMethod(method)) throw new RequestError(404, `unknown request "${method.slice(0, 100)}"`);
    const parsed = RequestSchemas[method].safeParse(raw ?? {});
    if (!parsed.success) throw new RequestError(400, describeInvalid(method, parsed.error));
    const handler = this.handlers[method] as (params: unknown) => unknown;
    try {
      return await handler(parsed.data);
    } catch (error) {
      throw asRequestError(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.backupTimer);
    clearTimeout(this.waitTimer);
    await this.restarting;
    await this.stopRun();
    await this.engine.close();
  }

  /* ------------------------------ background run ------------------------------ */

  private async stopRun(): Promise<void> {
    const current = this.run;
    if (!current) return;
    current.controller.abort();
    await current.done;
  }

  /**
   * (Re)starts the watch loop: after a model arrives, a setting changes, or the first folder is
   * added. Restarts asked for at once run one after the other, so two loops never overlap.
   */
  private restart(): Promise<void> {
    this.restarting = this.restarting.then(() => this.restartNow()).catch(() => undefined);
    return this.restarting;
  }

  private async restartNow(): Promise<void> {
    clearTimeout(this.waitTimer);
    await this.stopRun();
    if (this.closed) return;
    if (this.engine.listFolders().length === 0) {
      this.setState({ ...idleState(), paused: this.engine.pauser.paused });
      // A folder may be added by another process (`trove add`): look again shortly.
      this.waitTimer = setTimeout(() => void this.restart(), LOCK_RETRY_MS);
      return;
    }
    const controller = new AbortController();
    let warnedAudio = false;
    this.setState({ ...idleState(), phase: 'starting', paused: this.engine.pauser.paused });
    const done = this.engine
      .watch({
        signal: controller.signal,
        missingGraceMs: this.options.missingGraceMs,
        reconcileIntervalMs: this.options.reconcileIntervalMs,
        onScan: () => this.setState({ ...this.state, phase: 'scanning' }),
        onProgress: (p) => this.onProgress(p),
        onBatch: (_changes, summary) => {
          if (summary.audioSkipped && !warnedAudio) {
            warnedAudio = true;
            this.emit({ type: 'notice', level: 'warning', message: `Recordings are not indexed yet: ${summary.audioSkipped}` });
          }
          if (summary.embedded > 0 || summary.purged > 0 || summary.moved > 0) this.changed(true);
        },
        onWatching: () =>
          this.setState({ ...this.state, phase: this.engine.pauser.paused ? 'paused' : 'watching', currentFile: undefined }),
        onError: (error) => this.emit({ type: 'notice', level: 'warning', message: error.message }),
        onDegraded: (reason) => this.emit({ type: 'notice', level: 'warning', message: reason }),
      })
      .then(
        () => {
          if (!controller.signal.aborted) this.setState({ ...this.state, phase: 'idle' });
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          if (error instanceof LibraryLockedError) {
            // Another Trove (`trove index`, say) is indexing: wait for it, then take over.
            const who = error.holder ? `${error.holder.purpose}, pid ${error.holder.pid}` : 'another Trove process';
            const message = `Another Trove (${who}) is indexing this library; this one takes over as soon as it finishes. Searching works meanwhile.`;
            this.setState({ ...idleState(), phase: 'waiting', message, paused: this.engine.pauser.paused });
            this.waitTimer = setTimeout(() => void this.restart(), LOCK_RETRY_MS);
            return;
          }
          const message = error instanceof Error ? error.message : String(error);
          const needsModel = error instanceof ModelNotInstalledError || /not installed|offline mode/.test(message);
          this.setState({ ...idleState(), phase: needsModel ? 'needs-model' : 'error', message, paused: this.engine.pauser.paused });
        },
      )
      .finally(() => {
        if (this.run?.controller === controller) this.run = undefined;
      });
    this.run = { controller, done };
  }

  private onProgress(p: IndexProgress): void {
    const phase: IndexingState['phase'] = p.phase === 'paused' ? 'paused' : p.phase === 'done' ? 'watching' : 'indexing';
    const next: IndexingState = {
      phase,
      done: p.done,
      total: p.total,
      failed: p.failed,
      ratePerSecond: p.ratePerSecond,
      etaSeconds: p.etaSeconds,
      currentFile: p.currentFile,
      paused: this.engine.pauser.paused,
    };
    const phaseChanged = next.phase !== this.state.phase;
    this.state = next;
    const now = Date.now();
    if (phaseChanged || now - this.lastProgressAt >= PROGRESS_INTERVAL_MS || p.phase === 'done') {
      this.lastProgressAt = now;
      this.emit({ type: 'indexing', state: next });
    }
    if (p.done > 0) this.changed(p.phase === 'done');
  }

  private changed(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastChangedAt < CHANGED_INTERVAL_MS) return;
    this.lastChangedAt = now;
    this.emit({ type: 'library-changed', ready: this.engine.files.countByStatus().ready });
  }

  private setState(next: IndexingState): void {
    this.state = next;
    this.emit({ type: 'indexing', state: next });
  }

  private onDownload(p: DownloadProgress): void {
    this.download = {
      name: p.model,
      file: p.file,
      fileIndex: p.fileIndex,
      fileCount: p.fileCount,
      fileReceivedBytes: p.received,
      fileTotalBytes: p.size,
      receivedBytes: p.totalReceived,
      done: false,
    };
    const now = Date.now();
    if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS) {
      this.lastProgressAt = now;
      this.emit({ type: 'model-download', state: this.download });
    }
  }

  private emit(event: TroveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener that fails (a closed connection) must not stop the others or the indexer.
      }
    }
  }

  /* --------------------------------- requests --------------------------------- */

  private makeHandlers(): Handlers {
    const engine = this.engine;
    const cacheDir = () => engine.options.modelCacheDir ?? defaultModelCacheDir();
    return {
      info: () => ({
        version: this.options.version,
        libraryDir: engine.options.libraryDir,
        modelCacheDir: cacheDir(),
        canRevealFiles: Boolean(this.options.revealFile),
        canPickFolders: Boolean(this.options.pickFolder),
      }),
      status: () => this.status(),
      addFolder: (p) => {
        const folder = engine.addFolder(p.path);
        // The watch loop picks a new folder up itself; the first folder starts the loop.
        if (!this.run) void this.restart();
        const summary = this.status().folders.find((f) => f.path === folder.path);
        return summary ?? { path: folder.path, files: 0, ready: 0, errors: 0, pending: 0, missing: 0, unreachable: false };
      },
      removeFolder: (p) => {
        const result = engine.removeFolder(p.path);
        this.changed(true);
        if (engine.listFolders().length === 0) void this.restart();
        return result;
      },
      searchText: async (p) => {
        const { filters, ...page } = p;
        const options = this.searchOptions(filters, page);
        if (!options) return emptyResult(engine.activeModelName());
        return toResult(await engine.searchText(p.text, options), page.limit);
      },
      similarTo: async (p) => {
        const { filters, fileId, atS, ...page } = p;
        const path = this.media.libraryFile(fileId);
        if (!path) throw new RequestError(404, `no indexed file with id ${fileId}`);
        const options = this.searchOptions(filters, page);
        if (!options) return emptyResult(engine.activeModelName());
        return toResult(await engine.similar(path, { ...options, atS }), page.limit);
      },
      browse: (p) => {
        const { filters, ...page } = p;
        const options = this.searchOptions(filters, page);
        if (!options) return { model: engine.activeModelName(), hits: [], more: false, via: 'browse' as const };
        const rows = engine.browse(options);
        return {
          model: engine.activeModelName(),
          hits: rows.slice(0, page.limit).map(toHit),
          more: rows.length > page.limit,
          via: 'browse' as const,
        };
      },
      searchImage: async (p) => {
        const { filters, imageBase64, name, ...page } = p;
        const bytes = Buffer.from(imageBase64, 'base64');
        if (bytes.length === 0) throw new RequestError(400, 'the image is empty');
        if (bytes.length > 32 * 1024 * 1024) throw new RequestError(413, 'the image is too large (32 MB at most)');
        const options = this.searchOptions(filters, page);
        if (!options) return emptyResult(engine.activeModelName());
        return toResult(await engine.similarToImage(bytes, name, options), page.limit);
      },
      fileDetails: (p) => this.fileDetails(p.fileId),
      fileErrors: (p) => ({
        errors: engine.files.errors(p.limit),
        scanIssues: engine.db.prepare('SELECT path, error FROM scan_issues ORDER BY path LIMIT ?').all(p.limit) as {
          path: string;
          error: string;
        }[],
      }),
      pause: () => {
        engine.pause();
        this.setState({ ...this.state, paused: true, phase: this.state.phase === 'indexing' ? 'paused' : this.state.phase });
        return this.state;
      },
      resume: () => {
        engine.resume();
        this.setState({ ...this.state, paused: false, phase: this.state.phase === 'paused' ? 'indexing' : this.state.phase });
        return this.state;
      },
      updateSettings: (p) => {
        const before = engine.settings.get();
        const { threads, audioModel, ...rest } = p.patch;
        const next = engine.settings.update({
          ...rest,
          ...(threads !== undefined ? { threads: threads ?? undefined } : {}),
          // null is kept (audio indexing off); dropping it would bring the default model back.
          ...(audioModel !== undefined ? { audioModel } : {}),
        });
        const restartNeeded =
          next.imageModel !== before.imageModel ||
          next.audioModel !== before.audioModel ||
          next.includeHidden !== before.includeHidden ||
          next.offline !== before.offline ||
          JSON.stringify(next.excludePatterns) !== JSON.stringify(before.excludePatterns);
        if (restartNeeded) void this.restart();
        return toSettings(next);
      },
      findDuplicates: async () => {
        const groups = await engine.duplicates();
        return {
          groups: groups.map((g) => ({
            kind: g.kind,
            media: g.media,
            similarity: g.similarity,
            keeperFileId: g.keeper,
            members: g.members.map((m) => ({ ...m, name: basename(m.path) })),
          })),
        };
      },
      trashFiles: (p) => {
        const paths: string[] = [];
        const failed: { path: string; error: string }[] = [];
        for (const id of p.fileIds) {
          const path = this.media.libraryFile(id);
          if (path) paths.push(path);
          else failed.push({ path: `#${id}`, error: 'not a file of the library' });
        }
        const report = engine.trashFiles(paths);
        if (report.trashed.length > 0) this.changed(true);
        return { batch: report.batch, trashed: report.trashed, failed: [...failed, ...report.failed] };
      },
      restoreTrashed: (p) => {
        const report = engine.restoreTrashed(p.batch);
        if (report.restored.length > 0) this.changed(true);
        return report;
      },
      pickFolder: async () => {
        if (!this.options.pickFolder) throw new RequestError(409, 'a folder chooser needs the desktop app; type the folder path instead');
        return { path: await this.options.pickFolder() };
      },
      listModels: () => this.listModels(),
      downloadModel: (p) => {
        const spec = findBuiltinModel(p.name);
        if (!spec) throw new RequestError(404, `unknown model "${p.name}"`);
        if (!isHubModel(spec)) throw new RequestError(400, `${p.name} is not on the hub: import its folder instead`);
        if (engine.isOffline()) {
          throw new RequestError(
            409,
            `offline mode is on, so ${p.name} cannot be downloaded. Turn it off in Settings, or import the model from a folder`,
          );
        }
        void this.downloadInBackground(spec.name);
        return { name: spec.name };
      },
      importModels: async (p) => {
        const report = await importModels(p.path, cacheDir());
        if (this.state.phase === 'needs-model' || this.state.phase === 'error') void this.restart();
        return { imported: report.imported.map((m) => m.name) };
      },
      revealFile: (p) => {
        if (!this.options.revealFile)
          throw new RequestError(409, 'showing a file in its folder needs the desktop app; copy its path instead');
        const path = this.media.libraryFile(p.fileId);
        if (!path) throw new RequestError(404, `no indexed file with id ${p.fileId}`);
        this.options.revealFile(path);
        return { ok: true as const };
      },
    };
  }

  private async downloadInBackground(name: string): Promise<void> {
    const started: DownloadState = {
      name,
      file: '',
      fileIndex: 0,
      fileCount: 0,
      fileReceivedBytes: 0,
      fileTotalBytes: null,
      receivedBytes: 0,
      done: false,
    };
    this.download = started;
    this.emit({ type: 'model-download', state: started });
    try {
      await this.engine.models.ensureInstalled(name);
      this.download = undefined;
      this.emit({ type: 'model-download', state: { ...started, done: true } });
      void this.restart();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.download = { ...(this.download ?? started), done: true, error: message };
      this.emit({ type: 'model-download', state: this.download });
    }
  }

  /** Engine search options for the contract's filters; undefined when the filters exclude everything. */
  private searchOptions(filters: SearchFilters, page: { limit: number; offset: number }): SearchOptions | undefined {
    const kinds = filters.kinds?.map((k) => (k === 'photo' ? ('image' as const) : k));
    if (kinds && kinds.length === 0) return undefined;
    return { folder: filters.folder, from: filters.from, to: filters.to, kinds, limit: page.limit + 1, offset: page.offset };
  }

  status(): AppStatus {
    const s = this.engine.status({ errorLimit: 0 });
    const unreachable = new Set(s.scanIssues.filter((i) => /not reachable/.test(i.error)).map((i) => i.path));
    const folders = s.folders.map((f) => ({ ...f, unreachable: unreachable.has(f.path) }));
    const name = this.engine.activeModelName();
    const loaded = this.engine.models.current();
    return {
      folders,
      totals: {
        files: s.files.pending + s.files.ready + s.files.error,
        ready: s.files.ready,
        errors: s.files.error,
        pending: s.files.pending,
      },
      indexing: { ...this.state, paused: this.engine.pauser.paused },
      model: {
        name,
        installed: Boolean(loaded?.name === name || locateModel(name, this.engine.options.modelCacheDir ?? defaultModelCacheDir())),
        hasTextSearch: loaded?.name === name ? true : hasTextEncoderOrDefault(name) || hasLabels(name),
        ...(this.download ? { download: this.download } : {}),
      },
      settings: toSettings(s.settings),
      threads: this.engine.options.threads ?? s.settings.threads ?? defaultInferenceThreads(),
      offline: this.engine.isOffline(),
    };
  }

  private listModels(): ModelInfo[] {
    const cacheDir = this.engine.options.modelCacheDir ?? defaultModelCacheDir();
    const active = this.engine.activeModelName();
    return builtinModels().map((spec) => ({
      name: spec.name,
      description: spec.description,
      modality: modalityOf(spec),
      installed: Boolean(locateModel(spec.name, cacheDir)),
      downloadable: isHubModel(spec),
      active: spec.name === active,
    }));
  }

  private fileDetails(fileId: number): FileDetails {
    const row = this.engine.db
      .prepare(
        `SELECT f.id, f.path, f.size, f.mtime_ms, fo.path AS folder, c.id AS content_id, c.kind, c.duration_s, c.format, c.width, c.height, c.taken_at,
                c.camera_make, c.camera_model, c.gps_lat, c.gps_lon
         FROM files f JOIN folders fo ON fo.id = f.folder_id LEFT JOIN contents c ON c.id = f.content_id WHERE f.id = ?`,
      )
      .get(fileId) as DetailsRow | undefined;
    if (!row) throw new RequestError(404, `no file with id ${fileId} in the library`);
    const model = this.engine.models.current();
    const tags = model && row.content_id ? this.engine.vectors.tagsOfContent(model.modelId, row.content_id).slice(0, 5) : [];
    const camera = [row.camera_make, row.camera_model].filter(Boolean).join(' ');
    return {
      fileId: row.id,
      path: row.path,
      name: basename(row.path),
      folder: dirname(row.path),
      kind: apiKind(row.kind),
      durationS: row.duration_s,
      format: row.format,
      bytes: row.size,
      width: row.width,
      height: row.height,
      takenAt: row.taken_at,
      modifiedAt: row.mtime_ms,
      camera: camera || null,
      gps: row.gps_lat !== null && row.gps_lon !== null ? { lat: row.gps_lat, lon: row.gps_lon } : null,
      tags: tags.map((t) => ({ label: t.label, score: t.score })),
    };
  }
}

interface DetailsRow {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  folder: string;
  content_id: number | null;
  kind: string | null;
  duration_s: number | null;
  format: string | null;
  width: number | null;
  height: number | null;
  taken_at: number | null;
  camera_make: string | null;
  camera_model: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
}

function idleState(): IndexingState {
  return { phase: 'idle', done: 0, total: 0, failed: 0, ratePerSecond: 0, etaSeconds: null, paused: false };
}

/** A model not known here is assumed to be a hub model with a text encoder until it is loaded. */
function hasTextEncoderOrDefault(name: string): boolean {
  const spec = findBuiltinModel(name);
  return !spec || hasTextEncoder(spec);
}

function hasLabels(name: string): boolean {
  const spec = findBuiltinModel(name);
  return spec?.kind === 'onnx' && Boolean(spec.manifest.labels);
}

function toSettings(s: ReturnType<Engine['settings']['get']>): Settings {
  return {
    imageModel: s.imageModel,
    ...(s.audioModel ? { audioModel: s.audioModel } : {}),
    offline: s.offline,
    ...(s.threads !== undefined ? { threads: s.threads } : {}),
    excludePatterns: s.excludePatterns,
    includeHidden: s.includeHidden,
  };
}

function emptyResult(model: string): SearchResult {
  return { model, hits: [], more: false, via: 'none' };
}

/** The engine asked for one extra hit: its presence says whether another page exists. */
function toResult(response: SearchResponse, limit: number): SearchResult {
  const hits: SearchHit[] = response.results.slice(0, limit).map(toHit);
  return { model: response.model, hits, more: response.results.length > limit, via: response.results[0]?.via ?? 'none' };
}

function toHit(hit: EngineHit): SearchHit {
  return {
    fileId: hit.fileId,
    path: hit.path,
    name: basename(hit.path),
    kind: apiKind(hit.kind),
    score: hit.score,
    width: hit.width,
    height: hit.height,
    takenAt: hit.takenAt,
    ...(hit.offsetS !== undefined ? { offsetS: hit.offsetS } : {}),
  };
}

/** The engine says image where the UI says photo. */
function apiKind(kind: string | null): 'photo' | 'audio' | 'video' {
  return kind === 'audio' || kind === 'video' ? kind : 'photo';
}
