/**
 * The engine's results in the API contract's words (src/shared/api.ts): hits, pages, settings, file
 * details, duplicate groups. The engine says "image" where the UI says "photo".
 */
import { basename, dirname } from 'node:path';
import type {
  DuplicateGroup as ApiDuplicateGroup,
  FileDetails,
  SearchFilters,
  SearchHit,
  SearchResult,
  Settings as ApiSettings,
} from '../../../shared/api.js';
import { contentKey } from '../store/review-repo.js';
import type { SavedSearch } from '../store/saved-search-repo.js';
import type { StoredPlace } from '../store/place-repo.js';
import { withoutAccents } from '../util/accents.js';
import { SearchFiltersSchema, type SavedSearchItem } from '../../../shared/api.js';
import { BACKGROUND_CUT } from '../search/search-service.js';
import type { DuplicateGroup } from '../duplicates/duplicate-finder.js';
import type { Settings } from '../library/library-settings.js';
import type { SearchHit as EngineHit, SearchOptions, SearchResponse } from '../search/searcher.js';
import type { LibraryStatusReader } from '../status/library-status.js';

export function apiKind(kind: string | null): 'photo' | 'audio' | 'video' {
  return kind === 'audio' || kind === 'video' ? kind : 'photo';
}

export function toHit(hit: EngineHit): SearchHit {
  return {
    fileId: hit.fileId,
    path: hit.path,
    name: basename(hit.path),
    kind: apiKind(hit.kind),
    score: hit.score,
    width: hit.width,
    height: hit.height,
    takenAt: hit.takenAt,
    date: hit.date,
    ...(hit.offsetS !== undefined ? { offsetS: hit.offsetS } : {}),
    ...(hit.strength !== undefined ? { match: matchWord(hit.strength) } : {}),
  };
}

/** A hit's standard score against its model's background, in words. */
export function matchWord(strength: number): NonNullable<SearchHit['match']> {
  return strength >= 3 ? 'strong' : strength >= 2 ? 'good' : strength >= BACKGROUND_CUT ? 'fair' : 'weak';
}

export function emptyResult(model: string): SearchResult {
  return { model, hits: [], more: false, via: 'none' };
}

/** The engine was asked for one extra hit: its presence says whether another page exists. */
export function toResult(response: SearchResponse, limit: number): SearchResult {
  const hits = response.results.slice(0, limit).map(toHit);
  // How the query was answered: by meaning (vectors) or by tags; pictures found by their words lead
  // either kind of list.
  const answeredBy = response.results.find((hit) => hit.via !== 'text' && hit.via !== 'place')?.via ?? (hits.length ? 'vector' : 'none');
  return {
    model: response.model,
    hits,
    more: response.results.length > limit,
    via: answeredBy === 'text' || answeredBy === 'place' ? 'vector' : answeredBy,
    ...(response.query ? { query: response.query } : {}),
  };
}

/** Engine search options for the contract's filters (one extra hit asked for); undefined when they exclude everything. */
export function toSearchOptions(
  filters: SearchFilters,
  page: { limit: number; offset: number; everything?: boolean },
): SearchOptions | undefined {
  const kinds = filters.kinds?.map((k) => (k === 'photo' ? ('image' as const) : k));
  if (kinds && kinds.length === 0) return undefined;
  return {
    folder: filters.folder,
    from: filters.from,
    to: filters.to,
    kinds,
    ...(filters.area ? { area: filters.area } : {}),
    limit: page.limit + 1,
    offset: page.offset,
    aboveBackground: !page.everything,
  };
}

export function toSettings(s: Settings): ApiSettings {
  return {
    imageModel: s.imageModel,
    ...(s.audioModel ? { audioModel: s.audioModel } : {}),
    offline: s.offline,
    ...(s.threads !== undefined ? { threads: s.threads } : {}),
    excludePatterns: s.excludePatterns,
    includeHidden: s.includeHidden,
    readText: s.readText,
  };
}

export function toFileDetails(row: NonNullable<ReturnType<LibraryStatusReader['fileDetails']>>): FileDetails {
  const camera = [row.camera_make, row.camera_model].filter(Boolean).join(' ');
  return {
    fileId: row.id,
    path: row.path,
    name: basename(row.path),
    folder: dirname(row.path),
    kind: apiKind(row.kind),
    durationS: row.duration_s,
    format: row.format,
    bytes: row.size,
    width: row.width,
    height: row.height,
    takenAt: row.taken_at,
    modifiedAt: row.mtime_ms,
    camera: camera || null,
    gps: row.gps_lat !== null && row.gps_lon !== null ? { lat: row.gps_lat, lon: row.gps_lon } : null,
    tags: row.tags.map((t) => ({ label: t.label, score: t.score })),
    // Boxes as fractions of the picture, so any rendering of it can draw them.
    text: (row.text?.lines ?? []).map((l) => ({
      text: l.text,
      box:
        row.text!.width && row.text!.height
          ? [l.box[0] / row.text!.width, l.box[1] / row.text!.height, l.box[2] / row.text!.width, l.box[3] / row.text!.height]
          : [0, 0, 0, 0],
      ...(l.atS !== undefined ? { atS: l.atS } : {}),
    })),
    rawFiles: row.rawCompanions,
    ...(row.liveMotion !== undefined ? { motionFileId: row.liveMotion } : {}),
    ...(row.place ? { place: placeInWords(row.place) } : {}),
    ...(row.text?.error
      ? { textNote: `The words could not be read: ${row.text.error}` }
      : row.text?.truncated
        ? { textNote: 'More text than is read: the clearest lines are listed.' }
        : {}),
  };
}

/** Groups as the review shows them, each member with its mark (`marks`: file id -> goes to the trash). */
export function toDuplicateGroup(g: DuplicateGroup, marks: Map<number, boolean>): ApiDuplicateGroup {
  return {
    key: contentKey(g.contents),
    kind: g.kind,
    media: g.media,
    similarity: g.similarity,
    keeperFileId: g.keeper,
    keeperReason: g.keeperReason,
    members: g.members.map((m) => ({ ...m, name: basename(m.path), marked: marks.get(m.fileId) ?? false })),
  };
}

/** A group key (sorted content ids) back to its contents. */
export function contentsOfKey(key: string): number[] {
  return key.split(',').map(Number);
}

/** A pinned search as the UI lists it (its filters checked again: the stored JSON is not trusted blindly). */
export function toSavedSearch(saved: SavedSearch): SavedSearchItem {
  const filters = SearchFiltersSchema.safeParse(saved.filters);
  return { id: saved.id, text: saved.text, filters: filters.success ? filters.data : {} };
}

/**
 * "Montmartre, Paris, Île-de-France, France": the town, its city, its region, its country, each
 * said once (Tokyo's prefecture "Tōkyō" is not said again after the city).
 */
function placeInWords(place: StoredPlace): string {
  const said: string[] = [];
  for (const name of [place.town, place.city, place.region, place.country]) {
    if (name && !said.some((s) => sameName(s, name))) said.push(name);
  }
  return said.join(', ');
}

function sameName(a: string, b: string): boolean {
  return withoutAccents(a).toLowerCase() === withoutAccents(b).toLowerCase();
}
