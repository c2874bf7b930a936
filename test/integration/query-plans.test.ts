/**
 * How SQLite plans every statement a whole engine runs (test/helpers/query-plans), on a real library:
 * photos with a copy, RAW files, videos in two encodings and recordings indexed with MobileNetV2;
 * the status, the duplicates review of each kind, browsing, the timeline, the map, find-similar,
 * thumbnails; files deleted, the next run's clean-up. Nothing that runs once per row reads a whole
 * table: a quadratic plan passes unnoticed on a test's few files and stalls a library of 100,000.
 */
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { hasSharedPhotos, SHARED, SHARED_MODELS, SHARED_PHOTOS, SHARED_SKIP_REASON, useModelDirs } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { watchQueryPlans, type QueryPlanWatch } from '../helpers/query-plans.js';

if (!hasSharedPhotos) console.warn(SHARED_SKIP_REASON);

describe.skipIf(!hasSharedPhotos)('query plans of a whole engine (../shared/media)', () => {
  const scratch = suiteTempDir();
  let plans: QueryPlanWatch;

  beforeAll(() => {
    plans = watchQueryPlans();
    useModelDirs(SHARED_MODELS);
  });
  afterAll(() => {
    plans.stop();
    scratch.remove();
  });

  it('never reads a whole table once per row', async () => {
    const media = join(scratch.path, 'media');
    const categories = readdirSync(SHARED_PHOTOS, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const { name } of categories.slice(0, 2)) cpSync(join(SHARED_PHOTOS, name), join(media, name), { recursive: true });
    cpSync(join(SHARED_PHOTOS, categories[0]!.name), join(media, 'copies'), { recursive: true });
    for (const name of ['crystal.mp4', 'crystal.webm', 'frog.mp4'])
      cpSync(join(SHARED, 'media', 'video', name), join(media, 'video', name));
    for (const name of ['canon-eos-d30.crw', 'nikon-coolscan-iv-ed.nef'])
      cpSync(join(SHARED, 'media', 'raw', name), join(media, 'raw', name));
    const sounds = join(SHARED, 'media', 'audio', 'cat');
    for (const name of readdirSync(sounds).slice(0, 3)) cpSync(join(sounds, name), join(media, 'audio', name));

    const engine = Engine.open({ libraryDir: join(scratch.path, 'library'), offline: true, modelCacheDir: join(scratch.path, 'models') });
    try {
      engine.settings.update({ readText: false });
      engine.folders.add(media);
      const summary = await engine.indexer.index({ model: 'mobilenet-v2-int8' });
      expect(summary.embedded).toBeGreaterThan(20);
      engine.status.read({ errorLimit: 10 });
      const groups = await engine.duplicates.find();
      expect(groups.some((g) => g.members.some((m) => m.path.endsWith('.webm')))).toBe(true);
      engine.duplicates.marks(groups[0]!);
      engine.duplicates.mark(groups[0]!.members[0]!.fileId, false);
      engine.duplicates.setNotDuplicates(groups[0]!.contents, true);
      await engine.duplicates.find();
      engine.duplicates.notDuplicates();
      engine.search.browse({});
      engine.search.timeline({});
      engine.search.mapClusters();
      const [hit] = engine.search.browse({ kinds: ['image'], limit: 1 });
      await engine.search.similar(hit!.path, {});
      await engine.media.thumbnail(hit!.fileId);
      engine.trash.recent();
      // Files gone: the next run forgets them and cleans up their contents.
      rmSync(join(media, 'copies'), { recursive: true });
      rmSync(join(media, 'video', 'frog.mp4'));
      await engine.indexer.index({ model: 'mobilenet-v2-int8' });
    } finally {
      await engine.close();
    }
    expect(plans.planned.size).toBeGreaterThan(40);
    expect(plans.offending).toEqual([]);
  });
});
