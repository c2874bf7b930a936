/**
 * Indexing throughput against raw inference throughput, same model, same images, same run.
 *
 * raw:      onnxruntime-node on pre-decoded tensors (batch 16, same threads): the ceiling.
 * pipeline: `engine.index()` on a fresh library: scan, read, hash, EXIF, decode, inference (in the
 *           worker), SQLite commits and HNSW inserts, end to end.
 */
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/core/engine.js';
import { locateModel } from '../src/main/core/models/model-locator.js';
import { decodeForModel } from '../src/main/core/media/image-decoder.js';
import { scanFolder } from '../src/main/core/library/folder-scanner.js';
import { PathFilter } from '../src/main/core/library/path-filter.js';

export interface ThroughputResult {
  model: string;
  images: number;
  threads: number;
  rawImagesPerSecond: number;
  pipelineImagesPerSecond: number;
  ratio: number;
}

export async function measureIndexing(modelName: string, onnxFile: string, inputName: string, photosDir: string, modelsDir: string): Promise<ThroughputResult> {
  process.env.TROVE_MODELS_DIR = modelsDir;
  const threads = availableParallelism();
  const resolved = locateModel(modelName, join(tmpdir(), 'no-cache'));
  if (!resolved?.preprocess) throw new Error(`${modelName} not found in ${modelsDir}`);
  const pre = resolved.preprocess;
  const files = (await scanFolder(photosDir, new PathFilter({ excludePatterns: [], includeHidden: false }))).files.map((f) => f.path);

  // Raw: decode everything first (untimed), then time inference alone.
  const plane = 3 * pre.size * pre.size;
  const tensors = new Float32Array(files.length * plane);
  for (const [i, file] of files.entries()) await decodeForModel(file, pre, tensors, i * plane);
  const session = await ort.InferenceSession.create(join(resolved.dir, onnxFile), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const batch = 16;
  const runAll = async () => {
    for (let start = 0; start < files.length; start += batch) {
      const count = Math.min(batch, files.length - start);
      const input = new ort.Tensor('float32', tensors.slice(start * plane, (start + count) * plane), [count, 3, pre.size, pre.size]);
      await session.run({ [inputName]: input });
    }
  };
  await runAll(); // warm-up
  const rawStart = performance.now();
  await runAll();
  const rawSeconds = (performance.now() - rawStart) / 1000;
  await session.release();

  // Pipeline: a fresh library, indexed end to end.
  const lib = mkdtempSync(join(tmpdir(), 'trove-bench-'));
  const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'models'), threads });
  try {
    engine.addFolder(photosDir);
    await engine.useModel(modelName); // model load is a one-time cost, not throughput
    const pipeStart = performance.now();
    const summary = await engine.index({ model: modelName });
    const pipeSeconds = (performance.now() - pipeStart) / 1000;
    if (summary.embedded !== files.length) throw new Error(`indexed ${summary.embedded} of ${files.length}`);
    const raw = files.length / rawSeconds;
    const pipeline = files.length / pipeSeconds;
    return { model: modelName, images: files.length, threads, rawImagesPerSecond: raw, pipelineImagesPerSecond: pipeline, ratio: pipeline / raw };
  } finally {
    await engine.close();
    rmSync(lib, { recursive: true, force: true });
  }
}
