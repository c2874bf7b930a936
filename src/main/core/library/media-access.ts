/**
 * Media of the library for the UI: which file on disk answers a media request (thumbnail, preview
 * or original), and the cached thumbnails themselves. For files of the library only.
 * Requests name a file id, never a path. A file is served only while it is still the file that was
 * indexed: a regular file, with the device, inode, size and time recorded when it was read, whose real
 * location (links followed) is inside a library folder and outside Trove's own folders. A photo later
 * replaced by a link (to library.db, to /etc/passwd) or by another file is refused, and a rescan of it
 * is asked for, so the library catches up with what happened.
 */
import { realpathSync, statSync } from 'node:fs';
import { NotFoundError, UnprocessableError } from '../errors.js';
import { extractVideoFrame } from '../media/ffmpeg.js';
import type { ThumbnailCache } from '../media/thumbnail-cache.js';
import type { LibraryStore } from '../store/library-store.js';
import { fileIdentity } from '../util/file-identity.js';
import { extname } from 'node:path';
import type { Folders } from './folders.js';
import { isAtOrBelow } from '../util/paths-inside.js';
import { mediaKindOf } from '../util/media-types.js';

export interface ResolvedMedia {
  path: string;
  contentType: string;
  bytes: number;
  /** For an original: "device:inode" that the opened file must still have (checked on the open file). */
  identity?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jpe': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.wav': 'audio/wav',
  '.aif': 'audio/aiff',
  '.aiff': 'audio/aiff',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
};

export const THUMBNAIL_EDGE = 400;
export const PREVIEW_EDGE = 1600;

/** Parses the id part of a media URL: digits only, no leading zeros, within range. */
export function parseFileId(raw: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}

export class MediaAccess {
  constructor(
    private readonly store: LibraryStore,
    private readonly folders: Folders,
    private readonly thumbnails: ThumbnailCache,
    /** Told of a file that no longer is what was indexed, so it is looked at again. */
    private readonly onStale: (path: string) => void,
  ) {}

  /** The library file with this id, if it is still the file that was indexed (see above). */
  libraryFile(fileId: number): string | undefined {
    return this.verified(fileId)?.path;
  }

  private verified(fileId: number): { path: string; identity: string } | undefined {
    const row = this.store.files.byId(fileId);
    if (!row || row.status !== 'ready') return undefined;
    let real: string;
    let identity: string;
    try {
      real = realpathSync(row.path);
      const st = statSync(real);
      identity = fileIdentity(st);
      const same =
        st.isFile() &&
        st.size === row.size &&
        Math.round(st.mtimeMs) === row.mtime_ms &&
        (row.identity === null || row.identity === identity);
      if (!same) {
        this.onStale(row.path);
        return undefined;
      }
    } catch {
      this.onStale(row.path);
      return undefined;
    }
    // Folder paths are stored with their links resolved (Engine.addFolder), so no realpath per request.
    const inside = this.folders.list().some((folder) => isAtOrBelow(real, folder.path));
    return inside && !this.folders.isOwnPath(real) ? { path: real, identity } : undefined;
  }

  async resolve(variant: 'thumb' | 'preview' | 'original', fileId: number): Promise<ResolvedMedia | undefined> {
    const found = this.verified(fileId);
    if (!found) return undefined;
    const file = found.path;
    if (variant === 'original') {
      return {
        path: file,
        contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        bytes: statSync(file).size,
        identity: found.identity,
      };
    }
    if (mediaKindOf(file) === 'audio') return undefined; // recordings have no picture
    try {
      const thumb = await this.thumbnail(fileId, variant === 'thumb' ? THUMBNAIL_EDGE : PREVIEW_EDGE);
      return { path: thumb, contentType: 'image/webp', bytes: statSync(thumb).size };
    } catch {
      return undefined; // unreadable since it was indexed: the grid shows a placeholder
    }
  }

  /** Path of a cached thumbnail (longest edge `edge` px) for an indexed file. */
  async thumbnail(fileId: number, edge = 320): Promise<string> {
    const row = this.store.queries.pictureSource(fileId);
    if (!row) throw new NotFoundError(`no indexed file with id ${fileId}`);
    if (row.kind === 'audio') throw new UnprocessableError('recordings have no picture');
    // A video's poster: a frame a moment in (the very first is often black).
    const source = row.kind === 'video' ? () => extractVideoFrame(row.path, Math.min(1, (row.duration_s ?? 0) / 3)) : row.path;
    return this.thumbnails.get(source, row.hash, edge);
  }
}
