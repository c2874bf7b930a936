/**
 * Opens the library database: SQLite in WAL mode (readers never block the indexer, and a crash
 * loses at most the transaction in flight), foreign keys on, schema migrated to the latest version.
 *
 * A damaged database is never quietly replaced by a new empty library: a 0-byte or missing file where
 * backups show a library existed, a file SQLite cannot read, or one that fails `PRAGMA quick_check`
 * stops the open with LibraryDamagedError, which says to run `trove repair` (store/backups.ts).
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { MIGRATIONS } from './migrations.js';
import { TroveError } from '../errors.js';

export type Db = Database.Database;

export class LibraryDamagedError extends TroveError {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(
      'damaged',
      `the library database ${file} is damaged (${detail}). Run \`trove repair\` to restore its newest backup and read your folders again; the damaged file is kept aside, nothing of yours is deleted`,
    );
    this.name = 'LibraryDamagedError';
  }
}

export interface OpenOptions {
  /** Backups exist, so a missing or empty database file is damage, not a new library. */
  hasBackups?: boolean;
  /**
   * Skip `quick_check` at open: the caller checks the file on another thread (integrity-check.ts),
   * because the check reads every page, which at a million vectors is 4 GB and two seconds.
   */
  checkedElsewhere?: boolean;
}

/** A database up to this size is checked before its open returns (a fraction of a second); a larger one after. */
export const CHECKED_AT_OPEN_MAX_BYTES = 256 * 2 ** 20;

/** Whether a database is large enough to be checked after the open, on another thread. */
export function isCheckedAfterOpen(file: string): boolean {
  return existsSync(file) && statSync(file).size > CHECKED_AT_OPEN_MAX_BYTES;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  // SQLite writes its header as soon as a library is created, so a 0-byte file is damage.
  if (existsSync(file) && statSync(file).size === 0) throw new LibraryDamagedError(file, 'the file is empty (0 bytes)');
  if (!existsSync(file) && options.hasBackups) throw new LibraryDamagedError(file, 'the file is missing, but backups of it exist');
  let db: Db | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = options.checkedElsewhere ? 'ok' : checkIntegrity(db);
    if (check !== 'ok') throw new LibraryDamagedError(file, check);
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof LibraryDamagedError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw new LibraryDamagedError(file, (error as Error).message);
    throw error;
  }
}

/** Whether this connection has written anything since it was opened (migrations included). */
export function changedSinceOpen(db: Db): boolean {
  return Number(db.prepare('SELECT total_changes()').pluck().get()) > 0;
}

/** "ok", or SQLite's first complaint about the file's structure (every page is read). */
export function checkIntegrity(db: Db): string {
  // SQLite heads its complaint with "*** in database main ***" and a line break: one line is kept.
  const found = String(db.pragma('quick_check(1)', { simple: true }));
  return found
    .replace(/\*\*\* in database \w+ \*\*\*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `quick_check` of a database file through a read-only connection of its own: "ok", or what is wrong. */
export function checkDatabaseFile(file: string): string {
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return checkIntegrity(db);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    db?.close();
  }
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`this library was written by a newer Trove (schema ${current}, this version knows ${MIGRATIONS.length}); update Trove`);
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export function schemaVersion(): number {
  return MIGRATIONS.length;
}
