/**
 * The engine as a long-running service for the UI: it keeps the library indexed and watched in the
 * background (index-loop.ts), answers the API contract's requests (handlers.ts) and pushes events.
 * Both transports — Electron's utility process and `trove serve` — host exactly this class, so the
 * desktop app and the browser twin behave the same. Plain Node, no electron.
 *
 * Requests are validated here, at the boundary; refusals are typed errors (core/errors.ts) that each
 * transport turns into a status and a sentence with answerFor().
 */
import { describeInvalid, isMethod, RequestSchemas, type DownloadState, type TroveEvent } from '../../../shared/api.js';
import { Engine, type EngineOptions } from '../engine.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { DownloadProgress } from '../models/hub-download.js';
import type { MediaAccess } from '../library/media-access.js';
import { appStatus, makeHandlers, type HandlerContext, type Handlers } from './handlers.js';
import { IndexLoop } from './index-loop.js';

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

/** Download progress events at most this often. */
const DOWNLOAD_EVENT_MS = 250;
/** A long-running Trove keeps a fresh backup of its database: once a day. */
const BACKUP_EVERY_MS = 24 * 60 * 60_000;
/**
 * A large library database is checked this long after a start (store/integrity-check.ts): reading
 * all of it beside the index files and the model would slow the start it was spared from.
 */
const CHECK_AFTER_START_MS = 15_000;

export class LibraryService {
  readonly engine: Engine;
  private readonly loop: IndexLoop;
  private readonly context: HandlerContext;
  private readonly handlers: Handlers;
  private readonly listeners = new Set<(event: TroveEvent) => void>();
  private download: DownloadState | undefined;
  private damage: string | undefined;
  private lastDownloadEventAt = 0;
  private backupTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(options: LibraryServiceOptions) {
    this.engine = Engine.open({ ...options, onDownloadProgress: (p) => this.onDownload(p) });
    this.loop = new IndexLoop(this.engine, options, (event) => this.emit(event));
    this.context = {
      engine: this.engine,
      loop: this.loop,
      version: options.version,
      revealFile: options.revealFile,
      pickFolder: options.pickFolder,
      download: () => this.download,
      damage: () => this.damage,
      startDownload: (name) => void this.downloadInBackground(name),
    };
    this.handlers = makeHandlers(this.context);
  }

  get media(): MediaAccess {
    return this.engine.media;
  }

  /** Starts indexing and watching in the background (once there is a folder to watch). */
  start(): void {
    // A large database's check reads all of it: it waits until the start's own reading is done.
    this.checkTimer = setTimeout(() => void this.checkDatabase(), CHECK_AFTER_START_MS);
    this.checkTimer.unref();
    void this.loop.restart();
    this.backupTimer = setInterval(() => void this.engine.backupNow().catch(() => undefined), BACKUP_EVERY_MS);
    this.backupTimer.unref();
  }

  /** Checks the library database (a large one is checked after it opened) and reports damage: what to do. */
  async checkDatabase(): Promise<void> {
    const found = await this.engine.integrity();
    if (found === 'ok' || found === 'stopped') return;
    this.damage = `The library database is damaged (${found}). Quit Trove and run \`trove repair\`: it restores the newest backup and reads your folders again; nothing of yours is deleted.`;
    this.emit({ type: 'notice', level: 'error', message: this.damage });
  }

  subscribe(listener: (event: TroveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and answers one request; refusals are typed errors (see answerFor). */
  async handle(method: string, raw: unknown): Promise<unknown> {
    if (!isMethod(method)) throw new NotFoundError(`unknown request "${method.slice(0, 100)}"`);
    const parsed = RequestSchemas[method].safeParse(raw ?? {});
    if (!parsed.success) throw new InvalidInputError(describeInvalid(method, parsed.error));
    const handler = this.handlers[method] as (params: unknown) => unknown;
    return handler(parsed.data);
  }

  status(): ReturnType<typeof appStatus> {
    return appStatus(this.context);
  }

  async close(): Promise<void> {
    clearInterval(this.backupTimer);
    clearTimeout(this.checkTimer);
    await this.loop.close();
    await this.engine.close();
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
      void this.loop.restart();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.download = { ...(this.download ?? started), done: true, error: message };
      this.emit({ type: 'model-download', state: this.download });
    }
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
    if (now - this.lastDownloadEventAt >= DOWNLOAD_EVENT_MS) {
      this.lastDownloadEventAt = now;
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
}
