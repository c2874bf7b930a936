/**
 * Read models for what people look at: per-folder counts, one file's details, and what a thumbnail
 * is made from. Joins across files, folders and contents, answered in one statement each.
 */
import { companionsOf, motionOf } from './companions.js';
import type { MediaKind } from '../util/media-types.js';
import type { Db } from './database.js';

export interface FolderCounts {
  files: number;
  /** Read and embedded by every model that applies to it: findable. */
  ready: number;
  errors: number;
  /** Still to be read, or read but not yet embedded by a model that applies (see WaitingModels). */
  pending: number;
  missing: number;
}

/**
 * Which models a file waits for, by id: pictures and videos' frames for `image`, recordings and
 * videos' sound for `audio`. null: that modality is not counted (no such model in this run, or
 * none chosen); -1: a model chosen but never loaded yet, so every such file waits for it.
 */
export interface WaitingModels {
  image: number | null;
  audio: number | null;
}

/** A ready file's content still lacks an embedding (done or failed) from a model that applies. */
const NEEDS_EMBEDDING = `(
  (@image IS NOT NULL AND c.kind IN ('image', 'video')
    AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_id = c.id AND e.model_id = @image))
  OR (@audio IS NOT NULL AND (c.kind = 'audio' OR (c.kind = 'video' AND c.has_audio = 1))
    AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_id = c.id AND e.model_id = @audio)))`;

export interface FileDetailsRow {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  folder: string;
  content_id: number | null;
  kind: MediaKind | null;
  duration_s: number | null;
  format: string | null;
  width: number | null;
  height: number | null;
  taken_at: number | null;
  camera_make: string | null;
  camera_model: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
}

export interface PictureSource {
  path: string;
  hash: string;
  kind: MediaKind;
  duration_s: number | null;
}

export class LibraryQueries {
  constructor(private readonly db: Db) {}

  /**
   * Every folder's files by where they stand (a folder with none is absent). The same definition of waiting as `waitingFiles`, so the
   * Library table and the progress bar never disagree.
   */
  folderCounts(models: WaitingModels): Map<number, FolderCounts> {
    // One pass over the files for every folder (the status is read while indexing runs).
    const rows = this.db
      .prepare(
        `SELECT folder, COUNT(*) AS files, SUM(status = 'error') AS errors, SUM(status = 'missing') AS missing,
                SUM(status = 'pending' OR waits) AS pending, SUM(status = 'ready' AND NOT waits) AS ready
         FROM (SELECT f.folder_id AS folder, f.status, (f.status = 'ready' AND ${NEEDS_EMBEDDING}) AS waits
               FROM files f LEFT JOIN contents c ON c.id = f.content_id)
         GROUP BY folder`,
      )
      .all(models) as (FolderCounts & { folder: number })[];
    return new Map(rows.map(({ folder, ...counts }) => [folder, counts]));
  }

  /** Files still to be read, or read and waiting for a model that applies: a run's work left. */
  waitingFiles(models: WaitingModels): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM files f LEFT JOIN contents c ON c.id = f.content_id
           WHERE f.status = 'pending' OR (f.status = 'ready' AND ${NEEDS_EMBEDDING})`,
        )
        .get(models) as { n: number }
    ).n;
  }

  fileDetails(fileId: number): FileDetailsRow | undefined {
    return this.db
      .prepare(
        `SELECT f.id, f.path, f.size, f.mtime_ms, fo.path AS folder, c.id AS content_id, c.kind, c.duration_s, c.format, c.width, c.height,
                c.taken_at, c.camera_make, c.camera_model, c.gps_lat, c.gps_lon
         FROM files f JOIN folders fo ON fo.id = f.folder_id LEFT JOIN contents c ON c.id = f.content_id WHERE f.id = ?`,
      )
      .get(fileId) as FileDetailsRow | undefined;
  }

  /** The RAW files beside this developed picture (store/companions), by path. */
  rawCompanions(fileId: number): string[] {
    return (
      this.db
        .prepare(
          `SELECT raw.path FROM files f JOIN contents c ON c.id = f.content_id, files raw JOIN contents rawc ON rawc.id = raw.content_id
           WHERE f.id = ? AND ${companionsOf('f', 'c')} ORDER BY raw.path`,
        )
        .all(fileId) as { path: string }[]
    ).map((r) => r.path);
  }

  /** The motion of a Live Photo whose still this is (store/companions): its file id. */
  liveMotion(fileId: number): number | undefined {
    const row = this.db
      .prepare(
        `SELECT motion.id FROM files f JOIN contents c ON c.id = f.content_id, files motion JOIN contents motionc ON motionc.id = motion.content_id
         WHERE f.id = ? AND ${motionOf('f', 'c')} LIMIT 1`,
      )
      .get(fileId) as { id: number } | undefined;
    return row?.id;
  }

  /** What a ready file's thumbnail is made from (its content hash keys the cache). */
  pictureSource(fileId: number): PictureSource | undefined {
    return this.db
      .prepare(
        `SELECT f.path, c.hash, c.kind, c.duration_s FROM files f JOIN contents c ON c.id = f.content_id WHERE f.id = ? AND f.status = 'ready'`,
      )
      .get(fileId) as PictureSource | undefined;
  }
}
