/**
 * Acceptance 2: real model quality. MobileNetV2 (int8) from ../shared/models, through the
 * bring-your-own manifest, on the labelled photos in ../shared/media/photos:
 *   - find-similar same-class precision@5 >= 0.80 (the query itself excluded);
 *   - text search through tags puts the named class in >= 9 of the top 10 on average;
 *   - and forgives as people type (`trove search`, the real CLI): small words, plurals, a typo.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { hasSharedPhotos, SHARED_MODELS, SHARED_PHOTOS, SHARED_SKIP_REASON, sharedPhotoLabels, useModelDirs } from '../helpers/env.js';
import { runCli } from '../helpers/cli.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

if (!hasSharedPhotos) console.warn(SHARED_SKIP_REASON);

describe.skipIf(!hasSharedPhotos)('quality with mobilenet-v2-int8 on ../shared/media/photos', () => {
  let engine: Engine;
  let dir: string;
  let labels: Map<string, string>;

  beforeAll(async () => {
    useModelDirs(SHARED_MODELS);
    labels = sharedPhotoLabels();
    dir = mkdtempSync(join(tmpdir(), 'trove-quality-'));
    engine = Engine.open({ libraryDir: dir, offline: true, modelCacheDir: join(dir, 'models') });
    engine.folders.add(SHARED_PHOTOS);
    const summary = await engine.indexer.index({ model: 'mobilenet-v2-int8' });
    expect(summary.embedded).toBe(labels.size);
  });

  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('find-similar precision@5 >= 0.80', async () => {
    let relevant = 0;
    for (const [path, label] of labels) {
      const { results } = await engine.search.similar(path, { limit: 5 });
      expect(results.map((r) => r.path)).not.toContain(path);
      relevant += results.filter((r) => labels.get(r.path) === label).length;
    }
    const precision = relevant / (labels.size * 5);
    console.log(`find-similar precision@5 = ${precision.toFixed(3)} over ${labels.size} queries`);
    expect(precision).toBeGreaterThanOrEqual(0.8);
  });

  it('text search through tags: >= 9 of the top 10 on average', async () => {
    const queries = ['pizza', 'strawberry', 'llama', 'flamingo', 'umbrella', 'leopard', 'grand piano', 'elephant', 'panda'];
    let total = 0;
    for (const query of queries) {
      const { results } = await engine.search.text(query, { limit: 10 });
      const hits = results.filter((r) => labels.get(r.path) === query).length;
      console.log(`  "${query}": ${hits}/10`);
      total += hits;
      const scores = results.map((r) => r.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
    const average = total / queries.length;
    console.log(`tag search: ${average.toFixed(2)} of the top 10 on average`);
    expect(average).toBeGreaterThanOrEqual(9);
  });

  it('forgives small words, plurals and typos in `trove search` (>= 8 of the top 10 on average)', async () => {
    const queries: [string, string][] = [
      ['a flamingo', 'flamingo'],
      ['the pizza', 'pizza'],
      ['flamngo', 'flamingo'],
      ['an elephant in the wild', 'elephant'],
      ['a grand piano', 'grand_piano'],
      ['strawberries', 'strawberry'],
    ];
    const env = { TROVE_MODELS_DIR: SHARED_MODELS, TROVE_MODEL_CACHE: join(dir, 'models'), TROVE_OFFLINE: '1' };
    let total = 0;
    for (const [query, label] of queries) {
      const cli = await runCli(['--library', dir, 'search', query, '--limit', '10', '--json'], { env });
      expect(cli.code, cli.stderr).toBe(0);
      const results = (JSON.parse(cli.stdout) as { results: { path: string }[] }).results;
      const hits = results.filter((r) => labels.get(r.path) === label.replace('_', ' ') || labels.get(r.path) === label).length;
      console.log(`  trove search "${query}": ${hits}/10`);
      total += hits;
    }
    const average = total / queries.length;
    console.log(`forgiving tag search: ${average.toFixed(2)} of the top 10 on average`);
    expect(average).toBeGreaterThanOrEqual(8);
  });
});
