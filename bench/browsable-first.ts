/**
 * Browsable before searchable (issue 13): a folder of phone-size photos (12-megapixel JPEGs with
 * sensor-like noise and the EXIF a phone writes) is added to a fresh library and indexed with the
 * full-size CLIP ViT-B/32 (random weights). Measured while the run goes on: when every photo is
 * listed in the grid with its date (read, hashed, EXIF read: "browsable"), when the first screen's
 * 60 thumbnails are served, and when every photo is embedded ("searchable").
 *
 * The photos are a few distinct pictures, each copied with its own capture date written into the
 * EXIF bytes (same length, so nothing else moves): every file is a different content, decoded and
 * embedded on its own, without encoding thousands of 12-megapixel JPEGs first.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Engine } from '../src/main/core/engine.js';
import { writeSyntheticPhoto } from '../test/helpers/images.js';

export interface BrowsableResult {
  photos: number;
  megapixels: number;
  meanFileMiB: number;
  /** From adding the folder to every photo listed with its date. */
  browsableSeconds: number;
  /** From adding the folder to the first screen's 60 thumbnails served (asked for as soon as listed). */
  firstScreenSeconds: number;
  /** From adding the folder to every photo embedded (the run's end). */
  searchableSeconds: number;
  embeddedPerSecond: number;
}

const MODEL = 'clip-vit-base-patch32';
const WIDTH = 4032;
const HEIGHT = 3024;
const BASES = 6;
const FIRST_SCREEN = 60;
const TAKEN = '2019:06:01 12:00:00';

export async function measureBrowsableFirst(count: number, modelsDir: string, log: (m: string) => void): Promise<BrowsableResult> {
  const root = mkdtempSync(join(tmpdir(), 'trove-browsable-'));
  try {
    const photos = join(root, 'photos');
    const bytes = await writePhonePhotos(photos, count);
    log(`  wrote ${count} 12-megapixel JPEGs (${(bytes / count / 2 ** 20).toFixed(1)} MiB each)`);
    process.env.TROVE_MODELS_DIR = modelsDir;
    const engine = Engine.open({ libraryDir: join(root, 'library'), offline: true, modelCacheDir: join(root, 'models') });
    try {
      engine.settings.update({ imageModel: MODEL, readText: false });
      const start = performance.now();
      const seconds = () => (performance.now() - start) / 1000;
      engine.folders.add(photos);
      let finished = false;
      const run = engine.indexer.index({ model: MODEL }).finally(() => (finished = true));
      let browsableSeconds = 0;
      let firstScreen: Promise<number> | undefined;
      while (!finished || !browsableSeconds) {
        const page = engine.search.browse({ limit: FIRST_SCREEN });
        // The grid's first screen: its thumbnails asked for as soon as it is full, six at a time, as a browser does.
        if (!firstScreen && page.length === FIRST_SCREEN)
          firstScreen = thumbnails(
            engine,
            page.map((hit) => hit.fileId),
          ).then(seconds);
        const listed = engine.status.readyCount();
        if (!browsableSeconds && listed === count && engine.search.browse({ limit: count }).every((hit) => hit.takenAt !== null))
          browsableSeconds = seconds();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const summary = await run;
      const searchableSeconds = seconds();
      if (summary.embedded !== count) throw new Error(`embedded ${summary.embedded} of ${count}`);
      return {
        photos: count,
        megapixels: (WIDTH * HEIGHT) / 1e6,
        meanFileMiB: bytes / count / 2 ** 20,
        browsableSeconds,
        firstScreenSeconds: (await firstScreen) ?? NaN,
        searchableSeconds,
        embeddedPerSecond: count / searchableSeconds,
      };
    } finally {
      await engine.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function thumbnails(engine: Engine, fileIds: number[]): Promise<void> {
  for (let i = 0; i < fileIds.length; i += 6) await Promise.all(fileIds.slice(i, i + 6).map((id) => engine.media.thumbnail(id, 320)));
}

/** `count` phone photos in `dir`; returns their total size in bytes. */
export async function writePhonePhotos(dir: string, count: number): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const bases: Buffer[] = [];
  for (let b = 0; b < BASES; b += 1) {
    const plain = join(dir, `.base-${b}.jpg`);
    await writeSyntheticPhoto(plain, 500 + b, WIDTH, HEIGHT, 'jpeg', 5);
    bases.push(
      await sharp(plain)
        .jpeg({ quality: 85 })
        .withExif({ IFD0: { Make: 'Apple', Model: 'iPhone 12', DateTime: TAKEN }, IFD2: { DateTimeOriginal: TAKEN } })
        .toBuffer(),
    );
    rmSync(plain);
  }
  let total = 0;
  for (let i = 0; i < count; i += 1) {
    const photo = Buffer.from(bases[i % BASES]!);
    const taken = new Date(Date.UTC(2019, 5, 1) + i * 3_600_000).toISOString().replace('T', ' ').slice(0, 19).replaceAll('-', ':');
    for (let at = photo.indexOf(TAKEN); at >= 0; at = photo.indexOf(TAKEN, at + 1)) photo.write(taken, at, 'latin1');
    const path = join(dir, `${String(Math.floor(i / 500)).padStart(2, '0')}`, `IMG_${String(i).padStart(5, '0')}.jpg`);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, photo);
    total += photo.byteLength;
  }
  return total;
}
