/**
 * Indexing throughput against raw inference throughput, same model, same images, same run.
 *
 * raw:      onnxruntime-node on pre-decoded tensors (batch 16, same threads): the ceiling.
 * pipeline: `engine.indexer.index()` on a fresh library, same threads (the app's default): scan, read,
 *           hash, EXIF, decode, inference (in the worker), SQLite commits and HNSW inserts. Timed
 *           warm, as both baselines are: the engine has first indexed a few other pictures (so CLIP's
 *           vision encoder, loaded by the first picture, and the worker's compiled code are ready).
 *           The same run on a fresh engine is reported too (`coldPipelineCpuMs`): what a first
 *           indexing after starting Trove also pays once.
 * CPU budget: CPU time per image of inference alone and of decoding alone (JPEG decode, resize,
 *           fingerprint, its header already read; no probing, hashing, EXIF or storage). Inference
 *           and decoding share the same cores, so even with perfect overlap the pipeline cannot beat
 *           inference / (inference + decoding) of raw: the `decodeCeiling` reported.
 * Reading:  CPU time per image of reading each file as ingest does (read whole, BLAKE3, header,
 *           EXIF; no storage): work the product must do for every file beyond decoding and inference
 *           (the hash is how a moved or copied file keeps its data), so the efficiency cannot pass
 *           (decoding + inference) / (decoding + inference + reading): the `readCeiling` reported.
 */
import * as ort from 'onnxruntime-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeSyntheticPhoto } from '../test/helpers/images.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultInferenceThreads, Engine } from '../src/main/core/engine.js';
import { locateModel } from '../src/main/core/models/model-locator.js';
import { decodeForModel, probeImage } from '../src/main/core/media/image-decoder.js';
import { pictureMetadata } from '../src/main/core/indexing/ingestor.js';
import { hashBytes } from '../src/main/core/util/content-hash.js';
import { ReadBuffers } from '../src/main/core/util/read-buffers.js';
import { open } from 'node:fs/promises';
import { scanFolder } from '../src/main/core/library/folder-scanner.js';
import { PathFilter } from '../src/main/core/library/path-filter.js';
import { NO_SPINNING } from '../src/main/core/models/embedders/embedder.js';

export interface ThroughputResult {
  model: string;
  images: number;
  threads: number;
  rawImagesPerSecond: number;
  pipelineImagesPerSecond: number;
  ratio: number;
  rounds: number;
  /** CPU milliseconds per image: inference alone, decoding alone. */
  inferenceCpuMs: number;
  decodeCpuMs: number;
  /** The best ratio possible with decoding and inference sharing the CPU perfectly. */
  decodeCeiling: number;
  /** CPU milliseconds per image of the whole pipeline (`index()`: scan, hash, EXIF, decode, inference, storage). */
  pipelineCpuMs: number;
  /** The irreducible work against what the pipeline spends: (decoding + inference) / pipeline CPU per image, median of the rounds' ratios. */
  efficiency: number;
  /** The lowest and highest of the rounds' ratios. */
  efficiencyRange: [number, number];
  /** The first and third quartiles of the rounds' ratios: where the middle half of them lie. */
  efficiencyQuartiles: [number, number];
  /** CPU milliseconds per image of reading each file as ingest does (read, BLAKE3, header, EXIF). */
  readCpuMs: number;
  /** The best efficiency that work allows: (decoding + inference) / (decoding + inference + reading), median of the rounds'. */
  readCeiling: number;
  /** CPU milliseconds per image of the same run on a fresh engine (its one-time start-up included), and its efficiency. */
  coldPipelineCpuMs: number;
  coldEfficiency: number;
}

/** CPU time of this process (all its threads, ONNX Runtime's included), in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export async function measureIndexing(
  modelName: string,
  onnxFile: string,
  inputName: string,
  photosDir: string,
  modelsDir: string,
  repeats = 5,
): Promise<ThroughputResult> {
  process.env.TROVE_MODELS_DIR = modelsDir;
  const threads = defaultInferenceThreads();
  const resolved = locateModel(modelName, join(tmpdir(), 'no-cache'));
  if (!resolved?.preprocess) throw new Error(`${modelName} not found in ${modelsDir}`);
  const pre = resolved.preprocess;
  const files = (await scanFolder(photosDir, new PathFilter({ excludePatterns: [], includeHidden: false }))).files.map((f) => f.path);

  // The machine is shared and its speed drifts by several per cent over minutes, so decoding alone,
  // inference alone and the whole pipeline are measured side by side in each round, and the medians
  // of the rounds are compared: one drifting pass cannot tip the ratio either way.
  const plane = 3 * pre.size * pre.size;
  const tensors = new Float32Array(new SharedArrayBuffer(files.length * plane * Float32Array.BYTES_PER_ELEMENT)); // as the pipeline's batches
  // Decoding alone is timed with each file's header already read (as the pipeline decodes it: the
  // probe is ingest's work, counted in the pipeline): a HEIC's probe parses the whole file, and the
  // decoder parses it again, so counting both here would flatter the pipeline.
  const probes = await Promise.all(files.map((file) => probeImage(file)));
  const decodeAll = async () => {
    for (const [i, file] of files.entries()) await decodeForModel(file, pre, tensors, i * plane, probes[i]);
  };
  await decodeAll(); // warm-up (and the raw side's input)
  const buffers = new ReadBuffers();
  const readAll = async () => {
    for (const file of files) {
      const handle = await open(file);
      const lease = await buffers.read(handle, (await handle.stat()).size, Infinity);
      await handle.close();
      const bytes = lease!.bytes;
      hashBytes('blake3', bytes);
      await pictureMetadata(bytes);
      lease!.release();
    }
  };
  await readAll(); // warm-up
  const batch = 16;
  const decodeCpu: number[] = [];
  const readCpu: number[] = [];
  const rawRates: number[] = [];
  const inferenceCpu: number[] = [];
  const pipelineRates: number[] = [];
  const pipelineCpu: number[] = [];
  const coldCpu: number[] = [];
  // A few small pictures unlike the measured ones (their own contents) for each engine to index first.
  const warmUp = mkdtempSync(join(tmpdir(), 'trove-warm-up-'));
  for (let i = 0; i < 16; i += 1) await writeSyntheticPhoto(join(warmUp, `w-${i}.jpg`), 90_000 + i, 640, 480, 'jpeg', 6);
  for (let round = 0; round < repeats; round += 1) {
    const decodeStart = cpuMs();
    await decodeAll();
    decodeCpu.push((cpuMs() - decodeStart) / files.length);
    const readStart = cpuMs();
    await readAll();
    readCpu.push((cpuMs() - readStart) / files.length);
    // The app's session options (no spinning threads); released before the pipeline runs, so its
    // idle threads cannot take CPU from the pipeline.
    const session = await ort.InferenceSession.create(join(resolved.dir, onnxFile), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: NO_SPINNING,
    });
    const runAll = async () => {
      for (let start = 0; start < files.length; start += batch) {
        const count = Math.min(batch, files.length - start);
        const input = new ort.Tensor('float32', tensors.slice(start * plane, (start + count) * plane), [count, 3, pre.size, pre.size]);
        await session.run({ [inputName]: input });
      }
    };
    await runAll(); // warm-up
    const rawStart = performance.now();
    const cpuStart = cpuMs();
    await runAll();
    inferenceCpu.push((cpuMs() - cpuStart) / files.length);
    rawRates.push(files.length / ((performance.now() - rawStart) / 1000));
    await session.release();
    // Words in pictures are not read here: the pipeline is set against decoding and inference alone.
    const run = { readText: false, onCpu: (ms: number) => pipelineCpu.push(ms), warmUp };
    pipelineRates.push(await indexOnce(modelName, photosDir, threads, files.length, run));
    await indexOnce(modelName, photosDir, threads, files.length, { readText: false, onCpu: (ms) => coldCpu.push(ms) });
  }
  rmSync(warmUp, { recursive: true, force: true });
  const decodeCpuMs = median(decodeCpu);
  const inferenceCpuMs = median(inferenceCpu);
  const pipelineCpuMs = median(pipelineCpu);
  const efficiencies = pipelineCpu.map((p, round) => (decodeCpu[round]! + inferenceCpu[round]!) / p);
  const coldEfficiencies = coldCpu.map((p, round) => (decodeCpu[round]! + inferenceCpu[round]!) / p);
  const raw = median(rawRates);
  const pipeline = median(pipelineRates);
  return {
    model: modelName,
    images: files.length,
    threads,
    rawImagesPerSecond: raw,
    pipelineImagesPerSecond: pipeline,
    ratio: pipeline / raw,
    rounds: repeats,
    inferenceCpuMs,
    decodeCpuMs,
    decodeCeiling: inferenceCpuMs / (inferenceCpuMs + decodeCpuMs),
    pipelineCpuMs,
    efficiency: median(efficiencies),
    efficiencyRange: [Math.min(...efficiencies), Math.max(...efficiencies)],
    efficiencyQuartiles: [quantile(efficiencies, 0.25), quantile(efficiencies, 0.75)],
    readCpuMs: median(readCpu),
    readCeiling: median(
      readCpu.map((r, round) => (decodeCpu[round]! + inferenceCpu[round]!) / (decodeCpu[round]! + inferenceCpu[round]! + r)),
    ),
    coldPipelineCpuMs: median(coldCpu),
    coldEfficiency: median(coldEfficiencies),
  };
}

export interface TextReadingCost {
  model: string;
  images: number;
  /** Photos per second of a whole `index()`, reading the words in pictures or not (medians). */
  withoutText: number;
  withText: number;
  /** How much longer indexing takes with the words read: withoutText / withText - 1. */
  addedTime: number;
  picturesWithText: number;
}

/** What reading the words in pictures adds to indexing a folder, same model, alternating runs. */
export async function measureTextReadingCost(
  modelName: string,
  photosDir: string,
  modelsDir: string,
  repeats = 3,
): Promise<TextReadingCost> {
  process.env.TROVE_MODELS_DIR = modelsDir;
  const threads = defaultInferenceThreads();
  const files = (await scanFolder(photosDir, new PathFilter({ excludePatterns: [], includeHidden: false }))).files.length;
  const without: number[] = [];
  const withText: number[] = [];
  let picturesWithText = 0;
  for (let round = 0; round < repeats; round += 1) {
    without.push(await indexOnce(modelName, photosDir, threads, files, { readText: false }));
    withText.push(await indexOnce(modelName, photosDir, threads, files, { readText: true, onText: (n) => (picturesWithText = n) }));
  }
  const [a, b] = [median(without), median(withText)];
  return { model: modelName, images: files, withoutText: a, withText: b, addedTime: a / b - 1, picturesWithText };
}

export interface IndexRun {
  readText?: boolean;
  onText?: (picturesWithText: number) => void;
  /** CPU milliseconds per image the run took (all threads: the inference worker's included). */
  onCpu?: (cpuMsPerImage: number) => void;
  /** A folder the engine indexes first, untimed: the run is then timed warm. */
  warmUp?: string;
}

/** One full `engine.indexer.index()` of the folder into a fresh library; returns images per second. */
export async function indexOnce(
  modelName: string,
  photosDir: string,
  threads: number,
  expected: number,
  { readText = true, onText, onCpu, warmUp }: IndexRun = {},
): Promise<number> {
  const lib = mkdtempSync(join(tmpdir(), 'trove-bench-'));
  const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'models'), threads });
  try {
    engine.settings.update({ readText });
    await engine.indexer.useModel(modelName); // loading the model is a one-time cost, not throughput
    if (warmUp) {
      engine.folders.add(warmUp);
      await engine.indexer.index({ model: modelName });
    }
    engine.folders.add(photosDir);
    const start = performance.now();
    const cpuStart = cpuMs();
    const summary = await engine.indexer.index({ model: modelName });
    const seconds = (performance.now() - start) / 1000;
    onCpu?.((cpuMs() - cpuStart) / expected);
    if (summary.embedded !== expected) throw new Error(`indexed ${summary.embedded} of ${expected}`);
    onText?.(summary.textRead?.withText ?? 0);
    return expected / seconds;
  } finally {
    await engine.close();
    rmSync(lib, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** The q-quantile of values, interpolated between the two nearest (q = 0.5: the median). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  return sorted[below]! + (sorted[Math.min(below + 1, sorted.length - 1)]! - sorted[below]!) * (at - below);
}
