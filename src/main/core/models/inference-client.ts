/**
 * The engine's handle on the inference worker: typed request/response over postMessage, pixel
 * buffers transferred (not copied), and every pending call rejected with a clear error if the
 * worker dies, so a crash in native inference code is a failed batch, never a hung indexer.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker, workerEntry } from '../util/worker-start.js';
import type {
  EmbedImagesResult,
  LoadRequest,
  LoadResult,
  ReadTextResult,
  Slot,
  WorkerRequest,
  WorkerResponse,
} from './inference-protocol.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type RequestWithoutId = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The worker entry beside the compiled engine, or the TypeScript source when running under tsx/vitest. */
export function defaultWorkerEntry(): URL {
  return workerEntry('inference-worker');
}

export class InferenceClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private deadReason: string | undefined;

  constructor(entry: URL = defaultWorkerEntry()) {
    this.worker = startWorker(entry);
    this.worker.unref();
    this.worker.on('message', (message: WorkerResponse) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(message.error));
    });
    this.worker.on('error', (error) => this.fail(`inference worker crashed: ${error.message}`));
    this.worker.on('exit', (code) => this.fail(`inference worker exited (code ${code})`));
  }

  /** The worker crashed, exited or was closed: every call now fails. */
  get dead(): boolean {
    return this.deadReason !== undefined;
  }

  load(params: LoadRequest): Promise<LoadResult> {
    return this.call({ method: 'load', params }) as Promise<LoadResult>;
  }

  /**
   * `count` pictures' model input, the first `count` planes of `pixels`. Input in shared memory
   * (a SharedArrayBuffer: the indexer's batches) is read in place and stays the caller's; any other
   * is transferred, and is the worker's from then on.
   */
  embedImages(pixels: Float32Array, count: number, size: number): Promise<EmbedImagesResult> {
    const transfer = pixels.buffer instanceof SharedArrayBuffer ? [] : [pixels.buffer as ArrayBuffer];
    return this.call({ method: 'embedImages', params: { pixels, count, size } }, transfer) as Promise<EmbedImagesResult>;
  }

  /** Text vectors from the image model (CLIP) or, with slot 'audio', from the audio model (CLAP). */
  embedTexts(texts: string[], slot: Slot = 'image'): Promise<Float32Array[]> {
    return this.call({ method: 'embedTexts', params: { texts, slot } }) as Promise<Float32Array[]>;
  }

  /** `count` mono waveforms of `length` samples each, for the model in the audio slot. */
  embedAudio(samples: Float32Array, count: number, length: number): Promise<EmbedImagesResult> {
    return this.call({ method: 'embedAudio', params: { samples, count, length } }, [
      samples.buffer as ArrayBuffer,
    ]) as Promise<EmbedImagesResult>;
  }

  /** Opens the OCR models in this worker, with at most `threads` ONNX Runtime threads each. */
  openTextReader(threads: number): Promise<void> {
    return this.call({ method: 'openTextReader', params: { threads } }) as Promise<void>;
  }

  /** The words in the picture at `path`, or in an encoded picture (decoded, bounded and read inside the worker). */
  readText(picture: string | Uint8Array): Promise<ReadTextResult> {
    if (typeof picture === 'string') return this.call({ method: 'readText', params: { path: picture } }) as Promise<ReadTextResult>;
    // A copy is transferred, the caller keeps its own (a Buffer's slice() would be a view of it).
    const image = new Uint8Array(picture);
    return this.call({ method: 'readText', params: { image } }, [image.buffer as ArrayBuffer]) as Promise<ReadTextResult>;
  }

  /**
   * Releases the model and stops the worker. The worker runs requests in order, so the dispose
   * waits for any inference in flight; terminating a thread inside ONNX Runtime would abort the process.
   */
  async close(): Promise<void> {
    if (this.deadReason) return;
    const disposed = this.call({ method: 'dispose' }).catch(() => undefined);
    this.deadReason = 'inference worker closed';
    await disposed;
    await this.worker.terminate();
  }

  private call(request: RequestWithoutId, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.deadReason) return Promise.reject(new Error(this.deadReason));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...request, id }, transfer);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  private fail(reason: string): void {
    this.deadReason ??= reason;
    for (const pending of this.pending.values()) pending.reject(new Error(reason));
    this.pending.clear();
  }
}
