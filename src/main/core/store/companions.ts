/**
 * Files that belong to a picture beside them rather than being items of their own (same folder,
 * same name but for the extension): a RAW file beside the picture developed from it, with the same
 * capture time when both have one ("IMG_0042.CR2" and "IMG_0042.JPG"), and a Live Photo's motion, a
 * short video beside its still ("IMG_0042.HEIC" and "IMG_0042.MOV", or any names when both carry
 * Apple's content identifier). Searches, the library and the
 * duplicates review show the picture once; its details list the RAW and play the motion. SQL
 * fragments over `files` (and its `contents`).
 */
import { LIVE_MOTION_EXTENSIONS, LIVE_MOTION_MAX_S, RAW_EXTENSIONS } from '../util/media-types.js';

const RAW_EXTS = `(${[...RAW_EXTENSIONS].map((e) => `'${e.slice(1)}'`).join(', ')})`;
/** A file's path without its extension (the dot kept): indexed per folder (migration 15). */
const stem = (f: string) => `substr(${f}.path, 1, length(${f}.path) - length(${f}.ext))`;
/**
 * A file's directory (with its last separator): rtrim drops every trailing character that is not a
 * separator, SQLite having no dirname.
 */
const directory = (f: string) => `rtrim(${f}.path, replace(replace(${f}.path, '/', ''), '\\', ''))`;
/** Capture times that agree (a camera writes both within the same second), or one unknown. */
const sameShot = (a: string, b: string) => `(${a}.taken_at IS NULL OR ${b}.taken_at IS NULL OR abs(${a}.taken_at - ${b}.taken_at) <= 2000)`;

/** True when file `f` (content `c`) is a RAW with a ready developed picture beside it. */
export function isRawCompanion(f: string, c: string): string {
  return `(${f}.ext IN ${RAW_EXTS} AND EXISTS (
    SELECT 1 FROM files dev JOIN contents devc ON devc.id = dev.content_id
    WHERE dev.folder_id = ${f}.folder_id AND ${stem('dev')} = ${stem(f)} AND dev.id <> ${f}.id
      AND dev.status = 'ready' AND devc.kind = 'image' AND dev.ext NOT IN ${RAW_EXTS} AND ${sameShot('devc', c)}))`;
}

export const MOTION_EXTS = `(${[...LIVE_MOTION_EXTENSIONS].map((e) => `'${e.slice(1)}'`).join(', ')})`;

/**
 * True when file `f` (content `c`) is the motion of a Live Photo: a short video beside a still of the
 * same name, or beside a still carrying the same Apple content identifier (a renamed or edited still:
 * "IMG_E0042.JPG", "Beach 1.heic"). Beside: in the same folder; a copy elsewhere is a video of its own.
 */
export function isLiveMotion(f: string, c: string): string {
  const still = (match: string) => `EXISTS (
    SELECT 1 FROM files still JOIN contents stillc ON stillc.id = still.content_id
    WHERE ${match} AND still.folder_id = ${f}.folder_id AND still.id <> ${f}.id AND still.status = 'ready' AND stillc.kind = 'image')`;
  // Two lookups, each by its own index (files by folder and stem, contents by identifier).
  return `(${f}.ext IN ${MOTION_EXTS} AND ${c}.kind = 'video' AND ${c}.duration_s <= ${LIVE_MOTION_MAX_S} AND (
    ${still(`${stem('still')} = ${stem(f)}`)} OR (${c}.live_id <> '' AND ${still(`stillc.live_id = ${c}.live_id AND ${directory('still')} = ${directory(f)}`)})))`;
}

/** A file that is a RAW beside its picture or a Live Photo's motion: not an item of its own. */
export function isCompanion(f: string, c: string): string {
  return `(${isRawCompanion(f, c)} OR ${isLiveMotion(f, c)})`;
}

/** The motion of the Live Photo whose still is file `f` (content `c`): `SELECT id FROM files motion ... WHERE` this. */
export function motionOf(f: string, c: string): string {
  return `motion.folder_id = ${f}.folder_id AND motion.id <> ${f}.id AND motion.status = 'ready'
    AND (${stem('motion')} = ${stem(f)} OR (${c}.live_id <> '' AND motionc.live_id = ${c}.live_id AND ${directory('motion')} = ${directory(f)}))
    AND motion.ext IN ${MOTION_EXTS} AND motionc.kind = 'video' AND motionc.duration_s <= ${LIVE_MOTION_MAX_S}`;
}

/** The RAW companions of file `f` (content `c`): `SELECT path FROM files raw ... WHERE` this. */
export function companionsOf(f: string, c: string): string {
  return `raw.folder_id = ${f}.folder_id AND ${stem('raw')} = ${stem(f)} AND raw.id <> ${f}.id AND raw.status = 'ready'
    AND raw.ext IN ${RAW_EXTS} AND ${f}.ext NOT IN ${RAW_EXTS} AND ${sameShot('rawc', c)}`;
}
