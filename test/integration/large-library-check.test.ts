/**
 * A large library database is checked after it opens, on a worker thread (quick_check reads every
 * page: two seconds at a million vectors, which a start must not wait for). Damage found then is
 * still reported, with what to do; a sound one is not.
 */
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKED_AT_OPEN_MAX_BYTES, openDatabase } from '../../src/main/core/store/database.js';
import { LibraryService } from '../../src/main/core/service/library-service.js';
import type { TroveEvent } from '../../src/shared/api.js';
import { tempDir } from '../helpers/temp.js';

const PAGE = 4096;

/** A library database just past the size checked at open (a table of blobs stands in for vectors). */
function largeLibrary(): string {
  const lib = tempDir();
  const database = join(lib, 'library.db');
  const db = openDatabase(database);
  db.exec('CREATE TABLE ballast (data BLOB)');
  const insert = db.prepare('INSERT INTO ballast (data) VALUES (randomblob(?))');
  const rows = Math.ceil(CHECKED_AT_OPEN_MAX_BYTES / 2 ** 20) + 8;
  db.transaction(() => {
    for (let i = 0; i < rows; i += 1) insert.run(2 ** 20);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  expect(statSync(database).size).toBeGreaterThan(CHECKED_AT_OPEN_MAX_BYTES);
  return lib;
}

/** Inverts the first bytes (page links) of every 64th page past the schema's. */
function damagePages(file: string): void {
  const fd = openSync(file, 'r+');
  const pages = Math.floor(statSync(file).size / PAGE);
  for (let page = 256; page < pages; page += 64) {
    const chunk = Buffer.alloc(16);
    readSync(fd, chunk, 0, chunk.length, page * PAGE);
    for (let i = 0; i < chunk.length; i += 1) chunk[i] = chunk[i]! ^ 0xff;
    writeSync(fd, chunk, 0, chunk.length, page * PAGE);
  }
  closeSync(fd);
}

function openService(lib: string): { service: LibraryService; notices: TroveEvent[] } {
  const service = new LibraryService({ libraryDir: lib, modelCacheDir: join(lib, 'models'), offline: true, version: 'test' });
  const notices: TroveEvent[] = [];
  service.subscribe((event) => event.type === 'notice' && notices.push(event));
  service.start();
  return { service, notices };
}

describe('a large library database', () => {
  it('opens without waiting for its check, and reports the damage the check finds after', async () => {
    const lib = largeLibrary();
    damagePages(join(lib, 'library.db'));
    const { service, notices } = openService(lib); // a small database this damaged would not open
    try {
      expect(service.status().damaged).toBeUndefined(); // not checked yet: the start did not wait
      await service.checkDatabase();
      expect(await service.engine.integrity()).not.toBe('ok');
      expect(service.status().damaged).toMatch(/damaged.*trove repair/);
      expect(notices).toEqual([
        expect.objectContaining({ type: 'notice', level: 'error', message: expect.stringMatching(/trove repair/) }),
      ]);
    } finally {
      await service.close();
    }
  }, 60_000);

  it('says nothing when the check finds it sound', async () => {
    const { service, notices } = openService(largeLibrary());
    try {
      await service.checkDatabase();
      expect(await service.engine.integrity()).toBe('ok');
      expect(service.status().damaged).toBeUndefined();
      expect(notices).toEqual([]);
    } finally {
      await service.close();
    }
  }, 60_000);
});
