/**
 * Searches by meaning stop where the matches fall into the library's background instead of
 * returning the whole library: what is left out is behind "weaker matches", and each hit's match is
 * said in words. Real MobileNetV2 on the labelled photos of ../shared, through the request handlers.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryService } from '../../src/main/core/service/library-service.js';
import type { SearchResult } from '../../src/shared/api.js';
import { hasSharedPhotos, SHARED_MODELS, SHARED_PHOTOS, SHARED_SKIP_REASON, sharedPhotoLabels, useModelDirs } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';

if (!hasSharedPhotos) console.warn(SHARED_SKIP_REASON);

describe.skipIf(!hasSharedPhotos)('search results cut at the background (../shared photos, MobileNetV2)', () => {
  const scratch = suiteTempDir();
  let service: LibraryService;
  let labels: Map<string, string>;

  beforeAll(async () => {
    useModelDirs(SHARED_MODELS);
    labels = sharedPhotoLabels();
    service = new LibraryService({
      libraryDir: join(scratch.path, 'library'),
      modelCacheDir: join(scratch.path, 'models'),
      offline: true,
      version: 'test',
    });
    service.engine.settings.update({ imageModel: 'mobilenet-v2-int8' });
    service.engine.folders.add(SHARED_PHOTOS);
    await service.engine.indexer.index();
  }, 300_000);

  afterAll(async () => {
    await service?.close();
    scratch.remove();
  });

  it('returns the close matches, says weaker ones exist, and gives them when asked', async () => {
    let cutTotal = 0;
    let sameTotal = 0;
    for (const query of ['llama/image_0001.jpg', 'pizza/image_0004.jpg', 'airplanes/image_0001.jpg']) {
      const path = join(realpathSync(SHARED_PHOTOS), query);
      const id = (service.engine.search.browse({ limit: 1000 }).find((h) => h.path === path) ?? { fileId: 0 }).fileId;
      const close = (await service.handle('similarTo', { fileId: id, limit: 200 })) as SearchResult;
      expect(close.hits.length).toBeGreaterThan(3);
      expect(close.hits.length).toBeLessThan(100); // not the whole library (300 photos)
      expect(close.more).toBe(false);
      expect(close.weaker).toBe(true);
      expect(close.hits.every((h) => h.match === 'strong' || h.match === 'good' || h.match === 'fair')).toBe(true);
      cutTotal += close.hits.length;
      sameTotal += close.hits.filter((h) => labels.get(h.path) === labels.get(path)).length;
      const all = (await service.handle('similarTo', { fileId: id, limit: 200, everything: true })) as SearchResult;
      expect(all.hits.length).toBeGreaterThan(close.hits.length);
      expect(all.hits.slice(0, close.hits.length).map((h) => h.fileId)).toEqual(close.hits.map((h) => h.fileId));
      expect(all.hits.some((h) => h.match === 'weak')).toBe(true);
    }
    console.log(`cut at the background: ${cutTotal} close matches for 3 queries, ${sameTotal} of the photo's own class`);
    expect(sameTotal / cutTotal).toBeGreaterThan(0.8);
  });
});
