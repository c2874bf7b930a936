/**
 * Issue 12, HEIC: real HEVC-coded HEIC files, made here with Debian's heif-enc (libheif-examples,
 * which CI installs), are indexed like JPEGs: upright (a file turned by its EXIF orientation), with
 * their date, camera and GPS, a thumbnail and a preview the browser can show; a phone-like HEIC with
 * a thumbnail item is decoded from that thumbnail for the model; and find-similar from a HEIC puts
 * its JPEG twin first.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeHeic } from '../../src/main/core/media/heic.js';
import { decodeForModel, probeImage } from '../../src/main/core/media/image-decoder.js';
import { modelResize, resizedPixels, resizePlan, turnedBy, writeModelInput } from '../../src/main/core/media/model-input.js';
import type { ImagePreprocess } from '../../src/main/core/media/image-preprocess.js';
import { writeGridHeic } from '../helpers/heic-grid.js';
import { exifOrientation } from '../../src/main/core/media/exif.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { writeSyntheticPhoto, writeSyntheticPhotos } from '../helpers/images.js';
import { tempDir } from '../helpers/temp.js';
import { openPicturesLibrary } from '../helpers/engine.js';
import { hasHeifEnc, heifEnc } from '../helpers/heif-enc.js';

describe.skipIf(!hasHeifEnc)('HEIC photos', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('are ready, upright, with their date, camera and place, and find their JPEG twin first', async () => {
    const dir = tempDir();
    const work = tempDir();
    await writeSyntheticPhotos(dir, 6, 100);
    // The twin: one picture as a JPEG and as a phone-like HEIC (with a thumbnail item).
    await writeSyntheticPhoto(join(dir, 'twin.jpg'), 7, 1600, 1200, 'jpeg', 4);
    const twin = heifEnc(join(dir, 'twin.jpg'), join(dir, 'twin.heic'), 320);
    // Turned by its EXIF orientation (6: the stored pixels are a quarter turn from upright), with a
    // date, a camera and a place in Paris.
    const svg = `<svg width="1200" height="800"><rect width="1200" height="800" fill="#3a6"/><rect width="300" height="200" fill="#e33"/></svg>`;
    await sharp(Buffer.from(svg))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD0: { Make: 'Apple', Model: 'iPhone 12' },
        IFD2: { DateTimeOriginal: '2021:07:14 10:30:00' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
      })
      .toFile(join(work, 'turned.jpg'));
    const turned = heifEnc(join(work, 'turned.jpg'), join(dir, 'turned.heic'));

    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      const summary = await engine.indexer.index();
      expect(summary.failed).toBe(0);
      const byPath = new Map(engine.search.browse({ limit: 50 }).map((hit) => [hit.path, hit]));
      expect(byPath.size).toBe(9);

      const details = engine.status.fileDetails(byPath.get(turned)!.fileId)!;
      expect(details).toMatchObject({ width: 800, height: 1200, camera_make: 'Apple', camera_model: 'iPhone 12' });
      expect(details.gps_lat).toBeCloseTo(48.8567, 3);
      expect(details.gps_lon).toBeCloseTo(2.3508, 3);
      expect(new Date(details.taken_at!).toISOString()).toMatch(/^2021-07-14T/);

      // Its preview is upright: the red corner, top left as stored, is top right once turned.
      const preview = await engine.media.thumbnail(byPath.get(turned)!.fileId, 256);
      const { data, info } = await sharp(preview).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([171, 256]);
      const at = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
      expect(at(info.width - 5, 5)).toBeGreaterThan(200); // red
      expect(at(5, 5)).toBeLessThan(100);

      // Find similar from the HEIC (itself left out): its JPEG twin first, well above the rest.
      const similar = (await engine.search.similar(twin, { limit: 3 })).results;
      expect(similar[0]!.path).toBe(join(dir, 'twin.jpg'));
      expect(similar[0]!.score).toBeGreaterThan(similar[1]!.score + 0.05);
    } finally {
      await engine.close();
    }
  });

  it('decodes a phone-like HEIC from its thumbnail item when that serves, and the whole picture otherwise', async () => {
    const dir = tempDir();
    await writeSyntheticPhoto(join(dir, 'p.jpg'), 3, 1600, 1200, 'jpeg', 4);
    const heic = heifEnc(join(dir, 'p.jpg'), join(dir, 'p.heic'), 320);
    const small = await decodeHeic(heic, 224, exifOrientation);
    expect([small.width, small.height]).toEqual([320, 240]);
    const whole = await decodeHeic(heic, 800, exifOrientation);
    expect([whole.width, whole.height]).toEqual([1600, 1200]);
    // A damaged file is a clear error, not a crash.
    const broken = readFileSync(heic).subarray(0, 600);
    await expect(decodeHeic(broken, 224, exifOrientation)).rejects.toThrow(/HEIC/);
  });

  it("writes a HEIC's model input from the decoding thread into the batch, as the engine's thread would, upright", async () => {
    const dir = tempDir();
    const work = tempDir();
    // Stored a quarter turn from upright (EXIF orientation 6), a red corner top left as stored.
    const svg = `<svg width="1200" height="800"><rect width="1200" height="800" fill="#3a6"/><rect width="300" height="200" fill="#e33"/></svg>`;
    await sharp(Buffer.from(svg)).jpeg().withMetadata({ orientation: 6 }).toFile(join(work, 'turned.jpg'));
    await writeSyntheticPhoto(join(work, 'phone.jpg'), 9, 1600, 1200, 'jpeg', 4);
    const turned = heifEnc(join(work, 'turned.jpg'), join(dir, 'turned.heic'));
    const phone = heifEnc(join(work, 'phone.jpg'), join(dir, 'phone.heic'), 320); // served by its thumbnail
    const pre: ImagePreprocess = { size: 224, resizeShortest: 224, mean: [0.48, 0.46, 0.41], std: [0.27, 0.26, 0.28], rescale: true };
    const plane = 3 * pre.size * pre.size;

    for (const path of [turned, phone]) {
      const probe = await probeImage(path);
      // Into the second slot of a shared batch, as the embedding pipeline decodes: nothing else written.
      const batch = new Float32Array(new SharedArrayBuffer(2 * plane * Float32Array.BYTES_PER_ELEMENT));
      const { fingerprint } = await decodeForModel(path, pre, batch, plane, probe);
      expect(batch.subarray(0, plane).every((v) => v === 0)).toBe(true);
      // One picture in memory of its own (a search by an image) gets the same input.
      const single = new Float32Array(plane);
      expect((await decodeForModel(path, pre, single, 0)).fingerprint).toEqual(fingerprint);
      expect(single).toEqual(batch.subarray(plane));
      // The same steps on this thread, from the pixels the worker hands out: the same input, bit for bit.
      const plan = resizePlan(probe, (w, h) => modelResize(pre, w, h));
      const picture = await decodeHeic(path, plan.shortest, exifOrientation);
      const upright = turnedBy(
        sharp(picture.rgb, { raw: { width: picture.width, height: picture.height, channels: 3 } }),
        picture.orientation,
      );
      const size =
        picture.orientation >= 5 ? { width: picture.height, height: picture.width } : { width: picture.width, height: picture.height };
      const { data, info } = await resizedPixels(upright, probe, size, plan);
      const expected = new Float32Array(plane);
      expect(writeModelInput(data, info, pre, expected, 0)).toEqual(fingerprint);
      expect(single).toEqual(expected);
    }

    // Upright: the red corner, top left as stored, is top right of what the model sees.
    const input = new Float32Array(plane);
    await decodeForModel(turned, pre, input, 0);
    const red = (x: number, y: number) => input[y * pre.size + x]! - input[2 * pre.size * pre.size + y * pre.size + x]!;
    expect(red(pre.size - 5, 5)).toBeGreaterThan(1.5);
    expect(red(5, 5)).toBeLessThan(0);
  });

  it("decodes a caller's bytes without taking them, and says what is wrong with a path it cannot read", async () => {
    const dir = tempDir();
    await writeSyntheticPhoto(join(dir, 'p.jpg'), 4, 1200, 900, 'jpeg', 4);
    const heic = heifEnc(join(dir, 'p.jpg'), join(dir, 'p.heic'), 320);
    // Large enough to have memory of its own (not Node's shared pool of small Buffers).
    const bytes = readFileSync(heic);
    const copy = Buffer.from(bytes);
    const fromBytes = await decodeHeic(bytes, 224, exifOrientation);
    expect(bytes.length).toBe(copy.length);
    expect(bytes.equals(copy)).toBe(true);
    const fromPath = await decodeHeic(heic, 224, exifOrientation);
    expect(fromPath.rgb.equals(fromBytes.rgb)).toBe(true);

    // Read by the decoding thread itself: a vanished file, a named pipe (opened without waiting for a
    // writer) and an empty file each get their own status, as ingest gives them.
    await expect(decodeHeic(join(dir, 'gone.heic'), 224, exifOrientation)).rejects.toMatchObject({ code: 'vanished' });
    execFileSync('mkfifo', [join(dir, 'pipe.heic')]);
    await expect(decodeHeic(join(dir, 'pipe.heic'), 224, exifOrientation)).rejects.toMatchObject({ code: 'not-media' });
    writeFileSync(join(dir, 'empty.heic'), '');
    await expect(decodeHeic(join(dir, 'empty.heic'), 224, exifOrientation)).rejects.toMatchObject({ code: 'empty' });
    // A damaged file read from its path is still a damaged file.
    writeFileSync(join(dir, 'cut.heic'), readFileSync(heic).subarray(0, 600));
    await expect(decodeHeic(join(dir, 'cut.heic'), 224, exifOrientation)).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('assembles a grid (tiled) HEIC, as iPhones write every photo, whole and upright, and indexes it', async () => {
    const dir = tempDir();
    const work = tempDir();
    // Six tiles of six colours, so a tile out of place or a wrong turn shows at the corners.
    const colours = ['#e02020', '#20c020', '#2020e0', '#e0e020', '#20e0e0', '#e020e0'];
    const tiles = colours.map(
      (fill, i) => `<rect x="${(i % 3) * 256}" y="${Math.floor(i / 3) * 256}" width="256" height="256" fill="${fill}"/>`,
    );
    await sharp(Buffer.from(`<svg width="768" height="512">${tiles.join('')}</svg>`))
      .png()
      .toFile(join(work, 'picture.png'));
    await writeGridHeic(join(work, 'picture.png'), join(dir, 'grid.heic'), work, { columns: 3, rows: 2, tile: 256 });
    await writeGridHeic(join(work, 'picture.png'), join(dir, 'turned-grid.heic'), work, {
      columns: 3,
      rows: 2,
      tile: 256,
      quarterTurns: 1,
    });
    const corners = async (path: string) => {
      const picture = await decodeHeic(path, 800, exifOrientation);
      const colour = (x: number, y: number) => {
        const at = (y * picture.width + x) * 3;
        return [...picture.rgb.subarray(at, at + 3)].map((v) => (v > 128 ? 1 : 0)).join('');
      };
      const [w, h] = [picture.width - 10, picture.height - 10];
      return { size: [picture.width, picture.height], corners: [colour(10, 10), colour(w, 10), colour(10, h), colour(w, h)] };
    };
    // Red, blue, yellow, magenta at the corners, as drawn.
    expect(await corners(join(dir, 'grid.heic'))).toEqual({ size: [768, 512], corners: ['100', '001', '110', '101'] });
    // A quarter turn anticlockwise: the top right corner (blue) comes to the top left.
    expect(await corners(join(dir, 'turned-grid.heic'))).toEqual({ size: [512, 768], corners: ['001', '101', '100', '110'] });

    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      const summary = await engine.indexer.index();
      expect(summary.failed).toBe(0);
      const hits = engine.search.browse({ limit: 10 });
      expect(hits.map((h) => basename(h.path)).sort()).toEqual(['grid.heic', 'turned-grid.heic']);
      const turned = hits.find((h) => h.path.endsWith('turned-grid.heic'))!;
      expect(engine.status.fileDetails(turned.fileId)).toMatchObject({ width: 512, height: 768 });
    } finally {
      await engine.close();
    }
  });

  it('gives a cut HEIC its own status, and indexes a JPEG named .heic as what it is', async () => {
    const dir = tempDir();
    await writeSyntheticPhoto(join(dir, 'p.jpg'), 5, 1200, 900, 'jpeg', 4);
    const heic = heifEnc(join(dir, 'p.jpg'), join(tempDir(), 'p.heic'), 320);
    writeFileSync(join(dir, 'cut.heic'), readFileSync(heic).subarray(0, 3000));
    copyFileSync(join(dir, 'p.jpg'), join(dir, 'renamed.heic'));
    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      const summary = await engine.indexer.index();
      expect(summary.embedded).toBe(1); // p.jpg and renamed.heic are one content
      const errors = engine.status.read({ errorLimit: 20 }).errors;
      expect(errors.map((e) => e.path.split('/').pop())).toEqual(['cut.heic']);
      expect(errors[0]!.error).toMatch(/HEIC/);
    } finally {
      await engine.close();
    }
  });
});
