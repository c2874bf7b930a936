/**
 * Acceptance 1 (audio): the tiny random-weight CLAP fixture (same layout and tensor names as
 * Xenova/clap-htsat-unfused) runs the real CLAP code path offline: ffmpeg decodes at 48 kHz, the
 * recording is cut into 10 s windows, transformers.js turns each into CLAP's log-mel spectrogram and
 * runs the audio encoder; text goes through the RoBERTa tokenizer and the text encoder. CLAP is the
 * default audio model, so nothing has to be chosen.
 */
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { findBuiltinModel } from '../../src/main/core/models/registry.js';
import { DEFAULT_AUDIO_MODEL } from '../../src/main/core/store/settings-repo.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { runFfmpeg } from '../helpers/ffmpeg.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { tempDir } from '../helpers/temp.js';

const CLAP_DIR = join(FIXTURE_MODELS, 'clap-htsat-unfused');

function makeAudio(path: string, source: string, extra: string[] = []): void {
  const made = runFfmpeg(['-f', 'lavfi', '-i', source, ...extra, path]);
  if (made.code !== 0) throw new Error(made.stderr);
}

describe('CLAP fixture', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('has exactly the file layout the registry downloads for Xenova/clap-htsat-unfused', () => {
    const spec = findBuiltinModel(DEFAULT_AUDIO_MODEL);
    expect(spec?.kind).toBe('clap');
    expect(spec?.kind === 'clap' && spec.hubRepo).toBe('Xenova/clap-htsat-unfused');
    for (const file of spec!.kind === 'clap' ? spec!.files : []) expect(existsSync(join(CLAP_DIR, file)), file).toBe(true);
    expect(JSON.parse(readFileSync(join(CLAP_DIR, 'config.json'), 'utf8')).model_type).toBe('clap');
  });

  it('indexes recordings in 10 s windows and answers text and find-similar searches, offline', async () => {
    const media = tempDir();
    await writeSyntheticPhotos(media, 3);
    const long = join(media, 'long-noise.flac');
    makeAudio(long, 'anoisesrc=duration=24:color=pink:sample_rate=44100');
    const tone = join(media, 'tone.wav');
    makeAudio(tone, 'sine=frequency=660:duration=6:sample_rate=44100');
    const toneAgain = join(media, 'tone-again.mp3');
    makeAudio(toneAgain, 'sine=frequency=660:duration=6:sample_rate=44100', ['-b:a', '64k']);
    const chirp = join(media, 'chirp.ogg');
    makeAudio(chirp, "aevalsrc='sin(2*PI*(200+400*t)*t)':d=6:s=44100", ['-c:a', 'libvorbis']);

    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(media);
      const summary = await engine.indexer.index();
      expect(summary.audioSkipped).toBeUndefined();
      expect(summary.failed).toBe(0);
      const status = engine.status.read();
      expect(status.files.ready).toBe(7);
      const clap = status.models.find((m) => m.name === DEFAULT_AUDIO_MODEL);
      // 24 s -> windows at 0, 10, 20 s; each 6 s recording is one window.
      expect(clap?.vectors).toBe(3 + 3);
      expect(clap?.dim).toBe(32);

      // Text reaches the sounds through CLAP's own text encoder (the fixture has no tags to match).
      const { results } = await engine.search.text('rain on a window', { limit: 20, kinds: ['audio'] });
      expect(results.map((r) => r.path).sort()).toEqual([chirp, long, toneAgain, tone].sort());
      expect(results.every((r) => r.via === 'vector' && typeof r.offsetS === 'number')).toBe(true);
      const longHit = results.find((r) => r.path === long)!;
      expect([0, 10, 20]).toContain(longHit.offsetS);
      for (let i = 1; i < results.length; i += 1) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);

      // Without a kind filter, photos (CLIP) and sounds (CLAP) come back ranked together.
      const mixed = await engine.search.text('a dog barking', { limit: 20 });
      expect(new Set(mixed.results.map((r) => r.kind))).toEqual(new Set(['image', 'audio']));
      expect(mixed.results).toHaveLength(7);

      // The same tone re-encoded as a 64 kb/s MP3 is the nearest recording to the WAV.
      const similar = await engine.search.similar(tone, { limit: 3 });
      expect(similar.results[0]!.path).toBe(toneAgain);
      expect(similar.results.every((r) => r.kind === 'audio')).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('leaves recordings waiting, with the reason, when CLAP is not installed and downloads are off', async () => {
    // A models folder holding only the CLIP fixture (a link to it), so CLAP is missing.
    const clipOnly = tempDir();
    symlinkSync(join(FIXTURE_MODELS, 'clip-vit-base-patch32'), join(clipOnly, 'clip-vit-base-patch32'));
    useModelDirs(clipOnly);
    const media = tempDir();
    await writeSyntheticPhotos(media, 2);
    makeAudio(join(media, 'tone.wav'), 'sine=frequency=440:duration=2');
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(media);
      const summary = await engine.indexer.index();
      expect(summary.audioSkipped).toMatch(/clap-htsat-unfused is not installed and offline mode forbids downloading it/);
      expect(summary.embedded).toBe(2);
      const { results } = await engine.search.text('anything', { limit: 10 });
      expect(results.map((r) => r.kind)).toEqual(['image', 'image']); // photos are still searchable
    } finally {
      await engine.close();
    }
  });
});
