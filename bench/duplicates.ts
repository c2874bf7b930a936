/**
 * Near-duplicate photos: Trove against findimagedupes (Debian's package, the classic tool) on the
 * same set — every photo in ../shared/media/photos plus four altered copies of each (resized, JPEG
 * quality 40, 5% crop, brightened). Recall: altered copies grouped with their photo. False pairs:
 * two different photos in one group (two pairs in that folder are one picture twice, checked by eye,
 * and are not counted). Time: from fingerprints to groups; Trove's fingerprints come free with
 * indexing, so its indexing time is reported separately.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Engine } from '../src/main/core/engine.js';
import { VARIANTS, writeVariants } from '../test/helpers/photo-variants.js';

export interface DuplicateToolResult {
  tool: string;
  setting: string;
  recall: number;
  falsePairs: number;
  groups: number;
  seconds: number;
  indexingSeconds?: number;
}

const SAME_PICTURE_IN_DATASET = new Set(['grand_piano/image_0004|grand_piano/image_0014', 'butterfly/image_0001|butterfly/image_0031']);
const photoKey = (path: string) => `${basename(dirname(path))}/${basename(path).split('.')[0]}`;

function score(
  originals: string[],
  variantsDir: string,
  groups: string[][],
): Pick<DuplicateToolResult, 'recall' | 'falsePairs' | 'groups'> {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((p) => groupOf.set(p, i)));
  let found = 0;
  for (const photo of originals) {
    for (const v of VARIANTS) {
      const copy = join(variantsDir, basename(dirname(photo)), `${basename(photo, '.jpg')}.${v}.jpg`);
      if (groupOf.has(photo) && groupOf.get(photo) === groupOf.get(copy)) found += 1;
    }
  }
  let falsePairs = 0;
  for (const group of groups) {
    const keys = [...new Set(group.map(photoKey))].sort();
    for (let i = 0; i < keys.length; i += 1) {
      for (let j = i + 1; j < keys.length; j += 1) if (!SAME_PICTURE_IN_DATASET.has(`${keys[i]}|${keys[j]}`)) falsePairs += 1;
    }
  }
  return { recall: found / (originals.length * VARIANTS.length), falsePairs, groups: groups.length };
}

export async function measureDuplicates(photosDir: string, modelsDir: string, log: (m: string) => void): Promise<DuplicateToolResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'trove-dups-'));
  try {
    const originals = readdirSync(photosDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(photosDir, d.name)).map((f) => join(photosDir, d.name, f)));
    const variantsDir = join(work, 'variants');
    for (const photo of originals) await writeVariants(photo, join(variantsDir, basename(dirname(photo))));
    const results: DuplicateToolResult[] = [];

    process.env.TROVE_MODELS_DIR = modelsDir;
    const engine = Engine.open({ libraryDir: join(work, 'library'), modelCacheDir: join(work, 'models'), offline: true });
    try {
      engine.folders.add(photosDir);
      engine.folders.add(variantsDir);
      const indexStart = performance.now();
      await engine.indexer.index({ model: 'mobilenet-v2-int8' });
      const indexingSeconds = (performance.now() - indexStart) / 1000;
      const start = performance.now();
      const groups = await engine.duplicates.find();
      const seconds = (performance.now() - start) / 1000;
      results.push({
        tool: 'trove',
        setting: 'default',
        ...score(
          originals,
          variantsDir,
          groups.map((g) => g.members.map((m) => m.path)),
        ),
        seconds,
        indexingSeconds,
      });
    } finally {
      await engine.close();
    }

    if (existsSync('/usr/bin/findimagedupes')) {
      const files = [
        ...originals,
        ...readdirSync(variantsDir).flatMap((d) => readdirSync(join(variantsDir, d)).map((f) => join(variantsDir, d, f))),
      ];
      for (const threshold of ['90%', '95%']) {
        const start = performance.now();
        const out = execFileSync('findimagedupes', ['-q', '-t', threshold, '--', ...files], {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        const seconds = (performance.now() - start) / 1000;
        const groups = out
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' '));
        results.push({ tool: 'findimagedupes', setting: `-t ${threshold}`, ...score(originals, variantsDir, groups), seconds });
      }
    } else log('  findimagedupes not installed (apt-get install findimagedupes): comparison skipped');
    for (const r of results) {
      log(
        `  ${r.tool} (${r.setting}): recall ${r.recall.toFixed(4)}, different photos grouped ${r.falsePairs}, ${r.groups} groups, ${r.seconds.toFixed(1)} s${r.indexingSeconds ? ` (+ indexing ${r.indexingSeconds.toFixed(0)} s, fingerprints included)` : ''}`,
      );
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
