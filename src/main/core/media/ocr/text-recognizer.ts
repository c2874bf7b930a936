/**
 * What a text box says: PP-OCRv4's recognition network (SVTR) reads a line scaled to 48 px high
 * and gives, for every few pixels across, a probability for each character of its dictionary (6623
 * Chinese and Latin characters, digits, punctuation, and a space) plus "no character". The greedy
 * CTC reading keeps the likeliest character per step, merges repeats and drops the blanks.
 */
import type { InferenceSession } from 'onnxruntime-node';
import * as ort from 'onnxruntime-node';

export const LINE_HEIGHT = 48;
/** Lines wider than this (at 48 px high) are squeezed: a very long line costs no more than this. */
export const MAX_LINE_WIDTH = 960;
/** Lines read together in one run of the network (padded to the widest). */
const BATCH = 8;

export interface LineImage {
  /** RGB, LINE_HEIGHT rows of `width` pixels. */
  rgb: Uint8Array;
  width: number;
}

export interface ReadLine {
  text: string;
  /** Mean probability of the characters read (0..1). */
  confidence: number;
}

/** The characters of the dictionary file, by class index - 1 (class 0 is "no character"). */
export function loadDictionary(text: string): string[] {
  const chars = text.split(/\r?\n/);
  if (chars[chars.length - 1] === '') chars.pop();
  return [...chars, ' '];
}

export async function recognizeLines(session: InferenceSession, dictionary: string[], lines: LineImage[]): Promise<ReadLine[]> {
  const out: ReadLine[] = new Array(lines.length);
  // Lines of similar width run together, so little of a batch is padding.
  const order = lines.map((_, i) => i).sort((a, b) => lines[a]!.width - lines[b]!.width);
  for (let start = 0; start < order.length; start += BATCH) {
    const batch = order.slice(start, start + BATCH);
    const width = Math.max(...batch.map((i) => lines[i]!.width));
    const plane = LINE_HEIGHT * width;
    const input = new Float32Array(batch.length * 3 * plane); // zeros: mid-grey once normalised
    batch.forEach((lineIndex, b) => {
      const line = lines[lineIndex]!;
      for (let y = 0; y < LINE_HEIGHT; y += 1) {
        for (let x = 0; x < line.width; x += 1) {
          const from = (y * line.width + x) * 3;
          for (let c = 0; c < 3; c += 1) input[(b * 3 + c) * plane + y * width + x] = (line.rgb[from + (2 - c)]! / 255 - 0.5) / 0.5;
        }
      }
    });
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, [batch.length, 3, LINE_HEIGHT, width]) };
    const output = (await session.run(feeds))[session.outputNames[0]!]!;
    const [, steps, classes] = output.dims as [number, number, number];
    const probabilities = output.data as Float32Array;
    batch.forEach((lineIndex, b) => {
      out[lineIndex] = ctcGreedy(probabilities.subarray(b * steps * classes, (b + 1) * steps * classes), steps, classes, dictionary);
    });
  }
  return out;
}

/** The likeliest character per step, repeats merged, blanks dropped. */
export function ctcGreedy(probabilities: Float32Array, steps: number, classes: number, dictionary: string[]): ReadLine {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t += 1) {
    let best = 0;
    let bestP = -1;
    const row = t * classes;
    for (let c = 0; c < classes; c += 1) {
      const p = probabilities[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += dictionary[best - 1] ?? '';
      sum += bestP;
      kept += 1;
    }
    previous = best;
  }
  return { text: text.trim(), confidence: kept ? sum / kept : 0 };
}
