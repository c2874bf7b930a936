/**
 * Where the text is in a picture: PP-OCRv4's detection network (DBNet) gives every pixel a
 * probability of being text; pixels above BINARY_THRESHOLD form regions, each kept when its mean
 * probability is high enough, and grown back to the whole word ("unclip": DBNet is trained to mark a
 * shrunk core of each text region). Boxes are upright rectangles in the picture's own pixels.
 */
import type { InferenceSession } from 'onnxruntime-node';
import * as ort from 'onnxruntime-node';

export interface TextBox {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Mean text probability inside the region (0..1). */
  score: number;
}

/** Pixels above this probability are text (PaddleOCR's det_db_thresh). */
const BINARY_THRESHOLD = 0.3;
/** A region whose mean probability is below this is dropped (det_db_box_thresh). */
const BOX_THRESHOLD = 0.6;
/** How far a region is grown back: area * ratio / perimeter (det_db_unclip_ratio). */
const UNCLIP_RATIO = 1.5;
/** Regions smaller than this many pixels on their shorter side (at detection size) are noise. */
const MIN_SIDE = 3;
/** At most this many boxes are kept (the largest-scoring first): a page of tiny print stays bounded. */
export const MAX_BOXES = 400;

/** The network's input size for a picture: the longer side at most `limit`, both multiples of 32. */
export function detectionSize(width: number, height: number, limit: number): { width: number; height: number } {
  const scale = Math.min(1, limit / Math.max(width, height));
  const round = (v: number) => Math.max(32, Math.round((v * scale) / 32) * 32);
  return { width: round(width), height: round(height) };
}

/** ImageNet normalisation, channels in BGR order as PaddleOCR trained them. */
const MEAN = [0.406, 0.456, 0.485];
const STD = [0.225, 0.224, 0.229];

/**
 * The network's input for a picture (RGB, 3 bytes a pixel, `width` x `height`) at `size`: sampled
 * bilinearly and normalised in one pass. Used for pictures at most twice the input's size (small
 * photos are looked at close to their own size): a second decoder call would cost more than the
 * network's own work on them. Larger pictures are shrunk by the decoder first (no aliasing).
 */
export function detectionInput(rgb: Uint8Array, width: number, height: number, size: { width: number; height: number }): Float32Array {
  const plane = size.width * size.height;
  const input = new Float32Array(3 * plane);
  // Where each output column samples the source (pixel centres mapped onto the source's, clamped).
  const left = new Int32Array(size.width);
  const right = new Int32Array(size.width);
  const across = new Float32Array(size.width);
  for (let x = 0; x < size.width; x += 1) {
    const sx = Math.min(width - 1, Math.max(0, ((x + 0.5) * width) / size.width - 0.5));
    left[x] = Math.floor(sx) * 3;
    right[x] = Math.min(width - 1, Math.floor(sx) + 1) * 3;
    across[x] = sx - Math.floor(sx);
  }
  // value * gain + offset = (value / 255 - mean) / std, per input channel (BGR: channel c reads RGB 2 - c).
  const gain = STD.map((std) => 1 / (255 * std));
  const offset = MEAN.map((mean, c) => -mean / STD[c]!);
  const row = new Float32Array(width * 3);
  for (let y = 0; y < size.height; y += 1) {
    const sy = Math.min(height - 1, Math.max(0, ((y + 0.5) * height) / size.height - 0.5));
    const top = Math.floor(sy) * width * 3;
    const bottom = Math.min(height - 1, Math.floor(sy) + 1) * width * 3;
    const down = sy - Math.floor(sy);
    for (let i = 0; i < row.length; i += 1) row[i] = rgb[top + i]! + (rgb[bottom + i]! - rgb[top + i]!) * down;
    const at = y * size.width;
    for (let c = 0; c < 3; c += 1) {
      const k = 2 - c;
      const g = gain[c]!;
      const o = offset[c]!;
      const out = c * plane + at;
      for (let x = 0; x < size.width; x += 1) {
        const l = row[left[x]! + k]!;
        input[out + x] = (l + (row[right[x]! + k]! - l) * across[x]!) * g + o;
      }
    }
  }
  return input;
}

/** Every pixel's probability of being text, for an input made by `detectionInput`. */
async function textProbability(
  session: InferenceSession,
  input: Float32Array,
  size: { width: number; height: number },
): Promise<Float32Array> {
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, size.height, size.width]) };
  const output = (await session.run(feeds))[session.outputNames[0]!]!;
  return output.data as Float32Array;
}

/**
 * How many pixels look like text, for a first glance at a picture: a handful is enough to read it
 * properly (tiny print seen small scores too low to form a box, but still lights some pixels).
 */
export async function countTextPixels(
  session: InferenceSession,
  input: Float32Array,
  size: { width: number; height: number },
): Promise<number> {
  const probability = await textProbability(session, input, size);
  let count = 0;
  for (let i = 0; i < probability.length; i += 1) if (probability[i]! > BINARY_THRESHOLD) count += 1;
  return count;
}

/**
 * Finds text boxes in an input made by `detectionInput` at `size`; `scaleX`/`scaleY` map its
 * pixels back to the picture's.
 */
export async function detectText(
  session: InferenceSession,
  input: Float32Array,
  size: { width: number; height: number },
  scaleX: number,
  scaleY: number,
): Promise<{ boxes: TextBox[]; found: number }> {
  const { width, height } = size;
  const probability = await textProbability(session, input, size);
  const found = regions(probability, width, height);
  const boxes = joinWordsOfALine(found.map((r) => unclip(r, width, height)))
    .map((r) => ({
      left: Math.round(r.left * scaleX),
      top: Math.round(r.top * scaleY),
      width: Math.max(1, Math.round(r.width * scaleX)),
      height: Math.max(1, Math.round(r.height * scaleY)),
      score: r.score,
    }))
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_BOXES);
  return { boxes, found: found.length };
}

/** Connected regions of text pixels (8-neighbours), with their bounding box and mean probability. */
function regions(probability: Float32Array, width: number, height: number): TextBox[] {
  const label = new Int32Array(width * height);
  const stack: number[] = [];
  const out: TextBox[] = [];
  let next = 0;
  for (let start = 0; start < label.length; start += 1) {
    if (label[start] !== 0 || probability[start]! <= BINARY_THRESHOLD) continue;
    next += 1;
    label[start] = next;
    stack.push(start);
    let [minX, minY, maxX, maxY, sum, count] = [width, height, 0, 0, 0, 0];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const x = at % width;
      const y = (at - x) / width;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      sum += probability[at]!;
      count += 1;
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const n = ny * width + nx;
          if (label[n] === 0 && probability[n]! > BINARY_THRESHOLD) {
            label[n] = next;
            stack.push(n);
          }
        }
      }
    }
    const box = { left: minX, top: minY, width: maxX - minX + 1, height: maxY - minY + 1, score: sum / count };
    if (Math.min(box.width, box.height) >= MIN_SIDE && box.score >= BOX_THRESHOLD) out.push(box);
  }
  return out;
}

/** Grows a region by area * ratio / perimeter on every side, within the picture. */
function unclip(box: TextBox, width: number, height: number): TextBox {
  const distance = (box.width * box.height * UNCLIP_RATIO) / (2 * (box.width + box.height));
  const left = Math.max(0, box.left - distance);
  const top = Math.max(0, box.top - distance);
  const right = Math.min(width, box.left + box.width + distance);
  const bottom = Math.min(height, box.top + box.height + distance);
  return { left, top, width: right - left, height: bottom - top, score: box.score };
}

/**
 * DBNet often marks the words of one line as separate regions, and growing them back makes
 * neighbours overlap (the last letter of one word read again at the start of the next: "HARBOUR",
 * "R CAFE"). Boxes on the same row (sharing most of their height) that touch or nearly touch are
 * one line, read as one ("HARBOUR CAFE"); columns far apart (a receipt's item and price) stay apart.
 */
function joinWordsOfALine(boxes: TextBox[]): TextBox[] {
  const sorted = [...boxes].sort((a, b) => a.left - b.left);
  const lines: TextBox[] = [];
  for (const box of sorted) {
    const line = lines.find((l) => sameRow(l, box) && box.left - (l.left + l.width) <= 0.5 * Math.min(l.height, box.height));
    if (!line) {
      lines.push({ ...box });
      continue;
    }
    const right = Math.max(line.left + line.width, box.left + box.width);
    const bottom = Math.max(line.top + line.height, box.top + box.height);
    const area = line.width * line.height + box.width * box.height;
    line.score = (line.score * line.width * line.height + box.score * box.width * box.height) / area;
    line.top = Math.min(line.top, box.top);
    line.width = right - line.left;
    line.height = bottom - line.top;
  }
  return lines;
}

/** Two boxes on one row: their heights alike, and overlapping over most of the smaller one. */
function sameRow(a: TextBox, b: TextBox): boolean {
  const overlap = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  const smaller = Math.min(a.height, b.height);
  return overlap >= 0.6 * smaller && Math.max(a.height, b.height) <= 1.6 * smaller;
}
