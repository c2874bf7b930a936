/**
 * Rolling backups of the library database, and the repair that restores one.
 *
 * A backup is SQLite's online backup of the open database (consistent while the library is in use),
 * checked with quick_check before it takes its place, so a damaged database never pushes a good
 * backup out of the rotation. Trove backs up at every clean close that changed something, and once a
 * day while it runs; the newest few are kept. So a repair loses at most what changed since the last
 * clean close (and the folders are read again after it, which catches up files added since).
 *
 * Repair moves the damaged database (and its WAL) aside, never deleting it, and copies the newest
 * backup that passes quick_check into its place; the caller then reads the folders again, so what
 * changed on disk since the backup is caught up. The vector indexes are repaired against the
 * database when they are opened (index/vector-index.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkDatabaseFile, type Db } from './database.js';

export const BACKUPS_KEPT = 3;

export interface BackupFile {
  path: string;
  takenAt: number;
}

export interface RepairReport {
  /** The backup put in place, or undefined when there was none and an empty library was started. */
  restored?: BackupFile;
  /** Where the damaged database was moved. */
  keptAt: string[];
}

export class LibraryBackups {
  constructor(
    private readonly dir: string,
    private readonly database: string,
  ) {}

  /** Newest first. */
  list(): BackupFile[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => /^library-\d+\.db$/.test(name))
      .map((name) => ({ path: join(this.dir, name), takenAt: Number(/\d+/.exec(name)![0]) }))
      .sort((a, b) => b.takenAt - a.takenAt);
  }

  /** Takes a backup of the open database; returns it, or undefined if the copy failed its check. */
  async take(db: Db): Promise<BackupFile | undefined> {
    mkdirSync(this.dir, { recursive: true });
    const takenAt = Date.now();
    const tmp = join(this.dir, `.library-${takenAt}-${process.pid}.tmp`);
    try {
      await db.backup(tmp);
      if (!isGood(tmp)) return undefined;
      const file = { path: join(this.dir, `library-${takenAt}.db`), takenAt };
      renameSync(tmp, file.path);
      for (const old of this.list().slice(BACKUPS_KEPT)) rmSync(old.path, { force: true });
      return file;
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /**
   * Puts the newest good backup in place of the damaged database, which is moved aside. With no
   * good backup, the damaged files are moved aside all the same and the library starts empty (the
   * report says so), rather than leaving the person with no way forward.
   */
  restore(): RepairReport {
    const good = this.list().find((backup) => isGood(backup.path));
    const aside = join(this.dir, 'damaged', `${Date.now()}`);
    const keptAt: string[] = [];
    for (const suffix of ['', '-wal', '-shm']) {
      const file = `${this.database}${suffix}`;
      if (!existsSync(file)) continue;
      mkdirSync(aside, { recursive: true });
      const target = join(aside, `library.db${suffix}`);
      renameSync(file, target);
      keptAt.push(target);
    }
    if (!good) return { keptAt };
    const tmp = `${this.database}.restoring`;
    copyFileSync(good.path, tmp);
    renameSync(tmp, this.database);
    return { restored: good, keptAt };
  }
}

function isGood(file: string): boolean {
  return existsSync(file) && statSync(file).size > 0 && checkDatabaseFile(file) === 'ok';
}
