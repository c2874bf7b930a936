/**
 * The fingerprints duplicate finding compares, kept with each content: a picture's visual
 * fingerprint (phash, 32x32 grid, detail), a recording's acoustic fingerprint and a video's frame
 * hashes. Every write of these columns, and every read of them for duplicate finding, is here.
 */
import type { Db } from './database.js';
import { Statements } from './statements.js';
import { isCompanion, isLiveMotion, isRawCompanion } from './companions.js';

/** A picture's fingerprint as stored (media/visual-fingerprint.ts gives its meaning). */
export interface StoredVisualFingerprint {
  phash: string;
  grid: Uint8Array;
  detail: number;
  /** The grid inside the picture's frame, when it has one: stored after `grid` in the same column. */
  inner?: Uint8Array;
}

export type FingerprintKind = 'visual' | 'audio' | 'video';

/** The content kind each fingerprint belongs to, and its column: fixed here, never pasted from outside. */
const COLUMN: Record<FingerprintKind, { kind: string; column: string }> = {
  visual: { kind: 'image', column: 'grid' },
  audio: { kind: 'audio', column: 'audio_fp' },
  video: { kind: 'video', column: 'video_fp' },
};

/** Bytes of one 32x32 grid. */
const GRID_BYTES = 32 * 32;

/** A ready file of every content. */

/** A file of a duplicate group, with what choosing its keeper needs. */
export interface GroupFile {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  taken_at: number | null;
  duration_s: number | null;
  /** The camera named in the file's EXIF, when it kept it. */
  camera_make: string | null;
}

export class FingerprintRepo {
  private readonly statements: Statements;

  constructor(private readonly db: Db) {
    this.statements = new Statements(db);
  }

  setVisual(contentId: number, print: StoredVisualFingerprint): void {
    this.statements
      .get('UPDATE contents SET phash = ?, grid = ?, detail = ? WHERE id = ?')
      .run(print.phash, Buffer.concat([print.grid, ...(print.inner ? [print.inner] : [])]), print.detail, contentId);
  }

  setAudio(contentId: number, blob: Buffer): void {
    this.statements.get('UPDATE contents SET audio_fp = ? WHERE id = ?').run(blob, contentId);
  }

  setVideo(contentId: number, blob: Buffer): void {
    this.statements.get('UPDATE contents SET video_fp = ? WHERE id = ?').run(blob, contentId);
  }

  /** Forgets every fingerprint (they are computed again when duplicates are next looked for). */
  forgetAll(): void {
    this.statements.get('UPDATE contents SET audio_fp = NULL, video_fp = NULL, phash = NULL, grid = NULL, detail = NULL').run();
  }

  /**
   * Contents indexed before their fingerprint existed, each with a ready file to compute it from;
   * `shorterThanS`: only recordings or videos shorter than that (cheap to go through again).
   */
  missing(kind: FingerprintKind, shorterThanS?: number): { id: number; path: string }[] {
    const { kind: contentKind, column } = COLUMN[kind];
    const short = shorterThanS === undefined ? '' : 'AND c.duration_s IS NOT NULL AND c.duration_s < ?';
    return (
      this.statements
        .get(
          `SELECT c.id, (SELECT f.path FROM files f WHERE f.content_id = c.id AND f.status = 'ready' LIMIT 1) AS path
           FROM contents c WHERE c.kind = ? AND c.${column} IS NULL ${short}`,
        )
        .all(contentKind, ...(shorterThanS === undefined ? [] : [shorterThanS])) as { id: number; path: string | null }[]
    ).filter((row): row is { id: number; path: string } => row.path !== null);
  }

  /** Pictures with a fingerprint and a ready file. */
  visual(): { id: number; fingerprint: StoredVisualFingerprint }[] {
    const rows = this.statements
      .get(
        // A RAW beside its developed picture is that picture, not a duplicate of it (store/companions).
        `SELECT c.id, c.phash, c.grid, c.detail FROM contents c WHERE c.kind = 'image' AND c.grid IS NOT NULL AND c.phash IS NOT NULL
           AND EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id AND f.status = 'ready' AND NOT ${isRawCompanion('f', 'c')})`,
      )
      .all() as { id: number; phash: string; grid: Buffer; detail: number | null }[];
    return rows.map((r) => {
      // One grid, or the picture's grid followed by the grid inside its frame (two of the same size).
      const framed = r.grid.length % 2 === 0 && r.grid.length >= 2 * GRID_BYTES;
      const grid = new Uint8Array(framed ? r.grid.subarray(0, r.grid.length / 2) : r.grid);
      const fingerprint: StoredVisualFingerprint = { phash: r.phash, grid, detail: r.detail ?? 0 };
      if (framed) fingerprint.inner = new Uint8Array(r.grid.subarray(r.grid.length / 2));
      return { id: r.id, fingerprint };
    });
  }

  /** Recordings' (or videos') stored fingerprints, with a ready file. */
  blobs(kind: Exclude<FingerprintKind, 'visual'>): { id: number; blob: Buffer }[] {
    const { kind: contentKind, column } = COLUMN[kind];
    return (
      this.db
        // A Live Photo's motion is part of its still, not a video to compare with others (store/companions).
        .prepare(
          `SELECT c.id, c.${column} AS blob FROM contents c WHERE c.kind = ? AND c.${column} IS NOT NULL
           AND EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id AND f.status = 'ready' AND NOT ${isLiveMotion('f', 'c')})`,
        )
        .all(contentKind) as { id: number; blob: Buffer }[]
    );
  }

  /**
   * Contents with several identical ready files of a kind (exact duplicates). A file that belongs to
   * a picture beside it (a RAW, a Live Photo's motion: store/companions) is no copy to clean up.
   */
  contentsWithCopies(kind: string): number[] {
    return (
      this.statements
        .get(
          `SELECT f.content_id AS id FROM files f JOIN contents c ON c.id = f.content_id
           WHERE f.status = 'ready' AND c.kind = ? AND NOT ${isCompanion('f', 'c')} GROUP BY f.content_id HAVING COUNT(*) > 1`,
        )
        .all(kind) as { id: number }[]
    ).map((r) => r.id);
  }

  /** The ready files of a content that are items of their own (not companions: store/companions), by path. */
  readyFiles(contentId: number): GroupFile[] {
    return this.statements
      .get(
        `SELECT f.id, f.path, f.size, f.mtime_ms, c.width, c.height, c.taken_at, c.duration_s, c.camera_make FROM files f JOIN contents c ON c.id = f.content_id
         WHERE f.content_id = ? AND f.status = 'ready' AND NOT ${isCompanion('f', 'c')} ORDER BY f.path`,
      )
      .all(contentId) as GroupFile[];
  }
}
