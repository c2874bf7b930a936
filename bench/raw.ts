/**
 * RAW files (issue 12): what reading one costs, preview extraction and tags with ExifTool (one
 * long-running process), on the real camera files of ../shared/media/raw that carry a preview.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closeRawReader, readRawPhoto } from '../src/main/core/media/raw-photo.js';
import { isRawPath } from '../src/main/core/util/media-types.js';

export interface RawResult {
  files: number;
  /** Mean milliseconds to read a RAW's tags and extract its largest preview. */
  msPerFile: number;
}

export async function measureRaw(folder: string): Promise<RawResult> {
  const files = readdirSync(folder)
    .filter(isRawPath)
    .map((f) => join(folder, f));
  const readable: string[] = [];
  // The files with a preview (the others are refused: not this benchmark's cost); a warm-up too.
  for (const file of files) {
    const read = await readRawPhoto(file).then(
      () => true,
      () => false,
    );
    if (read) readable.push(file);
  }
  const started = performance.now();
  const rounds = 5;
  for (let i = 0; i < rounds; i += 1) for (const file of readable) await readRawPhoto(file);
  await closeRawReader();
  return { files: readable.length, msPerFile: (performance.now() - started) / (rounds * readable.length) };
}
