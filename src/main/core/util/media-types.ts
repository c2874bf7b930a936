/** Which files Trove looks at, by extension. Content is still verified when the file is read. */
import { extname } from 'node:path';

export type MediaKind = 'image' | 'audio' | 'video';

/** Photos larger than this are refused without being read (no camera writes 1 GB stills). */
export const MAX_IMAGE_FILE_BYTES = 1024 ** 3;

/** A Live Photo's motion: a short video of one of these types (Apple's last 3 s; longer is a video of its own). */
export const LIVE_MOTION_EXTENSIONS = new Set(['.mov', '.mp4']);
export const LIVE_MOTION_MAX_S = 6;

/** Camera RAW formats (indexed from their embedded previews: media/raw-photo). */
export const RAW_EXTENSIONS = new Set([
  '.3fr',
  '.arw',
  '.cr2',
  '.cr3',
  '.crw',
  '.dcr',
  '.dng',
  '.erf',
  '.gpr',
  '.iiq',
  '.kdc',
  '.mef',
  '.mos',
  '.mrw',
  '.nef',
  '.nrw',
  '.orf',
  '.pef',
  '.raf',
  '.raw',
  '.rw2',
  '.rwl',
  '.sr2',
  '.srf',
  '.srw',
  '.x3f',
]);
const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.gif',
  '.avif',
  '.tif',
  '.tiff',
  '.heic',
  '.heif',
  ...RAW_EXTENSIONS,
]);

export function isRawPath(path: string): boolean {
  return RAW_EXTENSIONS.has(extname(path).toLowerCase());
}
const AUDIO_EXTENSIONS = new Set(['.mp3', '.m4a', '.aac', '.flac', '.ogg', '.oga', '.opus', '.wav', '.aif', '.aiff']);
const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.avi']);

export function mediaKindOf(path: string): MediaKind | undefined {
  const ext = extname(path).toLowerCase();
  if (IMAGE_EXTENSIONS.has(ext)) return 'image';
  if (AUDIO_EXTENSIONS.has(ext)) return 'audio';
  if (VIDEO_EXTENSIONS.has(ext)) return 'video';
  return undefined;
}

export function extensionOf(path: string): string {
  return extname(path).toLowerCase().replace(/^\./, '');
}
