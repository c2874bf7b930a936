/** The justified grid's arithmetic: full rows fill the width exactly, rows in view are found by search. */
import { describe, expect, it } from 'vitest';
import { justifiedLayout, locate, rowsInView, verticalNeighbour } from '../../src/renderer/src/lib/justified-layout.js';

describe('justifiedLayout', () => {
  const aspects = Array.from({ length: 500 }, (_, i) => [1.5, 0.75, 1, 2.2, 1.33][i % 5]!);
  const layout = justifiedLayout(aspects, 1000, 200, 4);

  it('fills every row but the last to the exact width, keeping aspect ratios', () => {
    for (const row of layout.rows.slice(0, -1)) {
      const last = row.items[row.items.length - 1]!;
      expect(last.left + last.width).toBeCloseTo(1000, 6);
      for (const item of row.items) expect(item.width / row.height).toBeCloseTo(Math.min(3, Math.max(0.5, aspects[item.index]!)), 6);
      expect(row.height).toBeGreaterThan(100);
      expect(row.height).toBeLessThanOrEqual(200);
    }
    expect(layout.rows.flatMap((r) => r.items.map((i) => i.index))).toEqual(aspects.map((_, i) => i));
  });

  it('finds the rows in view and moves between rows by position', () => {
    const { first, last } = rowsInView(layout.rows, 5000, 5600);
    expect(layout.rows[first]!.top + layout.rows[first]!.height).toBeGreaterThanOrEqual(5000);
    expect(first === 0 || layout.rows[first - 1]!.top + layout.rows[first - 1]!.height < 5000).toBe(true);
    expect(layout.rows[last]!.top).toBeLessThanOrEqual(5600);
    expect(layout.rows[last + 1]!.top).toBeGreaterThan(5600);
    const where = locate(layout.rows, 42)!;
    expect(where.item.index).toBe(42);
    const below = verticalNeighbour(layout.rows, 42, 1)!;
    expect(locate(layout.rows, below)!.row).toBe(where.row + 1);
    expect(verticalNeighbour(layout.rows, 0, -1)).toBeUndefined();
  });

  it('copes with nothing to lay out and with unknown sizes', () => {
    expect(justifiedLayout([], 1000, 200, 4)).toEqual({ rows: [], height: 0 });
    expect(justifiedLayout([1, 1], 0, 200, 4).rows).toEqual([]);
    const odd = justifiedLayout([Number.NaN, 0, -1, 50], 800, 200, 4);
    expect(odd.rows.flatMap((r) => r.items).every((i) => Number.isFinite(i.width) && i.width > 0)).toBe(true);
  });
});
