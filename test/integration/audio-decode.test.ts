/**
 * Audio decoding through ffmpeg: every format of ../shared/media/audio decodes to mono float PCM at
 * the model's rate with the right length; bad input gets a clear MediaError (zero bytes, not audio,
 * a video without an audio track); a wrong extension does not matter; and a 2-hour file streams
 * through in bounded memory.
 */
import { existsSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio, ffmpegTools, probeMedia } from '../../src/main/core/media/ffmpeg.js';
import { runFfmpeg } from '../helpers/ffmpeg.js';
import { MediaError } from '../../src/main/core/util/file-errors.js';
import { SHARED } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';

const AUDIO = join(SHARED, 'media', 'audio');
const hasAudio = existsSync(join(AUDIO, 'labels.csv'));

async function decodedSeconds(path: string, sampleRate = 32000): Promise<{ seconds: number; chunks: number[]; peak: number }> {
  const chunks: number[] = [];
  let peak = 0;
  const seconds = await decodeAudio(path, {
    sampleRate,
    chunkSeconds: 2,
    onChunk: (samples, offset) => {
      chunks.push(offset);
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
    },
  });
  return { seconds, chunks, peak };
}

describe('audio decoding (ffmpeg)', () => {
  it('finds ffmpeg and ffprobe', () => {
    const tools = ffmpegTools();
    expect(existsSync(tools.ffmpeg)).toBe(true);
    expect(existsSync(tools.ffprobe)).toBe(true);
  });

  it.skipIf(!hasAudio)('decodes FLAC, MP3, Ogg Vorbis and WAV to 5 s of mono PCM at 32 kHz, in 2 s chunks', async () => {
    const files = readdirSync(join(AUDIO, 'dog')).map((f) => join(AUDIO, 'dog', f));
    expect(files.map((f) => f.split('.').pop()).sort()).toEqual(['flac', 'mp3', 'ogg', 'wav']);
    for (const file of files) {
      const probe = await probeMedia(file);
      expect(probe.audio, file).not.toBeNull();
      expect(probe.video).toBeNull();
      expect(probe.durationS!).toBeCloseTo(5, 0);
      const { seconds, chunks, peak } = await decodedSeconds(file);
      expect(seconds, file).toBeGreaterThan(4.9);
      expect(seconds, file).toBeLessThan(5.2);
      expect(chunks).toEqual([0, 2, 4]);
      expect(peak, file).toBeGreaterThan(0.01); // real sound, not silence
    }
  });

  it('decodes AAC/M4A, Opus and AIFF made by ffmpeg, and ignores a wrong extension', async () => {
    const dir = tempDir();
    const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3:sample_rate=44100'];
    const made = {
      'a.m4a': [...tone, '-c:a', 'aac', join(dir, 'a.m4a')],
      'a.opus': [...tone, '-c:a', 'libopus', join(dir, 'a.opus')],
      'a.aiff': [...tone, join(dir, 'a.aiff')],
    };
    for (const [name, args] of Object.entries(made)) {
      const r = runFfmpeg(args);
      if (r.code !== 0) throw new Error(`making ${name}: ${r.stderr}`);
      const { seconds } = await decodedSeconds(join(dir, name), 16000);
      expect(seconds, name).toBeCloseTo(3, 1);
    }
    copyFileSync(join(dir, 'a.aiff'), join(dir, 'really-aiff.mp3'));
    expect((await decodedSeconds(join(dir, 'really-aiff.mp3'))).seconds).toBeCloseTo(3, 1);
  });

  it('says clearly what is wrong with bad input', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.mp3'), '');
    writeFileSync(join(dir, 'noise.mp3'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    expect(
      runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10', '-pix_fmt', 'yuv420p', join(dir, 'silent-video.mp4')]).code,
    ).toBe(0);
    const failure = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        expect(error).toBeInstanceOf(MediaError);
        return (error as MediaError).message;
      }
      throw new Error('expected a failure');
    };
    expect(await failure(() => probeMedia(join(dir, 'empty.mp3')))).toMatch(/empty file/);
    expect(await failure(() => probeMedia(join(dir, 'noise.mp3')))).toMatch(/not a readable audio or video file/);
    expect(await failure(() => decodedSeconds(join(dir, 'noise.mp3')))).toMatch(/could not decode the audio|no audio track/);
    const probe = await probeMedia(join(dir, 'silent-video.mp4'));
    expect(probe.video).not.toBeNull();
    expect(probe.audio).toBeNull();
    expect(await failure(() => decodedSeconds(join(dir, 'silent-video.mp4')))).toMatch(/no audio track/);
    expect(await failure(() => probeMedia(join(dir, 'vanished.mp3')))).toMatch(/disappeared/);
  });

  it('streams a 2-hour file in bounded memory', async () => {
    const dir = tempDir();
    const long = join(dir, 'two-hours.mp3');
    const made = runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=220:duration=7200:sample_rate=8000', '-ac', '1', '-b:a', '8k', long]);
    expect(made.code, made.stderr).toBe(0);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let samples = 0;
    const seconds = await decodeAudio(long, {
      sampleRate: 32000,
      chunkSeconds: 10,
      onChunk: (chunk) => {
        samples += chunk.length;
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    expect(seconds).toBeGreaterThan(7199);
    expect(samples).toBe(Math.round(seconds * 32000));
    // The whole track as floats would be 900 MB; streaming keeps the growth to a few chunks.
    expect((peak - before) / 2 ** 20).toBeLessThan(200);
  }, 180_000);
});
