/** The altered copies of a recording that duplicate finding must see through (tests and benchmark). */
import { join } from 'node:path';
import { runFfmpeg } from './ffmpeg.js';

export const AUDIO_VARIANTS = ['low', 'trimmed', 'quieter'] as const;

export function ffmpegOrThrow(args: string[]): void {
  const made = runFfmpeg(args);
  if (made.code !== 0) throw new Error(made.stderr);
}

/**
 * Writes `<stem>.low.mp3` (mono, 32 kb/s), `<stem>.trimmed.wav` (first second cut off) and
 * `<stem>.quieter.flac` (6 dB quieter) in `dir`; returns their paths in that order.
 */
export function writeAudioVariants(source: string, dir: string, stem: string): string[] {
  const low = join(dir, `${stem}.low.mp3`);
  const trimmed = join(dir, `${stem}.trimmed.wav`);
  const quieter = join(dir, `${stem}.quieter.flac`);
  ffmpegOrThrow(['-i', source, '-ac', '1', '-b:a', '32k', low]);
  ffmpegOrThrow(['-ss', '1', '-i', source, trimmed]);
  ffmpegOrThrow(['-i', source, '-af', 'volume=-6dB', quieter]);
  return [low, trimmed, quieter];
}
