/**
 * Duplicate recordings: Trove's fingerprint against Chromaprint's `fpcalc` (Debian's
 * libchromaprint-tools) on the same set — every clip in ../shared/media/audio plus three altered
 * copies of each (32 kb/s MP3, first second cut off, 6 dB quieter). Recall: copies grouped with their
 * clip. False pairs: two different clips in one group. fpcalc only fingerprints; its prints are
 * matched here the way AcoustID compares them (best alignment, share of differing bits), at two
 * thresholds, and grouped transitively like Trove's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Engine } from '../src/main/core/engine.js';
import { popcount32 } from '../src/main/core/media/audio-fingerprint.js';
import { UnionFind } from '../src/main/core/duplicates/union-find.js';
import { writeAudioVariants } from '../test/helpers/audio-variants.js';
import type { DuplicateToolResult } from './duplicates.js';

/** Files are named `<clip>.<variant>.<ext>`: the clip is what must match. */
const clipOf = (path: string) => basename(path).split('.')[0]!;

function score(files: string[], groups: string[][]): Pick<DuplicateToolResult, 'recall' | 'falsePairs' | 'groups'> {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((p) => groupOf.set(basename(p), i)));
  const originals = files.filter((f) => basename(f).includes('.orig.'));
  const copies = files.filter((f) => !basename(f).includes('.orig.'));
  const found = copies.filter((copy) => {
    const original = originals.find((o) => clipOf(o) === clipOf(copy))!;
    return groupOf.has(basename(copy)) && groupOf.get(basename(copy)) === groupOf.get(basename(original));
  }).length;
  let falsePairs = 0;
  for (const group of groups) {
    const clips = new Set(group.map(clipOf)).size;
    falsePairs += (clips * (clips - 1)) / 2;
  }
  return { recall: found / copies.length, falsePairs, groups: groups.length };
}

/**
 * Chromaprint prints matched as AcoustID does: the best alignment, sharing at least half of the
 * shorter print (and 5 codes), scored by its share of differing bits.
 */
function fpcalcGroups(prints: { path: string; codes: number[] }[], maxBitErrors: number): string[][] {
  const groups = new UnionFind();
  for (let a = 0; a < prints.length; a += 1) {
    for (let b = a + 1; b < prints.length; b += 1) {
      const x = prints[a]!.codes;
      const y = prints[b]!.codes;
      let best = 1;
      const minShared = Math.max(5, Math.ceil(Math.min(x.length, y.length) / 2));
      for (let shift = -(x.length - 5); shift <= y.length - 5; shift += 1) {
        let bits = 0;
        let n = 0;
        for (let i = Math.max(0, -shift); i < x.length && i + shift < y.length; i += 1) {
          bits += popcount32((x[i]! ^ y[i + shift]!) >>> 0);
          n += 1;
        }
        if (n >= minShared) best = Math.min(best, bits / (32 * n));
      }
      if (best <= maxBitErrors) groups.union(a, b);
    }
  }
  return groups.clusters().map((c) => c.map((i) => prints[i]!.path));
}

export async function measureAudioDuplicates(
  audioDir: string,
  modelsDir: string,
  log: (m: string) => void,
): Promise<DuplicateToolResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'trove-audio-dups-'));
  try {
    const media = join(work, 'media');
    const files: string[] = [];
    const clips = readdirSync(audioDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(audioDir, d.name)).map((f) => join(audioDir, d.name, f)));
    mkdirSync(media, { recursive: true });
    for (const [i, clip] of clips.entries()) {
      const stem = `clip${String(i).padStart(3, '0')}`;
      const original = join(media, `${stem}.orig${clip.slice(clip.lastIndexOf('.'))}`);
      copyFileSync(clip, original);
      files.push(original, ...writeAudioVariants(original, media, stem));
    }
    const results: DuplicateToolResult[] = [];

    process.env.TROVE_MODELS_DIR = modelsDir;
    const engine = Engine.open({ libraryDir: join(work, 'library'), modelCacheDir: join(work, 'models'), offline: true });
    try {
      engine.settings.update({ audioModel: null }); // fingerprints only: no audio model
      engine.folders.add(media);
      const indexStart = performance.now();
      await engine.indexer.index({ model: 'mobilenet-v2-int8' });
      const indexingSeconds = (performance.now() - indexStart) / 1000;
      const start = performance.now();
      const groups = (await engine.duplicates.find()).filter((g) => g.media === 'audio');
      results.push({
        tool: 'trove',
        setting: 'default',
        ...score(
          files,
          groups.map((g) => g.members.map((m) => m.path)),
        ),
        seconds: (performance.now() - start) / 1000,
        indexingSeconds,
      });
    } finally {
      await engine.close();
    }

    if (existsSync('/usr/bin/fpcalc')) {
      const start = performance.now();
      const prints = files.map((path) => {
        // fpcalc exits with 1 on a harmless end-of-file decoding note; its print is still complete.
        const out = spawnSync('fpcalc', ['-raw', '-json', path], { encoding: 'utf8' }).stdout;
        return { path, codes: (JSON.parse(out) as { fingerprint: number[] }).fingerprint.map((c) => c >>> 0) };
      });
      const fingerprintSeconds = (performance.now() - start) / 1000;
      for (const threshold of [0.1, 0.2, 0.3]) {
        const matchStart = performance.now();
        const groups = fpcalcGroups(prints, threshold);
        results.push({
          tool: 'fpcalc (Chromaprint 1.5)',
          setting: `bit errors <= ${threshold}`,
          ...score(files, groups),
          seconds: (performance.now() - matchStart) / 1000,
          indexingSeconds: fingerprintSeconds,
        });
      }
    } else log('  fpcalc not installed (apt-get install libchromaprint-tools): comparison skipped');
    for (const r of results) {
      log(
        `  ${r.tool} (${r.setting}): recall ${r.recall.toFixed(4)}, different clips grouped ${r.falsePairs}, ${r.groups} groups, ${r.seconds.toFixed(2)} s to group${r.indexingSeconds ? ` (+ ${r.indexingSeconds.toFixed(1)} s ${r.tool === 'trove' ? 'indexing, fingerprints included' : 'fingerprinting'})` : ''}`,
      );
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
