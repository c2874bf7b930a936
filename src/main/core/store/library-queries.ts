/**
 * Read models for what people look at: per-folder counts, one file's details, and what a thumbnail
 * is made from. Joins across files, folders and contents, answered in one statement each.
 */
import type { MediaKind } from '../util/media-types.js';
import type { Db } from './database.js';

export interface FolderCounts {
  files: number;
  ready: number;
  errors: number;
  pending: number;
  missing: number;
}

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
  sha256: string;
  kind: MediaKind;
  duration_s: number | null;
}

export class LibraryQueries {
  constructor(private readonly db: Db) {}

  folderCounts(folderId: number): FolderCounts {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM files WHERE folder_id = ? GROUP BY status').all(folderId) as {
      status: string;
      n: number;
    }[];
    const by = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return {
      files: rows.reduce((a, r) => a + r.n, 0),
      ready: by('ready'),
      errors: by('error'),
      pending: by('pending'),
      missing: by('missing'),
    };
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

  /** What a ready file's thumbnail is made from (its content hash keys the cache). */
  pictureSource(fileId: number): PictureSource | undefined {
    return this.db
      .prepare(
        `SELECT f.path, c.sha256, c.kind, c.duration_s FROM files f JOIN contents c ON c.id = f.content_id WHERE f.id = ? AND f.status = 'ready'`,
      )
      .get(fileId) as PictureSource | undefined;
  }
}
