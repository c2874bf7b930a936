/**
 * The library as a timeline: hits (newest first) cut into month sections with their headings, and
 * the scrubber's years and months with where each starts in the whole list. Months are UTC, as the
 * engine counts them, so a heading and the scrubber always agree.
 */
export interface MonthCount {
  /** "2024-07" */
  month: string;
  count: number;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function monthKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

export function monthLabel(key: string): string {
  const [year, month] = key.split('-');
  return `${MONTH_NAMES[Number(month) - 1] ?? '?'} ${year}`;
}

/** Consecutive runs of hits in the same month, in order. */
export function monthSections(dates: readonly number[]): { key: string; label: string; size: number }[] {
  const sections: { key: string; label: string; size: number }[] = [];
  for (const date of dates) {
    const key = monthKey(date);
    const last = sections[sections.length - 1];
    if (last?.key === key) last.size += 1;
    else sections.push({ key, label: monthLabel(key), size: 1 });
  }
  return sections;
}

export interface ScrubberYear {
  year: string;
  /** Index in the whole (newest-first) list of the year's first item. */
  offset: number;
  count: number;
  months: { key: string; label: string; offset: number; count: number }[];
}

/** The years of the timeline, newest first, each with its months and their offsets. */
export function scrubberYears(months: readonly MonthCount[]): ScrubberYear[] {
  const years: ScrubberYear[] = [];
  let offset = 0;
  for (const m of months) {
    const year = m.month.slice(0, 4);
    let entry = years[years.length - 1];
    if (entry?.year !== year) {
      entry = { year, offset, count: 0, months: [] };
      years.push(entry);
    }
    entry.months.push({ key: m.month, label: monthLabel(m.month).split(' ')[0]!, offset, count: m.count });
    entry.count += m.count;
    offset += m.count;
  }
  return years;
}
