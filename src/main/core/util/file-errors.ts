/**
 * Turns the errors met while reading a user's file into short sentences a person understands.
 * These strings are stored per file and shown in the CLI and the UI, so they must not be stack traces.
 */
import type { Stats } from 'node:fs';
import { MAX_IMAGE_FILE_BYTES } from './media-types.js';
export class MediaError extends Error {
  constructor(
    message: string,
    /** A stable code for programs (tests, the UI's filters); the message is for people. */
    readonly code: MediaErrorCode,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

export type MediaErrorCode =
  | 'empty'
  | 'unreadable'
  | 'permission-denied'
  | 'vanished'
  | 'link-loop'
  | 'broken-link'
  | 'special-file'
  | 'undecodable-name'
  | 'own-data'
  | 'not-media'
  | 'corrupt'
  | 'unsupported'
  | 'too-large'
  | 'model-failed';

/** A file's problem as it is stored: a sentence for people and a stable code for programs. */
export interface FileProblem {
  message: string;
  code: MediaErrorCode;
}

type EntryKind = Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isDirectory'>;

/** What an entry that is not a regular file is, in words. */
export function specialFileKind(entry: EntryKind): string {
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device';
  if (entry.isDirectory()) return 'a folder';
  return 'something that is not a plain file';
}

/** The status of a media-named entry that is not a regular file. */
export function notAFileMessage(entry: EntryKind): string {
  return `not a regular file but ${specialFileKind(entry)}: skipped (never opened, since reading it could wait forever)`;
}

/**
 * Refuses an opened file its own stat says cannot be read: not a regular file (a name that became a
 * FIFO or a device since the scan: reading it could wait forever), empty, or, for a photo, larger
 * than any camera writes. Checked on the open file, so what is read is what was checked.
 */
export function refuseUnreadable(st: Stats, photo: boolean): void {
  if (!st.isFile()) throw new MediaError(notAFileMessage(st), 'not-media');
  if (st.size === 0) throw new MediaError('empty file (0 bytes)', 'empty');
  if (photo && st.size > MAX_IMAGE_FILE_BYTES) {
    throw new MediaError(`file too large for a photo (${(st.size / 1024 ** 3).toFixed(1)} GB)`, 'too-large');
  }
}

export function describeFileError(error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new MediaError('the file disappeared before it could be read', 'vanished');
    case 'EACCES':
    case 'EPERM':
      return new MediaError('permission denied: Trove may not read this file', 'permission-denied');
    case 'ELOOP':
      return new MediaError('symbolic link loop: the link points back to itself', 'link-loop');
    case 'EISDIR':
      return new MediaError('this is a folder, not a file', 'not-media');
    case 'EIO':
      return new MediaError('input/output error while reading (failing disk or disconnected drive?)', 'unreadable');
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return new MediaError(`could not read the file: ${message}`, 'unreadable');
    }
  }
}
