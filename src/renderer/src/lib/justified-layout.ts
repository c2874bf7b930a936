/**
 * Justified rows, as in the best photo apps: every row fills the width exactly, photos keep their
 * aspect ratio, and row heights stay near a target. Pure arithmetic (unit-tested); the grid uses
 * the row offsets to render only the rows in view.
 */
export interface LayoutItem {
  index: number;
  left: number;
  width: number;
}

export interface LayoutRow {
  top: number;
  height: number;
  items: LayoutItem[];
}

export interface Layout {
  rows: LayoutRow[];
  height: number;
}

/** Panoramas and tall strips are clamped so one photo cannot take a whole row or become a sliver. */
const MIN_ASPECT = 0.5;
const MAX_ASPECT = 3;

export function justifiedLayout(aspects: readonly number[], width: number, targetHeight: number, gap: number): Layout {
  const rows: LayoutRow[] = [];
  if (width <= 0) return { rows, height: 0 };
  let top = 0;
  let start = 0;
  while (start < aspects.length) {
    let sum = 0;
    let end = start;
    // Add photos until the row, at the target height, is at least as wide as the space.
    while (end < aspects.length) {
      sum += clampAspect(aspects[end]!);
      end += 1;
      if (sum * targetHeight + (end - start - 1) * gap >= width) break;
    }
    const count = end - start;
    const full = sum * targetHeight + (count - 1) * gap >= width;
    // A full row shrinks to fit exactly; the last, partial row keeps the target height.
    const height = full ? (width - (count - 1) * gap) / sum : targetHeight;
    const items: LayoutItem[] = [];
    let left = 0;
    for (let i = start; i < end; i += 1) {
      const itemWidth = clampAspect(aspects[i]!) * height;
      items.push({ index: i, left, width: itemWidth });
      left += itemWidth + gap;
    }
    rows.push({ top, height, items });
    top += height + gap;
    start = end;
  }
  return { rows, height: Math.max(0, top - gap) };
}

function clampAspect(aspect: number): number {
  if (!Number.isFinite(aspect) || aspect <= 0) return 1.5;
  return Math.min(MAX_ASPECT, Math.max(MIN_ASPECT, aspect));
}

/** Rows overlapping [from, to] (pixels from the top), found by binary search. */
export function rowsInView(rows: readonly LayoutRow[], from: number, to: number): { first: number; last: number } {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const row = rows[mid]!;
    if (row.top + row.height < from) lo = mid + 1;
    else hi = mid;
  }
  let last = lo;
  while (last < rows.length && rows[last]!.top <= to) last += 1;
  return { first: lo, last: last - 1 };
}

/** Where an item is: its row and position in it (for arrow-key moves and scrolling into view). */
export function locate(rows: readonly LayoutRow[], index: number): { row: number; item: LayoutItem } | undefined {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const items = rows[mid]!.items;
    if (index < items[0]!.index) hi = mid - 1;
    else if (index > items[items.length - 1]!.index) lo = mid + 1;
    else return { row: mid, item: items[index - items[0]!.index]! };
  }
  return undefined;
}

/** The item in the row above or below whose centre is closest to the given item's centre. */
export function verticalNeighbour(rows: readonly LayoutRow[], index: number, direction: -1 | 1): number | undefined {
  const here = locate(rows, index);
  if (!here) return undefined;
  const target = rows[here.row + direction];
  if (!target) return undefined;
  const centre = here.item.left + here.item.width / 2;
  let best = target.items[0]!;
  for (const item of target.items) {
    if (Math.abs(item.left + item.width / 2 - centre) < Math.abs(best.left + best.width / 2 - centre)) best = item;
  }
  return best.index;
}

/** A heading above a run of items (a month of the timeline), placed by `sectionedLayout`. */
export interface LayoutHeader {
  key: string;
  label: string;
  top: number;
  /** The first item under it. */
  firstIndex: number;
}

/**
 * Justified rows in sections, each under its heading: the items are consecutive runs (`sizes`
 * items each, in order), so indexes stay those of the whole list and keyboard moves cross sections.
 */
export function sectionedLayout(
  aspects: readonly number[],
  sections: readonly { key: string; label: string; size: number }[],
  width: number,
  targetHeight: number,
  gap: number,
  headerHeight: number,
): Layout & { headers: LayoutHeader[] } {
  const rows: LayoutRow[] = [];
  const headers: LayoutHeader[] = [];
  if (width <= 0) return { rows, headers, height: 0 };
  let top = 0;
  let start = 0;
  for (const section of sections) {
    const size = Math.min(section.size, aspects.length - start);
    if (size <= 0) break;
    headers.push({ key: section.key, label: section.label, top, firstIndex: start });
    top += headerHeight;
    const part = justifiedLayout(aspects.slice(start, start + size), width, targetHeight, gap);
    for (const row of part.rows)
      rows.push({ top: top + row.top, height: row.height, items: row.items.map((item) => ({ ...item, index: item.index + start })) });
    top += part.height + gap * 2;
    start += size;
  }
  return { rows, headers, height: Math.max(0, top - gap * 2) };
}
