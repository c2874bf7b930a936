/**
 * Issue 12, the query language through the engine: filters typed inline (camera:, year:, has:gps,
 * has:text, type:, folder:) narrow a search or, alone, the library; `-word` leaves out what shows
 * the word; what cannot be understood is a hint, never an error.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const names = (results: { path: string }[]) => results.map((r) => r.path.slice(dir.length + 1)).sort();

/** A sign reading `words` (or a plain wall), with a camera, a date and maybe a place. */
async function photo(name: string, words: string, make: string, date: string, gps?: boolean): Promise<void> {
  const svg = `<svg width="900" height="400"><rect width="900" height="400" fill="#f4efe6"/><text x="450" y="240" text-anchor="middle" font-size="100" font-family="sans-serif" fill="#1a1a1a">${words}</text></svg>`;
  await sharp(Buffer.from(svg))
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: make, Model: `${make} One` },
      IFD2: { DateTimeOriginal: date },
      ...(gps
        ? { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 41/1 22/1', GPSLongitudeRef: 'E', GPSLongitude: '139/1 41/1 30/1' } }
        : {}),
    })
    .toFile(join(dir, name));
}

describe('the query language', () => {
  let engine: Engine;
  beforeEach(() => useModelDirs(FIXTURE_MODELS));
  beforeAll(async () => {
    useModelDirs(FIXTURE_MODELS);
    mkdirSync(join(dir, 'trips'));
    await photo('bakery.jpg', 'BAKERY', 'Canon', '2019:06:01 10:00:00', true);
    await photo('trips/bakery-cafe.jpg', 'BAKERY CAFE', 'Nikon', '2021:03:01 10:00:00');
    await photo('wall.jpg', '', 'Canon', '2021:08:01 10:00:00', true);
    engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    engine.settings.update({ audioModel: null });
    engine.folders.add(dir);
    await engine.indexer.index();
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('narrows the library by filters alone', async () => {
    expect(names((await engine.search.text('camera:canon')).results)).toEqual(['bakery.jpg', 'wall.jpg']);
    expect(names((await engine.search.text('year:2021')).results)).toEqual(['trips/bakery-cafe.jpg', 'wall.jpg']);
    expect(names((await engine.search.text('has:gps')).results)).toEqual(['bakery.jpg', 'wall.jpg']);
    expect(names((await engine.search.text('has:text')).results)).toEqual(['bakery.jpg', 'trips/bakery-cafe.jpg']);
    expect(names((await engine.search.text('folder:trips')).results)).toEqual(['trips/bakery-cafe.jpg']);
    expect(names((await engine.search.text('before:2020 camera:canon')).results)).toEqual(['bakery.jpg']);
    expect((await engine.search.text('type:video')).results).toEqual([]);
  });

  it('narrows a search, and leaves out what shows a word', async () => {
    const text = async (q: string) => (await engine.search.text(q, { limit: 10 })).results.filter((r) => r.via === 'text');
    expect(names(await text('bakery'))).toEqual(['bakery.jpg', 'trips/bakery-cafe.jpg']);
    expect(names(await text('bakery -cafe'))).toEqual(['bakery.jpg']);
    expect(names(await text('bakery camera:nikon'))).toEqual(['trips/bakery-cafe.jpg']);
    const response = await engine.search.text('bakery -cafe year:2019');
    expect(response.query).toEqual({ filters: [{ key: 'year', value: '2019', raw: 'year:2019' }], exclude: ['cafe'], hints: [] });
  });

  it('says what it could not understand, and still answers', async () => {
    const response = await engine.search.text('bakery year:19');
    expect(response.query!.hints).toEqual(['year: takes a year, such as year:2019 (not "19")']);
    expect(names(response.results.filter((r) => r.via === 'text'))).toEqual(['bakery.jpg', 'trips/bakery-cafe.jpg']);
  });
});
