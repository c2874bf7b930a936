/**
 * A value that is costly to compute, kept for a while: computed again only once it has been kept
 * `1 / share` times as long as it last took, so computing it takes at most that share of the time.
 * The counts of a library's files read every file's row: about 0.2 s at 200,000 files on a slow
 * 2-core machine, and a second at a million. Counted every second while indexing ran, they held the
 * engine's thread (SQLite is synchronous) a fifth of the time at 200,000 files, all of it at a million.
 */
export class CostlyValue<T> {
  private value: { of: T } | undefined;
  private computedAt = 0;
  private keepMs = 0;

  constructor(
    private readonly compute: () => T,
    private readonly options: {
      /** The largest share of the time spent computing (0.05: a twentieth). */
      share: number;
      /** Kept at least this long, however cheap. */
      minKeepMs?: number;
      /** A value that took less than this to compute is not worth keeping longer than `minKeepMs`. */
      negligibleMs?: number;
      /** Milliseconds, monotonic (tests give their own). */
      clock?: () => number;
    },
  ) {}

  /** The value, computed again if it has been kept long enough, or if `fresh`. */
  get(fresh = false): T {
    const clock = this.options.clock ?? (() => performance.now());
    if (fresh || !this.value || clock() - this.computedAt >= this.keepMs) {
      const started = clock();
      this.value = { of: this.compute() };
      this.computedAt = clock();
      const cost = this.computedAt - started;
      const { minKeepMs = 0, negligibleMs = 0, share } = this.options;
      this.keepMs = cost < negligibleMs ? minKeepMs : Math.max(minKeepMs, cost / share);
    }
    return this.value.of;
  }
}
