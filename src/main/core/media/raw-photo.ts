/**
 * Camera RAW files (CR2, CR3, CRW, NEF, ARW, DNG, ORF, RAF, RW2, …) are indexed from the largest
 * JPEG preview the camera embedded: no demosaicing (the preview is what the camera itself rendered,
 * and costs milliseconds), turned by the RAW's orientation, with the RAW's date, camera and GPS. All
 * of it is read by ExifTool (exiftool-vendored: the reference reader of every maker's format, one
 * long-running process). A RAW without a usable preview gets a clear status: Trove does not decode
 * sensor data.
 */
import { BinaryField, ExifDateTime, ExifTool, type Tags } from 'exiftool-vendored';
import sharp from './sharp-settings.js';
import { MediaError } from '../util/file-errors.js';
import type { PhotoExif } from './exif.js';

/** Where makers put their previews, most often the largest first. */
const PREVIEW_TAGS = ['JpgFromRaw', 'PreviewImage', 'OtherImage', 'ThumbnailImage'] as const;
/** A preview smaller than this on its longer side is a thumbnail: not enough to index or show. */
const MIN_PREVIEW_EDGE = 300;

let exiftool: ExifTool | undefined;
function tool(): ExifTool {
  // One ExifTool process, started on first use; it ends by itself with Trove (and when idle).
  exiftool ??= new ExifTool({ maxProcs: 1, taskTimeoutMillis: 30_000 });
  return exiftool;
}

/** Ends the ExifTool process (a closing engine or worker calls this; a later RAW starts a new one). */
export async function closeRawReader(): Promise<void> {
  const running = exiftool;
  exiftool = undefined;
  await running?.end();
}

export interface RawPhoto {
  /** The largest embedded JPEG preview, as stored (turn it by `orientation`). */
  jpeg: Buffer;
  /** The preview's size, upright. */
  width: number;
  height: number;
  orientation: number;
  exif: PhotoExif;
}

export async function readRawPhoto(path: string): Promise<RawPhoto> {
  let tags: Tags;
  try {
    tags = await tool().read(path);
  } catch (error) {
    throw new MediaError(`could not read the RAW file (${firstLine(error)})`, 'corrupt');
  }
  // The largest embedded image first (the tags say how many bytes each holds); a damaged or odd one
  // (not a JPEG, unreadable) gives way to the next.
  const sizeOf = (tag: (typeof PREVIEW_TAGS)[number]) => {
    const field = tags[tag] as unknown;
    return field instanceof BinaryField ? field.bytes : 0;
  };
  // A file named like a RAW that is something else (a text, a renamed document) says so.
  if (typeof tags.MIMEType === 'string' && !tags.MIMEType.startsWith('image/')) {
    throw new MediaError(`not a camera RAW file: its content is ${tags.FileType ?? tags.MIMEType}`, 'not-media');
  }
  let best: { jpeg: Buffer; width: number; height: number } | undefined;
  for (const tag of PREVIEW_TAGS.filter((t) => t in tags).sort((a, b) => sizeOf(b) - sizeOf(a))) {
    try {
      const jpeg = await tool().extractBinaryTagToBuffer(tag, path);
      const meta = await sharp(jpeg).metadata();
      if (meta.format !== 'jpeg' || !meta.width || !meta.height) continue;
      best = { jpeg, width: meta.width, height: meta.height };
      break;
    } catch {
      // Another may serve.
    }
  }
  if (!best || Math.max(best.width, best.height) < MIN_PREVIEW_EDGE) {
    throw new MediaError(
      `this RAW file (${cameraOf(tags)}) carries no preview picture large enough to index, and Trove does not decode RAW sensor data; export a JPEG beside it to find it`,
      'unsupported',
    );
  }
  const orientation = typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8 ? tags.Orientation : 1;
  const turned = orientation >= 5;
  return {
    jpeg: best.jpeg,
    width: turned ? best.height : best.width,
    height: turned ? best.width : best.height,
    orientation,
    exif: exifOf(tags),
  };
}

function cameraOf(tags: Tags): string {
  const model = typeof tags.Model === 'string' ? tags.Model : undefined;
  const make = typeof tags.Make === 'string' && !model?.startsWith(tags.Make) ? tags.Make : undefined;
  return [make, model].filter(Boolean).join(' ') || `${tags.FileType ?? 'unknown'} format`;
}

function exifOf(tags: Tags): PhotoExif {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    takenAt: wallClock(tags.DateTimeOriginal ?? tags.CreateDate),
    cameraMake: text(tags.Make),
    cameraModel: text(tags.Model),
    gpsLat: num(tags.GPSLatitude),
    gpsLon: num(tags.GPSLongitude),
  };
}

/** The camera's clock as written (like exifr reads other photos: wall-clock time, no zone applied). */
function wallClock(value: unknown): number | null {
  if (!(value instanceof ExifDateTime)) return null;
  const at = Date.UTC(value.year, value.month - 1, value.day, value.hour, value.minute, value.second, value.millisecond ?? 0);
  return Number.isFinite(at) ? at : null;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}
