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

/** Frames people put around photos: a caption on a black border, a gradient mat. */
export const FRAMES = ['caption', 'gradient'] as const;
export type Frame = (typeof FRAMES)[number];

/** The picture in a frame, as JPEG bytes. */
export async function framed(source: string, frame: Frame): Promise<Buffer> {
  const { width, height } = await sharp(source).metadata();
  if (frame === 'caption') {
    // A black border, wider at the bottom, with a white caption in it (a print, a slide).
    const side = Math.round(width! * 0.06);
    const bottom = Math.round(height! * 0.24);
    const W = width! + 2 * side;
    const text = `<svg width="${W}" height="${bottom}"><text x="50%" y="60%" text-anchor="middle" font-size="${Math.round(bottom * 0.5)}" font-family="sans-serif" font-weight="bold" fill="white">SUMMER AT THE LAKE 1998</text></svg>`;
    return sharp(source)
      .extend({ top: side, left: side, right: side, bottom, background: '#000' })
      .composite([{ input: Buffer.from(text), top: side + height!, left: 0 }])
      .jpeg({ quality: 90 })
      .toBuffer();
  }
  // A gradient mat all around (a frame effect from an editing app).
  const m = Math.round(Math.min(width!, height!) * 0.12);
  const W = width! + 2 * m;
  const H = height! + 2 * m;
  const svg = `<svg width="${W}" height="${H}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#f4d03f"/><stop offset="1" stop-color="#16a085"/></linearGradient></defs><rect width="${W}" height="${H}" fill="url(#g)"/></svg>`;
  return sharp(Buffer.from(svg))
    .composite([{ input: await sharp(source).toBuffer(), top: m, left: m }])
    .jpeg({ quality: 90 })
    .toBuffer();
}
