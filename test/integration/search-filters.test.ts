/** Search filters, minimum score, limit and offset, on a real index. */
import sharp from 'sharp';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

describe('search filters', () => {
  let root: string;
  let photos: string;
  let engine: Engine;
  const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

  beforeAll(async () => {
    useModelDirs(FIXTURE_MODELS);
    root = mkdtempSync(join(tmpdir(), 'trove-filters-'));
    photos = join(root, 'photos');
    // 2019: four JPEGs in trips/; 2023: three PNGs in home/ and one JPEG in home/.
    for (let i = 0; i < 4; i += 1) {
      const path = join(photos, 'trips', `t${i}.jpg`);
      await writeSyntheticPhoto(path, 100 + i);
      utimesSync(path, day('2019-06-01'), day('2019-06-01'));
    }
    for (let i = 0; i < 3; i += 1) {
      const path = join(photos, 'home', `h${i}.png`);
      await writeSyntheticPhoto(path, 200 + i, 320, 240, 'png');
      utimesSync(path, day('2023-03-01'), day('2023-03-01'));
    }
    const dated = join(photos, 'home', 'exif-dated.jpg');
    await sharp(join(photos, 'home', 'h0.png'))
      .jpeg()
      .withExifMerge({ IFD2: { DateTimeOriginal: '2019:06:02 08:00:00' } })
      .toFile(dated);
    utimesSync(dated, day('2023-03-01'), day('2023-03-01'));
    engine = Engine.open({ libraryDir: join(root, 'lib'), offline: true, modelCacheDir: join(root, 'models') });
    engine.folders.add(photos);
    expect((await engine.indexer.index()).embedded).toBe(8);
  });

  afterAll(async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  const names = (results: { path: string }[]) => results.map((r) => r.path.split('/').pop()!).sort();

  it('filters by folder', async () => {
    const { results } = await engine.search.text('holiday', { folder: join(photos, 'trips'), limit: 50 });
    expect(names(results)).toEqual(['t0.jpg', 't1.jpg', 't2.jpg', 't3.jpg']);
  });

  it('filters by file type', async () => {
    const { results } = await engine.search.text('holiday', { types: ['png'], limit: 50 });
    expect(names(results)).toEqual(['h0.png', 'h1.png', 'h2.png']);
    const jpeg = await engine.search.text('holiday', { types: ['jpeg'], limit: 50 });
    expect(jpeg.results).toHaveLength(5);
  });

  it('filters by date taken, falling back to the file date', async () => {
    const in2019 = await engine.search.text('holiday', { from: Date.UTC(2019, 0, 1), to: Date.UTC(2019, 11, 31), limit: 50 });
    expect(names(in2019.results)).toEqual(['exif-dated.jpg', 't0.jpg', 't1.jpg', 't2.jpg', 't3.jpg']);
    const in2023 = await engine.search.text('holiday', { from: Date.UTC(2023, 0, 1), limit: 50 });
    expect(names(in2023.results)).toEqual(['h0.png', 'h1.png', 'h2.png']);
  });

  it('combines filters, and a filter that matches nothing returns nothing', async () => {
    const { results } = await engine.search.text('holiday', { folder: join(photos, 'home'), types: ['jpg'], limit: 50 });
    expect(names(results)).toEqual(['exif-dated.jpg']);
    expect((await engine.search.text('holiday', { types: ['gif'] })).results).toEqual([]);
  });

  it('pages with limit and offset over one consistent ranking, and honours a minimum score', async () => {
    const all = (await engine.search.text('a sunny day', { limit: 50 })).results;
    expect(all).toHaveLength(8);
    const page = (await engine.search.text('a sunny day', { limit: 3, offset: 2 })).results;
    expect(page.map((r) => r.path)).toEqual(all.slice(2, 5).map((r) => r.path));
    const threshold = all[3]!.score;
    const above = (await engine.search.text('a sunny day', { minScore: threshold, limit: 50 })).results;
    expect(above.map((r) => r.path)).toEqual(all.filter((r) => r.score >= threshold).map((r) => r.path));
  });

  it('accepts a folder or example given through a symbolic link', async () => {
    const { symlinkSync } = await import('node:fs');
    const link = join(root, 'trips-link');
    symlinkSync(join(photos, 'trips'), link);
    const { results } = await engine.search.text('holiday', { folder: link, limit: 50 });
    expect(names(results)).toEqual(['t0.jpg', 't1.jpg', 't2.jpg', 't3.jpg']);
    const similar = await engine.search.similar(join(link, 't0.jpg'), { limit: 50 });
    expect(similar.results.map((r) => r.path)).not.toContain(join(photos, 'trips', 't0.jpg'));
    expect(similar.results).toHaveLength(7);
  });
});
