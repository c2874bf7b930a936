/**
 * Drains the work queue for one model: ingest (read, hash, metadata) and embedding run side by side,
 * so the model starts working as soon as the first files are read. Stops cleanly on abort: the
 * batch in flight is finished and committed, claimed work is handed back, the index is saved.
 */
import { availableParallelism } from 'node:os';
import type { LibraryStore } from '../store/library-store.js';
import type { LoadedModel } from '../models/model-manager.js';
import { EmbeddingPipeline, type PreparedBatch } from './embedding-pipeline.js';
import type { IngestResult, Ingestor } from './ingestor.js';
import type { Pauser } from './pauser.js';
import { RunProgress, type IndexProgress, type RunSummary } from './run-progress.js';
import type { RunTally } from './run-tally.js';

export type { IndexProgress, RunSummary } from './run-progress.js';

export interface RunOptions {
  signal?: AbortSignal;
  /** The whole run's files (shared with the video and sound passes). */
  tally: RunTally;
  onProgress?: (p: IndexProgress) => void;
  batchSize?: number;
  /** How many files are read and hashed at once. */
  ingestConcurrency?: number;
  /** Decode the next batch during inference (default: only when there are cores to spare). */
  overlapDecode?: boolean;
}

const SAVE_EVERY_MS = 30_000;

export class IndexRunner {
  constructor(
    private readonly store: LibraryStore,
    private readonly ingestor: Ingestor,
    private readonly pauser: Pauser,
  ) {}

  async run(model: LoadedModel, options: RunOptions): Promise<RunSummary> {
    const signal = options.signal;
    const stopAll = new AbortController();
    const halt = signal ? AbortSignal.any([signal, stopAll.signal]) : stopAll.signal;
    const progress = new RunProgress(this.pauser, options.tally, options.onProgress);
    const summary = progress.summary;
    const report = () => progress.report();

    // Contents read earlier but never processed by this model (a model switch, or a lost job).
    this.store.atomically(() => {
      for (const contentId of this.store.vectors.unprocessedContents(model.modelId, 'image'))
        this.store.jobs.enqueueEmbed('embed-image', contentId, model.modelId);
    });

    let ingestFinished = false;
    let wake: (() => void) | undefined;
    const nudge = () => {
      wake?.();
      wake = undefined;
    };

    const ingestLoop = async () => {
      const concurrency = options.ingestConcurrency ?? 4;
      progress.enter();
      try {
        while (!halt.aborted) {
          await progress.pausePoint(halt);
          const jobs = this.store.jobs.claimIngest(concurrency * 4);
          if (jobs.length === 0) break;
          for (let i = 0; i < jobs.length; i += concurrency) {
            if (halt.aborted) {
              this.store.jobs.release(jobs.slice(i).map((j) => j.id));
              break;
            }
            const results = await Promise.all(jobs.slice(i, i + concurrency).map((job) => this.ingestor.ingest(job)));
            for (const result of results) {
              if (result.outcome === 'ready' || result.outcome === 'moved') summary.ingested += 1;
              if (result.outcome === 'moved') summary.moved += 1;
              if (result.outcome === 'error') progress.done(0, 1, result.path);
            }
            // The group's pictures queued for embedding in one commit, not one for each file.
            const knownFailures = this.store.atomically(() => results.filter((result) => !this.queueEmbedding(result, model.modelId)));
            for (const result of knownFailures) progress.done(0, 1, result.path);
            nudge();
            report();
          }
        }
      } finally {
        this.ingestor.idle();
        ingestFinished = true;
        progress.leave();
        nudge();
      }
    };

    const batchSize = options.batchSize ?? 16;
    const pipeline = new EmbeddingPipeline(this.store, model, batchSize);
    // Overlapping decoding with inference only pays when inference leaves cores free: ONNX Runtime
    // splits each operator across its threads, so a core taken by the decoder stalls all of them.
    const overlap = options.overlapDecode ?? availableParallelism() > model.threads;
    const embedLoop = async () => {
      let lastSave = Date.now();
      const next = (): Promise<PreparedBatch> | undefined => {
        if (halt.aborted) return undefined;
        // While files are still being read, wait for a full batch: small batches waste the model.
        if (!ingestFinished && this.store.jobs.pending('embed-image', model.modelId) < batchSize) return undefined;
        const jobs = pipeline.claim();
        return jobs.length ? pipeline.decode(jobs) : undefined;
      };
      let upcoming = next();
      progress.enter();
      try {
        for (;;) {
          await progress.pausePoint(halt);
          if (halt.aborted) break;
          if (!upcoming) {
            if (ingestFinished && this.store.jobs.pending('embed-image', model.modelId) === 0) break;
            await progress.idle(
              new Promise<void>((resolve) => {
                wake = resolve;
                setTimeout(resolve, 100);
              }),
            );
            upcoming = next();
            continue;
          }
          const batch = await upcoming;
          upcoming = undefined;
          if (halt.aborted) {
            pipeline.release(batch);
            break;
          }
          if (overlap) upcoming = next(); // decode the next batch while the model runs on this one
          const outcome = await pipeline.run(batch);
          if (!overlap) upcoming = next();
          progress.done(outcome.embedded, outcome.failed, outcome.lastPath);
          if (Date.now() - lastSave > SAVE_EVERY_MS) {
            model.index.save();
            lastSave = Date.now();
          }
          report();
        }
      } finally {
        progress.leave();
        // Work claimed but not run goes back to the queue, whether we stopped or failed.
        const pending = await upcoming;
        if (pending) pipeline.release(pending);
      }
    };

    // Either loop failing stops the other, so nothing touches the library after run() returns.
    const outcomes = await Promise.allSettled([
      ingestLoop(),
      embedLoop().catch((error: unknown) => {
        stopAll.abort();
        throw error;
      }),
    ]);
    model.index.save();
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    return progress.finish(Boolean(signal?.aborted));
  }

  /**
   * Queues an ingested picture for embedding, unless this model has it already. False when an
   * identical copy of it is a file this model could not read: the same verdict, no retry.
   */
  private queueEmbedding(result: IngestResult, modelId: number): boolean {
    // Recordings are embedded by the audio model, after this run (see AudioIndexer).
    if (result.contentId === undefined || result.kind !== 'image') return true;
    const earlier = this.store.vectors.failureOf(modelId, result.contentId);
    if (earlier !== undefined && result.fileId !== undefined) {
      this.store.files.setError(result.fileId, { message: earlier, code: 'corrupt' });
      return false;
    }
    if (!this.store.vectors.isProcessed(modelId, result.contentId)) this.store.jobs.enqueueEmbed('embed-image', result.contentId, modelId);
    return true;
  }
}
