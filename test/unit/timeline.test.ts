/** The timeline's arithmetic: month sections of the grid, the scrubber's offsets, and their layout. */
import { describe, expect, it } from 'vitest';
import { monthSections, scrubberYears } from '../../src/renderer/src/lib/timeline.js';
import { locate, sectionedLayout, verticalNeighbour } from '../../src/renderer/src/lib/justified-layout.js';

const day = 86_400_000;

describe('timeline', () => {
  it('cuts newest-first dates into month sections (UTC)', () => {
    const dates = [Date.UTC(2024, 6, 31, 23), Date.UTC(2024, 6, 1), Date.UTC(2024, 5, 30, 23, 59), Date.UTC(2019, 0, 5)];
    expect(monthSections(dates)).toEqual([
      { key: '2024-07', label: 'July 2024', size: 2 },
      { key: '2024-06', label: 'June 2024', size: 1 },
      { key: '2019-01', label: 'January 2019', size: 1 },
    ]);
  });

  it('places each year and month of the scrubber at its first item in the whole list', () => {
    const years = scrubberYears([
      { month: '2024-07', count: 120 },
      { month: '2024-02', count: 30 },
      { month: '2019-12', count: 5000 },
      { month: '2019-01', count: 1 },
    ]);
    expect(years.map((y) => [y.year, y.offset, y.count])).toEqual([
      ['2024', 0, 150],
      ['2019', 150, 5001],
    ]);
    expect(years[1]!.months.map((m) => [m.label, m.offset])).toEqual([
      ['December', 150],
      ['January', 5150],
    ]);
  });

  it('lays sections out under their headings, keeping whole-list indexes', () => {
    const aspects = Array.from({ length: 50 }, (_, i) => [1.5, 0.75, 1][i % 3]!);
    const sections = monthSections(Array.from({ length: 50 }, (_, i) => Date.UTC(2024, 6, 1) - (i < 20 ? 0 : 40 * day)));
    const layout = sectionedLayout(aspects, sections, 800, 160, 4, 40);
    expect(layout.headers.map((h) => [h.label, h.firstIndex])).toEqual([
      ['July 2024', 0],
      ['May 2024', 20],
    ]);
    expect(layout.rows.flatMap((r) => r.items.map((i) => i.index))).toEqual(aspects.map((_, i) => i));
    // No row mixes months, and the second heading sits below the first section's rows.
    for (const row of layout.rows) expect(new Set(row.items.map((i) => (i.index < 20 ? 'a' : 'b'))).size).toBe(1);
    const lastOfFirst = layout.rows[locate(layout.rows, 19)!.row]!;
    expect(layout.headers[1]!.top).toBeGreaterThanOrEqual(lastOfFirst.top + lastOfFirst.height);
    expect(layout.rows[locate(layout.rows, 20)!.row]!.top).toBeGreaterThanOrEqual(layout.headers[1]!.top + 40);
    // Arrow keys cross from one month into the next.
    expect(verticalNeighbour(layout.rows, 19, 1)).toBeGreaterThanOrEqual(20);
  });
});
