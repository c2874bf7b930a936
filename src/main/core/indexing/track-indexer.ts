/**
 * Embeds media that has a time axis — recordings (audio-track.ts) and videos (video-track.ts) —
 * one file at a time, after the files were read (ingested) by the main run. Each file becomes
 * several vectors, each with its moment (offset in seconds), so a hit names the moment as well as
 * the file. A file that cannot be decoded gets its reason; a model failure puts the work back and
 * stops the run, like the image pipeline.
 */
import type { Tag, VectorRepo } from '../store/vector-repo.js';
import type { LibraryStore } from '../store/library-store.js';
import type { JobRepo } from '../store/job-repo.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { Pauser } from './pauser.js';
import type { IndexProgress, RunSummary } from './index-runner.js';
import { describeFileError, MediaError } from '../util/file-errors.js';
import { RateMeter } from './rate-meter.js';

export interface TrackRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
}

/** What one file gives: vectors at moments, and its strongest tags. */
export interface TrackEmbedding {
  moments: { offsetS: number; vector: Float32Array }[];
  tags: Tag[];
  /** A video's frame hashes (video-fingerprint.ts), kept with its content for duplicate finding. */
  fingerprint?: Buffer;
}

/** The model the vectors belong to, and the job-queue key its work is filed under. */
export interface TrackTarget {
  modelId: number;
  queueKey: string;
  index: VectorIndex;
}

export type EmbedTrack = (path: string, signal?: AbortSignal) => Promise<TrackEmbedding>;

export class TrackIndexer {
  constructor(
    private readonly store: LibraryStore,
    private readonly pauser: Pauser,
  ) {}

  /** Embeds `contents` (and any queued work of this target) with `embed`. */
  async run(target: TrackTarget, contents: number[], embed: EmbedTrack, options: TrackRunOptions = {}): Promise<RunSummary> {
    const started = Date.now();
    const summary: RunSummary = { embedded: 0, failed: 0, ingested: 0, moved: 0, stopped: false, seconds: 0 };
    this.store.atomically(() => {
      for (const contentId of contents) this.store.jobs.enqueueEmbed(contentId, target.queueKey);
    });
    const meter = new RateMeter();
    const report = (phase: IndexProgress['phase'], currentFile?: string) => {
      const done = summary.embedded + summary.failed;
      const remaining = this.store.jobs.pending('embed', target.queueKey);
      options.onProgress?.({
        phase,
        done,
        total: done + remaining,
        failed: summary.failed,
        ratePerSecond: meter.ratePerSecond(),
        etaSeconds: meter.etaSeconds(remaining),
        currentFile,
      });
    };
    try {
      for (;;) {
        await this.pauser.wait(options.signal);
        if (options.signal?.aborted) break;
        const [job] = this.store.jobs.claimEmbed(target.queueKey, 1);
        if (!job) break;
        const path = this.store.files.readyPathForContent(job.contentId);
        if (!path) {
          this.store.jobs.complete(job.id); // moved or deleted meanwhile: found again later
          continue;
        }
        report(this.pauser.paused ? 'paused' : 'indexing', path);
        try {
          const { moments, tags, fingerprint } = await embed(path, options.signal);
          const ids = this.store.atomically(() => {
            if (fingerprint) this.store.fingerprints.setVideo(job.contentId, fingerprint);
            const saved = this.store.vectors.saveEmbedding(
              target.modelId,
              job.contentId,
              moments.map((w) => ({ contentId: job.contentId, offsetS: w.offsetS, vector: w.vector })),
              tags,
            );
            this.store.jobs.complete(job.id);
            return saved;
          });
          target.index.add(ids.map((id, i) => ({ id, vector: moments[i]!.vector })));
          summary.embedded += 1;
        } catch (error) {
          if (options.signal?.aborted) {
            this.store.jobs.release([job.id]);
            break;
          }
          if (!(error instanceof MediaError)) {
            this.store.jobs.release([job.id]);
            throw new Error(`inference failed, indexing stopped (run it again to resume): ${(error as Error).message}`);
          }
          const message = describeFileError(error).message;
          this.store.atomically(() => {
            this.store.vectors.saveFailure(target.modelId, job.contentId, message);
            this.store.files.setErrorForContent(job.contentId, message);
            this.store.jobs.complete(job.id);
          });
          summary.failed += 1;
        }
        meter.add(1);
      }
    } finally {
      target.index.save();
    }
    summary.stopped = Boolean(options.signal?.aborted);
    summary.seconds = (Date.now() - started) / 1000;
    report('done');
    return summary;
  }
}
