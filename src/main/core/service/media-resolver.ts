/**
 * Which file on disk answers a media request (thumbnail or original), for files of the library only.
 * Requests name a file id, never a path, and the file's real location (links followed) must still be
 * inside a library folder: a photo later replaced by a link pointing elsewhere is not served.
 */
import { realpathSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Engine } from '../engine.js';
import { isAtOrBelow } from '../util/paths-inside.js';
import { mediaKindOf } from '../media/media-types.js';

export interface ResolvedMedia {
  path: string;
  contentType: string;
  bytes: number;
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

export class MediaResolver {
  constructor(private readonly engine: Engine) {}

  /** The library file with this id, if it still lies inside a library folder. */
  libraryFile(fileId: number): string | undefined {
    const row = this.engine.db.prepare(`SELECT path FROM files WHERE id = ? AND status = 'ready'`).get(fileId) as
      { path: string } | undefined;
    if (!row) return undefined;
    let real: string;
    try {
      real = realpathSync(row.path);
      if (!statSync(real).isFile()) return undefined;
    } catch {
      return undefined;
    }
    // Folder paths are stored with their links resolved (Engine.addFolder), so no realpath per request.
    const inside = this.engine.listFolders().some((folder) => isAtOrBelow(real, folder.path));
    return inside ? real : undefined;
  }

  async resolve(variant: 'thumb' | 'preview' | 'original', fileId: number): Promise<ResolvedMedia | undefined> {
    const file = this.libraryFile(fileId);
    if (!file) return undefined;
    if (variant === 'original') {
      return {
        path: file,
        contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        bytes: statSync(file).size,
      };
    }
    if (mediaKindOf(file) === 'audio') return undefined; // recordings have no picture
    try {
      const thumb = await this.engine.thumbnail(fileId, variant === 'thumb' ? THUMBNAIL_EDGE : PREVIEW_EDGE);
      return { path: thumb, contentType: 'image/webp', bytes: statSync(thumb).size };
    } catch {
      return undefined; // unreadable since it was indexed: the grid shows a placeholder
    }
  }
}
