/**
 * The near-duplicate photo set of the duplicates acceptance test and benchmark: for every photo, a
 * resized copy, a JPEG at quality 40, a 5% crop and a brightened copy, written next to each other.
 */
import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';

export const VARIANTS = ['resized', 'q40', 'crop5', 'bright'] as const;
export type Variant = (typeof VARIANTS)[number];

export async function writeVariants(source: string, outDir: string): Promise<Record<Variant, string>> {
  mkdirSync(outDir, { recursive: true });
  const stem = basename(source, extname(source));
  const meta = await sharp(source).metadata();
  const w = meta.width!;
  const h = meta.height!;
  const out = (v: Variant) => join(outDir, `${stem}.${v}.jpg`);
  await sharp(source)
    .resize(Math.round(w * 0.6))
    .jpeg({ quality: 90 })
    .toFile(out('resized'));
  await sharp(source).jpeg({ quality: 40 }).toFile(out('q40'));
  // 5% of the width and of the height cut away, from the right and bottom edges.
  await sharp(source)
    .extract({ left: 0, top: 0, width: Math.round(w * 0.95), height: Math.round(h * 0.95) })
    .jpeg({ quality: 90 })
    .toFile(out('crop5'));
  await sharp(source).modulate({ brightness: 1.25 }).jpeg({ quality: 90 }).toFile(out('bright'));
  return { resized: out('resized'), q40: out('q40'), crop5: out('crop5'), bright: out('bright') };
}
