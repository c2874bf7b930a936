/**
 * Where the picture is within its pixels: uniform borders trimmed (letterbox and pillarbox bars, a
 * plain edge) and, inside them, a frame of any content found (a caption band, a gradient mat), so the
 * visual fingerprint (visual-fingerprint.ts) can describe the picture itself.
 *
 * The scans over rows and columns are module functions taking plain indices, not closures made per
 * picture and called per pixel: those ran unoptimised much of the time and boxed every grey value,
 * garbage the whole indexing pipeline paid for in collections.
 */
import { median } from '../util/vectors.js';

export interface Box {
  left: number;
  top: number;
  right: number; // exclusive
  bottom: number; // exclusive
}

/**
 * The region inside uniform borders: edge rows and columns whose pixels nearly all match the
 * border's colour are cut, as long as at least half the picture remains.
 */
export function trimBorders(grey: Float32Array, width: number, within: Box): Box {
  const { left, top, right, bottom } = within;
  const w = right - left;
  const h = bottom - top;
  const border = median([
    grey[top * width + left]!,
    grey[top * width + right - 1]!,
    grey[(bottom - 1) * width + left]!,
    grey[(bottom - 1) * width + right - 1]!,
  ]);
  const uniform = (start: number, step: number, length: number) => uniformLine(grey, start, step, length, border);
  const box: Box = { ...within };
  while (box.top < top + h / 4 && uniform(box.top * width + left, 1, w)) box.top += 1;
  while (box.bottom > bottom - h / 4 && uniform((box.bottom - 1) * width + left, 1, w)) box.bottom -= 1;
  while (box.left < left + w / 4 && uniform(top * width + box.left, width, h)) box.left += 1;
  while (box.right > right - w / 4 && uniform(top * width + box.right - 1, width, h)) box.right -= 1;
  return box;
}

/** How far into the picture, at most, a frame may reach on each side (a fraction of the region). */
const FRAME_BAND = 0.3;
/** A frame is at least this deep on each side (thinner rules are left to alignedSimilarity)… */
const FRAME_MIN_DEPTH = 0.03;
/** …and its inner edge a step of at least this many grey levels… */
const EDGE_STEP = 10;
/** …across at least this share of the picture's width (or height). */
const EDGE_SHARE = 0.8;

/**
 * The picture inside a frame, whatever the frame holds. A frame meets its picture along straight
 * lines: rows (columns) where nearly every pixel steps in brightness at once, which natural scenes
 * seldom draw across a whole picture. A frame surrounds its picture: on every side there must be
 * either such a line at least 3% in (a caption band, a gradient mat) or a uniform border already
 * trimmed (a plain black edge). Only then is the region inside the lines the picture; otherwise the
 * region is left as it is, so an ordinary photo is judged whole.
 */
export function insideFrame(grey: Float32Array, width: number, height: number, box: Box): Box {
  const w = box.right - box.left;
  const h = box.bottom - box.top;
  if (w < 16 || h < 16) return box;
  // Edges are looked for over the central 60% of a line: a side frame must not count for or against a top one.
  const [rowFrom, columnFrom] = [box.left + Math.floor(w * 0.2), box.top + Math.floor(h * 0.2)];
  const rowShare = (y: number) => stepShare(grey, y * width + rowFrom, 1, width, box.right - Math.floor(w * 0.2) - rowFrom);
  const columnShare = (x: number) => stepShare(grey, columnFrom * width + x, width, 1, box.bottom - Math.floor(h * 0.2) - columnFrom);
  // The innermost such line in a band (lines listed outside in), or undefined: a frame may hold
  // lines of its own (a rule, a double border), and the picture begins inside the last of them.
  const innermost = (lines: number[], share: (line: number) => number) => {
    let found: number | undefined;
    for (const line of lines) if (share(line) >= EDGE_SHARE) found = line;
    return found;
  };
  const band = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  const dy = Math.max(2, Math.ceil(h * FRAME_MIN_DEPTH));
  const dx = Math.max(2, Math.ceil(w * FRAME_MIN_DEPTH));
  const plainBand = (lines: number[]) => plainBandEnd(grey, width, lines, box.left, box.right);
  const deepest = (edge: number | undefined, plain: number | undefined, inward: 1 | -1, depth: number, from: number) => {
    // A plain band must be deep enough to be a frame; its inner boundary is one past its last line.
    const banded = plain !== undefined && Math.abs(plain - from) + 1 >= depth ? (inward === 1 ? plain + 1 : plain) : undefined;
    if (edge === undefined) return banded;
    if (banded === undefined) return edge;
    return inward === 1 ? Math.max(edge, banded) : Math.min(edge, banded);
  };
  const top = deepest(
    innermost(band(box.top + dy, box.top + Math.floor(h * FRAME_BAND)), rowShare),
    plainBand(band(box.top, box.top + Math.floor(h * FRAME_BAND))),
    1,
    dy,
    box.top,
  );
  const bottom = deepest(
    innermost(band(box.bottom - Math.floor(h * FRAME_BAND), box.bottom - dy).reverse(), rowShare),
    plainBand(band(box.bottom - Math.floor(h * FRAME_BAND), box.bottom).reverse()),
    -1,
    dy,
    box.bottom - 1,
  );
  // Captions run along the top or bottom; the sides' frame is found by its edge, or as a plain
  // margin beside the picture once the caption rows are left out (trimBorders, below).
  const rows = { top: top ?? box.top, bottom: bottom ?? box.bottom };
  const left = innermost(band(box.left + dx, box.left + Math.floor(w * FRAME_BAND)), columnShare);
  const right = innermost(band(box.right - Math.floor(w * FRAME_BAND), box.right - dx).reverse(), columnShare);
  const inside = trimBorders(grey, width, { left: left ?? box.left, right: right ?? box.right, ...rows });
  // Sides a uniform border was trimmed from (before, or beside the caption rows) count as framed.
  const margin = (a: number, b: number, size: number) => Math.abs(a - b) >= size * 0.02;
  const framed = {
    top: top !== undefined || margin(box.top, 0, height),
    bottom: bottom !== undefined || margin(box.bottom, height, height),
    left: left !== undefined || margin(box.left, 0, width) || margin(inside.left, box.left, width),
    right: right !== undefined || margin(box.right, width, width) || margin(inside.right, box.right, width),
  };
  const lines = [top, bottom, left, right].filter((line) => line !== undefined).length;
  if (lines === 0 || !(framed.top && framed.bottom && framed.left && framed.right)) return box;
  return inside;
}

/** Whether `length` grey levels from `start`, `step` apart (a row: 1, a column: the width), nearly all match `border`. */
function uniformLine(grey: Float32Array, start: number, step: number, length: number, border: number): boolean {
  let off = 0;
  for (let i = 0, j = start; i < length; i += 1, j += step) if (Math.abs(grey[j]! - border) > 16) off += 1;
  return off <= length * 0.02;
}

/**
 * The share of `count` pixels along a line (from `first`, `along` apart) where the brightness steps
 * between the two lines before it and the two from it (`across` apart: the width for a row, 1 for a column).
 */
function stepShare(grey: Float32Array, first: number, along: number, across: number, count: number): number {
  let stepped = 0;
  for (let k = 0, i = first; k < count; k += 1, i += along) {
    if (Math.abs(grey[i]! + grey[i + across]! - grey[i - across]! - grey[i - 2 * across]!) / 2 > EDGE_STEP) stepped += 1;
  }
  return stepped / count;
}

/**
 * A band of mostly one colour along the top or bottom, a few words in it allowed (a caption on a plain
 * border whose picture is as dark or light as the border at its edge): its last row going in, over
 * `rows` (listed outside in) between columns `left` and `right` (exclusive), or undefined.
 */
function plainBandEnd(grey: Float32Array, width: number, rows: number[], left: number, right: number): number | undefined {
  const colour = median(grey.subarray(rows[0]! * width + left, rows[0]! * width + right));
  let end: number | undefined;
  for (const row of rows) {
    let near = 0;
    for (let i = row * width + left; i < row * width + right; i += 1) if (Math.abs(grey[i]! - colour) <= 24) near += 1;
    if (near < (right - left) * 0.8) break;
    end = row;
  }
  return end;
}
