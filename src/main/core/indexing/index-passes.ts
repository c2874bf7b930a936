/**
 * One indexing pass over the work queue: photos (read, then embedded by the image model), then
 * videos' frames (image model), then recordings and videos' sound (audio model), with one summary.
 * A library whose default audio model is not installed, with downloads off, still gets its photos
 * indexed: the recordings wait, and the summary says why.
 */
import { isModelUnavailable, type LoadedAudioModel, type LoadedModel, type ModelManager } from '../models/model-manager.js';
import type { LibraryStore } from '../store/library-store.js';
import { embedRecording } from './audio-track.js';
import { IndexRunner, type IndexProgress, type RunSummary } from './index-runner.js';
import { RunProgress } from './run-progress.js';
import { RunTally } from './run-tally.js';
import { readTextInPictures } from './text-pass.js';
import { nameThePlaces } from './place-pass.js';
import { identifyLivePhotos } from './live-photo-pass.js';
import type { WaitingModels } from '../store/library-queries.js';
import { Ingestor } from './ingestor.js';
import type { Pauser } from './pauser.js';
import { TrackIndexer } from './track-indexer.js';
import { embedVideo } from './video-track.js';

export interface PassOptions {
  /** The audio model asked for on this run (a hard error if missing), else the library's. */
  audioModel?: string;
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
}

export class IndexPasses {
  private readonly ingestor: Ingestor;
  private inFlight = 0;

  constructor(
    private readonly store: LibraryStore,
    private readonly models: ModelManager,
    private readonly pauser: Pauser,
  ) {
    this.ingestor = new Ingestor(store);
  }

  /**
   * Photos, videos, then sound: everything queued, with one summary. Without an image model (not
   * installed, downloads off) files are still read and recordings still indexed; pictures wait.
   */
  async run(model: LoadedModel | undefined, options: PassOptions): Promise<RunSummary> {
    this.inFlight += 1;
    try {
      return await this.runPasses(model, options);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Whether a run is in flight (its files are changing state all the time). */
  get running(): boolean {
    return this.inFlight > 0;
  }

  private async runPasses(model: LoadedModel | undefined, options: PassOptions): Promise<RunSummary> {
    const started = Date.now();
    // One count of the run's files for every pass, and one end: a pass ending is not the run ending.
    const tally = new RunTally(() => this.store.queries.waitingFiles(this.waitingModels(model, options.audioModel)));
    const end = options.onProgress;
    // The words are read last, but their readers start now, alongside the embedding (loading them
    // is a fraction of a second of one core, which would otherwise be waited for at the end).
    if (this.store.settings.get().readText && (tally.read().remaining > 0 || this.store.text.unreadCount() > 0)) {
      this.models.textReader().warm();
    }
    const passOptions: PassOptions & { tally: RunTally } = {
      ...options,
      tally,
      onProgress: end && ((p) => end(p.phase === 'done' ? { ...p, phase: 'indexing' } : p)),
    };
    const summary = model
      ? addRuns(
          await new IndexRunner(this.store, this.ingestor, this.pauser).run(model, passOptions),
          await this.videos(model, passOptions),
          await this.recordings(passOptions),
        )
      : addRuns(await this.readOnly(passOptions), await this.recordings(passOptions));
    // Where photos were taken, in words (fast), Live Photo identifiers a library read before they
    // were looked for (once), then the words in pictures, last: searching by meaning does not wait.
    if (!options.signal?.aborted) nameThePlaces(this.store, options.signal);
    if (!options.signal?.aborted) await identifyLivePhotos(this.store, options.signal);
    if (!options.signal?.aborted) {
      const text = await readTextInPictures(this.store, this.models, this.pauser, passOptions);
      if (text.read > 0) summary.textRead = text;
    }
    // The run's time is all of it: its passes, and the places, Live Photos and words after them.
    summary.seconds = (Date.now() - started) / 1000;
    if (end) {
      const { done, total, remaining } = tally.read(true);
      const ratePerSecond = tally.ratePerSecond('run');
      end({ phase: 'done', done, total, failed: summary.failed, ratePerSecond, etaSeconds: remaining === 0 ? 0 : null });
    }
    return summary;
  }

  /** The models this run embeds with: files waiting for others are not this run's work. */
  private waitingModels(model: LoadedModel | undefined, audioModel: string | undefined): WaitingModels {
    const audio = audioModel ?? this.store.settings.get().audioModel;
    const audioId = audio && this.models.isInstalled(audio) ? (this.store.vectors.findModel(audio)?.id ?? -1) : null;
    return { image: model?.modelId ?? null, audio: audioId };
  }

  /** Reads (hashes, probes) every queued file, with no image model to embed pictures. */
  private async readOnly(options: PassOptions & { tally: RunTally }): Promise<RunSummary> {
    const progress = new RunProgress(this.pauser, options.tally, options.onProgress);
    for (;;) {
      await progress.pausePoint(options.signal);
      if (options.signal?.aborted) break;
      const jobs = this.store.jobs.claimIngest(16);
      if (jobs.length === 0) break;
      for (const [i, job] of jobs.entries()) {
        if (options.signal?.aborted) {
          this.store.jobs.release(jobs.slice(i).map((j) => j.id));
          break;
        }
        const result = await this.ingestor.ingest(job);
        if (result.outcome === 'ready' || result.outcome === 'moved') progress.summary.ingested += 1;
        if (result.outcome === 'moved') progress.summary.moved += 1;
        if (result.outcome === 'error') progress.done(0, 1, result.path);
        progress.report();
      }
    }
    this.ingestor.idle();
    return progress.finish(Boolean(options.signal?.aborted));
  }

  /** Videos' frames, with the image model (their sound goes to the audio model). */
  private async videos(model: LoadedModel, options: PassOptions & { tally: RunTally }): Promise<RunSummary | undefined> {
    const videos = this.store.vectors.unprocessedContents(model.modelId, 'video');
    if (videos.length === 0 && this.store.jobs.pending('embed-video', model.modelId) === 0) return undefined;
    return this.tracks().run(
      { modelId: model.modelId, kind: 'embed-video', index: model.index },
      videos,
      (path, signal) => embedVideo(model, path, signal),
      options,
    );
  }

  /** Recordings and videos' sound, with the audio model, when the library has one and there is work. */
  private async recordings(options: PassOptions & { tally: RunTally }): Promise<RunSummary | undefined> {
    const name = options.audioModel ?? this.store.settings.get().audioModel;
    if (!name || options.signal?.aborted) return undefined;
    const loaded = this.models.currentAudio();
    const known = this.store.vectors.findModel(name);
    // A model not seen yet has processed nothing: every ready recording is work for it.
    const recordings = this.store.vectors.unprocessedContents(known?.id, 'sound');
    const queued = known ? this.store.jobs.pending('embed-sound', known.id) : 0;
    if (recordings.length + queued === 0 && loaded?.name !== name) return undefined;
    let audio: LoadedAudioModel;
    try {
      audio = await this.models.useAudio(name, options.signal);
    } catch (error) {
      // The library's default audio model (CLAP) not downloaded yet, and downloads not allowed:
      // recordings wait for the model. A model asked for by name on this run is a hard error.
      if (!isModelUnavailable(error) || options.audioModel) throw error;
      return { embedded: 0, failed: 0, ingested: 0, moved: 0, stopped: false, seconds: 0, audioSkipped: error.message };
    }
    return this.tracks().run(
      { modelId: audio.modelId, kind: 'embed-sound', index: audio.index },
      recordings,
      (path, signal) => embedRecording(audio, path, signal),
      options,
    );
  }

  private tracks(): TrackIndexer {
    return new TrackIndexer(this.store, this.pauser);
  }
}

/** What a person is told when pictures wait for the image model (the CLI and the app say the same). */
export function picturesWaitingNotice(reason: string): string {
  return `Photos and videos are not indexed yet: ${reason}`;
}

/** What a person is told when recordings wait for the audio model (the CLI and the app say the same). */
export function recordingsWaitingNotice(reason: string): string {
  return `Recordings are not indexed yet: ${reason}`;
}

/** The photo run's summary with the video and audio passes' counts added. */
function addRuns(photos: RunSummary, ...others: (RunSummary | undefined)[]): RunSummary {
  return others.reduce<RunSummary>(
    (sum, run) =>
      run
        ? {
            ...sum,
            embedded: sum.embedded + run.embedded,
            failed: sum.failed + run.failed,
            stopped: sum.stopped || run.stopped,
            ...(run.audioSkipped ? { audioSkipped: run.audioSkipped } : {}),
            ...(run.imagesSkipped ? { imagesSkipped: run.imagesSkipped } : {}),
          }
        : sum,
    photos,
  );
}
