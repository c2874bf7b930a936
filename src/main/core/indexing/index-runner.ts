/**
 * Drains the work queue for one model: ingest (read, hash, metadata) and embedding run side by side,
 * so the model starts working as soon as the first files are read. Stops cleanly on abort: the
 * batch in flight is finished and committed, claimed work is handed back, the index is saved.
 */
import { availableParallelism } from 'node:os';
import type { LibraryStore } from '../store/library-store.js';
import type { VectorRepo } from '../store/vector-repo.js';
import type { LoadedModel } from '../models/model-manager.js';
import { EmbeddingPipeline, type PreparedBatch } from './embedding-pipeline.js';
import type { Ingestor } from './ingestor.js';
import type { JobRepo } from '../store/job-repo.js';
import type { Pauser } from './pauser.js';
import { RateMeter } from './rate-meter.js';

export interface IndexProgress {
  phase: 'indexing' | 'paused' | 'done';
  /** Files embedded (or failed) in this run, out of the work known so far. */
  done: number;
  total: number;
  failed: number;
  ratePerSecond: number;
  etaSeconds: number | null;
  currentFile?: string;
}

export interface RunSummary {
  embedded: number;
  failed: number;
  ingested: number;
  moved: number;
  stopped: boolean;
  seconds: number;
  /** Why recordings were left unindexed this run (the library's audio model is not installed). */
  audioSkipped?: string;
}

export interface RunOptions {
  signal?: AbortSignal;
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

  async run(model: LoadedModel, options: RunOptions = {}): Promise<RunSummary> {
    const started = Date.now();
    const signal = options.signal;
    const stopAll = new AbortController();
    const halt = signal ? AbortSignal.any([signal, stopAll.signal]) : stopAll.signal;
    const summary: RunSummary = { embedded: 0, failed: 0, ingested: 0, moved: 0, stopped: false, seconds: 0 };
    const meter = new RateMeter();
    let currentFile: string | undefined;
    let lastReport = 0;
    const report = (final = false) => {
      const now = Date.now();
      if (!options.onProgress || (!final && now - lastReport < 200)) return;
      lastReport = now;
      const done = summary.embedded + summary.failed;
      const remaining = this.store.jobs.pending('embed', model.name) + this.store.jobs.pending('ingest');
      options.onProgress({
        phase: final ? 'done' : this.pauser.paused ? 'paused' : 'indexing',
        done,
        total: done + remaining,
        failed: summary.failed,
        ratePerSecond: meter.ratePerSecond(now),
        etaSeconds: meter.etaSeconds(remaining, now),
        currentFile,
      });
    };

    // Contents read earlier but never processed by this model (a model switch, or a lost job).
    this.store.atomically(() => {
      for (const contentId of this.store.vectors.unprocessedContents(model.modelId, 'image'))
        this.store.jobs.enqueueEmbed(contentId, model.name);
    });

    let ingestFinished = false;
    let wake: (() => void) | undefined;
    const nudge = () => {
      wake?.();
      wake = undefined;
    };

    const ingestLoop = async () => {
      const concurrency = options.ingestConcurrency ?? 4;
      try {
        while (!halt.aborted) {
          await this.pauser.wait(halt);
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
              if (result.outcome === 'error') summary.failed += 1;
              // Recordings are embedded by the audio model, after this run (see AudioIndexer).
              if (result.contentId === undefined || result.kind !== 'image') continue;
              const earlier = this.store.vectors.failureOf(model.modelId, result.contentId);
              if (earlier !== undefined && result.fileId !== undefined) {
                // An identical copy of a file this model could not read: same verdict, no retry.
                this.store.files.setError(result.fileId, earlier);
                summary.failed += 1;
              } else if (!this.store.vectors.isProcessed(model.modelId, result.contentId)) {
                this.store.jobs.enqueueEmbed(result.contentId, model.name);
              }
            }
            nudge();
            report();
          }
        }
      } finally {
        ingestFinished = true;
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
        if (!ingestFinished && this.store.jobs.pending('embed', model.name) < batchSize) return undefined;
        const jobs = pipeline.claim();
        return jobs.length ? pipeline.decode(jobs) : undefined;
      };
      let upcoming = next();
      try {
        for (;;) {
          await this.pauser.wait(halt);
          if (halt.aborted) break;
          if (!upcoming) {
            if (ingestFinished && this.store.jobs.pending('embed', model.name) === 0) break;
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, 100);
            });
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
          summary.embedded += outcome.embedded;
          summary.failed += outcome.failed;
          currentFile = outcome.lastPath;
          meter.add(outcome.embedded + outcome.failed);
          if (Date.now() - lastSave > SAVE_EVERY_MS) {
            model.index.save();
            lastSave = Date.now();
          }
          report();
        }
      } finally {
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
    summary.stopped = Boolean(signal?.aborted);
    summary.seconds = (Date.now() - started) / 1000;
    report(true);
    return summary;
  }
}
