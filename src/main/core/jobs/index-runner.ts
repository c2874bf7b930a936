/**
 * Drains the work queue for one model: ingest (read, hash, metadata) and embedding run side by side,
 * so the model starts working as soon as the first files are read. Stops cleanly on abort: the
 * batch in flight is finished and committed, claimed work is handed back, the index is saved.
 */
import { availableParallelism } from 'node:os';
import type { Db } from '../store/database.js';
import type { FileRepo } from '../store/file-repo.js';
import type { VectorRepo } from '../store/vector-repo.js';
import type { LoadedModel } from '../models/model-manager.js';
import { EmbeddingPipeline, type PreparedBatch } from './embedding-pipeline.js';
import type { Ingestor } from './ingestor.js';
import type { JobQueue } from './job-queue.js';
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
    private readonly db: Db,
    private readonly files: FileRepo,
    private readonly vectors: VectorRepo,
    private readonly queue: JobQueue,
    private readonly ingestor: Ingestor,
    private readonly pauser: Pauser,
  ) {}

  async run(model: LoadedModel, options: RunOptions = {}): Promise<RunSummary> {
    const started = Date.now();
    const signal = options.signal;
    const summary: RunSummary = { embedded: 0, failed: 0, ingested: 0, moved: 0, stopped: false, seconds: 0 };
    const meter = new RateMeter();
    let currentFile: string | undefined;
    let lastReport = 0;
    const report = (final = false) => {
      const now = Date.now();
      if (!options.onProgress || (!final && now - lastReport < 200)) return;
      lastReport = now;
      const done = summary.embedded + summary.failed;
      const remaining = this.queue.pending('embed', model.name) + this.queue.pending('ingest');
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
    this.db.transaction(() => {
      for (const contentId of this.vectors.unprocessedContents(model.modelId)) this.queue.enqueueEmbed(contentId, model.name);
    })();

    let ingestFinished = false;
    let wake: (() => void) | undefined;
    const nudge = () => {
      wake?.();
      wake = undefined;
    };

    const ingestLoop = async () => {
      const concurrency = options.ingestConcurrency ?? 4;
      try {
        while (!signal?.aborted) {
          await this.pauser.wait(signal);
          const jobs = this.queue.claimIngest(concurrency * 4);
          if (jobs.length === 0) break;
          for (let i = 0; i < jobs.length; i += concurrency) {
            if (signal?.aborted) {
              this.queue.release(jobs.slice(i).map((j) => j.id));
              break;
            }
            const results = await Promise.all(jobs.slice(i, i + concurrency).map((job) => this.ingestor.ingest(job)));
            for (const result of results) {
              if (result.outcome === 'ready' || result.outcome === 'moved') summary.ingested += 1;
              if (result.outcome === 'moved') summary.moved += 1;
              if (result.outcome === 'error') summary.failed += 1;
              if (result.contentId !== undefined && !this.vectors.isProcessed(model.modelId, result.contentId)) {
                this.queue.enqueueEmbed(result.contentId, model.name);
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

    const pipeline = new EmbeddingPipeline(this.db, this.files, this.vectors, this.queue, model, options.batchSize ?? 16);
    // Overlapping decoding with inference only pays when inference leaves cores free: ONNX Runtime
    // splits each operator across its threads, so a core taken by the decoder stalls all of them.
    const overlap = process.env.X_OVERLAP ? process.env.X_OVERLAP === '1' : (options.overlapDecode ?? availableParallelism() > model.threads);
    const embedLoop = async () => {
      let lastSave = Date.now();
      const next = (): Promise<PreparedBatch> | undefined => {
        if (signal?.aborted) return undefined;
        const jobs = pipeline.claim();
        return jobs.length ? pipeline.prepare(jobs) : undefined;
      };
      let upcoming = next();
      for (;;) {
        await this.pauser.wait(signal);
        if (!upcoming) {
          if (signal?.aborted) break;
          if (ingestFinished && this.queue.pending('embed', model.name) === 0) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 100);
          });
          upcoming = next();
          continue;
        }
        const batch = await upcoming;
        if (signal?.aborted) {
          pipeline.release(batch);
          break;
        }
        let outcome;
        const tr0 = performance.now();
        if (overlap) {
          upcoming = next(); // decode the next batch while the model runs on this one
          outcome = await pipeline.run(batch);
        } else {
          outcome = await pipeline.run(batch);
          const tr1 = performance.now();
          upcoming = next();
          if (process.env.X_TRACE) { const u = upcoming; void u?.then(() => console.error(`run ${(tr1 - tr0).toFixed(0)} prep ${(performance.now() - tr1).toFixed(0)} n=${batch.jobs.length}`)); }
        }
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
      if (upcoming) pipeline.release(await upcoming);
    };

    await Promise.all([ingestLoop(), embedLoop()]);
    model.index.save();
    summary.stopped = Boolean(signal?.aborted);
    summary.seconds = (Date.now() - started) / 1000;
    report(true);
    return summary;
  }
}
