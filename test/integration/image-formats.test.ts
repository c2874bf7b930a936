/** Image formats, EXIF orientation, metadata and thumbnails, through the real indexing pipeline. */
import sharp from 'sharp';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { storeOf } from '../helpers/library-store.js';

describe('image formats', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('indexes JPEG, PNG, WebP, GIF, AVIF and TIFF, upright by EXIF orientation, with EXIF metadata', async () => {
    const photos = tempDir();
    const base = join(tempDir(), 'base.png');
    await writeSyntheticPhoto(base, 7, 300, 200, 'png');
    await sharp(base).jpeg().toFile(join(photos, 'a.jpg'));
    await sharp(base).png().toFile(join(photos, 'b.png'));
    await sharp(base).webp().toFile(join(photos, 'c.webp'));
    await sharp(base).gif().toFile(join(photos, 'd.gif'));
    await sharp(base).avif({ effort: 0 }).toFile(join(photos, 'e.avif'));
    await sharp(base).tiff().toFile(join(photos, 'f.tiff'));
    // Stored sideways with orientation 6 ("rotate 90° clockwise to view"), plus camera and date tags.
    const sideways = join(photos, 'sideways.jpg');
    await sharp(base)
      .rotate(-90)
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Make: 'TestCam', Model: 'Model 1' }, IFD2: { DateTimeOriginal: '2021:07:14 10:30:00' } })
      .toFile(sideways);

    const lib = tempDir();
    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'm') });
    try {
      engine.folders.add(photos);
      const summary = await engine.indexer.index();
      expect(summary.failed).toBe(0);
      expect(summary.embedded).toBeGreaterThanOrEqual(6);
      const store = storeOf(engine);
      const rows = store.files
        .pathsWithStatus('ready')
        .map((path) => ({ path, ...store.contents.byId(store.files.byPath(path)!.content_id!)! }));
      expect(rows.map((r) => r.path.split('/').pop()).sort()).toEqual([
        'a.jpg',
        'b.png',
        'c.webp',
        'd.gif',
        'e.avif',
        'f.tiff',
        'sideways.jpg',
      ]);
      const turned = rows.find((r) => r.path === sideways)!;
      expect(turned).toMatchObject({ width: 300, height: 200, orientation: 6, camera_make: 'TestCam' });
      expect(new Date(turned.taken_at!).getUTCFullYear()).toBe(2021);

      // The sideways file, turned upright, looks like the upright original: it is its nearest neighbour.
      const near = await engine.search.similar(join(photos, 'b.png'), { limit: 10 });
      const rank = near.results.findIndex((r) => r.path === sideways);
      expect(rank).toBeGreaterThanOrEqual(0);
      expect(near.results[rank]!.score).toBeGreaterThan(0.95);

      // Thumbnails: made once, cached on disk, upright.
      const fileId = storeOf(engine).files.byPath(sideways)!.id;
      const thumb = await engine.media.thumbnail(fileId, 128);
      expect(existsSync(thumb)).toBe(true);
      const meta = await sharp(thumb).metadata();
      expect([meta.width, meta.height]).toEqual([128, 85]);
      const mtime = statSync(thumb).mtimeMs;
      expect(await engine.media.thumbnail(fileId, 128)).toBe(thumb);
      expect(statSync(thumb).mtimeMs).toBe(mtime);
    } finally {
      await engine.close();
    }
  });

  it('streams big files (hash, probe, EXIF from disk) instead of holding them in memory', async () => {
    const photos = tempDir();
    const big = join(photos, 'scan.tiff');
    await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 40, g: 90, b: 160 } } })
      .tiff({ compression: 'none' })
      .toFile(big);
    // EXIF read from a path (as for big files) finds the same tags as from bytes.
    const tagged = join(tempDir(), 'tagged.jpg');
    await sharp(big)
      .resize(400)
      .jpeg()
      .withExifMerge({ IFD0: { Make: 'ScanCo' } })
      .toFile(tagged);
    const { readExif } = await import('../../src/main/core/media/exif.js');
    expect((await readExif(tagged)).cameraMake).toBe('ScanCo');
    expect(statSync(big).size).toBeGreaterThan(32 * 1024 ** 2);
    const lib = tempDir();
    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'm') });
    try {
      engine.folders.add(photos);
      const summary = await engine.indexer.index();
      expect(summary).toMatchObject({ embedded: 1, failed: 0 });
      const store = storeOf(engine);
      const [only] = store.files.pathsWithStatus('ready');
      const row = store.contents.byId(store.files.byPath(only!)!.content_id!);
      const { blake3 } = await import('@napi-rs/blake-hash');
      const { readFileSync } = await import('node:fs');
      // Hashed as a stream (it is larger than what is read whole), the same digest as in one piece.
      expect(store.contents.hashAlgorithm()).toBe('blake3');
      expect(row).toMatchObject({ width: 4000, height: 3000, hash: blake3(readFileSync(big)).toString('hex') });
    } finally {
      await engine.close();
    }
  });
});
