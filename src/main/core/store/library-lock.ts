/**
 * One indexer per library at a time (the app, `trove serve` and the CLI may all be open).
 *
 * The lock is an exclusive SQLite transaction held open on a small lock database beside the library:
 * SQLite takes it with the operating system's byte-range locks, so two processes can never both hold
 * it (a pid file checked and then written can be taken twice in the gap), and the kernel drops it the
 * moment its holder dies, kill -9 and power cuts included: nothing stale is ever left to clean up.
 * Connections in one process exclude each other too (SQLite tracks its locks per file inside a process).
 *
 * Who holds it is written to a note beside it, only so that the others can say so in a sentence.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { TroveError } from '../errors.js';

export class LibraryLockedError extends TroveError {
  constructor(
    message: string,
    readonly holder: LockHolder | undefined,
  ) {
    super('busy', message);
    this.name = 'LibraryLockedError';
  }
}

export interface LockHolder {
  pid: number;
  /** What the holder is doing, in words ("trove serve", "trove index"). */
  purpose: string;
  since: number;
  /** The holder watches the library and answers requests (store/request-repo.ts). */
  watching: boolean;
}

export class LibraryLock {
  private db: Database.Database | undefined;
  /** acquire() calls not yet released: the lock is let go when the outermost holder releases it. */
  private depth = 0;

  constructor(
    private readonly file: string,
    /** What this process is, for the others' messages ("trove serve"). */
    private readonly purpose = 'Trove',
  ) {}

  get held(): boolean {
    return this.depth > 0;
  }

  /** Takes the lock or throws LibraryLockedError (naming the holder) at once; never waits. */
  acquire(mode: { watching?: boolean } = {}): void {
    if (!this.tryAcquire(mode)) {
      const holder = this.holder();
      const who = holder ? `another Trove process (${holder.purpose}, pid ${holder.pid})` : 'another Trove process';
      throw new LibraryLockedError(`${who} is indexing this library; stop it or wait for it to finish`, holder);
    }
  }

  /** Takes the lock if it is free; false if another process (or another engine here) holds it. */
  tryAcquire(mode: { watching?: boolean } = {}): boolean {
    if (this.depth > 0) {
      this.depth += 1;
      if (mode.watching) this.writeNote(true);
      return true;
    }
    const db = new Database(this.file, { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    }
    this.db = db;
    this.depth = 1;
    this.writeNote(Boolean(mode.watching));
    return true;
  }

  private writeNote(watching: boolean): void {
    try {
      const note: LockHolder = { pid: process.pid, purpose: this.purpose, since: Date.now(), watching };
      writeFileSync(`${this.file}.holder`, JSON.stringify(note));
    } catch {
      // The note is only for messages and hand-overs; the lock itself is held.
    }
  }

  release(): void {
    if (this.depth === 0) return;
    this.depth -= 1;
    if (this.depth > 0) return;
    try {
      this.db?.exec('ROLLBACK');
    } finally {
      this.db?.close();
      this.db = undefined;
    }
  }

  /** Who holds the lock, as its holder wrote it down (may be a past holder's note if it just ended). */
  holder(): LockHolder | undefined {
    try {
      const note = JSON.parse(readFileSync(`${this.file}.holder`, 'utf8')) as Partial<LockHolder>;
      if (typeof note.pid !== 'number' || typeof note.purpose !== 'string') return undefined;
      return { pid: note.pid, purpose: note.purpose, since: Number(note.since) || 0, watching: note.watching === true };
    } catch {
      return undefined;
    }
  }
}
