/**
 * The service's background indexing: index then watch, restarted when a model arrives, a setting
 * changes or the first folder is added; waiting (and taking over) while another Trove indexes the
 * library; and the indexing state the UI shows, sent as events (progress at most four times a
 * second, phase changes at once).
 */
import type { IndexingState, TroveEvent } from '../../../shared/api.js';
import type { Engine } from '../engine.js';
import type { IndexProgress } from '../indexing/indexer.js';
import { picturesWaitingNotice, recordingsWaitingNotice } from '../indexing/index-passes.js';
import { isModelUnavailable } from '../models/model-manager.js';
import { LibraryLockedError } from '../store/library-lock.js';

/** Progress events at most this often; phase changes are sent at once. */
const PROGRESS_INTERVAL_MS = 250;
/** While indexing, tell the UI that new results exist at most this often. */
const CHANGED_INTERVAL_MS = 1500;
/** While another Trove holds the library, or there is no folder yet, look again this often. */
const RETRY_MS = 1000;

export interface IndexLoopOptions {
  missingGraceMs?: number;
  reconcileIntervalMs?: number;
}

export class IndexLoop {
  private current: IndexingState = idleState();
  private run: { controller: AbortController; done: Promise<void> } | undefined;
  private restarting: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;
  private lastChangedAt = 0;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: IndexLoopOptions,
    private readonly emit: (event: TroveEvent) => void,
  ) {}

  get state(): IndexingState {
    return { ...this.current, paused: this.engine.indexer.pauser.paused };
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  /**
   * (Re)starts the watch loop. Restarts asked for at once run one after the other, so two loops
   * never overlap.
   */
  restart(): Promise<void> {
    this.restarting = this.restarting.then(() => this.restartNow()).catch(() => undefined);
    return this.restarting;
  }

  /** Restarts only when indexing stopped for want of a model or on an error. */
  restartIfStuck(): void {
    if (this.current.phase === 'needs-model' || this.current.phase === 'error') void this.restart();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.restarting;
    await this.stop();
  }

  /**
   * Pauses indexing. While files are being indexed the phase turns 'paused' only once the work in
   * flight has ended (the pass reports it), so a paused bar never moves again; until then the UI
   * says "Pausing…".
   */
  pause(): IndexingState {
    this.engine.indexer.pause();
    this.setState({ ...this.current, paused: true });
    return this.current;
  }

  resume(): IndexingState {
    this.engine.indexer.resume();
    this.setState({ ...this.current, paused: false, phase: this.current.phase === 'paused' ? 'indexing' : this.current.phase });
    return this.current;
  }

  /** Tells the UI that what it shows may be out of date (at most every 1.5 s unless forced). */
  changed(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastChangedAt < CHANGED_INTERVAL_MS) return;
    this.lastChangedAt = now;
    this.emit({ type: 'library-changed', ready: this.engine.status.readyCount() });
  }

  private async stop(): Promise<void> {
    const current = this.run;
    if (!current) return;
    current.controller.abort();
    await current.done;
  }

  private async restartNow(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.stop();
    if (this.closed) return;
    const paused = this.engine.indexer.pauser.paused;
    if (this.engine.folders.list().length === 0) {
      this.setState({ ...idleState(), paused });
      // A folder may be added by another process (`trove add`): look again shortly.
      this.retryTimer = setTimeout(() => void this.restart(), RETRY_MS);
      return;
    }
    const controller = new AbortController();
    let warnedAudio = false;
    let warnedPictures = false;
    // What waits for a model that is missing: said beside "watching" for as long as this watch runs
    // (a model imported or chosen restarts it).
    let waitingFor: string | undefined;
    this.setState({ ...idleState(), phase: 'starting', paused });
    const done = this.engine.indexer
      .watch({
        signal: controller.signal,
        missingGraceMs: this.options.missingGraceMs,
        reconcileIntervalMs: this.options.reconcileIntervalMs,
        onScan: () => this.setState({ ...this.current, phase: 'scanning' }),
        onProgress: (p) => this.onProgress(p),
        onBatch: (_changes, summary) => {
          if (summary.imagesSkipped) waitingFor = picturesWaitingNotice(summary.imagesSkipped);
          else if (summary.audioSkipped) waitingFor ??= recordingsWaitingNotice(summary.audioSkipped);
          if (summary.audioSkipped && !warnedAudio) {
            warnedAudio = true;
            this.emit({ type: 'notice', level: 'warning', message: recordingsWaitingNotice(summary.audioSkipped) });
          }
          if (summary.imagesSkipped && !warnedPictures) {
            warnedPictures = true;
            this.emit({ type: 'notice', level: 'warning', message: picturesWaitingNotice(summary.imagesSkipped) });
          }
          // A file that failed changes the Library table's counts too (read afresh once the run is over).
          if (summary.embedded > 0 || summary.purged > 0 || summary.moved > 0 || summary.failed > 0) this.changed(true);
        },
        onWatching: () =>
          this.setState({
            ...this.current,
            phase: this.engine.indexer.pauser.paused ? 'paused' : 'watching',
            currentFile: undefined,
            message: waitingFor,
          }),
        onError: (error) => this.emit({ type: 'notice', level: 'warning', message: error.message }),
        onDegraded: (reason) => this.emit({ type: 'notice', level: 'warning', message: reason }),
      })
      .then(
        () => {
          if (!controller.signal.aborted) this.setState({ ...this.current, phase: 'idle' });
        },
        (error: unknown) => this.stopped(error, controller.signal),
      )
      .finally(() => {
        if (this.run?.controller === controller) this.run = undefined;
      });
    this.run = { controller, done };
  }

  /** Why the loop stopped, as the state the UI shows; another Trove's hold is waited out. */
  private stopped(error: unknown, signal: AbortSignal): void {
    if (signal.aborted) return;
    const paused = this.engine.indexer.pauser.paused;
    if (error instanceof LibraryLockedError) {
      const who = error.holder ? `${error.holder.purpose}, pid ${error.holder.pid}` : 'another Trove process';
      const message = `Another Trove (${who}) is indexing this library; this one takes over as soon as it finishes. Searching works meanwhile.`;
      this.setState({ ...idleState(), phase: 'waiting', message, paused });
      this.retryTimer = setTimeout(() => void this.restart(), RETRY_MS);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const phase = isModelUnavailable(error) ? 'needs-model' : 'error';
    this.setState({ ...idleState(), phase, message, paused });
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
      paused: this.engine.indexer.pauser.paused,
      ...(p.step ? { step: p.step } : {}),
    };
    const phaseChanged = next.phase !== this.current.phase;
    this.current = next;
    const now = Date.now();
    if (phaseChanged || now - this.lastProgressAt >= PROGRESS_INTERVAL_MS || p.phase !== 'indexing') {
      this.lastProgressAt = now;
      this.emit({ type: 'indexing', state: next });
    }
    if (p.done > 0) this.changed(p.phase === 'done');
  }

  private setState(next: IndexingState): void {
    this.current = next;
    this.emit({ type: 'indexing', state: next });
  }
}

export function idleState(): IndexingState {
  return { phase: 'idle', done: 0, total: 0, failed: 0, ratePerSecond: 0, etaSeconds: null, paused: false };
}
