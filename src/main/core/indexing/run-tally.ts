import { CostlyValue } from '../util/costly-value.js';
import { RateMeter } from './rate-meter.js';

/**
 * One run's place in its work, shared by all its passes (photos, videos' frames, sound): the files
 * it has to finish, counted by the same query as the Library table's "waiting" column. The total is
 * fixed when the run starts and only grows (a file changed while the run works), and what is done
 * only grows, so the bar never shrinks or jumps between passes. The rate is the run's too: a pass
 * that ends with nothing to do (no videos, say) still reports how fast the run went. The count reads
 * every file's row, so a large library counts less often (util/costly-value): the rate and the time
 * left, from what the passes finish, still move in between.
 */
export class RunTally {
  private readonly meter = new RateMeter();
  private readonly waiting: CostlyValue<number>;
  private total: number;
  private done = 0;
  private left: number;

  constructor(
    /** Files still waiting now (LibraryQueries.waitingFiles for this run's models). */
    waiting: () => number,
    options: { clock?: () => number } = {},
  ) {
    // Counted at most once a second, and with at most a twentieth of the engine's time.
    this.waiting = new CostlyValue(waiting, { share: 0.05, minKeepMs: 1000, ...options });
    this.left = this.waiting.get();
    this.total = this.left;
  }

  /** Files finished (done or failed) by any pass of the run. */
  finished(count: number, now = Date.now()): void {
    this.meter.add(count, now);
  }

  /** Files a second: lately while the run works; from its start to its last file once it is over. */
  ratePerSecond(over: 'recent' | 'run', now = Date.now()): number {
    return over === 'run' ? this.meter.averagePerSecond() : this.meter.ratePerSecond(now);
  }

  /** Seconds left at the recent rate, or null before anything is done. */
  etaSeconds(remaining: number, now = Date.now()): number | null {
    return this.meter.etaSeconds(remaining, now);
  }

  /** Where the run stands; `fresh` counts again whatever the age of the last count. */
  read(fresh = false): { done: number; total: number; remaining: number } {
    this.left = this.waiting.get(fresh);
    this.done = Math.max(this.done, this.total - this.left);
    this.total = Math.max(this.total, this.done + this.left);
    return { done: this.done, total: this.total, remaining: this.left };
  }
}
