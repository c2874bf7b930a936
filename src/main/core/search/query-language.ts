/**
 * A query language people can guess: words describe, `"exact words"` must be read in the picture,
 * `-word` (or `-"two words"`) leaves out what shows it, and filters are typed inline:
 *
 *   type:photo|video|audio   year:2019   before:2020-06   after:2019-03-15   folder:holidays
 *   camera:canon             has:text    has:gps      in:paris   in:japan
 *
 * A filter that cannot be understood is left out with a hint ("year: takes a year, such as
 * year:2019"), never an error; an unknown `word:thing` is just text (a URL, a time "10:30").
 */
import type { MediaKind } from '../util/media-types.js';

export type FilterKey = 'type' | 'year' | 'before' | 'after' | 'folder' | 'camera' | 'has' | 'in';

export interface QueryFilter {
  key: FilterKey;
  value: string;
  /** The token as typed (a chip removes exactly this from the query). */
  raw: string;
}

export interface ParsedQuery {
  /** What remains to search for: words and quoted words, in order. */
  text: string;
  /** Words and phrases to leave out (lower case). */
  exclude: string[];
  filters: QueryFilter[];
  /** What the filters ask, ready for a search. */
  where: {
    kinds?: MediaKind[];
    from?: number;
    to?: number;
    folder?: string;
    camera?: string;
    /** A place name the photo's position answers to (town, city, region, country). */
    place?: string;
    hasText?: boolean;
    hasGps?: boolean;
  };
  /** Sentences about what was typed and left out. */
  hints: string[];
}

const KINDS: Record<string, MediaKind> = {
  photo: 'image',
  photos: 'image',
  image: 'image',
  images: 'image',
  picture: 'image',
  pictures: 'image',
  video: 'video',
  videos: 'video',
  movie: 'video',
  audio: 'audio',
  sound: 'audio',
  sounds: 'audio',
  recording: 'audio',
  recordings: 'audio',
};

/** `key:value` or `key:"a value"`, `-word` or `-"some words"`, `"words"`, or a plain word. */
const TOKEN = /(-?)([a-z]+):("([^"]*)"?|\S*)|(-?)"([^"]*)"?|(\S+)/gi;

export function parseQuery(input: string): ParsedQuery {
  const parsed: ParsedQuery = { text: '', exclude: [], filters: [], where: {}, hints: [] };
  const kept: string[] = [];
  for (const match of input.matchAll(TOKEN)) {
    const [raw, filterNegated, key, rawValue, quotedValue, negatedQuote, quoted, word] = match;
    if (key !== undefined) {
      const name = key.toLowerCase();
      const value = (quotedValue ?? rawValue ?? '').trim();
      if (isFilterKey(name) && !filterNegated) {
        const hint = applyFilter(parsed, name, value);
        if (hint) parsed.hints.push(hint);
        else parsed.filters.push({ key: name, value, raw });
        continue;
      }
      kept.push(raw); // not a filter: text ("10:30", "http://…")
      continue;
    }
    if (quoted !== undefined) {
      const phrase = quoted.trim();
      if (!phrase) continue;
      if (negatedQuote) parsed.exclude.push(phrase.toLowerCase());
      else kept.push(`"${phrase}"`);
      continue;
    }
    if (word!.length > 1 && word!.startsWith('-')) parsed.exclude.push(word!.slice(1).toLowerCase());
    else kept.push(word!);
  }
  parsed.text = kept.join(' ');
  return parsed;
}

function isFilterKey(name: string): name is FilterKey {
  return ['type', 'year', 'before', 'after', 'folder', 'camera', 'has', 'in'].includes(name);
}

/** Adds a filter's meaning to `parsed.where`; returns a hint instead when the value makes no sense. */
function applyFilter(parsed: ParsedQuery, key: FilterKey, value: string): string | undefined {
  const where = parsed.where;
  switch (key) {
    case 'type': {
      const kind = KINDS[value.toLowerCase()];
      if (!kind) return `type: takes photo, video or audio (not "${value}")`;
      where.kinds = [...new Set([...(where.kinds ?? []), kind])];
      return undefined;
    }
    case 'year': {
      const year = /^\d{4}$/.test(value) ? Number(value) : NaN;
      if (!(year >= 1800 && year <= 2200)) return `year: takes a year, such as year:2019 (not "${value}")`;
      where.from = Math.max(where.from ?? -Infinity, Date.UTC(year, 0, 1));
      where.to = Math.min(where.to ?? Infinity, Date.UTC(year + 1, 0, 1) - 1);
      return undefined;
    }
    case 'before':
    case 'after': {
      const range = dateRange(value);
      if (!range) return `${key}: takes a date, such as ${key}:2020, ${key}:2020-06 or ${key}:2020-06-15 (not "${value}")`;
      // before:2020-06 ends before June 2020 begins; after:2020-06 starts after June 2020 ends.
      if (key === 'before') where.to = Math.min(where.to ?? Infinity, range.start - 1);
      else where.from = Math.max(where.from ?? -Infinity, range.end + 1);
      return undefined;
    }
    case 'folder':
      if (!value) return 'folder: takes part of a folder name, such as folder:holidays';
      where.folder = value;
      return undefined;
    case 'camera':
      if (!value) return 'camera: takes part of a camera name, such as camera:canon';
      where.camera = value;
      return undefined;
    case 'in':
      if (!value) return 'in: takes a place, such as in:paris or in:japan';
      where.place = value;
      return undefined;
    case 'has': {
      const what = value.toLowerCase();
      if (what === 'text' || what === 'words') where.hasText = true;
      else if (what === 'gps' || what === 'place' || what === 'location') where.hasGps = true;
      else return `has: takes text or gps (not "${value}")`;
      return undefined;
    }
  }
}

/** A year, a month or a day (UTC), as its first and last millisecond. */
function dateRange(value: string): { start: number; end: number } | undefined {
  const m = value.match(/^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), m[2] ? Number(m[2]) : undefined, m[3] ? Number(m[3]) : undefined];
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month!, 0)).getUTCDate())) return undefined;
  const start = Date.UTC(year, (month ?? 1) - 1, day ?? 1);
  const end =
    day !== undefined ? Date.UTC(year, month! - 1, day + 1) : month !== undefined ? Date.UTC(year, month, 1) : Date.UTC(year + 1, 0, 1);
  return { start, end: end - 1 };
}
