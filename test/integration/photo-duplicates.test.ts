/**
 * Near-duplicate photos on real pictures: for every photo in ../shared/media/photos, a resized copy,
 * a JPEG at quality 40, a 5% crop and a brightened copy must land in its group (recall >= 0.95), and
 * no two different photos may share a group. Indexed with the real MobileNetV2 (whose class
 * probabilities are no help here: the visual fingerprints carry it). Also: exact copies, and the CLI.
 *
 * Two pairs of files in that folder are one picture twice (checked by eye): grand_piano 0004/0014
 * is the same photograph cropped differently, butterfly 0001/0031 the same drawing, once framed.
 * Grouping those is right, so they are not counted as different photos.
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import type { DuplicateGroup } from '../../src/main/core/duplicates/photo-duplicates.js';
import { hasSharedPhotos, SHARED_MODELS, SHARED_PHOTOS, SHARED_SKIP_REASON, useModelDirs } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { VARIANTS, writeVariants } from '../helpers/photo-variants.js';
import { runCli } from '../helpers/cli.js';

const SAME_PICTURE_IN_DATASET = [
  ['grand_piano/image_0004', 'grand_piano/image_0014'],
  ['butterfly/image_0001', 'butterfly/image_0031'],
];

/** "class/image_0001" for an original or any of its variants. */
const photoKey = (path: string) => `${basename(dirname(path))}/${basename(path).split('.')[0]}`;

if (!hasSharedPhotos) console.warn(SHARED_SKIP_REASON);

describe.skipIf(!hasSharedPhotos)('near-duplicate photos (../shared/media/photos)', () => {
  const scratch = suiteTempDir();
  let engine: Engine;
  let groups: DuplicateGroup[];
  let originals: string[];

  beforeAll(async () => {
    useModelDirs(SHARED_MODELS);
    originals = readdirSync(SHARED_PHOTOS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(SHARED_PHOTOS, d.name)).map((f) => join(SHARED_PHOTOS, d.name, f)));
    for (const photo of originals) await writeVariants(photo, join(scratch.path, 'variants', basename(dirname(photo))));
    // Two identical files: an exact group.
    copyFileSync(originals[0]!, join(scratch.path, 'variants', 'exact-copy.jpg'));
    engine = Engine.open({ libraryDir: join(scratch.path, 'library'), modelCacheDir: join(scratch.path, 'models'), offline: true });
    engine.folders.add(SHARED_PHOTOS);
    engine.folders.add(join(scratch.path, 'variants'));
    const summary = await engine.indexer.index({ model: 'mobilenet-v2-int8' });
    expect(summary.failed).toBe(0);
    groups = await engine.duplicates.find();
  }, 600_000);

  afterAll(async () => {
    await engine?.close();
    scratch.remove();
  });

  it('groups at least 95% of the altered copies with their photo', () => {
    const groupOf = new Map<string, number>();
    groups.forEach((g, i) => g.members.forEach((m) => groupOf.set(m.path, i)));
    let found = 0;
    const missed: string[] = [];
    for (const photo of originals) {
      for (const variant of VARIANTS) {
        const copy = join(scratch.path, 'variants', basename(dirname(photo)), `${basename(photo, '.jpg')}.${variant}.jpg`);
        if (groupOf.has(photo) && groupOf.get(photo) === groupOf.get(copy)) found += 1;
        else missed.push(`${photoKey(photo)} ${variant}`);
      }
    }
    const recall = found / (originals.length * VARIANTS.length);
    console.log(
      `photo duplicates: recall ${recall.toFixed(4)} (${found}/${originals.length * VARIANTS.length}); missed: ${missed.slice(0, 12).join(', ')}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('never groups two different photos', () => {
    const allowed = new Set(SAME_PICTURE_IN_DATASET.map(([a, b]) => `${a}|${b}`));
    const mixed: string[] = [];
    for (const group of groups) {
      const keys = [...new Set(group.members.map((m) => photoKey(m.path)).filter((k) => !k.startsWith('variants/')))].sort();
      for (let i = 0; i < keys.length; i += 1) {
        for (let j = i + 1; j < keys.length; j += 1) if (!allowed.has(`${keys[i]}|${keys[j]}`)) mixed.push(`${keys[i]} + ${keys[j]}`);
      }
    }
    expect(mixed).toEqual([]);
  });

  it('groups identical files as exact, suggests the largest picture as keeper, and prints JSON from the CLI', async () => {
    const exact = groups.find((g) => g.members.some((m) => m.path.endsWith('exact-copy.jpg')))!;
    expect(exact.members.map((m) => m.path)).toContain(originals[0]);
    const withResized = groups.find((g) => g.members.some((m) => m.path.endsWith('.resized.jpg')))!;
    const keeper = withResized.members.find((m) => m.fileId === withResized.keeper)!;
    expect(keeper.path).not.toMatch(/\.resized\.jpg$/);
    for (const m of withResized.members)
      expect((m.width ?? 0) * (m.height ?? 0)).toBeLessThanOrEqual((keeper.width ?? 0) * (keeper.height ?? 0));

    await engine.close();
    const cli = await runCli(['--library', join(scratch.path, 'library'), 'duplicates', '--json'], {
      env: { TROVE_MODELS_DIR: SHARED_MODELS },
    });
    expect(cli.code, cli.stderr).toBe(0);
    const parsed = JSON.parse(cli.stdout) as { groups: { keeper: string; members: { path: string; keep: boolean }[] }[] };
    expect(parsed.groups.length).toBe(groups.length);
    for (const g of parsed.groups) expect(g.members.filter((m) => m.keep).map((m) => m.path)).toEqual([g.keeper]);
  });
});
