/**
 * Issue 12, Live Photos: a still and the short video of the same name beside it are one item, the
 * still, whose details name its motion; the motion is not a video of its own, nor half of a
 * duplicate pair (a copy of it elsewhere is not grouped with it).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { toFileDetails } from '../../src/main/core/service/api-mapping.js';
import { ffmpegOrThrow } from '../helpers/audio-variants.js';
import { contentIdentifierArgs, withContentIdentifier } from '../helpers/apple-live.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { tempDir } from '../helpers/temp.js';
import { openPicturesLibrary } from '../helpers/engine.js';
import { storeOf } from '../helpers/library-store.js';

describe('Live Photos', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('are one item, the still, that knows its motion; the motion is never a video of its own or a duplicate', async () => {
    const dir = tempDir();
    await writeSyntheticPhoto(join(dir, 'IMG_0007.JPG'), 21, 960, 720, 'jpeg', 4);
    // The motion: three seconds around the still, as a phone records it.
    ffmpegOrThrow([
      ...['-loop', '1', '-t', '3', '-i', join(dir, 'IMG_0007.JPG'), '-vf', 'zoompan=z=1.0+0.002*on:d=1:s=480x360,format=yuv420p'],
      ...['-r', '15', '-c:v', 'libx264', join(dir, 'IMG_0007.MOV')],
    ]);
    // The same motion copied into another folder: a video of its own there, with no still beside it.
    mkdirSync(join(dir, 'shared'));
    copyFileSync(join(dir, 'IMG_0007.MOV'), join(dir, 'shared', 'clip.mov'));
    ffmpegOrThrow(['-i', join(dir, 'IMG_0007.MOV'), '-c:v', 'libx264', '-crf', '32', join(dir, 'shared', 'clip-small.mp4')]);
    // A long video beside a still of the same name is not a Live Photo.
    await writeSyntheticPhoto(join(dir, 'talk.jpg'), 22, 960, 720, 'jpeg', 4);
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'testsrc2=duration=12:size=320x240:rate=10', '-pix_fmt', 'yuv420p', join(dir, 'talk.mp4')]);

    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      const summary = await engine.indexer.index();
      expect(summary.failed).toBe(0);
      const shown = engine.search.browse({ limit: 20 });
      expect(shown.map((h) => h.path.slice(dir.length + 1)).sort()).toEqual([
        'IMG_0007.JPG',
        'shared/clip-small.mp4',
        'shared/clip.mov',
        'talk.jpg',
        'talk.mp4',
      ]);
      const still = shown.find((h) => h.path.endsWith('IMG_0007.JPG'))!;
      const motionId = toFileDetails(engine.status.fileDetails(still.fileId)!).motionFileId;
      expect(engine.status.fileDetails(motionId!)!.path).toBe(join(dir, 'IMG_0007.MOV'));
      expect(
        toFileDetails(engine.status.fileDetails(shown.find((h) => h.path.endsWith('talk.jpg'))!.fileId)!).motionFileId,
      ).toBeUndefined();
      // Copies of the motion elsewhere (the same bytes, a re-encode) are not grouped with the Live Photo's own.
      const groups = await engine.duplicates.find();
      expect(groups.length).toBeGreaterThan(0); // the two copies elsewhere are duplicates of each other
      for (const group of groups) expect(group.members.map((m) => m.path)).not.toContain(join(dir, 'IMG_0007.MOV'));
    } finally {
      await engine.close();
    }
  });

  it("pairs a still and its motion by Apple's content identifier whatever their names, in their folder only", async () => {
    const dir = tempDir();
    const id = '1C9B4F43-0B24-4D6E-9C1A-0D7A3E5A2B11';
    await writeSyntheticPhoto(join(dir, 'plain.jpg'), 31, 960, 720, 'jpeg', 4);
    // An edited still keeps the identifier under another name, as Photos exports it.
    writeFileSync(join(dir, 'IMG_E0042.JPG'), withContentIdentifier(readFileSync(join(dir, 'plain.jpg')), id));
    rmSync(join(dir, 'plain.jpg'));
    const motion = (out: string, identifier: string) =>
      ffmpegOrThrow([
        ...['-f', 'lavfi', '-i', 'testsrc2=duration=3:size=320x240:rate=15', '-pix_fmt', 'yuv420p'],
        ...contentIdentifierArgs(identifier),
        out,
      ]);
    motion(join(dir, 'IMG_0042.MOV'), id);
    // A short video whose still is not here, and a copy of the motion in another folder: videos of their own.
    motion(join(dir, 'other.mov'), '00000000-AAAA-BBBB-CCCC-000000000001');
    mkdirSync(join(dir, 'elsewhere'));
    copyFileSync(join(dir, 'IMG_0042.MOV'), join(dir, 'elsewhere', 'IMG_0042.MOV'));

    const engine = openPicturesLibrary();
    try {
      engine.folders.add(dir);
      expect((await engine.indexer.index()).failed).toBe(0);
      const shown = engine.search.browse({ limit: 20 });
      expect(shown.map((h) => h.path.slice(dir.length + 1)).sort()).toEqual(['IMG_E0042.JPG', 'elsewhere/IMG_0042.MOV', 'other.mov']);
      const still = shown.find((h) => h.path.endsWith('IMG_E0042.JPG'))!;
      const motionId = toFileDetails(engine.status.fileDetails(still.fileId)!).motionFileId;
      expect(engine.status.fileDetails(motionId!)!.path).toBe(join(dir, 'IMG_0042.MOV'));

      // A library read before identifiers were looked for (as by an older Trove): its contents have
      // none noted. The next indexing pass looks for them, once, and pairs the two.
      const store = storeOf(engine);
      for (const fileId of [still.fileId, motionId!]) store.contents.setLiveId(engine.status.fileDetails(fileId)!.content_id!, null);
      const listed = () => engine.search.browse({ limit: 20 }).map((h) => h.path.slice(dir.length + 1));
      expect(listed()).toContain('IMG_0042.MOV');
      await engine.indexer.index();
      expect(listed()).not.toContain('IMG_0042.MOV');
      expect(toFileDetails(engine.status.fileDetails(still.fileId)!).motionFileId).toBe(motionId);
      expect(store.contents.hasUnidentified()).toBe(false);
    } finally {
      await engine.close();
    }
  });
});
