/**
 * A visual fingerprint of a picture for near-duplicate detection, independent of any model:
 *  - `grid`: the picture in 32x32 grey levels, after trimming uniform borders (so a letterboxed
 *    copy matches its original); `inner`, when the picture sits in a frame of any content (a
 *    caption on a black border, a gradient mat), the grid of what is inside it. Pairs must also
 *    agree in their centres (`centreCorrelation`), which no frame reaches: two different pictures in
 *    the same bars or frame do not match;
 *  - `phash`: the DCT perceptual hash of that grid — 63 bits (the 8x8 lowest spatial frequencies
 *    but the constant term, each above or below their median): unchanged by resizing, recompression
 *    or brightness, and far (~32 bits) between unrelated pictures;
 *  - `detail`: how much the grid varies; flat pictures (sky, a wall, a blank page) have too little
 *    structure for a resemblance to mean anything.
 * Pairs are compared with `alignedSimilarity`, a normalised correlation of the grids that also tries
 * the small crops and shifts that hashes alone do not survive.
 *
 * Computed from pixels the indexer decodes anyway for the model, so it costs no extra decode.
 */
import { insideFrame, trimBorders, type Box } from './picture-frame.js';
import { median } from '../util/vectors.js';

export const GRID = 32;
const LOW = 8;

export interface VisualFingerprint {
  phash: string;
  grid: Uint8Array;
  detail: number;
  /**
   * When the picture sits in a frame (see insideFrame): the grid of the picture inside it, so a
   * framed copy can be compared with its unframed original.
   */
  inner?: Uint8Array;
}

/** `pixels`: interleaved 8-bit samples, `channels` per pixel (1-2 = grey, 3-4 = RGB[A]). */
export function visualFingerprint(pixels: Uint8Array, width: number, height: number, channels: number): VisualFingerprint {
  if (width < 1 || height < 1) throw new Error('visualFingerprint: empty image');
  const grey = greyPlane(pixels, width * height, channels);
  const box = trimBorders(grey, width, { left: 0, top: 0, right: width, bottom: height });
  const grid = reduceToGrid(grey, width, box);
  const print: VisualFingerprint = { phash: dctHash(grid), grid: rounded(grid), detail: standardDeviation(grid) };
  const frame = insideFrame(grey, width, height, box);
  if (frame !== box) print.inner = rounded(reduceToGrid(grey, width, frame));
  return print;
}

/** Grey plane memory, used again (less garbage while indexing): one fingerprint at a time a thread, none keeps it. */
let greyMemory = new Float32Array(0);
/**
 * The grey levels. A function of its own: as a loop in visualFingerprint, V8's code optimised
 * mid-loop was reused on every later call and fell back to the interpreter after the loop each time.
 */
function greyPlane(pixels: Uint8Array, size: number, channels: number): Float32Array {
  const grey = (greyMemory.length >= size ? greyMemory : (greyMemory = new Float32Array(size))).subarray(0, size);
  for (let i = 0, j = 0; i < size; i += 1, j += channels) {
    grey[i] = channels >= 3 ? 0.299 * pixels[j]! + 0.587 * pixels[j + 1]! + 0.114 * pixels[j + 2]! : pixels[j]!;
  }
  return grey;
}
const rounded = (grid: Float64Array) => new Uint8Array(grid.length).map((_, i) => Math.round(grid[i]!));

/** Box-filter average of grey levels over the region, into a 32x32 grid. */
function reduceToGrid(grey: Float32Array, width: number, box: Box): Float64Array {
  const grid = new Float64Array(GRID * GRID);
  const counts = new Float64Array(GRID * GRID);
  const w = box.right - box.left;
  const h = box.bottom - box.top;
  for (let y = 0; y < h; y += 1) {
    const gy = Math.min(GRID - 1, Math.floor((y * GRID) / h));
    const row = (box.top + y) * width + box.left;
    for (let x = 0; x < w; x += 1) {
      const cell = gy * GRID + Math.min(GRID - 1, Math.floor((x * GRID) / w));
      grid[cell]! += grey[row + x]!;
      counts[cell]! += 1;
    }
  }
  for (let i = 0; i < grid.length; i += 1) grid[i] = counts[i]! > 0 ? grid[i]! / counts[i]! : 0;
  return grid;
}

/** cos((2x + 1) u pi / 64) for the low frequencies u < 8, for every grid position x. */
const COS: Float64Array[] = Array.from({ length: LOW }, (_, u) =>
  Float64Array.from({ length: GRID }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * GRID))),
);

/** The perceptual hash of a grid (see the top of this file). */
export function dctHash(grid: ArrayLike<number>): string {
  // Separable 2D DCT-II, low frequencies only: rows first, then columns.
  const rows = new Float64Array(GRID * LOW);
  for (let y = 0; y < GRID; y += 1) {
    for (let u = 0; u < LOW; u += 1) {
      let sum = 0;
      const cos = COS[u]!;
      for (let x = 0; x < GRID; x += 1) sum += grid[y * GRID + x]! * cos[x]!;
      rows[y * LOW + u] = sum;
    }
  }
  const coefficients: number[] = [];
  for (let v = 0; v < LOW; v += 1) {
    const cos = COS[v]!;
    for (let u = 0; u < LOW; u += 1) {
      if (u === 0 && v === 0) continue; // the mean brightness
      let sum = 0;
      for (let y = 0; y < GRID; y += 1) sum += rows[y * LOW + u]! * cos[y]!;
      coefficients.push(sum);
    }
  }
  const middle = median(coefficients);
  let hash = 0n;
  for (const c of coefficients) hash = (hash << 1n) | (c > middle ? 1n : 0n);
  return (hash << 1n).toString(16).padStart(16, '0'); // 63 bits used, the last one always 0
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, n) => {
  let bits = 0;
  for (let v = n; v > 0; v >>= 1) bits += v & 1;
  return bits;
});

/** Bits that differ between two perceptual hashes (0..63). */
export function hammingDistance(a: string, b: string): number {
  let distance = 0;
  for (let i = 0; i < 16; i += 2) distance += POPCOUNT[Number.parseInt(a.slice(i, i + 2), 16) ^ Number.parseInt(b.slice(i, i + 2), 16)]!;
  return distance;
}

/**
 * How alike two grids look, allowing one picture to be a crop of the other: the best normalised
 * correlation (1 = same up to brightness and contrast) over windows of the first grid — up to 12%
 * smaller, at the corners, edges and centre — resampled onto the second, and the other way round.
 */
export function alignedSimilarity(a: Uint8Array, b: Uint8Array): number {
  const direct = correlation(a, b);
  // Same framing (resized, recompressed, brightened): nothing to search. Nothing alike at all:
  // a 12% crop does not turn an unrelated picture into a match.
  if (direct >= 0.97 || direct < UNRELATED) return direct;
  // Coarse to fine: every window at 16x16, then the most promising few at full resolution.
  const coarse: { from: Uint8Array; to: Uint8Array; window: Box; score: number }[] = [];
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const target = halve(to);
    for (const window of WINDOWS) coarse.push({ from, to, window, score: correlation(resample(from, window, GRID / 2), target) });
  }
  coarse.sort((x, y) => y.score - x.score);
  let best = direct;
  for (const c of coarse.slice(0, 4)) best = Math.max(best, correlation(resample(c.from, c.window, GRID), c.to));
  return best;
}

/**
 * How alike the centres of two grids are (the middle half each way, which a frame or border does
 * not reach): the best normalised correlation of those cells with the second shifted by up to two
 * cells each way (a cropped copy's centre moves a little).
 */
export function centreCorrelation(a: Uint8Array, b: Uint8Array): number {
  const from = GRID / 4;
  const size = GRID / 2;
  const ca = new Float64Array(size * size);
  const cb = new Float64Array(size * size);
  for (let y = 0; y < size; y += 1) for (let x = 0; x < size; x += 1) ca[y * size + x] = a[(from + y) * GRID + from + x]!;
  let best = -1;
  for (let sy = -2; sy <= 2; sy += 1) {
    for (let sx = -2; sx <= 2; sx += 1) {
      for (let y = 0; y < size; y += 1) for (let x = 0; x < size; x += 1) cb[y * size + x] = b[(from + y + sy) * GRID + from + x + sx]!;
      best = Math.max(best, correlation(ca, cb));
    }
  }
  return best;
}

/** Below this correlation without alignment, pictures are not searched for a crop of each other. */
const UNRELATED = 0.4;

/** A 32x32 grid averaged down to 16x16. */
function halve(grid: Uint8Array): Float64Array {
  const half = GRID / 2;
  const out = new Float64Array(half * half);
  for (let y = 0; y < half; y += 1) {
    for (let x = 0; x < half; x += 1) {
      const i = 2 * y * GRID + 2 * x;
      out[y * half + x] = (grid[i]! + grid[i + 1]! + grid[i + GRID]! + grid[i + GRID + 1]!) / 4;
    }
  }
  return out;
}

/** Crop windows (as fractions of the grid) tried by alignedSimilarity. */
const WINDOWS: Box[] = (() => {
  const windows: Box[] = [];
  for (const keepX of [1, 0.94, 0.88]) {
    for (const keepY of [1, 0.94, 0.88]) {
      const xs = keepX === 1 ? [0] : [0, (1 - keepX) / 2, 1 - keepX];
      const ys = keepY === 1 ? [0] : [0, (1 - keepY) / 2, 1 - keepY];
      for (const x of xs) for (const y of ys) windows.push({ left: x, top: y, right: x + keepX, bottom: y + keepY });
    }
  }
  return windows;
})();

/** Bilinear samples of a grid over a window, on a size x size lattice. */
function resample(grid: Uint8Array, window: Box, size: number): Float64Array {
  const out = new Float64Array(size * size);
  const w = window.right - window.left;
  const h = window.bottom - window.top;
  for (let y = 0; y < size; y += 1) {
    const sy = Math.min(GRID - 1, Math.max(0, (window.top + ((y + 0.5) / size) * h) * GRID - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(GRID - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < size; x += 1) {
      const sx = Math.min(GRID - 1, Math.max(0, (window.left + ((x + 0.5) / size) * w) * GRID - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(GRID - 1, x0 + 1);
      const fx = sx - x0;
      const top = grid[y0 * GRID + x0]! * (1 - fx) + grid[y0 * GRID + x1]! * fx;
      const bottom = grid[y1 * GRID + x0]! * (1 - fx) + grid[y1 * GRID + x1]! * fx;
      out[y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i += 1) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i += 1) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** A 256-d unit vector (16x16, mean removed) whose dot product approximates the grids' correlation. */
export function gridVector(grid: Uint8Array): Float32Array {
  const out = Float32Array.from(halve(grid));
  let mean = 0;
  for (const v of out) mean += v;
  mean /= out.length;
  let norm = 0;
  for (let i = 0; i < out.length; i += 1) {
    out[i] = out[i]! - mean;
    norm += out[i]! ** 2;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i += 1) out[i] = out[i]! / norm;
  return out;
}

function standardDeviation(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i += 1) mean += values[i]!;
  mean /= values.length;
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += (values[i]! - mean) ** 2;
  return Math.sqrt(sum / values.length);
}
