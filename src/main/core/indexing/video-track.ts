/**
 * A video for the image model. Frames are decoded one a second, whatever the video's length (so
 * any two videos' frame hashes line up for duplicate finding; the first 30 minutes are hashed), and
 * the ones that matter are embedded: the first, every scene change
 * (a frame that no longer looks like the last one embedded), and at least one every few seconds, so
 * a video is never judged by one frame and a hit can name its moment.
 */
import { decodeVideoFrames, probeMedia } from '../media/ffmpeg.js';
import { frameForModel } from '../media/image-decoder.js';
import { MAX_DECODED_ASPECT } from '../media/model-input.js';
import { gridVector, visualFingerprint } from '../media/visual-fingerprint.js';
import { hashIntervalFor, videoFingerprintToBlob, type VideoFrameHash } from '../media/video-fingerprint.js';
import type { LoadedModel } from '../models/model-manager.js';
import { MediaError } from '../util/file-errors.js';
import { strongestTags } from './strongest-tags.js';
import type { TrackEmbedding } from './track-indexer.js';
import { dot } from '../util/vectors.js';

/** Frame hashes kept for duplicate finding: the first 30 minutes (a copy overlaps long before). */
const MAX_HASHED = 1800;
/** Frames embedded per video, at most; the steady interval grows for long videos to stay under it. */
const MAX_EMBEDDED = 150;
const STEADY_EVERY_S = 5;
/** Grid correlation below which a frame starts a new scene. */
const SCENE_CHANGE = 0.6;
/** Decoded frames have this shortest side (enough for the models, cheap to decode into). */
const FRAME_SHORTEST = 256;
const BATCH = 8;

export async function embedVideo(
  model: LoadedModel,
  path: string,
  signal?: AbortSignal,
): Promise<TrackEmbedding & { fingerprint: Buffer }> {
  const probe = await probeMedia(path, signal);
  if (!probe.video) throw new MediaError('this file has no video track', 'not-media');
  const duration = probe.durationS ?? 0;
  const intervalS = hashIntervalFor(duration);
  const everyS = Math.max(STEADY_EVERY_S, duration / (MAX_EMBEDDED / 2));
  const [width, height] = frameSize(probe.video.width, probe.video.height);

  const pre = model.preprocess;
  const plane = 3 * pre.size * pre.size;
  const batch = new Float32Array(BATCH * plane);
  let pending: number[] = []; // offsets of the frames waiting in `batch`
  const moments: TrackEmbedding['moments'] = [];
  const tags = strongestTags();
  const hashes: VideoFrameHash[] = [];
  let lastEmbedded: { at: number; look: Float32Array } | undefined;

  const flush = async () => {
    if (pending.length === 0) return;
    const result = await model.client.embedImages(batch.slice(0, pending.length * plane), pending.length, pre.size);
    result.vectors.forEach((vector, i) => moments.push({ offsetS: pending[i]!, vector }));
    for (const frameTags of result.tags) tags.add(frameTags);
    pending = [];
  };

  await decodeVideoFrames(path, {
    intervalS,
    width,
    height,
    signal,
    onFrame: async (rgb, timeS) => {
      const print = visualFingerprint(rgb, width, height, 3);
      if (hashes.length < MAX_HASHED) hashes.push({ phash: print.phash, detail: print.detail });
      const look = gridVector(print.grid);
      const sceneChanged = lastEmbedded !== undefined && dot(look, lastEmbedded.look) < SCENE_CHANGE;
      const due = lastEmbedded === undefined || timeS - lastEmbedded.at >= everyS || sceneChanged;
      if (!due || moments.length + pending.length >= MAX_EMBEDDED) return;
      await frameForModel(rgb, width, height, pre, batch, pending.length * plane);
      pending.push(timeS);
      lastEmbedded = { at: timeS, look };
      if (pending.length === BATCH) await flush();
    },
  });
  await flush();
  return { moments, tags: tags.top(), fingerprint: videoFingerprintToBlob({ intervalS, frames: hashes }) };
}

/**
 * Even dimensions (the scaler wants them) with the shortest side FRAME_SHORTEST, never enlarged, and
 * the longest side bounded too, so an oddly shaped video (16384x2) cannot ask for a huge frame.
 */
function frameSize(width: number, height: number): [number, number] {
  const scale = Math.min(1, FRAME_SHORTEST / Math.min(width, height), (FRAME_SHORTEST * MAX_DECODED_ASPECT) / Math.max(width, height));
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return [even(width), even(height)];
}
