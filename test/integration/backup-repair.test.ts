/**
 * A damaged library database is detected at open and repaired from its rolling backup: damaged four
 * ways (cut in half, emptied to 0 bytes, overwritten with zeros, pages flipped), every command says
 * so and names `trove repair`; the repair keeps the damaged file aside, restores the backup and reads
 * the folders again; the library then answers the same search as before, and what changed on disk
 * since the backup (a photo added later) is found by the repair and indexed by the next run.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODELS } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhoto, writeSyntheticPhotos } from '../helpers/images.js';
import { runCli } from '../helpers/cli.js';

type Damage = (file: string) => void;

const PAGE = 4096;
const damages: [string, Damage][] = [
  ['cut in half', (file) => truncateSync(file, Math.floor(statSync(file).size / 2 / PAGE) * PAGE)],
  ['emptied to 0 bytes', (file) => truncateSync(file, 0)],
  ['overwritten with zeros', (file) => writeFileSync(file, Buffer.alloc(statSync(file).size))],
  [
    'pages flipped',
    (file) => {
      // Every page but the first (the header) gets bytes inverted in its middle.
      const fd = openSync(file, 'r+');
      const pages = Math.floor(statSync(file).size / PAGE);
      for (let page = 1; page < pages; page += 1) {
        const chunk = Buffer.alloc(64);
        readSync(fd, chunk, 0, 64, page * PAGE + 8);
        for (let i = 0; i < chunk.length; i += 1) chunk[i] = chunk[i]! ^ 0xff;
        writeSync(fd, chunk, 0, 64, page * PAGE + 8);
      }
      closeSync(fd);
    },
  ],
];

describe('backups and repair', () => {
  it.each(damages)('repairs a library whose database was %s', async (_label, damage) => {
    const lib = tempDir();
    const photos = tempDir();
    await writeSyntheticPhotos(photos, 6);
    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    const cli = (...args: string[]) => runCli(['--library', lib, ...args], { env });
    expect((await cli('add', photos)).code).toBe(0);
    expect((await cli('index')).code).toBe(0);
    const before = await cli('search', 'a red square', '--json');
    expect(before.code, before.stderr).toBe(0);
    expect(existsSync(join(lib, 'backups'))).toBe(true);

    // Changed on disk after the last backup: caught up from the disk by the repair's scan.
    await writeSyntheticPhoto(join(photos, 'later.jpg'), 77);

    const database = join(lib, 'library.db');
    const original = readFileSync(database);
    damage(database);
    const refused = await cli('status');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/damaged/);
    expect(refused.stderr).toMatch(/trove repair/);

    const repair = await cli('repair');
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toMatch(/restored the library from its backup/);
    expect(repair.stdout).toMatch(/1 new/);
    const kept = /kept the damaged file as (\S+)/.exec(repair.stdout)?.[1];
    expect(kept && existsSync(kept)).toBe(true);
    expect(readFileSync(kept!).length).toBe(statSync(kept!).size);
    expect(original.length).toBeGreaterThan(0);

    const after = await cli('search', 'a red square', '--json');
    expect(after.code, after.stderr).toBe(0);
    const paths = (out: string) => (JSON.parse(out) as { results: { path: string }[] }).results.map((r) => r.path);
    expect(paths(after.stdout)).toEqual(paths(before.stdout));

    expect((await cli('index')).code).toBe(0);
    const status = JSON.parse((await cli('status', '--json')).stdout) as { files: { ready: number } };
    expect(status.files.ready).toBe(7);
  });

  it('keeps at most three backups, each a database that passes its check', async () => {
    const { LibraryBackups } = await import('../../src/main/core/store/backups.js');
    const { openDatabase } = await import('../../src/main/core/store/database.js');
    const dir = tempDir();
    const db = openDatabase(join(dir, 'library.db'));
    const backups = new LibraryBackups(join(dir, 'backups'), join(dir, 'library.db'));
    for (let i = 0; i < 5; i += 1) {
      expect(await backups.take(db)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct timestamps
    }
    db.close();
    expect(backups.list()).toHaveLength(3);
    copyFileSync(backups.list()[0]!.path, join(dir, 'copy.db'));
    expect(openDatabase(join(dir, 'copy.db'))).toBeDefined();
  });
});
