/** Synthetic photos made with sharp: distinct, decodable, and cheap to make in any number. */
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A deterministic pseudo-random picture: coloured blocks over a gradient, different per seed. */
export async function writeSyntheticPhoto(
  path: string,
  seed: number,
  width = 320,
  height = 240,
  format: 'jpeg' | 'png' | 'webp' = 'jpeg',
  /** Sensor-like noise (standard deviation in 0-255 units): real photos are not flat colour. */
  noise = 0,
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const raw = Buffer.alloc(width * height * 3);
  let s = seed * 2654435761 + 1;
  const rand = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 4294967296;
  };
  const blocks = Array.from({ length: 6 }, () => ({
    x: rand() * width,
    y: rand() * height,
    r: 20 + rand() * 60,
    c: [rand() * 255, rand() * 255, rand() * 255],
  }));
  const base = [rand() * 255, rand() * 255, rand() * 255];
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let c = [base[0]! * (x / width), base[1]! * (y / height), base[2]!];
      for (const b of blocks) if ((x - b.x) ** 2 + (y - b.y) ** 2 < b.r ** 2) c = b.c;
      const i = (y * width + x) * 3;
      const n = noise ? noise * (rand() + rand() + rand() - 1.5) * 2 : 0;
      raw[i] = Math.max(0, Math.min(255, c[0]! + n));
      raw[i + 1] = Math.max(0, Math.min(255, c[1]! + n));
      raw[i + 2] = Math.max(0, Math.min(255, c[2]! + n));
    }
  }
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  await (format === 'png' ? image.png() : format === 'webp' ? image.webp() : image.jpeg({ quality: 90 })).toFile(path);
}

export async function writeSyntheticPhotos(dir: string, count: number, startSeed = 1): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const path = `${dir}/photo-${String(i).padStart(4, '0')}.jpg`;
    await writeSyntheticPhoto(path, startSeed + i);
    paths.push(path);
  }
  return paths;
}
