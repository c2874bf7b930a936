/**
 * Embeds recordings with the audio model, after the files were read (ingested) by the main run.
 *
 * Each recording is decoded as a stream (ffmpeg, mono, at the model's rate) and embedded window by
 * window (the model's window length, 10 s for EfficientAT), so a hit names the moment as well as
 * the file, and a two-hour recording needs no more memory than a short one. A recording's tags are
 * the strongest per label over its windows. A file that cannot be decoded gets its reason; a model
 * failure puts the work back and stops the run, like the image pipeline.
 */
import type { Db } from '../store/database.js';
import type { FileRepo } from '../store/file-repo.js';
import type { Tag, VectorRepo } from '../store/vector-repo.js';
import type { JobQueue } from './job-queue.js';
import type { LoadedAudioModel } from '../models/model-manager.js';
import type { Pauser } from './pauser.js';
import type { IndexProgress, RunSummary } from './index-runner.js';
import { decodeAudio } from '../media/ffmpeg.js';
import { describeFileError, MediaError } from '../util/file-errors.js';
import { RateMeter } from './rate-meter.js';

/** A last window shorter than this (seconds) is dropped, unless it is the whole recording. */
const MIN_TAIL_SECONDS = 1;
const TOP_TAGS = 5;

export interface AudioRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
}

export class AudioIndexer {
  constructor(
    private readonly db: Db,
    private readonly files: FileRepo,
    private readonly vectors: VectorRepo,
    private readonly queue: JobQueue,
    private readonly pauser: Pauser,
  ) {}

  async run(model: LoadedAudioModel, options: AudioRunOptions = {}): Promise<RunSummary> {
    const started = Date.now();
    const summary: RunSummary = { embedded: 0, failed: 0, ingested: 0, moved: 0, stopped: false, seconds: 0 };
    this.db.transaction(() => {
      for (const contentId of this.vectors.unprocessedContents(model.modelId, 'audio')) this.queue.enqueueEmbed(contentId, model.name);
    })();
    const meter = new RateMeter();
    const report = (phase: IndexProgress['phase'], currentFile?: string) => {
      const done = summary.embedded + summary.failed;
      const remaining = this.queue.pending('embed', model.name);
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
        const [job] = this.queue.claimEmbed(model.name, 1);
        if (!job) break;
        const path = this.files.readyPathForContent(job.contentId);
        if (!path) {
          this.queue.complete(job.id); // moved or deleted meanwhile: found again later
          continue;
        }
        report(this.pauser.paused ? 'paused' : 'indexing', path);
        try {
          const { windows, tags } = await this.embedRecording(model, path, options.signal);
          const ids = this.db.transaction(() => {
            const saved = this.vectors.saveEmbedding(
              model.modelId,
              job.contentId,
              windows.map((w) => ({ contentId: job.contentId, offsetS: w.offsetS, vector: w.vector })),
              tags,
            );
            this.queue.complete(job.id);
            return saved;
          })();
          model.index.add(ids.map((id, i) => ({ id, vector: windows[i]!.vector })));
          summary.embedded += 1;
        } catch (error) {
          if (options.signal?.aborted) {
            this.queue.release([job.id]);
            break;
          }
          if (!(error instanceof MediaError)) {
            this.queue.release([job.id]);
            throw new Error(`inference failed, indexing stopped (run it again to resume): ${(error as Error).message}`);
          }
          const message = describeFileError(error).message;
          this.db.transaction(() => {
            this.vectors.saveFailure(model.modelId, job.contentId, message);
            this.files.setErrorForContent(job.contentId, message);
            this.queue.complete(job.id);
          })();
          summary.failed += 1;
        }
        meter.add(1);
      }
    } finally {
      model.index.save();
    }
    summary.stopped = Boolean(options.signal?.aborted);
    summary.seconds = (Date.now() - started) / 1000;
    report('done');
    return summary;
  }

  /** One vector per window of the recording, and its strongest tags. */
  private async embedRecording(
    model: LoadedAudioModel,
    path: string,
    signal?: AbortSignal,
  ): Promise<{ windows: { offsetS: number; vector: Float32Array }[]; tags: Tag[] }> {
    const windows: { offsetS: number; vector: Float32Array }[] = [];
    const best = new Map<string, number>();
    await decodeAudio(path, {
      sampleRate: model.sampleRate,
      chunkSeconds: model.windowSeconds,
      signal,
      onChunk: async (samples, offsetS) => {
        if (offsetS > 0 && samples.length < MIN_TAIL_SECONDS * model.sampleRate) return;
        const result = await model.client.embedAudio(samples, 1, samples.length);
        windows.push({ offsetS, vector: result.vectors[0]! });
        for (const tag of result.tags[0] ?? []) best.set(tag.label, Math.max(best.get(tag.label) ?? 0, tag.score));
      },
    });
    const tags = [...best.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_TAGS)
      .map(([label, score]) => ({ label, score }));
    return { windows, tags };
  }
}
