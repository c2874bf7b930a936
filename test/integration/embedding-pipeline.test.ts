/** The embedding stage on its own, for the cases the full pipeline rarely lines up on cue. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { EmbeddingPipeline } from '../../src/main/core/jobs/embedding-pipeline.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { writeFileSync } from 'node:fs';

describe('embedding pipeline', () => {
  it('gives no verdict on a content whose file went missing before its turn', async () => {
    useModelDirs(FIXTURE_MODELS);
    const lib = tempDir();
    const photos = tempDir();
    const [a] = (await writeSyntheticPhotos(photos, 2)) as [string, string];
    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'm') });
    try {
      engine.addFolder(photos);
      await engine.index();
      const model = await engine.useModel();
      const row = engine.files.byPath(a)!;
      const contentId = row.content_id!;
      // As if the file had been moved away after it was read but before it was embedded.
      engine.db.prepare('DELETE FROM embeddings WHERE content_id = ?').run(contentId);
      engine.db.prepare('DELETE FROM vectors WHERE content_id = ?').run(contentId);
      engine.files.markMissing(row.id);
      engine.queue.enqueueEmbed(contentId, model.name);

      const pipeline = new EmbeddingPipeline(engine.db, engine.files, engine.vectors, engine.queue, model, 16);
      const batch = await pipeline.prepare(pipeline.claim());
      expect(batch.skipped).toHaveLength(1);
      const outcome = await pipeline.run(batch);
      expect(outcome).toMatchObject({ embedded: 0, failed: 0 });
      expect(engine.vectors.failureOf(model.modelId, contentId)).toBeUndefined();
      expect(engine.queue.pending('embed')).toBe(0);
      expect(engine.status().files.error).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('records a decode failure on the file and embeds the rest of the batch', async () => {
    useModelDirs(FIXTURE_MODELS);
    const lib = tempDir();
    const photos = tempDir();
    const [a, b] = (await writeSyntheticPhotos(photos, 3)) as [string, string, string];
    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'm') });
    try {
      engine.addFolder(photos);
      await engine.index();
      expect(engine.status().files.ready).toBe(3);
      // Damage one file in place, keeping its size and date so no rescan notices: only decoding can.
      writeFileSync(a, Buffer.alloc(1000, 0));
      const model = await engine.useModel();
      const row = engine.files.byPath(a)!;
      engine.db.prepare('DELETE FROM embeddings WHERE content_id = ?').run(row.content_id);
      engine.db.prepare('DELETE FROM vectors WHERE content_id = ?').run(row.content_id);
      const other = engine.files.byPath(b)!;
      engine.db.prepare('DELETE FROM embeddings WHERE content_id = ?').run(other.content_id);
      engine.db.prepare('DELETE FROM vectors WHERE content_id = ?').run(other.content_id);
      engine.queue.enqueueEmbed(row.content_id!, model.name);
      engine.queue.enqueueEmbed(other.content_id!, model.name);
      const pipeline = new EmbeddingPipeline(engine.db, engine.files, engine.vectors, engine.queue, model, 16);
      const outcome = await pipeline.run(await pipeline.prepare(pipeline.claim()));
      expect(outcome).toMatchObject({ embedded: 1, failed: 1 });
      expect(engine.files.byPath(a)).toMatchObject({ status: 'error' });
      expect(engine.files.byPath(a)!.error).toMatch(/not an image|corrupt/);
      expect(engine.files.byPath(b)!.status).toBe('ready');
    } finally {
      await engine.close();
    }
  });
});
