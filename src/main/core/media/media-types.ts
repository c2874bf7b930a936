/** Which files Trove looks at, by extension. Content is still verified when the file is read. */
import { extname } from 'node:path';

export type MediaKind = 'image';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.gif', '.avif', '.tif', '.tiff', '.heic', '.heif']);

export function mediaKindOf(path: string): MediaKind | undefined {
  const ext = extname(path).toLowerCase();
  if (IMAGE_EXTENSIONS.has(ext)) return 'image';
  return undefined;
}

export function extensionOf(path: string): string {
  return extname(path).toLowerCase().replace(/^\./, '');
}
