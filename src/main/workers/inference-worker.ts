/**
 * Inference worker: owns the ONNX sessions so that model runs never block the engine's thread
 * (which keeps decoding the next batch, answering the UI and watching folders meanwhile).
 * One worker, one model per slot (image, audio), with a bounded number of ONNX Runtime threads. The
 * same worker, started a second time, reads the words in pictures (OCR): in its own thread, a long
 * reading never holds up a search's text embedding.
 */
// First: sharp is loaded here through its settings, before anything else (transformers.js) loads it
// and leaves the process's libvips caching until they are applied.
import '../core/media/sharp-settings.js';
import { parentPort } from 'node:worker_threads';
import { z } from 'zod';
import { ClapEmbedder } from '../core/models/embedders/clap-embedder.js';
import { ClipEmbedder } from '../core/models/embedders/clip-embedder.js';
import type { Embedder } from '../core/models/embedders/embedder.js';
import { TextReader } from '../core/media/ocr/ocr.js';
import { closeRawReader } from '../core/media/raw-photo.js';
import { ManifestEmbedder } from '../core/models/embedders/manifest-embedder.js';
import { LoadRequestSchema, type Slot, type WorkerRequest, type WorkerResponse } from '../core/models/inference-protocol.js';

if (!parentPort) throw new Error('inference-worker must run in a worker thread');
const port = parentPort;
const embedders = new Map<Slot, Embedder>();
let textReader: TextReader | undefined;

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.method) {
    case 'load': {
      const params = LoadRequestSchema.parse(request.params);
      await embedders.get(params.slot)?.dispose();
      embedders.delete(params.slot);
      const loaded: Embedder =
        params.kind === 'clip'
          ? new ClipEmbedder(params.dir, params.dtype, params.threads)
          : params.kind === 'clap'
            ? new ClapEmbedder(params.dir, params.dtype, params.threads)
            : await ManifestEmbedder.load(params.dir, requireManifest(params.manifest), params.threads);
      let dim = 0;
      if (params.probeText && loaded.hasText) dim = (await loaded.embedTexts(['a photo']))[0]!.length;
      else if (params.probeSize) {
        const blank = new Float32Array(3 * params.probeSize * params.probeSize);
        dim = (await loaded.embedImages(blank, 1, params.probeSize))[0]!.vector.length;
      }
      if (params.probeSamples) {
        if (!loaded.embedAudio) throw new Error('this model does not take audio');
        dim = (await loaded.embedAudio(new Float32Array(params.probeSamples), 1, params.probeSamples))[0]!.vector.length;
      }
      embedders.set(params.slot, loaded);
      return { dim, hasText: loaded.hasText };
    }
    case 'embedImages': {
      const { pixels, count, size } = request.params;
      const results = await requireEmbedder('image').embedImages(ownInput(pixels, count * 3 * size * size), count, size);
      return { vectors: results.map((r) => r.vector), tags: results.map((r) => r.tags) };
    }
    case 'embedTexts':
      return requireEmbedder(request.params.slot ?? 'image').embedTexts(request.params.texts);
    case 'embedAudio': {
      const embedder = requireEmbedder('audio');
      if (!embedder.embedAudio) throw new Error('the audio model does not take audio');
      const { samples, count, length } = request.params;
      const results = await embedder.embedAudio(samples, count, length);
      return { vectors: results.map((r) => r.vector), tags: results.map((r) => r.tags) };
    }
    case 'openTextReader':
      textReader ??= await TextReader.open(z.number().int().min(1).max(256).parse(request.params.threads));
      return null;
    case 'readText': {
      if (!textReader) throw new Error('the text reader is not open');
      const params = request.params;
      return textReader.read(
        'image' in params
          ? Buffer.from(params.image.buffer, params.image.byteOffset, params.image.byteLength)
          : z.string().min(1).parse(params.path),
      );
    }
    case 'dispose':
      for (const embedder of embedders.values()) await embedder.dispose();
      embedders.clear();
      await textReader?.close();
      textReader = undefined;
      await closeRawReader();
      return null;
  }
}

function requireEmbedder(slot: Slot): Embedder {
  const embedder = embedders.get(slot);
  if (!embedder) throw new Error(`no ${slot} model loaded`);
  return embedder;
}

function requireManifest<T>(manifest: T | undefined): T {
  if (!manifest) throw new Error('an ONNX model needs its manifest');
  return manifest;
}

// One request at a time: ONNX Runtime sessions must not be released (or replaced) while a run is in
// flight, and queuing here keeps a 'dispose' from overtaking an inference that is still running.
// Readings of text are the exception: several run side by side (while one decodes, another infers),
// and whatever comes next in the queue waits for them.
let queue: Promise<unknown> = Promise.resolve();
const reading = new Set<Promise<unknown>>();

port.on('message', (request: WorkerRequest) => {
  let result: Promise<unknown>;
  if (request.method === 'readText') {
    result = queue.then(() => handle(request));
    const settled = result.catch(() => undefined);
    reading.add(settled);
    void settled.then(() => reading.delete(settled));
  } else {
    result = queue.then(() => Promise.all(reading)).then(() => handle(request));
    queue = result.catch(() => undefined);
  }
  result.then(
    (result) => {
      const transfer = collectBuffers(result);
      port.postMessage({ id: request.id, ok: true, result } satisfies WorkerResponse, transfer);
    },
    (error: unknown) => {
      port.postMessage({
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies WorkerResponse);
    },
  );
});

/**
 * Model input in memory of this thread's own, `length` values long: ONNX Runtime refuses a tensor
 * over shared memory, so input shared by the engine is copied (a millisecond or two a batch of 16)
 * into one array kept for the next batch, and let go once no batch has come for a while. Requests
 * other than readings of text run one at a time, so nothing else uses that array while a model runs on it.
 */
let ownCopy: Float32Array | undefined;
let dropOwnCopy: NodeJS.Timeout | undefined;
const OWN_COPY_KEPT_MS = 30_000;
function ownInput(pixels: Float32Array, length: number): Float32Array {
  if (!(pixels.buffer instanceof SharedArrayBuffer)) return pixels.length === length ? pixels : pixels.subarray(0, length);
  if (ownCopy?.length !== length) ownCopy = new Float32Array(length);
  ownCopy.set(pixels.subarray(0, length));
  clearTimeout(dropOwnCopy);
  dropOwnCopy = setTimeout(() => (ownCopy = undefined), OWN_COPY_KEPT_MS).unref();
  return ownCopy;
}

function collectBuffers(value: unknown): ArrayBuffer[] {
  if (value instanceof Float32Array) return value.buffer instanceof ArrayBuffer ? [value.buffer] : [];
  if (Array.isArray(value)) return value.flatMap(collectBuffers);
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectBuffers);
  return [];
}
