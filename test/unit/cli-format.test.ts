import { describe, expect, it } from 'vitest';
import { formatDuration, formatElapsed } from '../../src/main/cli/format.js';

describe('CLI durations', () => {
  it('says how long a short run took in tenths of a second, a long one in minutes', () => {
    expect(formatElapsed(0.42)).toBe('0.4s');
    expect(formatElapsed(9.4)).toBe('9.4s');
    expect(formatElapsed(9.97)).toBe('10s');
    expect(formatElapsed(75)).toBe('1m15s');
    expect(formatDuration(null)).toBe('--');
    expect(formatDuration(3725)).toBe('1h02m');
  });
});
