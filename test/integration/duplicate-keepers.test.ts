/**
 * The suggested keeper is the original, not the copy with more bytes or pixels. Camera originals
 * (EXIF camera and date, files two years old) each with a brightened copy saved at higher quality,
 * a half-size copy, a quality-40 copy and a crop made later with the EXIF kept; recordings with a
 * quieter, a trimmed and a low-bit-rate copy; a video with an upscaled re-encode. The original is
 * the keeper in at least 9 of 10 photo groups, and in every recording and video group.
 */
import { readdirSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { FIXTURE_MODELS, hasSharedPhotos, SHARED_PHOTOS, SHARED_SKIP_REASON, useModelDirs } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';
import { ffmpegOrThrow, writeAudioVariants } from '../helpers/audio-variants.js';

const TWO_YEARS_AGO = new Date(Date.now() - 2 * 365 * 24 * 3600 * 1000);
const olden = (path: string) => utimesSync(path, TWO_YEARS_AGO, TWO_YEARS_AGO);

/** Ten different real photos (../shared), as a camera would have written them: EXIF camera and date. */
function realPhotos(): string[] {
  return readdirSync(SHARED_PHOTOS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .slice(0, 10)
    .map((d) => join(SHARED_PHOTOS, d.name, readdirSync(join(SHARED_PHOTOS, d.name)).sort()[0]!));
}

async function writeCameraOriginal(path: string, source: string, day: number): Promise<void> {
  await sharp(source)
    .jpeg({ quality: 85 })
    .withExif({ IFD0: { Make: 'Canon', Model: 'EOS 5D' }, IFD2: { DateTimeOriginal: `2019:05:${String(day).padStart(2, '0')} 10:20:30` } })
    .toFile(path);
}

if (!hasSharedPhotos) console.warn(SHARED_SKIP_REASON);

describe('suggested keepers', () => {
  it.skipIf(!hasSharedPhotos)('suggests the camera original over brightened, smaller, recompressed and cropped copies', async () => {
    useModelDirs(FIXTURE_MODELS);
    const photos = tempDir();
    const sources = realPhotos();
    for (let i = 1; i <= 10; i += 1) {
      const original = join(photos, `IMG_${1000 + i}.jpg`);
      await writeCameraOriginal(original, sources[i - 1]!, 10 + i);
      olden(original);
      const meta = await sharp(original).metadata();
      await sharp(original)
        .modulate({ brightness: 1.2 })
        .keepExif()
        .jpeg({ quality: 97 })
        .toFile(join(photos, `IMG_${1000 + i}-bright.jpg`));
      await sharp(original)
        .resize(Math.round(meta.width! / 2))
        .keepExif()
        .jpeg({ quality: 90 })
        .toFile(join(photos, `IMG_${1000 + i}-half.jpg`));
      await sharp(original)
        .jpeg({ quality: 40 })
        .toFile(join(photos, `IMG_${1000 + i}-q40.jpg`));
      await sharp(original)
        .extract({ left: 0, top: 0, width: Math.round(meta.width! * 0.9), height: Math.round(meta.height! * 0.9) })
        .keepExif()
        .jpeg({ quality: 92 })
        .toFile(join(photos, `IMG_${1000 + i}-crop.jpg`));
    }
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(photos);
      await engine.indexer.index();
      const groups = await engine.duplicates.find();
      let originalKept = 0;
      for (let i = 1; i <= 10; i += 1) {
        const group = groups.find((g) => g.members.some((m) => basename(m.path) === `IMG_${1000 + i}.jpg`));
        const keeper = group?.members.find((m) => m.fileId === group.keeper);
        if (keeper && basename(keeper.path) === `IMG_${1000 + i}.jpg`) originalKept += 1;
        else
          console.log(
            `IMG_${1000 + i}: keeper ${keeper?.path} of ${group?.members.map((m) => basename(m.path)).join(' ')}: ${group?.keeperReason}`,
          );
        if (group) expect(group.keeperReason).toMatch(/taken first|full size|oldest|camera original/);
      }
      console.log(`keepers: the camera original in ${originalKept} of 10 photo groups`);
      expect(originalKept).toBeGreaterThanOrEqual(9);
    } finally {
      await engine.close();
    }
  });

  it('suggests the original recording and the original video over quieter, trimmed, lossy and upscaled copies', async () => {
    useModelDirs(FIXTURE_MODELS);
    const media = tempDir();
    const sources = {
      tune: "aevalsrc='0.3*(sin(2*PI*220*pow(2,mod(floor(t*4)*5,12)/12)*t)+0.5*sin(4*PI*220*pow(2,mod(floor(t*4)*5,12)/12)*t))':d=6:s=44100",
      noise: 'anoisesrc=duration=6:color=pink:sample_rate=44100:seed=3',
    };
    for (const [stem, source] of Object.entries(sources)) {
      const original = join(media, `${stem}.wav`);
      ffmpegOrThrow(['-f', 'lavfi', '-i', source, original]);
      olden(original);
      writeAudioVariants(original, media, stem);
    }
    const clip = join(media, 'clip.mp4');
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=6', '-pix_fmt', 'yuv420p', clip]);
    olden(clip);
    ffmpegOrThrow(['-i', clip, '-vf', 'scale=640:480', '-pix_fmt', 'yuv420p', '-b:v', '2M', join(media, 'clip-upscaled.mp4')]);

    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null }); // fingerprints only: no audio model needed
      engine.folders.add(media);
      await engine.indexer.index();
      const groups = await engine.duplicates.find();
      for (const original of ['tune.wav', 'noise.wav', 'clip.mp4']) {
        const group = groups.find((g) => g.members.some((m) => basename(m.path) === original));
        expect(group, original).toBeDefined();
        expect(group!.members.length, original).toBeGreaterThanOrEqual(2);
        expect(basename(group!.members.find((m) => m.fileId === group!.keeper)!.path), original).toBe(original);
      }
    } finally {
      await engine.close();
    }
  });
});
