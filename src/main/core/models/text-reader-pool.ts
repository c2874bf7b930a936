/**
 * The readers of text in pictures (PP-OCRv4): a few inference workers of their own, each reading
 * one picture at a time, so a receipt taking seconds never holds up a search's text embedding.
 *
 * Why several workers and not several pictures in one: ONNX Runtime's `run` holds the calling
 * thread until the network is done (measured: the event loop does not turn during a detection), so
 * two pictures in one worker are read one after the other, and a second intra-op thread barely helps
 * the small inputs most photos make (300 photos: 3.96 s with two threads against 3.91 s with one).
 * A worker per core reads them side by side.
 */
import type { OcrResult } from '../media/ocr/ocr.js';
import { InferenceClient } from './inference-client.js';

/** At most this many reading workers: each holds its own copy of the models (about 15 MB). */
const MAX_READERS = 2;

interface Slot {
  client: Promise<InferenceClient> | undefined;
  inFlight: number;
}

export class TextReaderPool {
  private readonly slots: Slot[];
  private readonly threadsEach: number;

  /** `threads`: the inference threads the library may use, shared out between the workers. */
  constructor(
    threads: number,
    private readonly workerEntry?: URL,
  ) {
    const readers = Math.max(1, Math.min(MAX_READERS, threads));
    this.threadsEach = Math.max(1, Math.floor(threads / readers));
    this.slots = Array.from({ length: readers }, () => ({ client: undefined, inFlight: 0 }));
  }

  /** How many pictures to keep in flight: one a worker, and one more decoding while it reads. */
  get concurrency(): number {
    return this.slots.length + 1;
  }

  /** How many workers are open or opening. */
  get workersOpen(): number {
    return this.slots.filter((slot) => slot.client !== undefined).length;
  }

  /**
   * Starts every worker and loads the models (a fraction of a second), so that reading, when it
   * comes, starts at once. Failures are left for `read` to report.
   */
  warm(): void {
    for (const slot of this.slots) void this.open(slot).catch(() => undefined);
  }

  /** Reads a picture (a path, or its encoded bytes) in the least busy worker. */
  async read(picture: string | Uint8Array): Promise<OcrResult> {
    const slot = this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    slot.inFlight += 1;
    try {
      const opened = this.open(slot);
      const client = await opened;
      return await client.readText(picture).finally(() => {
        // A picture that crashed its worker fails alone: the next one gets a new worker.
        if (client.dead && slot.client === opened) slot.client = undefined;
      });
    } finally {
      slot.inFlight -= 1;
    }
  }

  async close(): Promise<void> {
    const clients = this.slots.map((slot) => slot.client);
    for (const slot of this.slots) slot.client = undefined;
    await Promise.all(clients.map(async (client) => (await client?.catch(() => undefined))?.close()));
  }

  private open(slot: Slot): Promise<InferenceClient> {
    slot.client ??= (async () => {
      const client = new InferenceClient(this.workerEntry);
      try {
        await client.openTextReader(this.threadsEach);
        return client;
      } catch (error) {
        await client.close();
        throw error;
      }
    })();
    const opening = slot.client;
    // A worker that could not open is forgotten, so the next picture tries again.
    opening.catch(() => {
      if (slot.client === opening) slot.client = undefined;
    });
    return opening;
  }
}
