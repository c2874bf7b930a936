/**
 * Walks a library folder and lists the media files in it, with size and modification time.
 * Symbolic links are followed, but each real directory is visited once, so link loops end.
 * Unreadable folders and files that vanish mid-scan are reported, never thrown.
 *
 * Every media-named entry ends listed or with its own reason: names that are not valid UTF-8 (read
 * as raw bytes, since a decoded name would point nowhere), FIFOs, sockets and devices (never opened:
 * a read could block forever), links to them, and dangling links.
 */
import type { Dirent, Stats } from 'node:fs';
import { opendir, readlink, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { extensionOf, mediaKindOf } from '../util/media-types.js';
import { describeFileError, notAFileMessage, specialFileKind, type MediaErrorCode } from '../util/file-errors.js';
import type { PathFilter } from './path-filter.js';

export interface ScannedFile {
  path: string;
  ext: string;
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Media-named entries that cannot be read (link loops, permission problems): recorded per file. */
  fileErrors: { path: string; ext: string; error: string; code: MediaErrorCode }[];
  /** Folders that could not be listed (their files are kept as they were), or were skipped as a loop. */
  folderIssues: { path: string; error: string; kind: 'unlisted' | 'loop' }[];
}

/**
 * Lists the media under `root`, or only under `startAt` (a folder inside `root`, e.g. one that just
 * appeared while watching); exclusions always apply relative to the library folder `root`.
 */
export async function scanFolder(root: string, filter: PathFilter, signal?: AbortSignal, startAt = root): Promise<ScanResult> {
  const result: ScanResult = { files: [], fileErrors: [], folderIssues: [] };
  const visited = new Set<string>();
  const stack = [startAt];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const dir = stack.pop()!;
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      result.folderIssues.push({ path: dir, error: describeFileError(error).message, kind: 'unlisted' });
      continue;
    }
    if (filter.isOwn(real)) continue; // a link into Trove's own folders
    if (visited.has(real)) {
      if (dir !== startAt)
        result.folderIssues.push({ path: dir, error: 'skipped: symbolic link loop (this folder was already scanned)', kind: 'loop' });
      continue;
    }
    visited.add(real);
    let handle;
    try {
      // Raw names (Node supports this; its type declarations do not say so yet).
      handle = await opendir(dir, { encoding: 'buffer' as BufferEncoding });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'EACCES' || code === 'EPERM' ? 'permission denied: Trove may not list this folder' : describeFileError(error).message;
      result.folderIssues.push({ path: dir, error: message, kind: 'unlisted' });
      continue;
    }
    try {
      for await (const entry of handle as AsyncIterable<Dirent<Buffer>>) {
        const name = entry.name.toString('utf8');
        if (!Buffer.from(name, 'utf8').equals(entry.name)) {
          reportUndecodableName(dir, entry, result);
          continue;
        }
        const path = join(dir, name);
        if (filter.skips(root, path, name)) continue;
        if (entry.isDirectory()) {
          stack.push(path);
          continue;
        }
        if (entry.isSymbolicLink()) {
          await visitLink(path, name, stack, result, filter);
          continue;
        }
        if (!mediaKindOf(name)) continue;
        if (entry.isFile()) await visitFile(path, result);
        else result.fileErrors.push({ path, ext: extensionOf(path), error: notAFileMessage(entry), code: 'special-file' });
      }
    } catch (error) {
      result.folderIssues.push({ path: dir, error: `folder listing stopped early: ${describeFileError(error).message}`, kind: 'unlisted' });
    }
  }
  return result;
}

async function visitFile(path: string, result: ScanResult): Promise<void> {
  try {
    const st = await stat(path);
    if (st.isFile()) result.files.push({ path, ext: extensionOf(path), size: st.size, mtimeMs: st.mtimeMs });
  } catch (error) {
    const described = describeFileError(error);
    if (described.code !== 'vanished')
      result.fileErrors.push({ path, ext: extensionOf(path), error: described.message, code: described.code });
  }
}

async function visitLink(path: string, name: string, stack: string[], result: ScanResult, filter: PathFilter): Promise<void> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (error) {
    const described = describeFileError(error);
    if (mediaKindOf(name)) {
      const dangling = described.code === 'vanished';
      result.fileErrors.push({
        path,
        ext: extensionOf(path),
        error: dangling ? await danglingLink(path) : described.message,
        code: dangling ? 'broken-link' : described.code,
      });
    } else if (described.code === 'link-loop') result.folderIssues.push({ path, error: described.message, kind: 'loop' });
    // A dangling link to something that is not media is not worth a message.
    return;
  }
  if (st.isDirectory()) return void stack.push(path);
  if (!mediaKindOf(name)) return;
  const real = await realpath(path).catch(() => path);
  if (filter.isOwn(real)) {
    result.fileErrors.push({ path, ext: extensionOf(path), error: "skipped: a link into Trove's own data folder", code: 'own-data' });
  } else if (st.isFile()) {
    result.files.push({ path, ext: extensionOf(path), size: st.size, mtimeMs: st.mtimeMs });
  } else {
    result.fileErrors.push({
      path,
      ext: extensionOf(path),
      error: `a link to ${specialFileKind(st)}, not to a file: skipped`,
      code: 'special-file',
    });
  }
}

async function danglingLink(path: string): Promise<string> {
  const target = await readlink(path).catch(() => undefined);
  return `broken symbolic link: it points to ${target ?? 'something'} that does not exist`;
}

/**
 * An entry whose name is not valid UTF-8 (written by another system with another encoding): shown
 * with the undecodable bytes as \xNN, and given a status rather than silently left out.
 */
function reportUndecodableName(dir: string, entry: Dirent<Buffer>, result: ScanResult): void {
  const shown = join(dir, escapeName(entry.name));
  const hint = 'its name is not valid UTF-8, so Trove cannot open it by name; rename it (e.g. with convmv) to index it';
  if (entry.isDirectory()) result.folderIssues.push({ path: shown, error: `folder skipped: ${hint}`, kind: 'unlisted' });
  else if (mediaKindOf(shown) || entry.isSymbolicLink())
    result.fileErrors.push({ path: shown, ext: extensionOf(shown), error: hint, code: 'undecodable-name' });
}

/** A raw name as text: valid UTF-8 runs as they are, every other byte as \xNN. */
export function escapeName(raw: Buffer): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const length = utf8SequenceLength(raw, i);
    if (length > 0) {
      out += raw.subarray(i, i + length).toString('utf8');
      i += length;
    } else {
      out += `\\x${raw[i]!.toString(16).padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence starting at `i`, or 0 if the byte there starts none. */
function utf8SequenceLength(raw: Buffer, i: number): number {
  const lead = raw[i]!;
  const length =
    lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > raw.length) return 0;
  const piece = raw.subarray(i, i + length);
  return Buffer.from(piece.toString('utf8'), 'utf8').equals(piece) ? length : 0;
}
