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
    const check = checkIntegrity(db);
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
  return String(db.pragma('quick_check(1)', { simple: true }));
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
