/**
 * A recording (or a video's sound track) for the audio model: decoded as a stream (ffmpeg, mono, at
 * the model's rate) and embedded window by window (the model's window length: 10 s for CLAP and
 * EfficientAT), so a two-hour recording needs no more memory than a short one. Its tags are the
 * strongest per label over its windows.
 */
import { decodeAudio } from '../media/ffmpeg.js';
import type { LoadedAudioModel } from '../models/model-manager.js';
import type { TrackEmbedding } from './track-indexer.js';
import { strongestTags } from './strongest-tags.js';

/** A last window shorter than this (seconds) is dropped, unless it is the whole recording. */
const MIN_TAIL_SECONDS = 1;

export async function embedRecording(model: LoadedAudioModel, path: string, signal?: AbortSignal): Promise<TrackEmbedding> {
  const moments: TrackEmbedding['moments'] = [];
  const tags = strongestTags();
  await decodeAudio(path, {
    sampleRate: model.sampleRate,
    chunkSeconds: model.windowSeconds,
    signal,
    onChunk: async (samples, offsetS) => {
      if (offsetS > 0 && samples.length < MIN_TAIL_SECONDS * model.sampleRate) return;
      const result = await model.client.embedAudio(samples, 1, samples.length);
      moments.push({ offsetS, vector: result.vectors[0]! });
      tags.add(result.tags[0] ?? []);
    },
  });
  return { moments, tags: tags.top() };
}
