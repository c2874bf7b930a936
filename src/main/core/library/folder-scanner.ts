/**
 * Walks a library folder and lists the media files in it, with size and modification time.
 * Symbolic links are followed, but each real directory is visited once, so link loops end.
 * Unreadable folders and files that vanish mid-scan are reported, never thrown.
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { extensionOf, mediaKindOf } from '../media/media-types.js';
import { describeFileError } from '../util/file-errors.js';
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
  fileErrors: { path: string; ext: string; error: string }[];
  /** Folders that could not be listed, or were skipped as a loop. */
  folderIssues: { path: string; error: string }[];
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
      result.folderIssues.push({ path: dir, error: describeFileError(error).message });
      continue;
    }
    if (visited.has(real)) {
      if (dir !== startAt) result.folderIssues.push({ path: dir, error: 'skipped: symbolic link loop (this folder was already scanned)' });
      continue;
    }
    visited.add(real);
    let handle;
    try {
      handle = await opendir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'EACCES' || code === 'EPERM' ? 'permission denied: Trove may not list this folder' : describeFileError(error).message;
      result.folderIssues.push({ path: dir, error: message });
      continue;
    }
    try {
      for await (const entry of handle) {
        const path = join(dir, entry.name);
        if (filter.skips(root, path, entry.name)) continue;
        if (entry.isDirectory()) {
          stack.push(path);
          continue;
        }
        if (entry.isSymbolicLink()) {
          await visitLink(path, entry.name, stack, result);
          continue;
        }
        if (entry.isFile() && mediaKindOf(entry.name)) await visitFile(path, result);
      }
    } catch (error) {
      result.folderIssues.push({ path: dir, error: `folder listing stopped early: ${describeFileError(error).message}` });
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
    if (described.code !== 'vanished') result.fileErrors.push({ path, ext: extensionOf(path), error: described.message });
  }
}

async function visitLink(path: string, name: string, stack: string[], result: ScanResult): Promise<void> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) stack.push(path);
    else if (st.isFile() && mediaKindOf(name)) result.files.push({ path, ext: extensionOf(path), size: st.size, mtimeMs: st.mtimeMs });
  } catch (error) {
    const described = describeFileError(error);
    if (mediaKindOf(name)) result.fileErrors.push({ path, ext: extensionOf(path), error: described.message });
    else if (described.code === 'link-loop') result.folderIssues.push({ path, error: described.message });
    // A dangling link to something that is not media is not worth a message.
  }
}
