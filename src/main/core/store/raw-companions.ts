/**
 * A RAW file beside the picture developed from it (same folder, same name but for the extension,
 * same capture time when both have one: "IMG_0042.CR2" and "IMG_0042.JPG") is that picture's
 * companion, not an item of its own: searches, the library and the duplicates review show the
 * picture once, and its details list the RAW. SQL fragments over `files` (and its `contents`).
 */
import { RAW_EXTENSIONS } from '../util/media-types.js';

const RAW_EXTS = `(${[...RAW_EXTENSIONS].map((e) => `'${e.slice(1)}'`).join(', ')})`;
/** A file's path without its extension (the dot kept): indexed per folder (migration 15). */
const stem = (f: string) => `substr(${f}.path, 1, length(${f}.path) - length(${f}.ext))`;
/** Capture times that agree (a camera writes both within the same second), or one unknown. */
const sameShot = (a: string, b: string) => `(${a}.taken_at IS NULL OR ${b}.taken_at IS NULL OR abs(${a}.taken_at - ${b}.taken_at) <= 2000)`;

/** True when file `f` (content `c`) is a RAW with a ready developed picture beside it. */
export function isRawCompanion(f: string, c: string): string {
  return `(${f}.ext IN ${RAW_EXTS} AND EXISTS (
    SELECT 1 FROM files dev JOIN contents devc ON devc.id = dev.content_id
    WHERE dev.folder_id = ${f}.folder_id AND ${stem('dev')} = ${stem(f)} AND dev.id <> ${f}.id
      AND dev.status = 'ready' AND devc.kind = 'image' AND dev.ext NOT IN ${RAW_EXTS} AND ${sameShot('devc', c)}))`;
}

/** The RAW companions of file `f` (content `c`): `SELECT path FROM files raw ... WHERE` this. */
export function companionsOf(f: string, c: string): string {
  return `raw.folder_id = ${f}.folder_id AND ${stem('raw')} = ${stem(f)} AND raw.id <> ${f}.id AND raw.status = 'ready'
    AND raw.ext IN ${RAW_EXTS} AND ${f}.ext NOT IN ${RAW_EXTS} AND ${sameShot('rawc', c)}`;
}
