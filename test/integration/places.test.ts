/**
 * Issue 12, places: photos carrying a GPS position are named offline (GeoNames' towns, shipped in an
 * npm package) and found by the place: "Paris", "Tokyo" and "New York" put the photos taken there
 * first among untagged ones; `in:japan` keeps only the photos taken in Japan; a region (a German
 * state, a French région) finds the photos taken in it, and a name typed without its accents still
 * does; the details say where.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Engine } from '../../src/main/core/engine.js';
import { toFileDetails } from '../../src/main/core/service/api-mapping.js';
import { placesNamed } from '../../src/main/core/search/searcher.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { tempDir } from '../helpers/temp.js';
import { openPicturesLibrary } from '../helpers/engine.js';

/** EXIF GPS as degrees, minutes and seconds (rationals), the way cameras write it. */
function gps(lat: number, lon: number): Record<string, string> {
  const dms = (v: number) => {
    const a = Math.abs(v);
    const d = Math.floor(a);
    const m = Math.floor((a - d) * 60);
    const s = Math.round(((a - d) * 60 - m) * 60 * 100);
    return `${d}/1 ${m}/1 ${s}/100`;
  };
  return { GPSLatitudeRef: lat >= 0 ? 'N' : 'S', GPSLatitude: dms(lat), GPSLongitudeRef: lon >= 0 ? 'E' : 'W', GPSLongitude: dms(lon) };
}

const PLACES: [string, number, number][] = [
  ['paris', 48.8584, 2.2945], // the Eiffel Tower
  ['tokyo', 35.6586, 139.7454], // Tokyo Tower
  ['newyork', 40.7484, -73.9857], // the Empire State Building
  ['munich', 48.1374, 11.5755], // Marienplatz, in Bavaria
  ['zurich', 47.3769, 8.5417], // Zürich's main station
  ['atsea', 0, -30], // the middle of the Atlantic: nowhere in particular
];

describe('places', () => {
  const dir = tempDir();
  let engine: Engine;
  beforeEach(() => useModelDirs(FIXTURE_MODELS));
  beforeAll(async () => {
    useModelDirs(FIXTURE_MODELS);
    await writeSyntheticPhotos(dir, 8, 300); // untagged
    for (const [i, [name, lat, lon]] of PLACES.entries()) {
      const photos = await writeSyntheticPhotos(tempDir(), 1, 400 + i);
      await sharp(photos[0]!)
        .withExif({ IFD3: gps(lat, lon) })
        .toFile(join(dir, `${name}.jpg`));
    }
    engine = openPicturesLibrary();
    engine.folders.add(dir);
    await engine.indexer.index();
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('finds photos by the town, the city or the country they were taken in', async () => {
    const first = async (query: string) => (await engine.search.text(query, { limit: 5 })).results[0]!;
    expect((await first('Paris')).path).toBe(join(dir, 'paris.jpg'));
    expect((await first('Paris')).via).toBe('place');
    expect((await first('tokyo')).path).toBe(join(dir, 'tokyo.jpg'));
    expect((await first('New York')).path).toBe(join(dir, 'newyork.jpg'));
    expect((await first('photos in japan')).path).toBe(join(dir, 'tokyo.jpg'));
    const inJapan = await engine.search.text('in:japan', { limit: 20 });
    expect(inJapan.results.map((r) => r.path)).toEqual([join(dir, 'tokyo.jpg')]);
    const inUsa = await engine.search.text('in:usa', { limit: 20 });
    expect(inUsa.results.map((r) => r.path)).toEqual([join(dir, 'newyork.jpg')]);
  });

  it('finds photos by their region, and by names typed without their accents', async () => {
    const first = async (query: string) => (await engine.search.text(query, { limit: 5 })).results[0]!;
    expect((await first('Bavaria')).path).toBe(join(dir, 'munich.jpg'));
    expect((await first('Bavaria')).via).toBe('place');
    const inBavaria = await engine.search.text('in:bavaria', { limit: 20 });
    expect(inBavaria.results.map((r) => r.path)).toEqual([join(dir, 'munich.jpg')]);
    expect((await first('Île-de-France')).path).toBe(join(dir, 'paris.jpg'));
    expect((await first('ile de france')).path).toBe(join(dir, 'paris.jpg'));
    expect((await first('Zürich')).path).toBe(join(dir, 'zurich.jpg'));
    expect((await first('zurich')).path).toBe(join(dir, 'zurich.jpg'));
    // A region with no photos finds none by place.
    const california = await engine.search.text('in:california', { limit: 20 });
    expect(california.results).toEqual([]);
  });

  it('gathers the photos for the map in cells as fine as asked, only those in view when a box is given', () => {
    const world = engine.search.mapClusters();
    expect(world.map((c) => c.count).reduce((a, b) => a + b, 0)).toBe(PLACES.length);
    const nearMunich = engine.search.mapClusters({ cellDegrees: 0.05, within: { south: 47, west: 8, north: 49, east: 12 } });
    // Munich and Zürich are in view and in cells of their own; Paris, Tokyo and New York are not asked for.
    expect(nearMunich.map((c) => c.name).sort()).toEqual(['Munich, Germany', 'Zürich, Switzerland']);
  });

  it('says where a photo was taken, and nothing for a position that is nowhere in particular', () => {
    const byName = new Map(engine.search.browse({ limit: 50 }).map((h) => [h.path.split('/').pop()!, h.fileId]));
    const place = (name: string) => toFileDetails(engine.status.fileDetails(byName.get(name)!)!).place;
    expect(place('paris.jpg')).toBe('Paris, Île-de-France, France');
    // Tokyo's prefecture (Tōkyō) is not said twice.
    expect(place('tokyo.jpg')).toMatch(/Tokyo, Japan$/);
    expect(place('newyork.jpg')).toMatch(/New York City, New York, United States of America$/);
    expect(place('munich.jpg')).toMatch(/Munich, Bavaria, Germany$/);
    expect(place('atsea.jpg')).toBeUndefined();
  });

  it('takes a place name as meant: the whole query, after "in", or typed with a capital; not a word that is also a town', () => {
    const names = new Set(['nice', 'france', 'fr', 'new york city', 'reading']);
    expect(placesNamed('a nice sunset', names)).toEqual([]);
    expect(placesNamed('Nice at night', names)).toEqual(['nice']);
    expect(placesNamed('sunset in nice', names)).toEqual(['nice']);
    expect(placesNamed('new york', names)).toEqual(['new york city']);
    expect(placesNamed('a girl reading', names)).toEqual([]);
    expect(placesNamed('fr', names)).toEqual(['fr']);
    expect(placesNamed('photos of fr friends', names)).toEqual([]);
  });
});
