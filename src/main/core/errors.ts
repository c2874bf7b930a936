/**
 * The engine's errors, by what went wrong rather than by their wording, and the one place that says
 * how each answers a request (HTTP status for `trove serve`, the same for the app's IPC and the CLI's
 * exit). Anything that is not one of these is a bug: a 500, logged with its stack.
 *
 * Errors about one user's file are not thrown at requests: they are stored per file (MediaError in
 * util/file-errors.ts, with its stable code beside its sentence).
 */
import { MediaError } from './util/file-errors.js';

export type ErrorKind =
  /** The request itself is malformed or asks for something impossible ("a full path is needed"). */
  | 'invalid-input'
  /** What it names does not exist (a file id, a model name, a batch). */
  | 'not-found'
  /** Well-formed, but cannot be done with what is there ("no such folder", "not an image"). */
  | 'unprocessable'
  /** Not now, or not here ("offline mode is on", "needs the desktop app", "already in the library"). */
  | 'conflict'
  /** A model the request needs is not installed (and cannot be downloaded now). */
  | 'model-not-installed'
  /** Another Trove process holds the library. */
  | 'busy'
  /** The library database is damaged: `trove repair`. */
  | 'damaged'
  /** Too large to accept. */
  | 'too-large';

export class TroveError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'TroveError';
  }
}

export class InvalidInputError extends TroveError {
  constructor(message: string) {
    super('invalid-input', message);
  }
}

export class NotFoundError extends TroveError {
  constructor(message: string) {
    super('not-found', message);
  }
}

export class UnprocessableError extends TroveError {
  constructor(message: string) {
    super('unprocessable', message);
  }
}

export class ConflictError extends TroveError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class TooLargeError extends TroveError {
  constructor(message: string) {
    super('too-large', message);
  }
}

const STATUS: Record<ErrorKind, number> = {
  'invalid-input': 400,
  'not-found': 404,
  unprocessable: 422,
  conflict: 409,
  'model-not-installed': 409,
  busy: 409,
  damaged: 503,
  'too-large': 413,
};

export interface ErrorAnswer {
  status: number;
  message: string;
  /** Unknown errors are bugs: their details belong in the log, not in the person's face. */
  bug: boolean;
}

/** How an error answers a request, whoever carries it (HTTP, IPC, the CLI). */
export function answerFor(error: unknown): ErrorAnswer {
  if (error instanceof TroveError) return { status: STATUS[error.kind], message: error.message, bug: false };
  if (error instanceof MediaError) return { status: 422, message: error.message, bug: false };
  return { status: 500, message: 'internal error; the details are in the log', bug: true };
}
