/**
 * A video's look over time: the perceptual hash (visual-fingerprint.ts) of one frame every
 * `intervalS` seconds, with how much detail the frame has (flat frames — black, fades, a blank wall
 * — prove nothing). Two encodings of the same clip, at any size or codec, give nearly the same
 * sequence; the duplicate finder aligns sequences rather than judging a video by one frame.
 * A clip shorter than a few seconds is sampled four times a second, so it too has frames enough to
 * compare; `coarsened` gives its once-a-second view, to meet a copy just long enough to be sampled
 * once a second.
 */
import { decodeVideoFrames, probeMedia } from './ffmpeg.js';
import { visualFingerprint } from './visual-fingerprint.js';

/** Clips shorter than this are sampled every SHORT_INTERVAL_S, longer ones every second. */
export const SHORT_CLIP_S = 4;
const SHORT_INTERVAL_S = 0.25;

/** How often a video of this length is sampled for its fingerprint. */
export function hashIntervalFor(durationS: number): number {
  return durationS > 0 && durationS < SHORT_CLIP_S ? SHORT_INTERVAL_S : 1;
}

/** The same print sampled every `intervalS` (a whole multiple of its own), or undefined. */
export function coarsened(fp: VideoFingerprint, intervalS: number): VideoFingerprint | undefined {
  const step = Math.round(intervalS / fp.intervalS);
  if (step <= 1 || Math.abs(step * fp.intervalS - intervalS) > 1e-3) return undefined;
  return { intervalS, frames: fp.frames.filter((_, i) => i % step === 0) };
}

/** Fingerprints a video on its own (one indexed before short clips were sampled densely). */
export async function fingerprintVideo(path: string, signal?: AbortSignal): Promise<VideoFingerprint> {
  const probe = await probeMedia(path, signal);
  if (!probe.video) throw new Error('this file has no video track');
  const intervalS = hashIntervalFor(probe.durationS ?? 0);
  const scale = 128 / Math.max(1, Math.min(probe.video.width, probe.video.height));
  const width = Math.max(2, 2 * Math.round((probe.video.width * scale) / 2));
  const height = Math.max(2, 2 * Math.round((probe.video.height * scale) / 2));
  const frames: VideoFrameHash[] = [];
  await decodeVideoFrames(path, {
    intervalS,
    width,
    height,
    signal,
    maxFrames: 1800,
    onFrame: (rgb) => {
      const print = visualFingerprint(rgb, width, height, 3);
      frames.push({ phash: print.phash, detail: print.detail });
    },
  });
  return { intervalS, frames };
}
export interface VideoFrameHash {
  /** 64-bit perceptual hash, hex. */
  phash: string;
  /** Standard deviation of the frame's grey grid (0-255 levels). */
  detail: number;
}

export interface VideoFingerprint {
  intervalS: number;
  frames: VideoFrameHash[];
}

/** Serialised as [interval float32][per frame: 8 hash bytes + 1 detail byte], for a database column. */
export function videoFingerprintToBlob(fp: VideoFingerprint): Buffer {
  const out = Buffer.alloc(4 + fp.frames.length * 9);
  out.writeFloatLE(fp.intervalS, 0);
  fp.frames.forEach((f, i) => {
    Buffer.from(f.phash, 'hex').copy(out, 4 + i * 9);
    out[4 + i * 9 + 8] = Math.max(0, Math.min(255, Math.round(f.detail)));
  });
  return out;
}

export function videoFingerprintFromBlob(blob: Buffer): VideoFingerprint {
  const count = Math.floor((blob.length - 4) / 9);
  const frames: VideoFrameHash[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = 4 + i * 9;
    frames.push({ phash: blob.subarray(at, at + 8).toString('hex'), detail: blob[at + 8]! });
  }
  return { intervalS: blob.readFloatLE(0), frames };
}
