/**
 * ffmpeg and ffprobe: the system's when installed (usually the newer build, with the platform's
 * codecs), else the static binaries shipped inside npm packages (@ffmpeg-installer/*,
 * @ffprobe-installer/* — no download at install time). TROVE_FFMPEG / TROVE_FFPROBE override both.
 *
 * probeMedia reads a file's streams; decodeAudio streams its first audio track as mono 32-bit float
 * PCM at a chosen rate, chunk by chunk, so memory stays bounded whatever the file's length.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { z } from 'zod';
import { MediaError } from '../util/file-errors.js';

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  source: 'environment' | 'system' | 'bundled';
}

let tools: FfmpegTools | undefined;

export function ffmpegTools(): FfmpegTools {
  tools ??= findTools();
  return tools;
}

function findTools(): FfmpegTools {
  if (process.env.TROVE_FFMPEG && process.env.TROVE_FFPROBE) {
    return { ffmpeg: process.env.TROVE_FFMPEG, ffprobe: process.env.TROVE_FFPROBE, source: 'environment' };
  }
  const ffmpeg = onPath('ffmpeg');
  const ffprobe = onPath('ffprobe');
  if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, source: 'system' };
  const require = createRequire(import.meta.url);
  try {
    const bundled = {
      ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
      ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path,
    };
    return { ...bundled, source: 'bundled' };
  } catch {
    throw new Error('ffmpeg was not found: install it (e.g. apt-get install ffmpeg) or reinstall Trove with its bundled ffmpeg');
  }
}

function onPath(name: string): string | undefined {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, exe);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/* ---------------------------------- probe ---------------------------------- */

export interface MediaProbe {
  format: string;
  durationS: number | null;
  audio: { codec: string; sampleRate: number; channels: number } | null;
  /** Width and height as shown (a phone's portrait video is stored sideways with a rotation). */
  video: { codec: string; width: number; height: number; fps: number | null } | null;
  /** Apple's Live Photo content identifier, when this is a Live Photo's motion (its still carries the same). */
  liveId?: string;
}

/** A Live Photo's motion names its still by this QuickTime key (ExifTool: Keys:ContentIdentifier). */
const LIVE_PHOTO_KEY = 'com.apple.quicktime.content.identifier';

const ProbeSchema = z.object({
  format: z
    .object({ format_name: z.string().optional(), duration: z.string().optional(), tags: z.record(z.string(), z.unknown()).optional() })
    .partial()
    .optional(),
  streams: z
    .array(
      z
        .object({
          codec_type: z.string().optional(),
          codec_name: z.string().optional(),
          sample_rate: z.string().optional(),
          channels: z.number().optional(),
          width: z.number().optional(),
          height: z.number().optional(),
          avg_frame_rate: z.string().optional(),
          duration: z.string().optional(),
          disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
          tags: z.object({ rotate: z.string().optional() }).partial().optional(),
          side_data_list: z.array(z.object({ rotation: z.number().optional() }).passthrough()).optional(),
        })
        .passthrough(),
    )
    .default([]),
});

/** Streams and duration of an audio or video file; a clear MediaError for anything unreadable. */
export async function probeMedia(path: string, signal?: AbortSignal): Promise<MediaProbe> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new MediaError(
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file disappeared before it could be read' : String(error),
      'unreadable',
    );
  }
  if (size === 0) throw new MediaError('empty file (0 bytes)', 'empty');
  const { stdout, stderr, code } = await run(
    ffmpegTools().ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', path],
    signal,
    4 * 1024 * 1024,
  );
  if (code !== 0) throw new MediaError(`not a readable audio or video file (${firstLine(stderr) || `ffprobe exit ${code}`})`, 'corrupt');
  let parsed: z.infer<typeof ProbeSchema>;
  try {
    parsed = ProbeSchema.parse(JSON.parse(stdout));
  } catch {
    throw new MediaError('not a readable audio or video file (unexpected ffprobe output)', 'corrupt');
  }
  const audio = parsed.streams.find((s) => s.codec_type === 'audio');
  // Cover art in a music file is a "video" stream too; it is not a video.
  const video = parsed.streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const duration = Number(parsed.format?.duration ?? audio?.duration ?? video?.duration);
  const rotation = Number(video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? video?.tags?.rotate ?? 0);
  const sideways = Math.abs(rotation) % 180 === 90;
  const liveId = parsed.format?.tags?.[LIVE_PHOTO_KEY];
  return {
    ...(typeof liveId === 'string' && liveId.trim() ? { liveId: liveId.trim().slice(0, 127) } : {}),
    format: parsed.format?.format_name ?? 'unknown',
    durationS: Number.isFinite(duration) ? duration : null,
    audio: audio
      ? { codec: audio.codec_name ?? 'unknown', sampleRate: Number(audio.sample_rate ?? 0), channels: audio.channels ?? 0 }
      : null,
    video: video
      ? {
          codec: video.codec_name ?? 'unknown',
          width: (sideways ? video.height : video.width) ?? 0,
          height: (sideways ? video.width : video.height) ?? 0,
          fps: frameRate(video.avg_frame_rate),
        }
      : null,
  };
}

function frameRate(value: string | undefined): number | null {
  const m = (value ?? '').match(/^(\d+)\/(\d+)$/);
  if (!m || Number(m[2]) === 0) return null;
  return Number(m[1]) / Number(m[2]);
}

/* ---------------------------------- decode ---------------------------------- */

export interface DecodeAudioOptions {
  sampleRate: number;
  /** Samples are handed over in chunks of this many seconds (the last one may be shorter). */
  chunkSeconds: number;
  /** Called for each chunk, in order; decoding waits while it runs, so memory stays bounded. */
  onChunk: (samples: Float32Array, offsetS: number) => void | Promise<void>;
  signal?: AbortSignal;
  /** Stop after this many seconds of sound. */
  maxSeconds?: number;
}

/** Decodes the first audio track to mono float PCM; resolves with the seconds decoded. */
export async function decodeAudio(path: string, options: DecodeAudioOptions): Promise<number> {
  const chunkSamples = Math.max(1, Math.round(options.chunkSeconds * options.sampleRate));
  const args = [
    ...['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(options.sampleRate)],
    ...(options.maxSeconds ? ['-t', String(options.maxSeconds)] : []),
    ...['-f', 'f32le', 'pipe:1'],
  ];
  const asSamples = (bytes: Uint8Array) => new Float32Array(bytes.slice(0, bytes.length - (bytes.length % 4)).buffer);
  const { code, stderr, chunks, tail } = await streamFfmpeg(args, chunkSamples * 4, options.signal, (bytes, i) =>
    options.onChunk(asSamples(bytes), (i * chunkSamples) / options.sampleRate),
  );
  let total = chunks * chunkSamples;
  if (tail.length >= 4) {
    await options.onChunk(asSamples(tail), total / options.sampleRate);
    total += Math.floor(tail.length / 4);
  }
  if (options.signal?.aborted) throw new Error('stopped');
  if (code !== 0) {
    const reason = firstLine(stderr);
    if (/matches no streams|does not contain any stream/i.test(stderr)) throw new MediaError('this file has no audio track', 'not-media');
    throw new MediaError(`could not decode the audio (${reason || `ffmpeg exit ${code}`})`, 'corrupt');
  }
  if (total === 0) throw new MediaError('the audio track is empty', 'empty');
  return total / options.sampleRate;
}

/* --------------------------------- video frames --------------------------------- */

export interface DecodeFramesOptions {
  /** One frame every this many seconds (the first at 0). */
  intervalS: number;
  /** Frame size (as shown, after the video's rotation); every frame comes out this size. */
  width: number;
  height: number;
  /** Called for each frame (packed RGB, 3 bytes a pixel), in order; decoding waits while it runs. */
  onFrame: (rgb: Buffer, timeS: number) => void | Promise<void>;
  maxFrames?: number;
  signal?: AbortSignal;
}

/**
 * Decodes the first video track at a fixed sampling rate, scaled to one size, frame by frame, so
 * memory stays bounded whatever the video's length. Resolves with the number of frames decoded.
 */
export async function decodeVideoFrames(path: string, options: DecodeFramesOptions): Promise<number> {
  const args = [
    ...['-nostdin', '-v', 'error', '-i', path, '-map', '0:v:0', '-an', '-sn'],
    // round=up: the frame labelled t is the one on screen at t (the last one starting at or before
    // it), so a player or a later seek to t shows what was seen there. The default (nearest) hands
    // over a frame from up to half an interval later: a moment at a cut showed the scene before it.
    ...['-vf', `fps=1/${options.intervalS}:round=up,scale=${options.width}:${options.height}:flags=area`],
    ...(options.maxFrames ? ['-frames:v', String(options.maxFrames)] : []),
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
  const {
    code,
    stderr,
    chunks: frames,
  } = await streamFfmpeg(args, options.width * options.height * 3, options.signal, (bytes, i) =>
    options.onFrame(Buffer.from(bytes), i * options.intervalS),
  );
  if (options.signal?.aborted) throw new Error('stopped');
  // A video damaged part-way still gives its good frames; only a video with none is an error.
  if (frames === 0) {
    if (/matches no streams|does not contain any stream/i.test(stderr)) throw new MediaError('this file has no video track', 'not-media');
    throw new MediaError(
      `could not decode the video (${firstLine(stderr) || (code === 0 ? 'no frame could be decoded' : `ffmpeg exit ${code}`)})`,
      'corrupt',
    );
  }
  return frames;
}

/** One frame of a video at `atS` seconds, as a PNG (for thumbnails and previews). */
/** The longest edge of a poster frame (the largest preview the UI asks for). */
const MAX_FRAME_EDGE = 1600;

export async function extractVideoFrame(path: string, atS: number, signal?: AbortSignal): Promise<Buffer> {
  const child = spawn(
    ffmpegTools().ffmpeg,
    [
      ...['-nostdin', '-v', 'error', '-ss', String(Math.max(0, atS)), '-i', path, '-map', '0:v:0', '-frames:v', '1'],
      // Never larger than the largest preview, whatever the video's size: the frame is held in memory.
      ...['-vf', `scale=w='min(iw,${MAX_FRAME_EDGE})':h='min(ih,${MAX_FRAME_EDGE})':force_original_aspect_ratio=decrease`],
      ...['-f', 'image2pipe', '-c:v', 'png', 'pipe:1'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], signal },
  );
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  for await (const data of child.stdout as AsyncIterable<Buffer>) chunks.push(data);
  const code = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('close', resolve);
  });
  const png = Buffer.concat(chunks);
  if (png.length === 0)
    throw new MediaError(
      `could not read a frame of the video (${firstLine(stderr) || (code === 0 ? 'no frame could be decoded' : `ffmpeg exit ${code}`)})`,
      'corrupt',
    );
  return png;
}

/**
 * Runs ffmpeg and hands its output over in pieces of exactly `chunkBytes` (a sample window, a frame),
 * in order, waiting for each to be handled before reading on, so memory stays bounded. The
 * callback's buffer is reused: copy what you keep. What is left at the end (less than a piece) is
 * returned as `tail`.
 */
async function streamFfmpeg(
  args: string[],
  chunkBytes: number,
  signal: AbortSignal | undefined,
  onChunk: (bytes: Uint8Array, index: number) => void | Promise<void>,
): Promise<{ code: number | null; stderr: string; chunks: number; tail: Uint8Array }> {
  const child = spawn(ffmpegTools().ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const abort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const chunk = new Uint8Array(chunkBytes);
  let filled = 0;
  let chunks = 0;
  try {
    for await (const data of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < data.length) {
        const take = Math.min(data.length - offset, chunkBytes - filled);
        chunk.set(data.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === chunkBytes) {
          await onChunk(chunk, chunks);
          chunks += 1;
          filled = 0;
        }
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  return { code: await exited, stderr, chunks, tail: chunk.slice(0, filled) };
}

function run(
  command: string,
  args: string[],
  signal: AbortSignal | undefined,
  maxBytes: number,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.length > maxBytes) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 200);
}
