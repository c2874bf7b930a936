/**
 * Image decoding with sharp (libvips): header probe, model input tensors and thumbnails.
 *
 * Every image is auto-rotated by its EXIF orientation, so models, thumbnails and reported sizes all
 * see it the way a person does. Huge images are refused from their header, before any pixel is
 * decoded, so a 30000x30000 PNG cannot exhaust memory.
 */
import { visualFingerprint, type VisualFingerprint } from './visual-fingerprint.js';
import type { Metadata, OutputInfo, Sharp } from 'sharp';
import sharp from './sharp-settings.js';
import {
  centreRegion,
  MAX_DECODED_ASPECT,
  modelResize,
  resizedPixels,
  resizePlan,
  scaleRegion,
  turnedBy,
  uprightRgb,
  writeModelInput,
  writeNormalisedCrop,
} from './model-input.js';
import { MediaError } from '../util/file-errors.js';
import { exifOrientation, type PhotoExif } from './exif.js';
import { readRawPhoto } from './raw-photo.js';
import { isRawPath } from '../util/media-types.js';
import { decodeHeic, heicForModel, heicInfo, isHevcHeif } from './heic.js';
import type { ImagePreprocess } from './image-preprocess.js';

/** Above this many pixels an image is refused (about 16k x 12k, well beyond any camera). */
export const MAX_IMAGE_PIXELS = 200_000_000;
const DECODABLE = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff', 'heif', 'svg']);

export interface ImageProbe {
  /** sharp's name for the format, or 'heic' for an HEVC-coded HEIF (decoded by media/heic). */
  format: string;
  /** After EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation, 1 (upright) to 8. */
  orientation: number;
  /** A HEIC's EXIF block (a TIFF structure: exifr reads it where it cannot read the file). */
  exif?: Buffer;
  /** A RAW file's date, camera and place, read with its preview (media/raw-photo). */
  metadata?: PhotoExif;
}

export async function probeImage(input: Buffer | string): Promise<ImageProbe> {
  if (typeof input === 'string' && isRawPath(input)) {
    const raw = await readRawPhoto(input);
    return { format: 'raw', width: raw.width, height: raw.height, orientation: raw.orientation, metadata: raw.exif };
  }
  // A HEIC in memory (as ingest has it) goes to libheif at once: sharp would parse its structure
  // only to say it cannot decode it.
  if (typeof input !== 'string' && isHevcHeif(input) && !heicSupported()) return probeHeic(input);
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw classifySharpError(error);
  }
  const format = meta.format ?? 'unknown';
  if (!DECODABLE.has(format)) throw new MediaError(`unsupported image format "${format}"`, 'unsupported');
  if (format === 'heif' && meta.compression === 'hevc' && !heicSupported()) return probeHeic(input);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new MediaError('image has no size in its header (corrupt?)', 'corrupt');
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new MediaError(
      `image too large to index safely (${width}x${height} px; the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels)`,
      'too-large',
    );
  }
  const orientation = meta.orientation ?? 1;
  const rotated = orientation >= 5;
  return { format, width: rotated ? height : width, height: rotated ? width : height, orientation };
}

async function probeHeic(input: Buffer | string): Promise<ImageProbe> {
  const heic = await heicInfo(input, exifOrientation);
  return {
    format: 'heic',
    width: heic.width,
    height: heic.height,
    orientation: heic.orientation,
    ...(heic.exif ? { exif: heic.exif } : {}),
  };
}

export interface DecodedForModel {
  /** Of the whole (uncropped) picture, for near-duplicate detection. */
  fingerprint: VisualFingerprint;
}

/**
 * Decodes, orients, resizes (shortest side) and centre-crops an image, then writes normalised
 * planar RGB floats into `out` at `offset` (the layout ONNX vision models take: NCHW). The crop is
 * taken here rather than by libvips so the whole resized picture is at hand for its visual fingerprint.
 * A HEIC is decoded, resized and written by the HEIC worker (media/heic).
 */
export async function decodeForModel(
  input: Buffer | string,
  pre: ImagePreprocess,
  out: Float32Array,
  offset: number,
  /** What the probe found, when known, to avoid parsing the header twice. */
  known?: Pick<ImageProbe, 'format' | 'width' | 'height' | 'orientation'>,
): Promise<DecodedForModel> {
  const probe = known ?? (await probeImage(input));
  if (probe.format === 'heic') return { fingerprint: await heicForModel(input, probe, pre, out, offset) };
  const { data, info } = await decodeResized(input, probe, (w, h) => modelResize(pre, w, h));
  return { fingerprint: writeModelInput(data, info, pre, out, offset) };
}

/**
 * The same for a video frame (packed RGB from ffmpeg, already upright): resized as the model wants
 * and written into `out` at `offset` (the caller fingerprints the frame itself, at decoded size).
 */
export async function frameForModel(
  rgb: Buffer,
  width: number,
  height: number,
  pre: ImagePreprocess,
  out: Float32Array,
  offset: number,
): Promise<void> {
  const [w, h] = modelResize(pre, width, height);
  const { data, info } = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(w, h, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  writeNormalisedCrop(data, info, pre, out, offset);
}

/**
 * The visual fingerprint alone, for photos indexed before fingerprints existed: decoded small (the
 * same size the models see), never at full resolution.
 */
export async function fingerprintImage(input: Buffer | string, shortest = 224): Promise<VisualFingerprint> {
  const { data, info } = await decodeResized(input, undefined, (w, h) => {
    const scale = Math.min(1, shortest / Math.min(w, h));
    return [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
  });
  return visualFingerprint(data, info.width, info.height, info.channels);
}

/**
 * Decodes an image upright, resized to the size `target` picks from its oriented size, as 8-bit
 * sRGB without alpha — the one decoding path of the model input and the fingerprint.
 */
async function decodeResized(
  input: Buffer | string,
  known: Pick<ImageProbe, 'format' | 'width' | 'height' | 'orientation'> | undefined,
  target: (width: number, height: number) => [number, number],
): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    const probe = known ?? (await probeImage(input));
    // A HEIC serves this from its thumbnail when that is large enough (the crop's share of it too).
    const plan = resizePlan(probe, target);
    const upright = await uprightPicture(input, probe, plan.shortest, { failOn: 'truncated' });
    return await resizedPixels(upright.image, probe, upright, plan);
  } catch (error) {
    throw classifySharpError(error);
  }
}

/**
 * A sharp pipeline over the picture, upright, with the upright size of what it decodes. Most formats
 * are decoded by sharp (turned by their EXIF orientation, which costs a pass over the pixels, so
 * upright pictures skip it); a HEIC by libheif, from its smallest representation whose shorter side
 * is at least `shortest` px (so its size may be less than the picture's).
 */
export async function uprightPicture(
  input: Buffer | string,
  probe: Pick<ImageProbe, 'format' | 'width' | 'height' | 'orientation'>,
  shortest: number,
  options: { failOn?: 'truncated' } = {},
): Promise<{ image: Sharp; width: number; height: number }> {
  if (probe.format === 'raw') {
    if (typeof input !== 'string') throw new MediaError('a RAW file is read from its path', 'unsupported');
    const raw = await readRawPhoto(input);
    return {
      image: turnedBy(sharp(raw.jpeg, { limitInputPixels: MAX_IMAGE_PIXELS, ...options }), raw.orientation),
      width: raw.width,
      height: raw.height,
    };
  }
  if (probe.format !== 'heic') {
    const image = sharp(input, { limitInputPixels: MAX_IMAGE_PIXELS, ...options });
    return { image: probe.orientation !== 1 ? image.autoOrient() : image, width: probe.width, height: probe.height };
  }
  const picture = await decodeHeic(input, shortest, exifOrientation);
  return uprightRgb(picture.rgb, picture.width, picture.height, picture.orientation);
}

export async function writeThumbnail(input: Buffer | string, target: string, edge: number): Promise<void> {
  try {
    const probe = await probeImage(input);
    const { width, height } = probe;
    const region = centreRegion(width, height, MAX_DECODED_ASPECT);
    // A thumbnail fits inside `edge`: its shorter side need be only that share of the edge.
    const upright = await uprightPicture(input, probe, Math.ceil((edge * Math.min(width, height)) / Math.max(width, height)));
    let image = upright.image;
    if (region) image = image.extract(scaleRegion(region, probe, upright));
    await image.resize(edge, edge, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toFile(target);
  } catch (error) {
    throw classifySharpError(error);
  }
}

let heic: boolean | undefined;
function heicSupported(): boolean {
  // sharp's prebuilt libvips decodes AVIF through libheif but ships no HEVC decoder.
  heic ??= Boolean((sharp.format as unknown as Record<string, { input?: { file?: boolean } }>).heic?.input?.file);
  return heic;
}

function classifySharpError(error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/input file is missing/i.test(message)) return new MediaError('file not found', 'vanished');
  if (/unsupported image format/i.test(message)) return new MediaError('not an image, or a format Trove cannot read', 'not-media');
  if (/pixel limit/i.test(message)) return new MediaError('image too large to index safely', 'too-large');
  if (/premature end|truncated|corrupt|invalid|bad|unexpected end|not a|error/i.test(message)) {
    return new MediaError(`corrupt or truncated image (${firstLine(message)})`, 'corrupt');
  }
  return new MediaError(`could not decode the image (${firstLine(message)})`, 'corrupt');
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim().slice(0, 200);
}
