/**
 * Removing duplicates never deletes: files go to the system trash (the freedesktop layout here, in
 * a temporary XDG_DATA_HOME), with a .trashinfo the desktop can restore from; the library forgets
 * them at once; Undo puts them back and the library finds them again. Files outside the library
 * are refused.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';

describe('moving files to the trash, and back', () => {
  let savedXdg: string | undefined;
  beforeEach(() => {
    savedXdg = process.env.XDG_DATA_HOME;
    useModelDirs(FIXTURE_MODELS);
  });
  afterEach(() => {
    if (savedXdg === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = savedXdg;
  });

  it('trashes library files with a trashinfo record, forgets them, and restores them on undo', async () => {
    const data = tempDir();
    process.env.XDG_DATA_HOME = data;
    const folder = tempDir();
    const [a, b, c] = await writeSyntheticPhotos(folder, 3);
    const outside = join(tempDir(), 'not-in-library.jpg');
    writeFileSync(outside, readFileSync(a!));
    const engine = Engine.open({ libraryDir: tempDir(), modelCacheDir: tempDir(), offline: true });
    try {
      engine.folders.add(folder);
      await engine.indexer.index();
      const report = engine.trash.trash([b!, c!, outside]);
      expect(report.trashed.sort()).toEqual([b!, c!].sort());
      expect(report.failed).toEqual([{ path: outside, error: 'not a file of the library' }]);
      expect(existsSync(b!)).toBe(false);
      expect(existsSync(outside)).toBe(true);
      const trashed = readdirSync(join(data, 'Trash', 'files')).sort();
      expect(trashed).toHaveLength(2);
      const info = readFileSync(join(data, 'Trash', 'info', `${trashed[0]}.trashinfo`), 'utf8');
      expect(info).toMatch(/^\[Trash Info\]\nPath=\/.+\nDeletionDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n$/);
      expect(engine.search.browse().map((h) => h.path)).toEqual([a]);

      // Same name trashed again: both kept, under distinct names.
      writeFileSync(b!, readFileSync(a!));
      await engine.indexer.index();
      const again = engine.trash.trash([b!]);
      expect(again.trashed).toEqual([b]);
      expect(readdirSync(join(data, 'Trash', 'files'))).toHaveLength(3);

      const undo = engine.trash.restore(report.batch);
      expect(undo.restored.sort()).toEqual([b!, c!].sort());
      expect(undo.failed).toEqual([]);
      expect(existsSync(c!)).toBe(true);
      expect(readdirSync(join(data, 'Trash', 'info'))).toHaveLength(1);
      await engine.indexer.index();
      expect(
        engine.search
          .browse()
          .map((h) => h.path)
          .sort(),
      ).toEqual([a!, b!, c!].sort());
      // The second batch cannot come back over the restored file of the same name.
      const clash = engine.trash.restore(again.batch);
      expect(clash.restored).toEqual([]);
      expect(clash.failed[0]!.error).toMatch(/exists again/);
    } finally {
      await engine.close();
    }
  });
});
