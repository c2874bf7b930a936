/** Items per second over a sliding window, and the ETA that follows from it. */
export class RateMeter {
  private samples: { at: number; count: number }[] = [];

  constructor(private readonly windowMs = 15_000) {}

  add(count: number, now = Date.now()): void {
    this.samples.push({ at: now, count });
    while (this.samples.length > 2 && now - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  ratePerSecond(now = Date.now()): number {
    if (this.samples.length === 0) return 0;
    const span = Math.max(now - this.samples[0]!.at, 1000);
    return (this.samples.reduce((sum, s) => sum + s.count, 0) * 1000) / span;
  }

  etaSeconds(remaining: number, now = Date.now()): number | null {
    const rate = this.ratePerSecond(now);
    return rate > 0 ? Math.ceil(remaining / rate) : null;
  }
}
