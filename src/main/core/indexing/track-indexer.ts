/**
 * Embeds media that has a time axis — recordings (audio-track.ts) and videos (video-track.ts) —
 * one file at a time, after the files were read (ingested) by the main run. Each file becomes
 * several vectors, each with its moment (offset in seconds), so a hit names the moment as well as
 * the file. A file that cannot be decoded gets its reason; a model failure puts the work back and
 * stops the run, like the image pipeline.
 */
import type { Tag } from '../store/vector-repo.js';
import type { LibraryStore } from '../store/library-store.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { Pauser } from './pauser.js';
import { describeFileError, MediaError } from '../util/file-errors.js';
import type { RunTally } from './run-tally.js';
import { RunProgress, type IndexProgress, type RunSummary } from './run-progress.js';

export interface TrackRunOptions {
  signal?: AbortSignal;
  /** The whole run's files (shared with the other passes). */
  tally: RunTally;
  onProgress?: (p: IndexProgress) => void;
}

/** What one file gives: vectors at moments, and its strongest tags. */
export interface TrackEmbedding {
  moments: { offsetS: number; vector: Float32Array }[];
  tags: Tag[];
  /** A video's frame hashes (video-fingerprint.ts), kept with its content for duplicate finding. */
  fingerprint?: Buffer;
}

/** The model the vectors belong to, and the kind of job its work is filed as. */
export interface TrackTarget {
  modelId: number;
  kind: 'embed-video' | 'embed-sound';
  index: VectorIndex;
}

export type EmbedTrack = (path: string, signal?: AbortSignal) => Promise<TrackEmbedding>;

export class TrackIndexer {
  constructor(
    private readonly store: LibraryStore,
    private readonly pauser: Pauser,
  ) {}

  /** Embeds `contents` (and any queued work of this target) with `embed`. */
  async run(target: TrackTarget, contents: number[], embed: EmbedTrack, options: TrackRunOptions): Promise<RunSummary> {
    this.store.atomically(() => {
      for (const contentId of contents) this.store.jobs.enqueueEmbed(target.kind, contentId, target.modelId);
    });
    const progress = new RunProgress(this.pauser, options.tally, options.onProgress);
    try {
      for (;;) {
        await progress.pausePoint(options.signal);
        if (options.signal?.aborted) break;
        const [job] = this.store.jobs.claimEmbed(target.kind, target.modelId, 1);
        if (!job) break;
        const path = this.store.files.readyPathForContent(job.contentId);
        if (!path) {
          this.store.jobs.complete(job.id); // moved or deleted meanwhile: found again later
          continue;
        }
        progress.working(path);
        progress.report();
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
          progress.done(1, 0);
        } catch (error) {
          if (options.signal?.aborted) {
            this.store.jobs.release([job.id]);
            break;
          }
          if (!(error instanceof MediaError)) {
            this.store.jobs.release([job.id]);
            throw new Error(`inference failed, indexing stopped (run it again to resume): ${(error as Error).message}`);
          }
          const problem = describeFileError(error);
          this.store.atomically(() => {
            this.store.vectors.saveFailure(target.modelId, job.contentId, problem.message);
            this.store.files.setErrorForContent(job.contentId, problem);
            this.store.jobs.complete(job.id);
          });
          progress.done(0, 1);
        }
      }
    } finally {
      target.index.save();
    }
    return progress.finish(Boolean(options.signal?.aborted));
  }
}
