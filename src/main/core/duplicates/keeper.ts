/**
 * Which copy of a duplicate group to suggest keeping: the original. Edited and re-encoded copies
 * often have more bytes (a brightened copy saved at higher quality, a quieter WAV with a longer
 * header) or more pixels (an upscaled re-encode), so neither decides. The rule, for photos,
 * recordings and videos alike:
 *
 *   1. complete: a recording or video not shortened (within half a second of the longest);
 *   2. the oldest capture: the date the photo was taken (EXIF), else the file's time;
 *   3. for the same capture (copies that kept their EXIF date): the most pixels — a smaller copy
 *      is a downscale, and the same pixels go to…
 *   4. the oldest file, then the camera's own (EXIF camera kept), then lossless over lossy, then
 *      (copies made in the same moment, as a copy tool makes them) the larger file, the shorter path.
 *
 * A copy whose extra pixels or bytes come only from upscaling or re-encoding is newer than what it
 * was made from, so it never wins on its size. The reason is said in words ("oldest, camera original").
 */
import type { GroupFile } from '../store/fingerprint-repo.js';

const LOSSLESS = new Set(['png', 'tif', 'tiff', 'flac', 'wav', 'aif', 'aiff', 'bmp']);
/** Durations within this many seconds are the same length (encoders pad a little). */
const SAME_LENGTH_S = 0.5;
/** Capture times within this many milliseconds are the same moment. */
const SAME_MOMENT_MS = 2000;

export interface KeeperChoice {
  keeper: GroupFile;
  reason: string;
}

export function chooseKeeper(files: GroupFile[]): KeeperChoice {
  const longest = Math.max(...files.map((f) => f.duration_s ?? 0));
  const complete = (f: GroupFile) => longest - (f.duration_s ?? 0) <= SAME_LENGTH_S;
  const capture = (f: GroupFile) => f.taken_at ?? f.mtime_ms;
  const pixels = (f: GroupFile) => (f.width ?? 0) * (f.height ?? 0);
  const lossless = (f: GroupFile) => LOSSLESS.has(extension(f.path));
  const order = (x: GroupFile, y: GroupFile): number => {
    if (complete(x) !== complete(y)) return complete(x) ? -1 : 1;
    const byCapture = capture(x) - capture(y);
    if (Math.abs(byCapture) > SAME_MOMENT_MS) return byCapture;
    const byFileTime = x.mtime_ms - y.mtime_ms;
    return (
      pixels(y) - pixels(x) ||
      (Math.abs(byFileTime) > SAME_MOMENT_MS ? byFileTime : 0) ||
      Number(Boolean(y.camera_make)) - Number(Boolean(x.camera_make)) ||
      Number(lossless(y)) - Number(lossless(x)) ||
      y.size - x.size ||
      x.path.length - y.path.length ||
      x.path.localeCompare(y.path)
    );
  };
  const [keeper, ...others] = [...files].sort(order) as [GroupFile, ...GroupFile[]];
  const reasons: string[] = [];
  if (others.some((f) => !complete(f))) reasons.push('complete');
  if (others.some((f) => capture(f) - capture(keeper) > SAME_MOMENT_MS)) reasons.push(keeper.taken_at ? 'taken first' : 'oldest');
  else if (others.some((f) => pixels(f) < pixels(keeper))) reasons.push('full size');
  else if (others.some((f) => f.mtime_ms - keeper.mtime_ms > SAME_MOMENT_MS)) reasons.push('oldest file');
  if (keeper.camera_make && others.some((f) => !f.camera_make)) reasons.push('camera original');
  return { keeper, reason: reasons.length ? reasons.join(', ') : 'identical copies' };
}

function extension(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(dot + 1).toLowerCase();
}
