/** Items per second over a sliding window, and the ETA that follows from it. */
export class RateMeter {
  private samples: { at: number; count: number }[] = [];
  private readonly start: number;
  private total = 0;

  constructor(
    private readonly windowMs = 15_000,
    now = Date.now(),
  ) {
    this.start = now;
  }

  add(count: number, now = Date.now()): void {
    this.samples.push({ at: now, count });
    this.total += count;
    while (this.samples.length > 2 && now - this.samples[1]!.at > this.windowMs) this.samples.shift();
  }

  /**
   * Items completed after the oldest kept sample, over the time since it. Measured up to `now`, so a
   * stall shows as a falling rate instead of the last good one.
   */
  ratePerSecond(now = Date.now()): number {
    const [first, ...rest] = this.samples;
    if (!first) return 0;
    if (rest.length === 0) return (first.count * 1000) / Math.max(now - this.start, 1);
    const counted = rest.reduce((sum, s) => sum + s.count, 0);
    return (counted * 1000) / Math.max(now - first.at, 1);
  }

  /** Items per second from the start to the last item: what a finished run reports. */
  averagePerSecond(): number {
    const last = this.samples.at(-1);
    return last ? (this.total * 1000) / Math.max(last.at - this.start, 1) : 0;
  }

  etaSeconds(remaining: number, now = Date.now()): number | null {
    const rate = this.ratePerSecond(now);
    return rate > 0 ? Math.ceil(remaining / rate) : null;
  }
}
