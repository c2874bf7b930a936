/**
 * Issue 12, RAW: the real camera files in ../shared/media/raw. Those that carry a JPEG preview (a
 * Canon CRW and CR3, a Nikon NEF: three makers' three ways of storing it) are ready, from their
 * preview, with their camera and date; those without one (a DNG, a GoPro GPR, a Kodak KDC with a
 * 96 px thumbnail) each get a clear status, and nothing crashes.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Engine } from '../../src/main/core/engine.js';
import { toFileDetails } from '../../src/main/core/service/api-mapping.js';
import { FIXTURE_MODELS, SHARED, useModelDirs } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';
import { openPicturesLibrary } from '../helpers/engine.js';

const RAW = join(SHARED, 'media', 'raw');
const hasRaw = existsSync(join(RAW, 'files.csv'));
if (!hasRaw) console.warn(`../shared/media/raw not found at ${RAW}: the RAW tests are skipped`);

describe.skipIf(!hasRaw)('camera RAW files (../shared/media/raw)', () => {
  let engine: Engine;
  beforeEach(() => useModelDirs(FIXTURE_MODELS));
  beforeAll(async () => {
    useModelDirs(FIXTURE_MODELS);
    engine = openPicturesLibrary();
    engine.folders.add(RAW);
    await engine.indexer.index();
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('indexes a RAW with an embedded preview from it, with its camera and date', () => {
    const ready = new Map(
      engine.search.browse({ limit: 20 }).map((hit) => [hit.path.split('/').pop()!, engine.status.fileDetails(hit.fileId)!]),
    );
    expect([...ready.keys()].sort()).toEqual(['canon-eos-d30.crw', 'canon-eos-r6-pruned.cr3', 'nikon-coolscan-iv-ed.nef']);
    expect(ready.get('canon-eos-d30.crw')).toMatchObject({ width: 1440, height: 960, camera_model: 'Canon EOS D30' });
    expect(new Date(ready.get('canon-eos-d30.crw')!.taken_at!).toISOString()).toBe('2002-11-24T15:11:22.000Z');
    expect(ready.get('canon-eos-r6-pruned.cr3')).toMatchObject({
      width: 1620,
      height: 1080,
      camera_make: 'Canon',
      camera_model: 'Canon EOS R6',
    });
    expect(new Date(ready.get('canon-eos-r6-pruned.cr3')!.taken_at!).toISOString()).toMatch(/^2021-05-12T12:21:21/);
    expect(ready.get('nikon-coolscan-iv-ed.nef')).toMatchObject({ width: 869, height: 593, camera_make: 'Nikon' });
  });

  it('gives every RAW without a usable preview its own clear status', () => {
    const errors = engine.status.read({ errorLimit: 20 }).errors;
    expect(errors.map((e) => e.path.split('/').pop()).sort()).toEqual([
      'blackmagic-pocket-4k.dng',
      'gopro-hero8-black.gpr',
      'kodak-dc50.kdc',
    ]);
    for (const error of errors)
      expect(error.error).toMatch(/carries no preview picture large enough to index, and Trove does not decode RAW sensor data/);
    expect(errors.find((e) => e.path.endsWith('kodak-dc50.kdc'))!.error).toMatch(/Kodak/);
  });

  it('makes a preview the browser can show from the RAW', async () => {
    const [hit] = engine.search.browse({ limit: 20 }).filter((h) => h.path.endsWith('.cr3'));
    const preview = await engine.media.thumbnail(hit!.fileId, 512);
    expect(preview).toMatch(/\.webp$/);
  });
});

describe.skipIf(!hasRaw)('a RAW beside the JPEG of the same shot', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('is one item, the JPEG, listing its RAW, and never a duplicate pair; a RAW alone or of another moment stays its own item', async () => {
    const dir = tempDir();
    // The camera's pair: the R6's RAW and the JPEG it wrote of the same shot (its preview, with the same time).
    copyFileSync(join(RAW, 'canon-eos-r6-pruned.cr3'), join(dir, 'IMG_0042.CR3'));
    const { ExifTool } = await import('exiftool-vendored');
    const exiftool = new ExifTool({ maxProcs: 1 });
    const preview = await exiftool.extractBinaryTagToBuffer('PreviewImage', join(dir, 'IMG_0042.CR3'));
    await exiftool.end();
    await sharp(preview)
      .withExif({ IFD2: { DateTimeOriginal: '2021:05:12 12:21:21' } })
      .toFile(join(dir, 'IMG_0042.JPG'));
    // A RAW with a JPEG of the same name taken years apart (a renumbered card): two items.
    copyFileSync(join(RAW, 'canon-eos-d30.crw'), join(dir, 'IMG_0099.CRW'));
    await sharp(preview)
      .resize(800)
      .withExif({ IFD2: { DateTimeOriginal: '2015:01:01 10:00:00' } })
      .toFile(join(dir, 'IMG_0099.JPG'));
    // And a RAW alone.
    copyFileSync(join(RAW, 'nikon-coolscan-iv-ed.nef'), join(dir, 'scan.nef'));

    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      await engine.indexer.index();
      const shown = engine.search.browse({ limit: 20 });
      expect(shown.map((h) => h.path.split('/').pop()).sort()).toEqual(['IMG_0042.JPG', 'IMG_0099.CRW', 'IMG_0099.JPG', 'scan.nef']);
      const jpeg = shown.find((h) => h.path.endsWith('IMG_0042.JPG'))!;
      expect(toFileDetails(engine.status.fileDetails(jpeg.fileId)!).rawFiles).toEqual([join(dir, 'IMG_0042.CR3')]);
      // Found by meaning, the pair is still one item.
      const similar = await engine.search.similar(jpeg.path, { limit: 10 });
      expect(similar.results.map((h) => h.path)).not.toContain(join(dir, 'IMG_0042.CR3'));
      // The RAW and its JPEG are the same shot, not duplicates to clean up.
      const groups = await engine.duplicates.find();
      for (const group of groups) {
        const paths = group.members.map((m) => m.path);
        expect(paths.includes(join(dir, 'IMG_0042.CR3')) && paths.includes(join(dir, 'IMG_0042.JPG'))).toBe(false);
      }
    } finally {
      await engine.close();
    }
  });
});

describe.skipIf(!hasRaw)('a damaged or false RAW file', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('gets its own clear status, and the rest of the folder is indexed', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fake.nef'), 'hello, not a raw file');
    writeFileSync(join(dir, 'cut.cr3'), readFileSync(join(RAW, 'canon-eos-r6-pruned.cr3')).subarray(0, 200_000));
    copyFileSync(join(RAW, 'nikon-coolscan-iv-ed.nef'), join(dir, 'good.nef'));
    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      const summary = await engine.indexer.index();
      expect(summary.embedded).toBe(1);
      const errors = new Map(engine.status.read({ errorLimit: 20 }).errors.map((e) => [e.path.split('/').pop(), e.error]));
      expect(errors.get('fake.nef')).toMatch(/^not a camera RAW file: its content is TXT/);
      expect(errors.get('cut.cr3')).toMatch(/carries no preview picture large enough to index/);
    } finally {
      await engine.close();
    }
  });
});
