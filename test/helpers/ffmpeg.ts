/** Makes test media with the same ffmpeg the engine uses. */
import { spawnSync } from 'node:child_process';
import { ffmpegTools } from '../../src/main/core/media/ffmpeg.js';

export function runFfmpeg(args: string[]): { code: number | null; stderr: string } {
  const result = spawnSync(ffmpegTools().ffmpeg, ['-nostdin', '-v', 'error', '-y', ...args], { encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr };
}
