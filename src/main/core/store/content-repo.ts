/** File contents by their hash (util/content-hash), with the media metadata read from them. */
import { LIVE_MOTION_MAX_S, type MediaKind } from '../util/media-types.js';
import type { Db } from './database.js';
import { Statements } from './statements.js';
import { CONTENT_HASHES, type ContentHashAlgorithm } from '../util/content-hash.js';
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
  /** The content's digest (`hashAlgorithm()` says which). */
  hash: string;
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
  private readonly statements: Statements;

  private algorithm: ContentHashAlgorithm | undefined;

  constructor(private readonly db: Db) {
    this.statements = new Statements(db);
  }

  /** A content's whole record, as stored. */
  byId(contentId: number): ContentRow | undefined {
    return this.statements
      .get(
        `SELECT id, hash, size, kind, format, width, height, orientation, taken_at, camera_make, camera_model, gps_lat, gps_lon, duration_s
         FROM contents WHERE id = ?`,
      )
      .get(contentId) as ContentRow | undefined;
  }

  kindOf(contentId: number): MediaKind | undefined {
    const row = this.statements.get('SELECT kind FROM contents WHERE id = ?').get(contentId) as { kind: MediaKind } | undefined;
    return row?.kind;
  }

  /** Which digest identifies this library's contents: SHA-256 where it held contents before migration 20, else BLAKE3. */
  hashAlgorithm(): ContentHashAlgorithm {
    this.algorithm ??= parseAlgorithm(
      this.statements.get(`SELECT value FROM library_facts WHERE key = 'content_hash'`).pluck().get() as string | undefined,
    );
    return this.algorithm;
  }

  idByHash(hash: string): number | undefined {
    const row = this.statements.get('SELECT id FROM contents WHERE hash = ?').get(hash) as { id: number } | undefined;
    return row?.id;
  }

  /**
   * The content with this hash, created with `meta` if new. Identical files read at the same time
   * both arrive here: the second finds the first's row instead of failing on the unique hash.
   */
  insertOrGet(hash: string, size: number, meta: ContentMetadata): number {
    this.statements
      .get(
        `INSERT INTO contents (hash, size, kind, format, width, height, orientation, taken_at, camera_make, camera_model, gps_lat, gps_lon, duration_s, has_audio, live_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING`,
      )
      .run(
        hash,
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
    return this.idByHash(hash)!;
  }

  /** Whether some content was read before Live Photo identifiers were looked for (migration 19). */
  hasUnidentified(): boolean {
    return this.statements.get('SELECT 1 FROM contents WHERE live_id IS NULL LIMIT 1').get() !== undefined;
  }

  /** Such contents of `kind`, at most `limit`, each with a ready file when it has one (else path null). */
  unidentified(kind: MediaKind, limit: number): { contentId: number; path: string | null; durationS: number | null }[] {
    return this.statements
      .get(
        `SELECT c.id AS contentId, c.duration_s AS durationS,
           (SELECT f.path FROM files f WHERE f.content_id = c.id AND f.status = 'ready' ORDER BY f.id LIMIT 1) AS path
         FROM contents c WHERE c.live_id IS NULL AND c.kind = ? LIMIT ?`,
      )
      .all(kind, limit) as { contentId: number; path: string | null; durationS: number | null }[];
  }

  /** The ready files that could be a Live Photo's motion (short .mov and .mp4 videos): their paths. */
  motionCandidatePaths(): string[] {
    return (
      this.statements
        .get(
          `SELECT f.path FROM files f JOIN contents c ON c.id = f.content_id
           WHERE f.status = 'ready' AND f.ext IN ${MOTION_EXTS} AND c.kind = 'video' AND c.duration_s <= ${LIVE_MOTION_MAX_S}`,
        )
        .all() as { path: string }[]
    ).map((r) => r.path);
  }

  /** Sets a content's Live Photo identifier ('' when it has none; null: not looked for). */
  setLiveId(contentId: number, liveId: string | null): void {
    this.statements.get('UPDATE contents SET live_id = ? WHERE id = ?').run(liveId, contentId);
  }

  /**
   * Deletes contents no file refers to any more, and returns the vector ids that went with them
   * (per model) so the caller can take them out of the HNSW indexes. Their vectors, jobs and all else
   * kept about them go with them (foreign keys, ON DELETE CASCADE).
   */
  deleteOrphans(): Map<number, number[]> {
    // Runs after every indexing run: one look at each content for a file (an index), and nothing
    // more when none is orphaned. Listing every file's content (`NOT IN`) and every vector's file
    // first cost 0.4 s more at a million files.
    const orphans = this.statements
      .get('SELECT c.id FROM contents c WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id)')
      .pluck()
      .all() as number[];
    const byModel = new Map<number, number[]>();
    const vectorsOf = this.statements.get('SELECT id, model_id FROM vectors WHERE content_id = ?');
    const remove = this.statements.get('DELETE FROM contents WHERE id = ?');
    for (const contentId of orphans) {
      for (const row of vectorsOf.all(contentId) as { id: number; model_id: number }[]) {
        const list = byModel.get(row.model_id) ?? [];
        list.push(row.id);
        byModel.set(row.model_id, list);
      }
      remove.run(contentId);
    }
    return byModel;
  }

  /** Size and orientation found when the file was read (so decoding need not parse the header again). */
  pictureSize(contentId: number): { format: string; width: number; height: number; orientation: number } | undefined {
    const row = this.statements.get('SELECT format, width, height, orientation FROM contents WHERE id = ?').get(contentId) as
      { format: string | null; width: number | null; height: number | null; orientation: number | null } | undefined;
    return row?.width && row.height
      ? { format: row.format ?? 'unknown', width: row.width, height: row.height, orientation: row.orientation ?? 1 }
      : undefined;
  }

  count(): number {
    return (this.statements.get('SELECT COUNT(*) AS n FROM contents').get() as { n: number }).n;
  }
}

function parseAlgorithm(value: string | undefined): ContentHashAlgorithm {
  const known = CONTENT_HASHES.find((name) => name === value);
  if (!known) throw new Error(`this library identifies its files by a digest this Trove does not know (${value ?? 'none'})`);
  return known;
}
