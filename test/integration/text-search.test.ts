/**
 * Issue 11: a picture found by the words it shows. ../shared/media/text-photos (real signs and
 * receipts, `labels.csv`) is indexed; every labelled query must find its picture in the top 10, the
 * negative words must find no picture by its text, and a query that mixes a description with quoted
 * words puts the picture that shows the words first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { FIXTURE_MODELS, SHARED, useModelDirs } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';

const TEXT_PHOTOS = join(SHARED, 'media', 'text-photos');
const hasTextPhotos = existsSync(join(TEXT_PHOTOS, 'labels.csv'));
if (!hasTextPhotos) console.warn(`../shared/media/text-photos not found at ${TEXT_PHOTOS}: text search quality test skipped`);

describe.skipIf(!hasTextPhotos)('search by the words in pictures (../shared/media/text-photos)', () => {
  let engine: Engine;
  const rows = hasTextPhotos
    ? readFileSync(join(TEXT_PHOTOS, 'labels.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',') as [string, string, string])
    : [];

  beforeEach(() => useModelDirs(FIXTURE_MODELS));
  beforeAll(async () => {
    useModelDirs(FIXTURE_MODELS);
    engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    engine.settings.update({ audioModel: null });
    engine.folders.add(TEXT_PHOTOS);
    const summary = await engine.indexer.index();
    expect(summary.failed).toBe(0);
  }, 600_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('finds the labelled picture in the top 10 for at least 90% of the queries, and no picture by a word it does not show', async () => {
    const missed: string[] = [];
    let found = 0;
    const positives = rows.filter(([path]) => path);
    for (const [path, query] of positives) {
      const { results } = await engine.search.text(query, { limit: 10 });
      if (results.some((r) => r.path.endsWith(`/${path}`))) found += 1;
      else missed.push(`${query} (${path})`);
    }
    const recall = found / positives.length;
    console.log(`text search: recall@10 ${recall.toFixed(3)} (${found}/${positives.length}); missed: ${missed.join(', ')}`);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    for (const [, query] of rows.filter(([path]) => !path)) {
      const { results } = await engine.search.text(query, { limit: 10 });
      expect(
        results.filter((r) => r.via === 'text'),
        query,
      ).toEqual([]);
    }
  });

  it('puts the picture showing the quoted words first when a description is mixed with them', async () => {
    const [path, query] = rows.find(([p]) => p.startsWith('scene/'))!;
    const { results } = await engine.search.text(`a photo of a street "${query}"`, { limit: 5 });
    expect(results[0]!.path.endsWith(`/${path}`)).toBe(true);
    expect(results[0]!.via).toBe('text');
    // Its record carries the lines read, each with its box inside the picture.
    const details = engine.status.fileDetails(results[0]!.fileId)!;
    const line = details.text!.lines.find((l) =>
      l.text
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .includes(query.replace(/[^a-z0-9]/g, '')),
    )!;
    expect(line).toBeDefined();
    const [left, top, width, height] = line.box;
    expect(left + width).toBeLessThanOrEqual(details.text!.width);
    expect(top + height).toBeLessThanOrEqual(details.text!.height);
  });
});
