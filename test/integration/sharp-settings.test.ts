/**
 * libvips' settings belong to the whole process, and sharp turns its operation cache back on in every
 * thread that loads it (up to 50 MB of pictures and 20 files kept open: files a person then cannot
 * delete or move on Windows). The model worker loads it (through transformers.js, a few hundred
 * milliseconds before the engine's own modules turned the cache off again), and so does the HEIC
 * worker, which left it on. Each thread now loads sharp through media/sharp-settings first.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeHeic } from '../../src/main/core/media/heic.js';
import { exifOrientation } from '../../src/main/core/media/exif.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { openPicturesLibrary } from '../helpers/engine.js';
import { hasHeifEnc, heifEnc } from '../helpers/heif-enc.js';
import { writeSyntheticPhoto, writeSyntheticPhotos } from '../helpers/images.js';
import { tempDir } from '../helpers/temp.js';

const nothingKept = { memory: { max: 0 }, files: { max: 0 }, items: { max: 0 } };

describe('sharp in every thread', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('caches no picture and keeps no file open once the model worker has loaded sharp', async () => {
    const dir = tempDir();
    await writeSyntheticPhotos(dir, 3, 100);
    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      const summary = await engine.indexer.index(); // starts the model worker, which loads sharp
      expect(summary.embedded).toBe(3);
      expect(sharp.cache()).toMatchObject(nothingKept);
    } finally {
      await engine.close();
    }
  });

  it.skipIf(!hasHeifEnc)('caches no picture and keeps no file open once the HEIC worker has loaded sharp', async () => {
    const dir = tempDir();
    await writeSyntheticPhoto(join(dir, 'p.jpg'), 11, 640, 480, 'jpeg', 4);
    await decodeHeic(heifEnc(join(dir, 'p.jpg'), join(dir, 'p.heic')), 224, exifOrientation); // the HEIC worker, started if it was not
    expect(sharp.cache()).toMatchObject(nothingKept);
  });
});
