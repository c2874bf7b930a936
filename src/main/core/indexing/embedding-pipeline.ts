/**
 * Embedding: turns queued 'embed' jobs into vectors, batch by batch.
 *
 * Decoding the next batch (sharp, off the JS thread) overlaps with inference on the current one (in
 * the worker), so the model is rarely idle waiting for pixels. Each batch's results are committed in
 * one transaction that also deletes its jobs, then added to the HNSW index: after a crash, a job is
 * either done (its vectors stored) or still queued, never both.
 */
import type { LibraryStore } from '../store/library-store.js';
import type { EmbedJob } from '../store/job-repo.js';
import type { LoadedModel } from '../models/model-manager.js';
import type { EmbedImagesResult } from '../models/inference-protocol.js';
import { decodeForModel } from '../media/image-decoder.js';
import type { VisualFingerprint } from '../media/visual-fingerprint.js';
import { describeFileError, type FileProblem } from '../util/file-errors.js';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';

export interface PreparedBatch {
  jobs: EmbedJob[];
  /** Jobs whose pixels are in `pixels`, in order, with their picture's visual fingerprint. */
  decoded: { job: EmbedJob; path: string; fingerprint: VisualFingerprint }[];
  failed: { job: EmbedJob; path?: string; error: FileProblem }[];
  /** Jobs whose content has no readable file right now (moved or deleted meanwhile). */
  skipped: EmbedJob[];
  pixels: Float32Array;
}

export interface BatchOutcome {
  embedded: number;
  failed: number;
  lastPath?: string;
}

export class EmbeddingPipeline {
  /** Model input arrays whose batch is done, used again (at most two: one decoding, one inferring). */
  private spare: Float32Array[] = [];

  constructor(
    private readonly store: LibraryStore,
    private readonly model: LoadedModel,
    private readonly batchSize: number,
    /** Decodes at once: one per core; more would only make them fight over the CPU. */
    private readonly decodeConcurrency = availableParallelism(),
  ) {}

  claim(): EmbedJob[] {
    return this.store.jobs.claimEmbed('embed-image', this.model.modelId, this.batchSize);
  }

  /** Decodes the pictures of claimed jobs into one batch of model input. */
  async decode(jobs: EmbedJob[]): Promise<PreparedBatch> {
    const pre = this.model.preprocess;
    const plane = 3 * pre.size * pre.size;
    const pixels = this.pixelsFor(jobs.length * plane);
    const limit = pLimit(this.decodeConcurrency);
    // Where each picture is and its size, read at once (one look at the database, not two a picture).
    const sources = this.store.atomically(() =>
      jobs.map((job) => ({
        path: this.store.files.readyPathForContent(job.contentId),
        size: this.store.contents.pictureSize(job.contentId),
      })),
    );
    const decodeOne = async (job: EmbedJob, i: number) => {
      const { path, size } = sources[i]!;
      // Its file was moved or deleted since: no verdict. A moved file is queued again once found.
      if (!path) return { job, skip: true as const };
      try {
        const { fingerprint } = await decodeForModel(path, pre, pixels, i * plane, size);
        return { job, path, index: i, fingerprint };
      } catch (error) {
        return { job, path, error: describeFileError(error) as FileProblem };
      }
    };
    const slots = await Promise.all(jobs.map((job, i) => limit(() => decodeOne(job, i))));
    const decoded: PreparedBatch['decoded'] = [];
    const failed: PreparedBatch['failed'] = [];
    const skipped: EmbedJob[] = [];
    const decodedSlots: number[] = [];
    for (const slot of slots) {
      if ('skip' in slot) skipped.push(slot.job);
      else if ('error' in slot) failed.push({ job: slot.job, path: slot.path, error: slot.error! });
      else {
        decoded.push({ job: slot.job, path: slot.path!, fingerprint: slot.fingerprint! });
        decodedSlots.push(slot.index!);
      }
    }
    // Close the gaps left by files that were not decoded, so the model sees only real images (its
    // input is the first planes); each picture moves down, never onto one still to move.
    decodedSlots.forEach((index, n) => {
      if (index !== n) pixels.copyWithin(n * plane, index * plane, (index + 1) * plane);
    });
    return { jobs, decoded, failed, skipped, pixels };
  }

  /**
   * Runs the model on a prepared batch and commits everything about it. A failure of the model
   * itself (a crashed worker, a broken model file) is not the photos' fault: their jobs go back to
   * the queue and the error stops the run, instead of marking every photo as failed.
   */
  async run(batch: PreparedBatch): Promise<BatchOutcome> {
    const { size } = this.model.preprocess;
    let results: EmbedImagesResult = { vectors: [], tags: [] };
    if (batch.decoded.length > 0) {
      try {
        results = await this.model.client.embedImages(batch.pixels, batch.decoded.length, size);
      } catch (error) {
        this.release(batch);
        throw new Error(`inference failed, indexing stopped (run it again to resume): ${(error as Error).message}`);
      }
    }
    const added: { id: number; vector: Float32Array }[] = [];
    // The fingerprint describes the file's pixels, whichever model decoded them.
    this.store.atomically(() => {
      batch.decoded.forEach(({ job, fingerprint }, i) => {
        this.store.fingerprints.setVisual(job.contentId, fingerprint);
        const vector = results.vectors[i];
        if (!vector) {
          this.fail(job, { message: 'the model returned no vector for this file', code: 'model-failed' });
          return;
        }
        const ids = this.store.vectors.saveEmbedding(
          this.model.modelId,
          job.contentId,
          [{ contentId: job.contentId, offsetS: null, vector }],
          results.tags[i] ?? [],
        );
        ids.forEach((id) => added.push({ id, vector }));
        this.store.jobs.complete(job.id);
      });
      for (const { job, error } of batch.failed) this.fail(job, error);
      for (const job of batch.skipped) this.store.jobs.complete(job.id);
    });
    this.model.index.add(added);
    this.spare = [batch.pixels, ...this.spare].slice(0, 2);
    const lastPath = batch.decoded.at(-1)?.path ?? batch.failed.at(-1)?.path;
    return { embedded: added.length, failed: batch.failed.length + batch.decoded.length - added.length, lastPath };
  }

  /**
   * A batch's worth of model input: a done batch's when one of that size is at hand, else new, in
   * shared memory. V8 counts every array that arrives from another thread as newly allocated memory
   * outside its heap, and collects the whole heap each few dozen megabytes of those: a 9.6 MB batch
   * (16 CLIP inputs) handed to the model and back had the engine's thread collect its heap 7-9 times
   * while 120 phone HEICs were indexed. Shared, the batch never leaves: 4-5 times, and 0.6-0.8 ms of
   * CPU less a photo.
   */
  private pixelsFor(length: number): Float32Array {
    const at = this.spare.findIndex((pixels) => pixels.length === length);
    if (at < 0) return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
    return this.spare.splice(at, 1)[0]!;
  }

  release(batch: PreparedBatch): void {
    this.store.jobs.release(batch.jobs.map((j) => j.id));
  }

  private fail(job: EmbedJob, error: FileProblem): void {
    this.store.vectors.saveFailure(this.model.modelId, job.contentId, error.message);
    this.store.files.setErrorForContent(job.contentId, error);
    this.store.jobs.complete(job.id);
  }
}
