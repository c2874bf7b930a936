/**
 * HEIC (issue 12): what a phone's 12-megapixel HEIC costs to decode for the model, with and without
 * the thumbnail item phones embed, and how fast a folder of HEICs indexes against the same photos
 * as JPEGs (full-size CLIP ViT-B/32, random weights: the real model's compute). The HEICs are made
 * with Debian's heif-enc (libheif-examples).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultInferenceThreads } from '../src/main/core/engine.js';
import { exifOrientation } from '../src/main/core/media/exif.js';
import { decodeHeic } from '../src/main/core/media/heic.js';
import { writeSyntheticPhoto } from '../test/helpers/images.js';
import { indexOnce, median } from './indexing.js';

export interface HeicResult {
  photos: number;
  /** Decoding a 12-megapixel HEIC for the model (224 px): the whole picture, or its 320 px thumbnail item. */
  decodeMs: { whole: number; thumbnail: number };
  /** Photos per second of a whole `index()`: the HEICs (with thumbnails) and the same photos as JPEGs. */
  heicPerSecond: number;
  jpegPerSecond: number;
}

export async function measureHeic(workDir: string, modelsDir: string, log: (m: string) => void, photos = 120): Promise<HeicResult> {
  process.env.TROVE_MODELS_DIR = modelsDir;
  const jpegs = join(workDir, 'jpeg');
  const heics = join(workDir, 'heic');
  const whole = join(workDir, 'heic-no-thumbnail');
  for (const dir of [jpegs, heics, whole]) mkdirSync(dir, { recursive: true });
  if (!existsSync(join(heics, `p-${photos - 1}.heic`))) {
    log(`  writing ${photos} 4032x3024 photos as JPEG and HEIC (heif-enc) …`);
    for (let i = 0; i < photos; i += 1) {
      const jpeg = join(jpegs, `p-${i}.jpg`);
      const heic = join(heics, `p-${i}.heic`);
      if (existsSync(heic)) continue; // written by an earlier run (10 s of both cores each)
      await writeSyntheticPhoto(jpeg, 500 + i, 4032, 3024, 'jpeg', 6);
      execFileSync('heif-enc', ['-q', '70', '-t', '320', '-o', heic, jpeg], { stdio: 'ignore' });
      if (i < 3) execFileSync('heif-enc', ['-q', '70', '-o', join(whole, `p-${i}.heic`), jpeg], { stdio: 'ignore' });
    }
  }
  const decodeMs = async (dir: string) => {
    await decodeHeic(join(dir, 'p-0.heic'), 224, exifOrientation); // warm-up: the WebAssembly module and the worker
    const started = performance.now();
    for (let i = 0; i < 3; i += 1) await decodeHeic(join(dir, `p-${i}.heic`), 224, exifOrientation);
    return (performance.now() - started) / 3;
  };
  const decode = { whole: await decodeMs(whole), thumbnail: await decodeMs(heics) };
  const threads = defaultInferenceThreads();
  const rates = { heic: [] as number[], jpeg: [] as number[] };
  for (let round = 0; round < 2; round += 1) {
    rates.jpeg.push(await indexOnce('clip-vit-base-patch32', jpegs, threads, photos, { readText: false }));
    rates.heic.push(await indexOnce('clip-vit-base-patch32', heics, threads, photos, { readText: false }));
  }
  return { photos, decodeMs: decode, heicPerSecond: median(rates.heic), jpegPerSecond: median(rates.jpeg) };
}
