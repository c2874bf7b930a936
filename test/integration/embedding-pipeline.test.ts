/** The embedding stage on its own, for the cases the full pipeline rarely lines up on cue. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { EmbeddingPipeline } from '../../src/main/core/indexing/embedding-pipeline.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { writeFileSync } from 'node:fs';
import { storeOf } from '../helpers/library-store.js';

describe('embedding pipeline', () => {
  it('gives no verdict on a content whose file went missing before its turn', async () => {
    useModelDirs(FIXTURE_MODELS);
    const lib = tempDir();
    const photos = tempDir();
    const [a] = (await writeSyntheticPhotos(photos, 2)) as [string, string];
    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'm') });
    try {
      engine.folders.add(photos);
      await engine.indexer.index();
      const model = await engine.indexer.useModel();
      const row = storeOf(engine).files.byPath(a)!;
      const contentId = row.content_id!;
      // As if the file had been moved away after it was read but before it was embedded.
      storeOf(engine).vectors.forgetContent(contentId);
      storeOf(engine).files.markMissing(row.id);
      storeOf(engine).jobs.enqueueEmbed('embed-image', contentId, model.modelId);

      const pipeline = new EmbeddingPipeline(storeOf(engine), model, 16);
      const batch = await pipeline.decode(pipeline.claim());
      expect(batch.skipped).toHaveLength(1);
      const outcome = await pipeline.run(batch);
      expect(outcome).toMatchObject({ embedded: 0, failed: 0 });
      expect(storeOf(engine).vectors.failureOf(model.modelId, contentId)).toBeUndefined();
      expect(storeOf(engine).jobs.pending('embed-image', model.modelId)).toBe(0);
      expect(engine.status.read().files.error).toBe(0);
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
      engine.folders.add(photos);
      await engine.indexer.index();
      expect(engine.status.read().files.ready).toBe(3);
      // Damage one file in place, keeping its size and date so no rescan notices: only decoding can.
      writeFileSync(a, Buffer.alloc(1000, 0));
      const model = await engine.indexer.useModel();
      const row = storeOf(engine).files.byPath(a)!;
      storeOf(engine).vectors.forgetContent(row.content_id!);
      const other = storeOf(engine).files.byPath(b)!;
      storeOf(engine).vectors.forgetContent(other.content_id!);
      storeOf(engine).jobs.enqueueEmbed('embed-image', row.content_id!, model.modelId);
      storeOf(engine).jobs.enqueueEmbed('embed-image', other.content_id!, model.modelId);
      const pipeline = new EmbeddingPipeline(storeOf(engine), model, 16);
      const outcome = await pipeline.run(await pipeline.decode(pipeline.claim()));
      expect(outcome).toMatchObject({ embedded: 1, failed: 1 });
      expect(storeOf(engine).files.byPath(a)).toMatchObject({ status: 'error' });
      expect(storeOf(engine).files.byPath(a)!.error).toMatch(/not an image|corrupt/);
      expect(storeOf(engine).files.byPath(b)!.status).toBe('ready');
    } finally {
      await engine.close();
    }
  });

  it('gives every photo its own vector while batches reuse their shared model input, closing the gap a failed photo leaves', async () => {
    useModelDirs(FIXTURE_MODELS);
    const photos = tempDir();
    const paths = await writeSyntheticPhotos(photos, 6);
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(photos);
      await engine.indexer.index();
      const model = await engine.indexer.useModel();
      const store = storeOf(engine);
      const contents = paths.map((path) => store.files.byPath(path)!.content_id!);
      const before = contents.map((id) => store.vectors.vectorsOfContent(model.modelId, id)[0]!.vector);
      for (const id of contents) {
        store.vectors.forgetContent(id);
        store.jobs.enqueueEmbed('embed-image', id, model.modelId);
      }
      // The second photo of the first batch no longer decodes: the third moves into its place.
      writeFileSync(paths[1]!, Buffer.alloc(1000, 0));
      const pipeline = new EmbeddingPipeline(store, model, 3);
      const first = await pipeline.decode(pipeline.claim());
      expect(first.pixels.buffer).toBeInstanceOf(SharedArrayBuffer); // read by the model in place
      expect(await pipeline.run(first)).toMatchObject({ embedded: 2, failed: 1 });
      const second = await pipeline.decode(pipeline.claim());
      expect(second.pixels).toBe(first.pixels); // the done batch's input, used again
      expect(await pipeline.run(second)).toMatchObject({ embedded: 3, failed: 0 });

      const after = contents.map((id) => store.vectors.vectorsOfContent(model.modelId, id)[0]?.vector);
      expect(after[1]).toBeUndefined();
      const good = [0, 2, 3, 4, 5];
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, j) => sum + v * b[j]!, 0);
      for (const i of good) expect(dot(after[i]!, before[i]!)).toBeGreaterThan(0.999);
      const others = good.map((i) => dot(after[i]!, before[good[(good.indexOf(i) + 1) % good.length]!]!));
      expect(Math.max(...others)).toBeLessThan(0.999);
    } finally {
      await engine.close();
    }
  });
});
