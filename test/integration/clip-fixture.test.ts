/**
 * Acceptance 1: the tiny random-weight CLIP fixture (same layout and tensor names as
 * Xenova/clip-vit-base-patch32) runs text and image search end to end through the real CLIP code
 * path (transformers.js tokenizer and encoders on onnxruntime-node), offline.
 */
import fs, { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, beforeEach, vi } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { FIXTURE_MODELS, SHARED_MODELS, useModelDirs } from '../helpers/env.js';
import { runCli } from '../helpers/cli.js';
import { findBuiltinModel } from '../../src/main/core/models/registry.js';
import { ClipEmbedder } from '../../src/main/core/models/embedders/clip-embedder.js';

const CLIP_DIR = join(FIXTURE_MODELS, 'clip-vit-base-patch32');

describe('CLIP fixture', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('has exactly the file layout the registry downloads for Xenova/clip-vit-base-patch32', () => {
    const spec = findBuiltinModel('clip-vit-base-patch32');
    expect(spec?.kind).toBe('clip');
    for (const file of spec!.kind === 'clip' ? spec!.files : []) expect(existsSync(join(CLIP_DIR, file)), file).toBe(true);
    const config = JSON.parse(readFileSync(join(CLIP_DIR, 'config.json'), 'utf8'));
    expect(config.model_type).toBe('clip');
  });

  it('indexes photos and answers text and image searches, offline', async () => {
    const lib = tempDir();
    const photos = tempDir();
    const paths = await writeSyntheticPhotos(photos, 12);
    // A resized copy of photo 3: image search must put it first.
    const query = join(tempDir(), 'query.png');
    await sharp(paths[3]!).resize(200).png().toFile(query);

    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: tempDir() });
    try {
      engine.folders.add(photos);
      const summary = await engine.indexer.index();
      expect(summary.model).toBe('clip-vit-base-patch32');
      expect(summary.embedded).toBe(12);
      expect(summary.failed).toBe(0);

      const text = await engine.search.text('a dog on a beach', { limit: 12 });
      expect(text.results).toHaveLength(12);
      const scores = text.results.map((r) => r.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      for (const s of scores) expect(Math.abs(s)).toBeLessThanOrEqual(1.0001);
      expect(new Set(text.results.map((r) => r.path))).toEqual(new Set(paths));
      // Different texts give different rankings or scores: the text encoder really ran on the words.
      const other = await engine.search.text('rain on a window', { limit: 12 });
      expect(other.results.map((r) => r.score)).not.toEqual(scores);

      const similar = await engine.search.similar(query, { limit: 3 });
      expect(similar.results[0]!.path).toBe(paths[3]);
      expect(similar.results[0]!.score).toBeGreaterThan(0.9);

      // An indexed file as the example: itself excluded, the rest ranked.
      const fromIndexed = await engine.search.similar(paths[0]!, { limit: 5 });
      expect(fromIndexed.results.map((r) => r.path)).not.toContain(paths[0]);
      expect(fromIndexed.results).toHaveLength(5);
    } finally {
      await engine.close();
    }
  });

  it('loads its encoders without streaming their files into memory: ONNX Runtime reads the weights from their path', async () => {
    // transformers.js 4.3.1 opened a read stream of every file it was asked for, read or not: the
    // encoders' weights were read a second time, 64 kB at a time, into memory nobody used (95 MB
    // for the real vision encoder). Its reader is patched (patches/@huggingface+transformers+*.patch).
    const streams = vi.spyOn(fs, 'createReadStream');
    const embedder = new ClipEmbedder(CLIP_DIR, 'q8', 1);
    try {
      const [text] = await embedder.embedTexts(['a photo']);
      const [image] = await embedder.embedImages(new Float32Array(3 * 224 * 224), 1, 224);
      expect(text!.length).toBeGreaterThan(0);
      expect(image!.vector).toHaveLength(text!.length);
      expect(streams.mock.calls.map(([path]) => String(path))).toEqual([]);
    } finally {
      streams.mockRestore();
      await embedder.dispose();
    }
  });

  it('prints {"results":[{path, score}]} with --json from the CLI', async () => {
    const lib = tempDir();
    const photos = tempDir();
    await writeSyntheticPhotos(photos, 4);
    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    expect((await runCli(['--library', lib, 'add', photos], { env })).code).toBe(0);
    const index = await runCli(['--library', lib, 'index'], { env });
    expect(index.code, index.stderr).toBe(0);
    const search = await runCli(['--library', lib, 'search', 'a red car', '--json', '--limit', '3'], { env });
    expect(search.code, search.stderr).toBe(0);
    const parsed = JSON.parse(search.stdout) as { results: { path: string; score: number }[] };
    expect(parsed.results).toHaveLength(3);
    for (const r of parsed.results) {
      expect(r.path.startsWith(photos)).toBe(true);
      expect(typeof r.score).toBe('number');
    }
  });

  it.skipIf(!existsSync(join(SHARED_MODELS, 'clip-vit-b32-tokenizer')))(
    'tokenises like the real CLIP tokenizer through the same code path',
    async () => {
      const { AutoTokenizer, env } = await import('@huggingface/transformers');
      env.allowRemoteModels = false;
      env.localModelPath = `${SHARED_MODELS}/`;
      const tokenizer = await AutoTokenizer.from_pretrained('clip-vit-b32-tokenizer');
      const ids = tokenizer('a photo of a dog').input_ids.tolist()[0].map(Number);
      expect(ids).toEqual([49406, 320, 1125, 539, 320, 1929, 49407]);
    },
  );
});
