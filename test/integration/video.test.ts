/**
 * Acceptance 5 and 6 (video): videos are probed, sampled frame by frame, embedded at several moments
 * (never judged by one frame), their sound tracks indexed as audio; searches return video hits with
 * timestamps; the same clip in other encodings is grouped as a duplicate; bad video files get clear
 * per-file statuses. Synthetic videos always; the labelled clips of ../shared/media/video with the
 * real MobileNet when present.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { extractVideoFrame } from '../../src/main/core/media/ffmpeg.js';
import { FIXTURE_MODELS, SHARED, SHARED_MODELS, useModelDirs } from '../helpers/env.js';
import { ffmpegOrThrow } from '../helpers/audio-variants.js';
import { tempDir } from '../helpers/temp.js';
import { storeOf } from '../helpers/library-store.js';

const VIDEO = join(SHARED, 'media', 'video');
const hasVideo = existsSync(join(VIDEO, 'videos.csv')) && existsSync(join(SHARED_MODELS, 'mobilenet-v2-int8'));

function vectorOffsets(engine: Engine, path: string, model: string): number[] {
  const store = storeOf(engine);
  const modelId = store.vectors.findModel(model)?.id;
  return store.vectors
    .placements(store.files.byPath(path)!.content_id!)
    .filter((v) => v.modelId === modelId)
    .map((v) => v.offsetS!);
}

describe('videos', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('indexes frames and sound at their moments, finds the re-encoded copy, and reports bad files', async () => {
    const dir = tempDir();
    const clip = join(dir, 'clip.mp4');
    // 12 s: a moving test pattern with a cut to a different scene at 6 s, and a tone.
    ffmpegOrThrow([
      ...['-f', 'lavfi', '-i', 'testsrc2=duration=6:size=320x240:rate=25'],
      ...['-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=330:duration=12'],
      ...['-filter_complex', '[1:v]trim=duration=6,setpts=PTS-STARTPTS[m];[0:v][m]concat=n=2:v=1:a=0[v]'],
      ...['-map', '[v]', '-map', '2:a', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip],
    ]);
    const smaller = join(dir, 'clip-small.mkv');
    ffmpegOrThrow(['-i', clip, '-vf', 'scale=160:120', '-c:v', 'mpeg4', '-q:v', '8', '-c:a', 'libmp3lame', smaller]);
    // The same clip in the other containers people have: QuickTime (remuxed) and AVI (re-encoded).
    const mov = join(dir, 'clip-copy.mov');
    ffmpegOrThrow(['-i', clip, '-c', 'copy', mov]);
    const avi = join(dir, 'clip-old.avi');
    ffmpegOrThrow(['-i', clip, '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'libmp3lame', avi]);
    const other = join(dir, 'other.mp4');
    ffmpegOrThrow([
      ...['-f', 'lavfi', '-i', 'life=size=320x240:rate=25:mold=10:ratio=0.5:seed=7', '-t', '8'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', other],
    ]);
    const soundOnly = join(dir, 'sound-only.mp4');
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'sine=frequency=500:duration=3', '-c:a', 'aac', soundOnly]);
    writeFileSync(join(dir, 'corrupt.mp4'), Buffer.from('this is not a video, only text that pretends to be one'.repeat(50)));
    writeFileSync(join(dir, 'empty.mov'), '');

    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(dir);
      const summary = await engine.indexer.index();
      const errors = Object.fromEntries(engine.status.read().errors.map((e) => [basename(e.path), e.error]));
      expect(errors).toEqual({
        'corrupt.mp4': expect.stringMatching(/not a readable audio or video file/),
        'empty.mov': expect.stringMatching(/empty file/),
      });
      expect(summary.failed).toBe(2); // the two bad files, nothing else

      // Frames at several moments: the start, the cut at 6 s, and at least every 5 s.
      const moments = vectorOffsets(engine, clip, 'clip-vit-base-patch32');
      expect(moments[0]).toBe(0);
      expect(moments.length).toBeGreaterThanOrEqual(3);
      expect(moments.some((t) => t >= 5 && t <= 7)).toBe(true);
      for (let i = 1; i < moments.length; i += 1) expect(moments[i]! - moments[i - 1]!).toBeLessThanOrEqual(5);
      // The sound track is indexed by the audio model (CLAP), in 10 s windows.
      expect(vectorOffsets(engine, clip, 'clap-htsat-unfused')).toEqual([0, 10]);
      // A video file with only sound is a recording.
      const store = storeOf(engine);
      const kindOf = (path: string) => store.contents.kindOf(store.files.byPath(path)!.content_id!);
      expect(kindOf(soundOnly)).toBe('audio');
      expect(kindOf(clip)).toBe('video');

      // Searches return video hits with their moments.
      const byText = await engine.search.text('a test pattern', { limit: 10, kinds: ['video'] });
      expect(new Set(byText.results.map((r) => r.path))).toEqual(new Set([clip, smaller, mov, avi, other]));
      expect(byText.results.every((r) => r.kind === 'video' && typeof r.offsetS === 'number')).toBe(true);
      const frame = join(dir, '..', `${basename(dir)}-frame.png`);
      writeFileSync(frame, await extractVideoFrame(clip, 8));
      const byImage = await engine.search.image(frame, 'frame', { limit: 3 });
      expect(byImage.results[0]!.kind).toBe('video');
      expect(byImage.results[0]!.offsetS).toBeDefined();
      // From a moment of a video: its copies at that moment come first.
      const fromMoment = await engine.search.similar(clip, { atS: 8, limit: 3, kinds: ['video'] });
      expect(new Set(fromMoment.results.map((r) => r.path))).toEqual(new Set([smaller, mov, avi]));
      for (const hit of fromMoment.results) expect(Math.abs(hit.offsetS! - 8)).toBeLessThanOrEqual(3);

      // The re-encoded, remuxed and smaller copies are near duplicates; the other video is not.
      const groups = (await engine.duplicates.find()).filter((g) => g.media === 'video');
      expect(groups).toHaveLength(1);
      expect(new Set(groups[0]!.members.map((m) => m.path))).toEqual(new Set([clip, smaller, mov, avi]));
      // The keeper is a full-size one (then the largest file), never the 160x120 copy.
      expect([clip, mov, avi]).toContain(groups[0]!.members.find((m) => m.fileId === groups[0]!.keeper)!.path);
      expect(existsSync(await engine.media.thumbnail(groups[0]!.keeper, 400))).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('groups clips shorter than two seconds with their re-encodes, and a short clip with a slightly longer copy', async () => {
    const dir = tempDir();
    const encode = (source: string[], seconds: number, out: string, extra: string[] = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']) =>
      ffmpegOrThrow([...source, '-t', String(seconds), ...extra, join(dir, out)]);
    encode(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'], 1.5, 'short.mp4');
    ffmpegOrThrow(['-i', join(dir, 'short.mp4'), '-vf', 'scale=160:120', '-c:v', 'mpeg4', '-q:v', '6', join(dir, 'short-copy.mkv')]);
    encode(['-f', 'lavfi', '-i', 'life=size=320x240:rate=25:mold=10:ratio=0.5:seed=3'], 1.5, 'short-other.mp4');
    // Either side of the length where sampling becomes once a second.
    encode(['-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=25'], 3.8, 'edge.mp4');
    encode(['-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=25'], 4.6, 'edge-longer.mkv', ['-c:v', 'mpeg4', '-q:v', '5']);

    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null });
      engine.folders.add(dir);
      const summary = await engine.indexer.index();
      expect(summary.failed).toBe(0);
      const videoGroups = async () =>
        (await engine.duplicates.find())
          .filter((g) => g.media === 'video')
          .map((g) => g.members.map((m) => basename(m.path)).sort())
          .sort();
      const expected = [
        ['edge-longer.mkv', 'edge.mp4'],
        ['short-copy.mkv', 'short.mp4'],
      ];
      expect(await videoGroups()).toEqual(expected);
      // A library whose short clips' fingerprints were made before they were sampled densely
      // (migration 12 forgets them): made again when duplicates are looked for.
      storeOf(engine).fingerprints.forgetAll();
      expect(await videoGroups()).toContainEqual(['short-copy.mkv', 'short.mp4']);
    } finally {
      await engine.close();
    }
  });

  it.skipIf(!hasVideo)('groups exactly the same-clip encodings of the labelled videos and finds a moment by a frame', async () => {
    useModelDirs(SHARED_MODELS);
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null });
      engine.folders.add(VIDEO);
      const summary = await engine.indexer.index({ model: 'mobilenet-v2-int8' });
      expect(summary.failed).toBe(0);
      expect(engine.status.read().files.ready).toBe(12);

      const groups = (await engine.duplicates.find()).filter((g) => g.media === 'video');
      const found = groups.map((g) => g.members.map((m) => basename(m.path)).sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
      expect(found).toEqual([
        ['crystal.mp4', 'crystal.webm'],
        ['flower.mp4', 'flower.webm'],
        ['rabbit.mp4', 'rabbit.webm', 'rabbit320.mp4'],
      ]);

      // A frame of crystal.mp4 at 6 s finds the crystal clips, at a moment near 6 s.
      const frame = join(tempDir(), 'crystal-6s.png');
      writeFileSync(frame, await extractVideoFrame(join(VIDEO, 'crystal.mp4'), 6));
      const { results } = await engine.search.image(frame, 'frame', { limit: 2 });
      expect(results.map((r) => basename(r.path)).sort()).toEqual(['crystal.mp4', 'crystal.webm']);
      for (const r of results) expect(Math.abs(r.offsetS! - 6)).toBeLessThanOrEqual(3);
    } finally {
      await engine.close();
    }
  });
});
