import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../src/main/core/indexing/rate-meter.js';

describe('rate meter', () => {
  it('measures a steady rate from the first batch on', () => {
    const meter = new RateMeter(15_000, 0);
    meter.add(16, 1000); // 16 items in the first second
    expect(meter.ratePerSecond(1000)).toBeCloseTo(16);
    meter.add(16, 2000);
    meter.add(16, 3000);
    expect(meter.ratePerSecond(3000)).toBeCloseTo(16);
    expect(meter.etaSeconds(160, 3000)).toBe(10);
  });

  it('forgets old samples and shows a stall as a falling rate', () => {
    const meter = new RateMeter(5_000, 0);
    for (let t = 1000; t <= 10_000; t += 1000) meter.add(10, t);
    expect(meter.ratePerSecond(10_000)).toBeCloseTo(10);
    expect(meter.ratePerSecond(20_000)).toBeLessThan(5);
    expect(new RateMeter().etaSeconds(10)).toBeNull();
  });

  it('reports a finished run by its average up to its last item, however long ago', () => {
    const meter = new RateMeter(5_000, 0);
    expect(meter.averagePerSecond()).toBe(0);
    meter.add(30, 1000);
    meter.add(30, 2000);
    meter.add(40, 4000);
    expect(meter.averagePerSecond()).toBeCloseTo(25); // 100 items in 4 s
    expect(meter.ratePerSecond(60_000)).toBeLessThan(2); // the recent rate has fallen meanwhile
  });
});
