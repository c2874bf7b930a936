/**
 * Acceptance 3: duplicate recordings by acoustic fingerprint. Every clip of ../shared/media/audio gets
 * three altered copies (re-encoded as a 32 kb/s MP3, its first second cut off, 6 dB quieter); each
 * copy must land in its clip's group (recall >= 0.95) and no group may hold two different clips.
 * Synthetic sounds check the same without ../shared, plus identical files and silences.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { FIXTURE_MODELS, SHARED, useModelDirs } from '../helpers/env.js';
import { ffmpegOrThrow, writeAudioVariants } from '../helpers/audio-variants.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.js';
import { storeOf } from '../helpers/library-store.js';

const AUDIO = join(SHARED, 'media', 'audio');
const hasAudio = existsSync(join(AUDIO, 'labels.csv'));

/** Indexes a folder without any audio model (fingerprints are made when files are read) and groups. */
async function duplicateGroups(folder: string) {
  const library = tempDir();
  const engine = Engine.open({ libraryDir: library, offline: true, modelCacheDir: tempDir() });
  try {
    engine.settings.update({ audioModel: null });
    engine.folders.add(folder);
    const summary = await engine.indexer.index();
    return { summary, groups: (await engine.duplicates.find()).filter((g) => g.media === 'audio'), library, status: engine.status.read() };
  } finally {
    await engine.close();
  }
}

describe('duplicate recordings', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('groups altered copies of distinct sounds, identical files as exact, and never silences', async () => {
    const dir = tempDir();
    const sounds = {
      // A tune: a note with two overtones, changing four times a second.
      tune: "aevalsrc='0.3*(sin(2*PI*220*pow(2,mod(floor(t*4)*5,12)/12)*t)+0.5*sin(4*PI*220*pow(2,mod(floor(t*4)*5,12)/12)*t)+0.3*sin(6*PI*220*pow(2,mod(floor(t*4)*5,12)/12)*t))':d=6:s=44100",
      beeps: "aevalsrc='0.5*sin(2*PI*880*t)*(mod(floor(t*4),2))':d=6:s=44100",
      pinkNoise: 'anoisesrc=duration=6:color=pink:sample_rate=44100:seed=3',
      otherNoise: 'anoisesrc=duration=6:color=pink:sample_rate=44100:seed=4',
    };
    const originals: Record<string, string> = {};
    for (const [name, source] of Object.entries(sounds)) {
      originals[name] = join(dir, `${name}.wav`);
      ffmpegOrThrow(['-f', 'lavfi', '-i', source, originals[name]!]);
    }
    const copies = Object.fromEntries(Object.entries(originals).map(([name, path]) => [name, writeAudioVariants(path, dir, name)]));
    copyFileSync(originals.tune!, join(dir, 'tune-copy.wav')); // byte-identical
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '5', join(dir, 'silence-a.wav')]);
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'anullsrc=r=22050:cl=mono', '-t', '7', join(dir, 'silence-b.flac')]);

    const { groups, status } = await duplicateGroups(dir);
    expect(status.errors).toEqual([]);
    const members = groups.map((g) => new Set(g.members.map((m) => basename(m.path))));
    for (const name of Object.keys(sounds)) {
      const group = members.find((m) => m.has(`${name}.wav`));
      expect(group, name).toBeDefined();
      for (const copy of copies[name]!) expect(group!.has(basename(copy)), basename(copy)).toBe(true);
    }
    // Each group is one sound only; the two noises (same colour, different draws) are not one sound.
    for (const group of members) expect(new Set([...group].map((f) => f.split(/[.-]/)[0])).size, [...group].join(', ')).toBe(1);
    expect(members.some((m) => m.has('silence-a.wav') || m.has('silence-b.flac'))).toBe(false);
    const tuneGroup = groups.find((g) => g.members.some((m) => m.path.endsWith('tune.wav')))!;
    expect(tuneGroup.members.find((m) => m.fileId === tuneGroup.keeper)!.path).toMatch(/tune(-copy)?\.wav$/);
    expect(tuneGroup.similarity).toBeGreaterThan(0.3);
  });

  it('groups recordings shorter than two seconds with their re-encoded and quieter copies', async () => {
    const dir = tempDir();
    const sounds = {
      chirps: "aevalsrc='0.4*sin(2*PI*(600+900*mod(t*5,1))*t)*(0.5+0.5*sin(2*PI*3*t))':d=1.5:s=44100",
      noise: 'anoisesrc=duration=1.6:color=pink:sample_rate=44100:seed=11',
      other: 'anoisesrc=duration=1.4:color=brown:sample_rate=44100:seed=12',
    };
    for (const [name, source] of Object.entries(sounds)) {
      const original = join(dir, `${name}.wav`);
      ffmpegOrThrow(['-f', 'lavfi', '-i', source, original]);
      ffmpegOrThrow(['-i', original, '-ac', '1', '-b:a', '64k', join(dir, `${name}-copy.mp3`)]);
      ffmpegOrThrow(['-i', original, '-af', 'volume=-6dB', join(dir, `${name}-quieter.flac`)]);
    }
    const { groups } = await duplicateGroups(dir);
    const members = groups.map((g) => [...new Set(g.members.map((m) => basename(m.path)))].sort()).sort();
    expect(members).toEqual(
      Object.keys(sounds)
        .sort()
        .map((name) => [`${name}-copy.mp3`, `${name}-quieter.flac`, `${name}.wav`]),
    );
  });

  it('makes the fingerprints an older library lacks when duplicates are asked for', async () => {
    const dir = tempDir();
    const tune = join(dir, 'tune.wav');
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'anoisesrc=duration=6:color=brown:sample_rate=44100:seed=9', tune]);
    const [low] = writeAudioVariants(tune, dir, 'tune');
    await writeSyntheticPhoto(join(dir, 'photo.jpg'), 3, 640, 480, 'jpeg', 5);
    await sharp(join(dir, 'photo.jpg')).resize(320).toFile(join(dir, 'photo-small.jpg'));
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.settings.update({ audioModel: null });
      engine.folders.add(dir);
      await engine.indexer.index();
      // As a library indexed before fingerprints existed would be.
      storeOf(engine).fingerprints.forgetAll();
      const groups = await engine.duplicates.find();
      const members = groups.map((g) => new Set(g.members.map((m) => basename(m.path))));
      expect(members).toContainEqual(new Set(['tune.wav', basename(low!)]));
      expect(members).toContainEqual(new Set(['photo.jpg', 'photo-small.jpg']));
      const missing = storeOf(engine).fingerprints.missing('audio').length + storeOf(engine).fingerprints.missing('visual').length;
      expect(missing).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it.skipIf(!hasAudio)(
    'finds every re-encoded, trimmed and quieter copy of the labelled clips (recall >= 0.95), grouping no two clips',
    async () => {
      const dir = tempDir();
      const labels = readFileSync(join(AUDIO, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
      const clips = labels.map((line) => line.split(',')[0]!);
      const expected = new Map<string, string>(); // copy -> its clip
      for (const [i, clip] of clips.entries()) {
        const stem = `clip${String(i).padStart(2, '0')}`;
        const original = join(dir, `${stem}.orig${clip.slice(clip.lastIndexOf('.'))}`);
        mkdirSync(dir, { recursive: true });
        copyFileSync(join(AUDIO, clip), original);
        for (const copy of writeAudioVariants(original, dir, stem)) expected.set(basename(copy), basename(original));
      }
      const { groups, status, library } = await duplicateGroups(dir);
      expect(status.errors).toEqual([]);
      expect(status.files.ready).toBe(clips.length * 4);

      const groupOf = new Map<string, number>();
      groups.forEach((g, i) => g.members.forEach((m) => groupOf.set(basename(m.path), i)));
      const found = [...expected].filter(([copy, original]) => groupOf.has(copy) && groupOf.get(copy) === groupOf.get(original));
      const recall = found.length / expected.size;
      console.log(`audio duplicates: recall ${recall.toFixed(4)} (${found.length}/${expected.size}), ${groups.length} groups`);
      expect(recall).toBeGreaterThanOrEqual(0.95);
      for (const g of groups) {
        const clipsInGroup = new Set(g.members.map((m) => basename(m.path).split('.')[0]));
        expect(clipsInGroup.size, g.members.map((m) => basename(m.path)).join(', ')).toBe(1);
      }

      // The CLI prints the same groups as JSON, marked as recordings. The suggested keeper is never
      // the copy with its start cut off nor the 32 kb/s one (a lossless copy of a lossy original may
      // be, rightly: it holds everything the original does).
      const cli = await runCli(['--library', library, 'duplicates', '--json']);
      expect(cli.code, cli.stderr).toBe(0);
      const printed = JSON.parse(cli.stdout) as { groups: { media: string; keeper: string }[] };
      const audioGroups = printed.groups.filter((g) => g.media === 'audio');
      expect(audioGroups.length).toBe(groups.length);
      const badKeepers = audioGroups.filter((g) => /\.(trimmed|low)\./.test(basename(g.keeper))).map((g) => basename(g.keeper));
      expect(badKeepers).toEqual([]);
    },
    240_000,
  );
});
