/**
 * Acoustic fingerprints for finding the same recording in another file: re-encoded (even at a low
 * bit rate), louder or quieter, or with its start or end cut off.
 *
 * The method is the classic one of Haitsma & Kalker ("A Highly Robust Audio Fingerprinting System",
 * ISMIR 2002), also the idea under Chromaprint: the sound is cut into long overlapping frames (186 ms
 * every 23 ms), each frame's energy is measured in 33 bands between 300 Hz and 5 kHz (where any
 * codec keeps the sound), and each frame becomes 32 bits: whether the energy difference between two
 * neighbouring bands grew or shrank since the previous frame. Signs of differences do not change with
 * volume, and codecs rarely flip them, so a copy's bits mostly agree with the original's once the
 * two are aligned; two different recordings agree on about half of them, as chance would.
 *
 * Frames far quieter than the loud parts (silence, a fading tail, hiss) carry no information, and
 * two silences would look alike, so each frame keeps its loudness and a comparison only counts frames
 * that are loud in both files, loud meaning within 30 dB of the loudest frame *of the stretch the two
 * files share* (a copy with its first second cut may have lost the loudest moment of the original).
 */
import FFT from 'fft.js';
import { decodeAudio } from './ffmpeg.js';

/** Recordings are decoded at this rate for fingerprinting (bands stop at 5 kHz). */
export const FINGERPRINT_RATE = 11_025;
/** Only the first minutes are fingerprinted: enough to recognise a copy, bounded for long files. */
export const FINGERPRINT_MAX_SECONDS = 180;

const FRAME = 2048;
export const HOP = 256;
const BANDS = 33;
const MIN_HZ = 300;
const MAX_HZ = 5000;
/** A frame this many dB below the loudest frame of the shared stretch counts as quiet. */
const QUIET_DB = 30;
/**
 * A bit is decided by a change in band difference smaller than this share of the bands' energy:
 * a steady tone changes nothing from frame to frame, so its bits would be rounding noise (all zero,
 * in practice) and every steady tone would match every other. Frames where most bits are like that
 * are left out of comparisons, like silence.
 */
const MIN_CHANGE = 0.02;
/** Levels are stored as whole dB above this (so digital silence and steady frames are 0). */
const LEVEL_FLOOR_DB = -100;

export interface AudioFingerprint {
  /** One 32-bit code per frame (frames every HOP samples at FINGERPRINT_RATE). */
  codes: Uint32Array;
  /** Per code, the level of the quieter of the two frames it compares, in dB above -100 dB; 0 for silent or steady. */
  level: Uint8Array;
}

/** Seconds of sound between two frames. */
export const FRAME_SECONDS = HOP / FINGERPRINT_RATE;

/**
 * Builds fingerprints from samples that arrive in chunks of any size (mono, FINGERPRINT_RATE),
 * keeping only a frame's worth of history.
 */
export class FingerprintBuilder {
  private readonly fft = new FFT(FRAME);
  private readonly window = hannWindow(FRAME);
  private readonly edges = bandEdges();
  private readonly spectrum = this.fft.createComplexArray() as number[];
  private readonly frame = new Float64Array(FRAME);
  private pending = new Float32Array(0);
  private previous: Float64Array | undefined;
  private readonly codes: number[] = [];
  /** Per code: most of its bits were decided by changes too small to survive a codec. */
  private readonly steady: boolean[] = [];
  private readonly energies: number[] = [];

  push(samples: Float32Array): void {
    const joined = new Float32Array(this.pending.length + samples.length);
    joined.set(this.pending);
    joined.set(samples, this.pending.length);
    let start = 0;
    for (; start + FRAME <= joined.length; start += HOP) this.addFrame(joined.subarray(start, start + FRAME));
    this.pending = joined.slice(start);
  }

  finish(): AudioFingerprint {
    const level = new Uint8Array(this.codes.length);
    const toLevel = (energy: number) => Math.max(0, Math.min(255, Math.round(10 * Math.log10(energy + 1e-30) - LEVEL_FLOOR_DB)));
    // Code i compares frame i + 1 with frame i: it is as loud as the quieter of the two.
    for (let i = 0; i < this.codes.length; i += 1) {
      level[i] = this.steady[i] ? 0 : toLevel(Math.min(this.energies[i]!, this.energies[i + 1]!));
    }
    return { codes: Uint32Array.from(this.codes), level };
  }

  private addFrame(samples: Float32Array): void {
    for (let i = 0; i < FRAME; i += 1) this.frame[i] = samples[i]! * this.window[i]!;
    this.fft.realTransform(this.spectrum, this.frame);
    const bands = new Float64Array(BANDS);
    let total = 0;
    for (let b = 0; b < BANDS; b += 1) {
      let sum = 0;
      for (let k = this.edges[b]!; k < this.edges[b + 1]!; k += 1) {
        const re = this.spectrum[2 * k]!;
        const im = this.spectrum[2 * k + 1]!;
        sum += re * re + im * im;
      }
      bands[b] = sum;
      total += sum;
    }
    if (this.previous) {
      let code = 0;
      let decided = 0;
      for (let b = 0; b < BANDS - 1; b += 1) {
        const now = bands[b]! - bands[b + 1]!;
        const before = this.previous[b]! - this.previous[b + 1]!;
        if (now - before > 0) code |= 1 << b;
        const scale = bands[b]! + bands[b + 1]! + this.previous[b]! + this.previous[b + 1]!;
        if (Math.abs(now - before) > MIN_CHANGE * scale) decided += 1;
      }
      this.codes.push(code >>> 0);
      this.steady.push(decided < (BANDS - 1) / 2);
    }
    this.energies.push(total);
    this.previous = bands;
  }
}

function hannWindow(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
}

/** FFT bin boundaries of BANDS log-spaced bands between MIN_HZ and MAX_HZ. */
function bandEdges(): Int32Array {
  const edges = new Int32Array(BANDS + 1);
  for (let b = 0; b <= BANDS; b += 1) {
    const hz = MIN_HZ * (MAX_HZ / MIN_HZ) ** (b / BANDS);
    edges[b] = Math.round((hz * FRAME) / FINGERPRINT_RATE);
  }
  return edges;
}

/** Serialised as codes (little-endian uint32) followed by the levels, for a database column. */
export function fingerprintToBlob(fp: AudioFingerprint): Buffer {
  const out = Buffer.alloc(fp.codes.length * 5);
  Buffer.from(fp.codes.buffer, fp.codes.byteOffset, fp.codes.byteLength).copy(out, 0);
  Buffer.from(fp.level.buffer, fp.level.byteOffset, fp.level.byteLength).copy(out, fp.codes.length * 4);
  return out;
}

export function fingerprintFromBlob(blob: Buffer): AudioFingerprint {
  const frames = Math.floor(blob.length / 5);
  const codes = new Uint32Array(frames);
  Buffer.from(codes.buffer).set(blob.subarray(0, frames * 4));
  return { codes, level: Uint8Array.from(blob.subarray(frames * 4, frames * 5)) };
}

export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface AlignedComparison {
  /** Frames of `b` are shifted by this many frames relative to `a` (b[i + offset] ~ a[i]). */
  offset: number;
  /** Frames loud in both and compared. */
  frames: number;
  /** Share of differing bits over those frames: about 0.5 for unrelated sound, low for a copy. */
  bitErrorRate: number;
}

/** Compares two fingerprints at one alignment, over the frames loud in both. */
export function compareAt(a: AudioFingerprint, b: AudioFingerprint, offset: number): AlignedComparison {
  let frames = 0;
  let errors = 0;
  const from = Math.max(0, -offset);
  const to = Math.min(a.codes.length, b.codes.length - offset);
  let loudestA = 0;
  let loudestB = 0;
  for (let i = from; i < to; i += 1) {
    loudestA = Math.max(loudestA, a.level[i]!);
    loudestB = Math.max(loudestB, b.level[i + offset]!);
  }
  const floorA = Math.max(1, loudestA - QUIET_DB);
  const floorB = Math.max(1, loudestB - QUIET_DB);
  for (let i = from; i < to; i += 1) {
    if (a.level[i]! < floorA || b.level[i + offset]! < floorB) continue;
    frames += 1;
    errors += popcount32((a.codes[i]! ^ b.codes[i + offset]!) >>> 0);
  }
  return { offset, frames, bitErrorRate: frames ? errors / (frames * 32) : 1 };
}

/** Decodes the first minutes of a recording and fingerprints them. */
export async function fingerprintRecording(path: string, signal?: AbortSignal): Promise<AudioFingerprint> {
  const builder = new FingerprintBuilder();
  await decodeAudio(path, {
    sampleRate: FINGERPRINT_RATE,
    chunkSeconds: 10,
    maxSeconds: FINGERPRINT_MAX_SECONDS,
    signal,
    onChunk: (samples) => builder.push(samples),
  });
  return builder.finish();
}
