/**
 * Moving files to the system trash — never deleting them — and putting them back.
 *
 * Linux and other freedesktop systems: the XDG trash specification. Files on the home volume go to
 * $XDG_DATA_HOME/Trash (usually ~/.local/share/Trash); files on another volume go to that volume's
 * own `.Trash-$UID` folder, since the specification forbids copying them across devices. Each file
 * gets a `.trashinfo` record with its original path and deletion time, so the desktop's own trash
 * can restore it as well. macOS: ~/.Trash (or the volume's .Trashes/$UID). Every move is a rename
 * on one volume: nothing is copied, so nothing can be half-written.
 *
 * The function returns where the file went, which is what undo needs — and why this is not the
 * `trash` package, which moves files well but does not say where they went.
 */
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { basename, dirname, extname, join, parse } from 'node:path';

export interface TrashedFile {
  originalPath: string;
  trashedPath: string;
  /** The freedesktop .trashinfo record, removed again on restore. */
  infoPath: string | null;
}

export class TrashUnsupportedError extends Error {}

export function moveToTrash(path: string, now = new Date()): TrashedFile {
  const st = lstatSync(path);
  if (!st.isFile() && !st.isSymbolicLink()) throw new Error(`${path} is not a file`);
  if (process.platform === 'darwin') return moveToMacTrash(path, st.dev);
  if (process.platform === 'win32') {
    throw new TrashUnsupportedError('moving files to the Recycle Bin is not supported by this version on Windows; nothing was moved');
  }
  return moveToXdgTrash(path, st.dev, now);
}

/** Puts a trashed file back where it was; refuses if something else now has that name. */
export function restoreFromTrash(item: TrashedFile): void {
  if (existsSync(item.originalPath)) throw new Error(`${item.originalPath} exists again; the trashed copy was left in the trash`);
  if (!existsSync(item.trashedPath)) throw new Error(`${basename(item.originalPath)} is no longer in the trash (emptied?)`);
  mkdirSync(dirname(item.originalPath), { recursive: true });
  renameSync(item.trashedPath, item.originalPath);
  if (item.infoPath) rmSync(item.infoPath, { force: true });
}

function moveToXdgTrash(path: string, device: number, now: Date): TrashedFile {
  const trash = xdgTrashFor(path, device);
  const files = join(trash, 'files');
  const info = join(trash, 'info');
  mkdirSync(files, { recursive: true, mode: 0o700 });
  mkdirSync(info, { recursive: true, mode: 0o700 });
  // Reserve a unique name by creating its .trashinfo exclusively (the specification's lock).
  const { name, infoPath } = reserveName(info, basename(path));
  try {
    writeFileSync(infoPath, `[Trash Info]\nPath=${encodeTrashPath(path)}\nDeletionDate=${localIsoSeconds(now)}\n`);
    const trashedPath = join(files, name);
    renameSync(path, trashedPath);
    return { originalPath: path, trashedPath, infoPath };
  } catch (error) {
    rmSync(infoPath, { force: true });
    throw error;
  }
}

function xdgTrashFor(path: string, device: number): string {
  const home = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  const homeTrash = join(home, 'Trash');
  mkdirSync(home, { recursive: true });
  if (statSync(home).dev === device) return homeTrash;
  // Another volume: its top directory's .Trash-$UID.
  let top = dirname(path);
  while (dirname(top) !== top && statSync(dirname(top)).dev === device) top = dirname(top);
  return join(top, `.Trash-${userInfo().uid}`);
}

function reserveName(infoDir: string, wanted: string): { name: string; infoPath: string } {
  const { name: stem, ext } = parse(wanted);
  for (let n = 0; n < 10_000; n += 1) {
    const name = n === 0 ? wanted : `${stem}.${n + 1}${ext}`;
    const infoPath = join(infoDir, `${name}.trashinfo`);
    try {
      closeSync(openSync(infoPath, 'wx', 0o600));
      return { name, infoPath };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`too many files named ${wanted} in the trash`);
}

function moveToMacTrash(path: string, device: number): TrashedFile {
  const home = join(homedir(), '.Trash');
  let trash = home;
  if (!existsSync(home) || statSync(home).dev !== device) {
    let top = dirname(path);
    while (dirname(top) !== top && statSync(dirname(top)).dev === device) top = dirname(top);
    trash = join(top, '.Trashes', String(userInfo().uid));
  }
  mkdirSync(trash, { recursive: true });
  let target = join(trash, basename(path));
  for (let n = 2; existsSync(target); n += 1) target = join(trash, `${basename(path, extname(path))} ${n}${extname(path)}`);
  renameSync(path, target);
  return { originalPath: path, trashedPath: target, infoPath: null };
}

/** The specification's Path= value: an absolute path, percent-encoded like a URL path. */
function encodeTrashPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** YYYY-MM-DDThh:mm:ss in local time, as the specification asks. */
function localIsoSeconds(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
