/**
 * Pixels to model input: the resize a picture gets before a model sees it (upright, its centre
 * region when it is a strange strip, the shortest side to the model's length) and the normalised
 * centre crop written as planar floats, with the picture's visual fingerprint from the same pixels.
 * Shared by the engine's thread (every format sharp decodes) and the HEIC worker (which writes a
 * HEIC's input straight into the batch's shared memory).
 */
import type { OutputInfo, Sharp } from 'sharp';
import sharp from './sharp-settings.js';
import type { ImagePreprocess } from './image-preprocess.js';
import { visualFingerprint, type VisualFingerprint } from './visual-fingerprint.js';

/**
 * The longest side may be at most this many times the shortest in what is decoded: a stranger
 * picture (a 100000x1 strip) is judged by its centre region of this shape. Without it, resizing the
 * shortest side to the model's size would ask for gigabytes (100000x1 -> 25.6M x 256 pixels).
 * Real panoramas (up to about 12:1) are decoded whole.
 */
export const MAX_DECODED_ASPECT = 16;

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What is decoded of a picture, and at what size. */
export interface ResizePlan {
  /** The centre region of the upright picture that is kept, or undefined for all of it. */
  region: Region | undefined;
  /** The size it is resized to. */
  width: number;
  height: number;
  /** The shorter side (upright) a decoder must deliver at least: a HEIC's thumbnail may serve. */
  shortest: number;
}

/** The plan for an upright `width` x `height` picture that `target` sizes from the kept region's size. */
export function resizePlan(
  picture: { width: number; height: number },
  target: (width: number, height: number) => [number, number],
): ResizePlan {
  const { width, height } = picture;
  const region = centreRegion(width, height, MAX_DECODED_ASPECT);
  const [w, h] = target(region?.width ?? width, region?.height ?? height);
  const scale = Math.max(w / (region?.width ?? width), h / (region?.height ?? height));
  return { region, width: w, height: h, shortest: Math.ceil(Math.min(width, height) * scale) };
}

/**
 * `upright` (of the picture `probe` describes, decoded at `decoded`'s size, which a thumbnail makes
 * smaller) cut to the plan's region and resized, as 8-bit sRGB without alpha.
 */
export function resizedPixels(
  upright: Sharp,
  probe: { width: number; height: number },
  decoded: { width: number; height: number },
  plan: ResizePlan,
): Promise<{ data: Buffer; info: OutputInfo }> {
  const image = plan.region ? upright.extract(scaleRegion(plan.region, probe, decoded)) : upright;
  return image
    .resize(plan.width, plan.height, { fit: 'fill', kernel: 'cubic' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/** Shortest side to the model's resize length, never below its input size. */
export function modelResize(pre: ImagePreprocess, w: number, h: number): [number, number] {
  const scale = pre.resizeShortest / Math.min(w, h);
  return [Math.max(pre.size, Math.round(w * scale)), Math.max(pre.size, Math.round(h * scale))];
}

/**
 * Writes resized pixels' model input into `out` at `offset`, and returns their fingerprint (of the
 * whole resized picture, not the crop: near-duplicates are judged on all of it).
 */
export function writeModelInput(
  data: Uint8Array,
  info: Pick<OutputInfo, 'width' | 'height' | 'channels'>,
  pre: ImagePreprocess,
  out: Float32Array,
  offset: number,
): VisualFingerprint {
  writeNormalisedCrop(data, info, pre, out, offset);
  return visualFingerprint(data, info.width, info.height, info.channels);
}

/** Writes the resized picture's normalised centre crop as planar RGB floats. */
export function writeNormalisedCrop(
  data: Uint8Array,
  info: Pick<OutputInfo, 'width' | 'height' | 'channels'>,
  pre: ImagePreprocess,
  out: Float32Array,
  offset: number,
): void {
  const channels = info.channels;
  const left = Math.floor((info.width - pre.size) / 2);
  const top = Math.floor((info.height - pre.size) / 2);
  const plane = pre.size * pre.size;
  const lut = normalisationTable(pre);
  for (let c = 0; c < 3; c += 1) {
    const src = channels >= 3 ? c : 0;
    const table = lut[c]!;
    const base = offset + c * plane;
    for (let y = 0; y < pre.size; y += 1) {
      let j = ((top + y) * info.width + left) * channels + src;
      const row = base + y * pre.size;
      for (let x = 0; x < pre.size; x += 1, j += channels) out[row + x] = table[data[j]!]!;
    }
  }
}

/**
 * The centre region of an upright `width` x `height` picture whose longer side is at most `maxAspect`
 * times its shorter side, or undefined when the whole picture already is.
 */
export function centreRegion(width: number, height: number, maxAspect: number): Region | undefined {
  const shortest = Math.min(width, height);
  const longest = Math.min(Math.max(width, height), Math.ceil(shortest * maxAspect));
  if (longest === Math.max(width, height)) return undefined;
  return width >= height
    ? { left: Math.floor((width - longest) / 2), top: 0, width: longest, height }
    : { left: 0, top: Math.floor((height - longest) / 2), width, height: longest };
}

/** `region` of the upright picture in the pixels actually decoded (a HEIC's thumbnail is smaller). */
export function scaleRegion(region: Region, probe: { width: number; height: number }, decoded: { width: number; height: number }): Region {
  if (decoded.width === probe.width && decoded.height === probe.height) return region;
  const sx = decoded.width / probe.width;
  const sy = decoded.height / probe.height;
  const left = Math.floor(region.left * sx);
  const top = Math.floor(region.top * sy);
  return {
    left,
    top,
    width: Math.max(1, Math.min(decoded.width - left, Math.round(region.width * sx))),
    height: Math.max(1, Math.min(decoded.height - top, Math.round(region.height * sy))),
  };
}

/** Turns pixels as EXIF orientation `orientation` says (what autoOrient does for a file with EXIF). */
export function turnedBy(image: Sharp, orientation: number): Sharp {
  switch (orientation) {
    case 2:
      return image.flop();
    case 3:
      return image.rotate(180);
    case 4:
      return image.flip();
    case 5:
      return image.rotate(90).flop();
    case 6:
      return image.rotate(90);
    case 7:
      return image.rotate(270).flop();
    case 8:
      return image.rotate(270);
    default:
      return image;
  }
}

/** Packed RGB pixels as stored (3 bytes a pixel), turned upright by an EXIF orientation, and their upright size. */
export function uprightRgb(
  rgb: Uint8Array,
  width: number,
  height: number,
  orientation: number,
): { image: Sharp; width: number; height: number } {
  const turned = orientation >= 5;
  return {
    image: turnedBy(sharp(rgb, { raw: { width, height, channels: 3 } }), orientation),
    width: turned ? height : width,
    height: turned ? width : height,
  };
}

/**
 * (value / 255 - mean) / std for all 256 byte values, per channel: a lookup instead of arithmetic.
 * Kept by the numbers, not the object: the HEIC worker receives a copy of the model's with each picture.
 */
const tables = new Map<string, Float32Array[]>();
function normalisationTable(pre: ImagePreprocess): Float32Array[] {
  const key = `${pre.mean.join()}/${pre.std.join()}/${pre.rescale}`;
  let lut = tables.get(key);
  if (!lut) {
    const k = pre.rescale ? 1 / 255 : 1;
    lut = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => (v * k - pre.mean[c]!) / pre.std[c]!));
    tables.set(key, lut);
  }
  return lut;
}
