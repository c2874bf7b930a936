/** File contents by SHA-256, with the media metadata read from them. */
import { LIVE_MOTION_MAX_S, type MediaKind } from '../util/media-types.js';
import type { Db } from './database.js';
import { MOTION_EXTS } from './companions.js';

export interface ContentMetadata {
  kind: MediaKind;
  /** Length of a recording, in seconds. */
  durationS?: number | null;
  /** Videos: whether there is a sound track (indexed by the audio model too). */
  hasAudio?: boolean;
  format: string | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
  takenAt: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  /** Apple's Live Photo content identifier (a still's MakerNote, its motion's QuickTime keys). */
  liveId?: string;
}

export interface ContentRow {
  id: number;
  sha256: string;
  size: number;
  kind: MediaKind;
  format: string | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
  taken_at: number | null;
  camera_make: string | null;
  camera_model: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
  duration_s: number | null;
}

export class ContentRepo {
  constructor(private readonly db: Db) {}

  /** A content's whole record, as stored. */
  byId(contentId: number): ContentRow | undefined {
    return this.db
      .prepare(
        `SELECT id, sha256, size, kind, format, width, height, orientation, taken_at, camera_make, camera_model, gps_lat, gps_lon, duration_s
         FROM contents WHERE id = ?`,
      )
      .get(contentId) as ContentRow | undefined;
  }

  kindOf(contentId: number): MediaKind | undefined {
    const row = this.db.prepare('SELECT kind FROM contents WHERE id = ?').get(contentId) as { kind: MediaKind } | undefined;
    return row?.kind;
  }

  idBySha(sha256: string): number | undefined {
    const row = this.db.prepare('SELECT id FROM contents WHERE sha256 = ?').get(sha256) as { id: number } | undefined;
    return row?.id;
  }

  /**
   * The content with this hash, created with `meta` if new. Identical files read at the same time
   * both arrive here: the second finds the first's row instead of failing on the unique hash.
   */
  insertOrGet(sha256: string, size: number, meta: ContentMetadata): number {
    this.db
      .prepare(
        `INSERT INTO contents (sha256, size, kind, format, width, height, orientation, taken_at, camera_make, camera_model, gps_lat, gps_lon, duration_s, has_audio, live_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING`,
      )
      .run(
        sha256,
        size,
        meta.kind,
        meta.format,
        meta.width,
        meta.height,
        meta.orientation,
        meta.takenAt,
        meta.cameraMake,
        meta.cameraModel,
        meta.gpsLat,
        meta.gpsLon,
        meta.durationS ?? null,
        meta.hasAudio === undefined ? null : Number(meta.hasAudio),
        // '' when read with none (looked for, not there; recordings have none to look for).
        meta.liveId ?? '',
      );
    return this.idBySha(sha256)!;
  }

  /** Whether some content was read before Live Photo identifiers were looked for (migration 19). */
  hasUnidentified(): boolean {
    return this.db.prepare('SELECT 1 FROM contents WHERE live_id IS NULL LIMIT 1').get() !== undefined;
  }

  /** Such contents of `kind`, at most `limit`, each with a ready file when it has one (else path null). */
  unidentified(kind: MediaKind, limit: number): { contentId: number; path: string | null; durationS: number | null }[] {
    return this.db
      .prepare(
        `SELECT c.id AS contentId, c.duration_s AS durationS,
           (SELECT f.path FROM files f WHERE f.content_id = c.id AND f.status = 'ready' ORDER BY f.id LIMIT 1) AS path
         FROM contents c WHERE c.live_id IS NULL AND c.kind = ? LIMIT ?`,
      )
      .all(kind, limit) as { contentId: number; path: string | null; durationS: number | null }[];
  }

  /** The ready files that could be a Live Photo's motion (short .mov and .mp4 videos): their paths. */
  motionCandidatePaths(): string[] {
    return (
      this.db
        .prepare(
          `SELECT f.path FROM files f JOIN contents c ON c.id = f.content_id
           WHERE f.status = 'ready' AND f.ext IN ${MOTION_EXTS} AND c.kind = 'video' AND c.duration_s <= ${LIVE_MOTION_MAX_S}`,
        )
        .all() as { path: string }[]
    ).map((r) => r.path);
  }

  /** Sets a content's Live Photo identifier ('' when it has none; null: not looked for). */
  setLiveId(contentId: number, liveId: string | null): void {
    this.db.prepare('UPDATE contents SET live_id = ? WHERE id = ?').run(liveId, contentId);
  }

  /**
   * Deletes contents no file refers to any more, and returns the vector ids that went with them
   * (per model) so the caller can take them out of the HNSW indexes.
   */
  deleteOrphans(): Map<number, number[]> {
    const orphanVectors = this.db
      .prepare(
        `SELECT v.id, v.model_id FROM vectors v
         WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.content_id = v.content_id)`,
      )
      .all() as { id: number; model_id: number }[];
    this.db
      .prepare(
        'DELETE FROM jobs WHERE content_id IS NOT NULL AND content_id NOT IN (SELECT content_id FROM files WHERE content_id IS NOT NULL)',
      )
      .run();
    this.db.prepare('DELETE FROM contents WHERE id NOT IN (SELECT content_id FROM files WHERE content_id IS NOT NULL)').run();
    const byModel = new Map<number, number[]>();
    for (const row of orphanVectors) {
      const list = byModel.get(row.model_id) ?? [];
      list.push(row.id);
      byModel.set(row.model_id, list);
    }
    return byModel;
  }

  /** Size and orientation found when the file was read (so decoding need not parse the header again). */
  pictureSize(contentId: number): { format: string; width: number; height: number; orientation: number } | undefined {
    const row = this.db.prepare('SELECT format, width, height, orientation FROM contents WHERE id = ?').get(contentId) as
      { format: string | null; width: number | null; height: number | null; orientation: number | null } | undefined;
    return row?.width && row.height
      ? { format: row.format ?? 'unknown', width: row.width, height: row.height, orientation: row.orientation ?? 1 }
      : undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM contents').get() as { n: number }).n;
  }
}
