/**
 * One run's counts and its progress reports, shared by every indexing pass (photos, videos, sound):
 * what was embedded or failed, the rate and the time left, the file at hand, and whether the run is
 * paused — reported at most five times a second, and once more at the end.
 */
import type { Pauser } from './pauser.js';
import type { RunTally } from './run-tally.js';

export interface IndexProgress {
  phase: 'indexing' | 'paused' | 'done';
  /** Files finished in this run (read and embedded, or failed), out of the run's files (RunTally). */
  done: number;
  total: number;
  failed: number;
  ratePerSecond: number;
  etaSeconds: number | null;
  currentFile?: string;
  /** 'words': the run has moved on to reading the words in pictures; done/total count pictures read. */
  step?: 'words';
}

export interface RunSummary {
  embedded: number;
  failed: number;
  ingested: number;
  moved: number;
  stopped: boolean;
  seconds: number;
  /** Why recordings were left unindexed this run (the library's audio model is not installed). */
  audioSkipped?: string;
  /** Why photos and videos were left unindexed this run (the library's image model is not installed). */
  imagesSkipped?: string;
  /** Pictures whose words were read this run, and how many of them show any. */
  textRead?: { read: number; withText: number };
}

const REPORT_EVERY_MS = 200;

export class RunProgress {
  readonly summary: RunSummary = { embedded: 0, failed: 0, ingested: 0, moved: 0, stopped: false, seconds: 0 };
  private readonly started = Date.now();
  private lastReport = 0;
  private currentFile: string | undefined;
  /** Loops of the pass at work (see enter), and how many of them wait (paused, or for work). */
  private loops = 0;
  private stopped = 0;

  constructor(
    private readonly pauser: Pauser,
    /** The run's files, done and waiting: shared by every pass of the run. */
    private readonly tally: RunTally,
    private readonly onProgress?: (p: IndexProgress) => void,
    private readonly step?: IndexProgress['step'],
  ) {}

  /** Files done: embedded or failed (the last one named). */
  done(embedded: number, failed: number, lastFile?: string): void {
    this.summary.embedded += embedded;
    this.summary.failed += failed;
    this.tally.finished(embedded + failed);
    if (lastFile) this.currentFile = lastFile;
  }

  /** The file being worked on now. */
  working(path: string): void {
    this.currentFile = path;
  }

  report(): void {
    this.send(false);
  }

  /**
   * Where a loop of the pass stops while paused. Once every loop of the pass is stopped there (the
   * work that was in flight has ended, so the counts are final until the person resumes), the pass
   * reports 'paused'; then it waits for resume or the signal.
   */
  async pausePoint(signal?: AbortSignal): Promise<void> {
    if (!this.pauser.paused) return;
    await this.idle(this.pauser.wait(signal));
  }

  /** A loop waiting for work from another (nothing of its own in flight): it counts as stopped. */
  async idle<T>(waiting: Promise<T>): Promise<T> {
    this.stopped += 1;
    try {
      if (this.pauseSettled()) this.send(false);
      return await waiting;
    } finally {
      this.stopped -= 1;
    }
  }

  /**
   * A pass that runs loops side by side (reading files while embedding them) says how many are at
   * work, so a pause is reported only when all of them have stopped. `leave` when one ends.
   */
  enter(): void {
    this.loops += 1;
  }

  leave(): void {
    this.loops -= 1;
    if (this.pauseSettled()) this.send(false);
  }

  private pauseSettled(): boolean {
    return this.pauser.paused && this.stopped > 0 && this.stopped >= this.loops;
  }

  /** The run is over: its summary, and a last report saying so. */
  finish(stopped: boolean): RunSummary {
    this.summary.stopped = stopped;
    this.summary.seconds = (Date.now() - this.started) / 1000;
    this.send(true);
    return this.summary;
  }

  private send(final: boolean): void {
    const now = Date.now();
    // Paused, the batch that was in flight still ends: that report must not be dropped or stale, or
    // the paused bar would show other numbers than the Library table.
    const paused = this.pauser.paused;
    if (!this.onProgress || (!final && !paused && now - this.lastReport < REPORT_EVERY_MS)) return;
    this.lastReport = now;
    const { done, total, remaining } = this.tally.read(final || paused);
    this.onProgress({
      // Paused only once nothing is in flight; until then the UI says "Pausing…" (state.paused).
      phase: final ? 'done' : this.pauseSettled() ? 'paused' : 'indexing',
      done,
      total,
      failed: this.summary.failed,
      ratePerSecond: this.tally.ratePerSecond(final ? 'run' : 'recent', now),
      etaSeconds: this.tally.etaSeconds(remaining, now),
      currentFile: this.currentFile,
      ...(this.step ? { step: this.step } : {}),
    });
  }
}
