/**
 * Audio with a real model: EfficientAT mn04 (AudioSet) from ../shared/models through the manifest,
 * on the 80 ESC-50 clips of ../shared/media/audio (20 classes x 4, four formats, four different
 * recordings per class). Find-similar same-class precision@3 must reach 0.75; text search finds
 * recordings through their AudioSet tags; a hit carries its moment; the CLI sees the same.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { runFfmpeg } from '../helpers/ffmpeg.js';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { SHARED, SHARED_MODELS, useModelDirs } from '../helpers/env.js';
import { suiteTempDir, tempDir } from '../helpers/temp.js';
import { existsSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { storeOf } from '../helpers/library-store.js';

const AUDIO = join(SHARED, 'media', 'audio');
const ready = existsSync(join(AUDIO, 'labels.csv')) && existsSync(join(SHARED_MODELS, 'efficientat-mn04-as'));
if (!ready) console.warn(`../shared audio or the efficientat-mn04-as model not found at ${SHARED}: audio quality test skipped`);

describe.skipIf(!ready)('audio quality with efficientat-mn04-as (../shared/media/audio)', () => {
  const scratch = suiteTempDir();
  let engine: Engine;
  let clips: string[];

  beforeAll(async () => {
    useModelDirs(SHARED_MODELS);
    clips = readdirSync(AUDIO, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(AUDIO, d.name)).map((f) => join(AUDIO, d.name, f)));
    engine = Engine.open({ libraryDir: join(scratch.path, 'library'), modelCacheDir: join(scratch.path, 'models'), offline: true });
    engine.folders.add(AUDIO);
    const summary = await engine.indexer.index({ model: 'mobilenet-v2-int8', audioModel: 'efficientat-mn04-as' });
    expect(summary.failed).toBe(0);
    expect(summary.embedded).toBe(clips.length);
  }, 300_000);

  afterAll(async () => {
    await engine?.close();
    scratch.remove();
  });

  it('finds same-class clips: precision@3 >= 0.75', async () => {
    let hits = 0;
    for (const clip of clips) {
      const { results } = await engine.search.similar(clip, { limit: 3 });
      expect(results).toHaveLength(3);
      expect(results.every((r) => r.kind === 'audio' && r.offsetS === 0)).toBe(true);
      hits += results.filter((r) => basename(dirname(r.path)) === basename(dirname(clip))).length;
    }
    const precision = hits / (clips.length * 3);
    console.log(`audio find-similar precision@3: ${precision.toFixed(3)}`);
    expect(precision).toBeGreaterThanOrEqual(0.75);
  });

  it('finds recordings by the words of their tags', async () => {
    const { results } = await engine.search.text('dog barking', { limit: 4, kinds: ['audio'] });
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => basename(dirname(r.path)) === 'dog').length).toBeGreaterThanOrEqual(3);
  });
});

describe.skipIf(!ready)('bad audio input', () => {
  it('gives each bad recording a reason and indexes the rest', async () => {
    useModelDirs(SHARED_MODELS);
    const scratch = suiteTempDir();
    try {
      const folder = join(scratch.path, 'sounds');
      mkdirSync(folder);
      const dogClips = readdirSync(join(AUDIO, 'dog'));
      copyFileSync(
        join(
          AUDIO,
          'dog',
          dogClips.find((f) => f.endsWith('.wav'))!,
        ),
        join(folder, 'good.wav'),
      );
      copyFileSync(
        join(
          AUDIO,
          'dog',
          dogClips.find((f) => f.endsWith('.flac'))!,
        ),
        join(folder, 'really-a-flac.mp3'),
      );
      writeFileSync(join(folder, 'empty.wav'), '');
      writeFileSync(join(folder, 'corrupt.mp3'), Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 31) % 256)));
      expect(
        runFfmpeg([
          '-f',
          'lavfi',
          '-i',
          'testsrc=duration=1:size=64x48:rate=10',
          '-pix_fmt',
          'yuv420p',
          '-f',
          'mp4',
          join(folder, 'no-sound.m4a'),
        ]).code,
      ).toBe(0);
      const engine = Engine.open({ libraryDir: join(scratch.path, 'library'), modelCacheDir: join(scratch.path, 'models'), offline: true });
      try {
        engine.folders.add(folder);
        await engine.indexer.index({ model: 'mobilenet-v2-int8', audioModel: 'efficientat-mn04-as' });
        const errors = Object.fromEntries(engine.status.read().errors.map((e) => [basename(e.path), e.error]));
        expect(errors).toEqual({
          'corrupt.mp3': expect.stringMatching(/not a readable audio or video file/),
          'empty.wav': expect.stringMatching(/empty file/),
        });
        // A recording's name on a file that holds a picture track: it is taken for what it holds, a video.
        const store = storeOf(engine);
        expect(store.contents.kindOf(store.files.byPath(join(folder, 'no-sound.m4a'))!.content_id!)).toBe('video');
        expect(engine.status.read().files.ready).toBe(3);
        const { results } = await engine.search.similar(join(folder, 'good.wav'), { limit: 1 });
        expect(results[0]!.path).toBe(join(folder, 'really-a-flac.mp3'));
      } finally {
        await engine.close();
      }
    } finally {
      scratch.remove();
    }
  });

  it('indexes a recordings-only library offline with only an audio model: pictures wait, with the reason', async () => {
    const scratch = tempDir();
    const folder = join(scratch, 'sounds-only');
    mkdirSync(folder, { recursive: true });
    const wavs = readdirSync(AUDIO, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(AUDIO, d.name)).map((f) => join(AUDIO, d.name, f)))
      .filter((c) => c.endsWith('.wav'));
    for (const clip of wavs.slice(0, 4)) copyFileSync(clip, join(folder, basename(clip)));
    const library = join(scratch, 'sounds-library');
    // The shared models hold no CLIP (the library's default image model), and downloads are off.
    const env = { TROVE_MODELS_DIR: SHARED_MODELS, TROVE_MODEL_CACHE: join(scratch, 'empty-cache'), TROVE_OFFLINE: '1' };
    expect((await runCli(['--library', library, 'add', folder], { env })).code).toBe(0);
    const index = await runCli(['--library', library, 'index', '--audio-model', 'efficientat-mn04-as'], { env });
    expect(index.code, index.stderr).toBe(0);
    expect(index.stderr).toMatch(/4 embedded/);
    expect(index.stderr).toMatch(/Photos and videos are not indexed yet: model clip-vit-base-patch32 is not installed/);
    const search = await runCli(['--library', library, 'search', 'dog', '--json'], { env });
    expect(search.code, search.stderr).toBe(0);
  });
});
