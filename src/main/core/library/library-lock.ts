/**
 * One indexer per library at a time (the app and the CLI may both be open): a lock file holding the
 * owner's pid. A lock left by a process that no longer exists (kill -9, power cut) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export class LibraryLockedError extends Error {}

export class LibraryLock {
  private held = false;

  constructor(private readonly file: string) {}

  acquire(): void {
    if (this.held) return;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        writeFileSync(this.file, String(process.pid), { flag: 'wx' });
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number.parseInt(readFileSync(this.file, 'utf8'), 10);
        if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
          throw new LibraryLockedError(`another Trove process (pid ${owner}) is indexing this library; stop it or wait for it to finish`);
        }
        rmSync(this.file, { force: true }); // stale: its owner is gone
      }
    }
    throw new LibraryLockedError('could not take the library lock');
  }

  release(): void {
    if (!this.held) return;
    rmSync(this.file, { force: true });
    this.held = false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
