/**
 * Issue 10 #10: one total per run. A library of photos, an identical copy, a video with sound,
 * recordings and a broken file is indexed by every pass (photos, videos' frames, sound); every
 * progress report must count the same files: the total never shrinks, what is done never goes
 * back, a pass ending is not the run ending, and the Library's "waiting" agrees with the bar.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import type { IndexProgress } from '../../src/main/core/indexing/indexer.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { ffmpegOrThrow } from '../helpers/audio-variants.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { tempDir } from '../helpers/temp.js';

describe('indexing progress', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('counts one run of photos, a video and recordings with one total that never shrinks', async () => {
    const dir = tempDir();
    const photos = await writeSyntheticPhotos(dir, 10);
    copyFileSync(photos[0]!, join(dir, 'copy-of-first.jpg'));
    ffmpegOrThrow([
      ...['-f', 'lavfi', '-i', 'testsrc2=duration=4:size=160x120:rate=10'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=330:duration=4'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(dir, 'clip.mp4')],
    ]);
    for (const hz of [440, 660]) ffmpegOrThrow(['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=3`, join(dir, `tone-${hz}.wav`)]);
    writeFileSync(join(dir, 'broken.jpg'), 'not a picture');
    const files = 15;

    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(dir);
      const reports: (IndexProgress & { waiting: number })[] = [];
      const called = performance.now();
      const summary = await engine.indexer.index({
        onProgress: (p) => reports.push({ ...p, waiting: engine.status.read({ errorLimit: 0 }).folders[0]!.pending }),
      });
      // The run's time is all of it, the words read after the files too (the CLI's "done: … in 4.2s"):
      // the same interval as the call's, whatever the machine's speed.
      expect(summary.seconds).toBeCloseTo((performance.now() - called) / 1000, 1);

      // Reading the words in the pictures and the video is a second step, after every file is
      // indexed, with its own count (pictures to read), each step's count monotone.
      const fileStep = reports.filter((r) => r.step !== 'words');
      const wordStep = reports.filter((r) => r.step === 'words');
      const firstWords = reports.findIndex((r) => r.step === 'words');
      expect(firstWords).toBeGreaterThan(0);
      expect(reports.slice(firstWords, -1).every((r) => r.step === 'words')).toBe(true);
      expect(reports[firstWords - 1]).toMatchObject({ done: files, total: files });
      expect(wordStep.at(-1)).toMatchObject({ done: 11, total: 11 }); // 10 photos (one of them twice) and the video
      expect(fileStep.length).toBeGreaterThan(2);
      // The run counts every file once: all of them were new.
      expect(fileStep[0]!.total).toBe(files);
      for (const step of [fileStep, wordStep]) {
        for (let i = 1; i < step.length; i += 1) {
          expect(step[i]!.total, `report ${i}`).toBeGreaterThanOrEqual(step[i - 1]!.total);
          expect(step[i]!.done, `report ${i}`).toBeGreaterThanOrEqual(step[i - 1]!.done);
          expect(step[i]!.done).toBeLessThanOrEqual(step[i]!.total);
        }
      }
      // Reading words has its rate and time left too (a library's words take hours to read).
      for (const r of wordStep.filter((w) => w.done > 0)) expect(r.ratePerSecond, `words rate at ${r.done}/${r.total}`).toBeGreaterThan(0);
      expect(wordStep.at(-1)!.etaSeconds).toBe(0);
      for (const r of fileStep) {
        expect(r.done).toBeLessThanOrEqual(r.total);
        // The rate is the run's: a pass that starts (the video's, the sound's) does not reset it to 0.
        if (r.done > 0) expect(r.ratePerSecond, `rate at ${r.done}/${r.total}`).toBeGreaterThan(0);
        // What the bar says is left is never less than what the Library table says waits (the bar's
        // count may be a moment old, so it can only be more).
        expect(r.total - r.done).toBeGreaterThanOrEqual(r.waiting);
      }
      // One end: the last report, with everything done.
      expect(reports.filter((r) => r.phase === 'done')).toHaveLength(1);
      const last = reports.at(-1)!;
      expect(last).toMatchObject({ phase: 'done', done: files, total: files });
      // The end says how fast the run went, and that nothing is left.
      expect(last.ratePerSecond).toBeGreaterThan(0);
      expect(last.etaSeconds).toBe(0);
      const folder = engine.status.read().folders[0]!;
      expect(folder).toMatchObject({ files, pending: 0, errors: 1, ready: files - 1 });
    } finally {
      await engine.close();
    }
  });

  it('counts a file as waiting until every model that applies has embedded it', async () => {
    const dir = tempDir();
    await writeSyntheticPhotos(dir, 3);
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', join(dir, 'tone.wav')]);
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(dir);
      // The library's image model is not here (offline): files are read, the recording embedded by
      // the audio model, and the photos wait for theirs.
      engine.settings.update({ imageModel: 'mobilenet-v2-int8' });
      const first = await engine.indexer.index();
      expect(first.imagesSkipped).toMatch(/mobilenet-v2-int8/);
      expect(engine.status.read().folders[0]).toMatchObject({ files: 4, ready: 1, pending: 3 });
      engine.settings.update({ imageModel: 'clip-vit-base-patch32' });
      await engine.indexer.index();
      expect(engine.status.read().folders[0]).toMatchObject({ files: 4, ready: 4, pending: 0 });
    } finally {
      await engine.close();
    }
  });

  it('reports a pause only once the work in flight has ended, and nothing moves until resumed', async () => {
    const dir = tempDir();
    await writeSyntheticPhotos(dir, 60);
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null });
      engine.folders.add(dir);
      const reports: IndexProgress[] = [];
      let pausedAt: IndexProgress | undefined;
      let waitingWhenPaused = -1;
      let resumed = false;
      const whilePaused: IndexProgress[] = [];
      await engine.indexer.index({
        onProgress: (p) => {
          reports.push(p);
          if (resumed) return;
          if (pausedAt) whilePaused.push(p);
          else if (!engine.indexer.pauser.paused)
            engine.indexer.pause(); // at the first report, work in flight
          else if (p.phase === 'paused') {
            pausedAt = p;
            // What the pause says is left is what the library says is waiting, now and until resumed.
            waitingWhenPaused = engine.status.read({ errorLimit: 0 }).folders[0]!.pending;
            setTimeout(() => {
              resumed = true;
              engine.indexer.resume();
            }, 300);
          }
        },
      });
      expect(pausedAt).toBeDefined();
      expect(pausedAt!.total - pausedAt!.done).toBe(waitingWhenPaused);
      for (const p of whilePaused) expect(p.done).toBe(pausedAt!.done);
      // Before the pause was settled, reports said "indexing" (the UI: "Pausing…").
      expect(reports.filter((p) => p.phase === 'paused').length).toBeGreaterThanOrEqual(1);
      expect(reports.at(-1)).toMatchObject({ phase: 'done', done: 60, total: 60 });
    } finally {
      await engine.close();
    }
  });
});
