/**
 * Where each photo was taken, in words (media/gazetteer), per content: its town, its city, its
 * region, its country, and every name it answers to, kept as `|name|name|` (lower case) so a name is matched
 * whole. A position that is nowhere in particular is stored without names, so it is not tried again.
 */
import type { Db } from './database.js';
import { isCompanion } from './companions.js';
import type { GeoBox } from '../../../shared/api.js';

export interface StoredPlace {
  town: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
}

export class PlaceRepo {
  constructor(private readonly db: Db) {}

  /** Contents with a GPS position and no place yet, at most `limit`. */
  unplaced(limit: number): { contentId: number; lat: number; lon: number }[] {
    return this.db
      .prepare(
        `SELECT c.id AS contentId, c.gps_lat AS lat, c.gps_lon AS lon FROM contents c
         WHERE c.gps_lat IS NOT NULL AND c.gps_lon IS NOT NULL AND NOT EXISTS (SELECT 1 FROM content_place p WHERE p.content_id = c.id)
         LIMIT ?`,
      )
      .all(limit) as { contentId: number; lat: number; lon: number }[];
  }

  set(
    contentId: number,
    place: { town: string; city?: string; region?: string; country: string; countryCode: string; names: string[] } | undefined,
  ): void {
    const names = place ? `|${[...new Set(place.names.map((n) => n.toLowerCase()))].join('|')}|` : '';
    this.db
      .prepare(
        'INSERT OR REPLACE INTO content_place (content_id, town, city, region, country, country_code, names) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        contentId,
        place?.town ?? null,
        place?.city ?? null,
        place?.region ?? null,
        place?.country ?? null,
        place?.countryCode ?? null,
        names,
      );
  }

  of(contentId: number): StoredPlace | undefined {
    const row = this.db.prepare('SELECT town, city, region, country FROM content_place WHERE content_id = ?').get(contentId) as
      StoredPlace | undefined;
    return row?.town ? row : undefined;
  }

  /** Every place name the library's photos answer to (lower case). */
  names(): Set<string> {
    const rows = this.db.prepare(`SELECT DISTINCT names FROM content_place WHERE names <> ''`).all() as { names: string }[];
    return new Set(rows.flatMap((r) => r.names.split('|').filter(Boolean)));
  }

  /**
   * Every item's position (inside `within` when given), with its place's names (items only: no
   * companions; store/companions).
   */
  positions(within?: GeoBox): { lat: number; lon: number; town: string | null; city: string | null; country: string | null }[] {
    const box = within ? 'AND c.gps_lat BETWEEN ? AND ? AND c.gps_lon BETWEEN ? AND ?' : '';
    return this.db
      .prepare(
        `SELECT c.gps_lat AS lat, c.gps_lon AS lon, p.town, p.city, p.country FROM contents c LEFT JOIN content_place p ON p.content_id = c.id
         WHERE c.gps_lat IS NOT NULL AND c.gps_lon IS NOT NULL ${box}
           AND EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id AND f.status = 'ready' AND NOT ${isCompanion('f', 'c')})`,
      )
      .all(...(within ? [within.south, within.north, within.west, within.east] : [])) as {
      lat: number;
      lon: number;
      town: string | null;
      city: string | null;
      country: string | null;
    }[];
  }

  /** Contents taken at a place answering to one of `names` (lower case, whole names). */
  at(names: string[], limit: number): number[] {
    if (names.length === 0) return [];
    const where = names.map(() => `instr(names, ?) > 0`).join(' OR ');
    return (
      this.db.prepare(`SELECT content_id FROM content_place WHERE ${where} LIMIT ?`).all(...names.map((n) => `|${n}|`), limit) as {
        content_id: number;
      }[]
    ).map((r) => r.content_id);
  }
}
