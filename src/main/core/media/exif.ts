/** Date taken, camera and GPS position from EXIF, read with exifr (fast, well kept, no native code). */
import exifr from 'exifr';

export interface PhotoExif {
  takenAt: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  /** Apple's Live Photo content identifier (in its MakerNote): the still's and its motion's are the same. */
  liveId?: string;
}

const EMPTY: PhotoExif = { takenAt: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null };

// exifr prepares its options (tag filters) once for each options object it is given: these are
// module constants so that work is done once, not for every photo.
const ORIENTATION_OPTIONS = { pick: ['Orientation'], translateValues: false };
const PHOTO_OPTIONS = {
  pick: [
    'DateTimeOriginal',
    'CreateDate',
    'Make',
    'Model',
    'GPSLatitude',
    'GPSLongitude',
    'GPSLatitudeRef',
    'GPSLongitudeRef',
    'MakerNote',
  ],
  gps: true,
  makerNote: true,
};

/** The EXIF orientation (1 upright .. 8) in an EXIF block (a TIFF structure), 1 when it says none. */
export async function exifOrientation(tiff: Buffer): Promise<number> {
  try {
    const value = (await exifr.parse(tiff, ORIENTATION_OPTIONS))?.Orientation as unknown;
    return typeof value === 'number' && value >= 1 && value <= 8 ? value : 1;
  } catch {
    return 1;
  }
}

/** `input` is the file's bytes, or its path (exifr then reads only the parts it needs), or an EXIF block (TIFF). */
export async function readExif(input: Buffer | string): Promise<PhotoExif> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await exifr.parse(input, PHOTO_OPTIONS);
  } catch {
    return EMPTY; // missing or malformed EXIF is normal (screenshots, scans, edited files)
  }
  if (!tags) return EMPTY;
  const date = (tags.DateTimeOriginal ?? tags.CreateDate) as Date | undefined;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const liveId = tags.makerNote instanceof Uint8Array ? appleContentIdentifier(tags.makerNote) : undefined;
  return {
    takenAt: date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : null,
    cameraMake: text(tags.Make),
    cameraModel: text(tags.Model),
    gpsLat: num(tags.latitude),
    gpsLon: num(tags.longitude),
    ...(liveId ? { liveId } : {}),
  };
}

const APPLE_NOTE = 'Apple iOS\0';
/** Apple's MakerNote tag holding the Live Photo content identifier (ExifTool: Apple:ContentIdentifier). */
const CONTENT_IDENTIFIER = 0x0011;
const ASCII = 2;

/**
 * The Live Photo content identifier in an Apple MakerNote ("Apple iOS\0", a version, the byte order,
 * then an IFD whose offsets count from the note's start); exifr hands the note over unparsed.
 */
export function appleContentIdentifier(note: Uint8Array): string | undefined {
  const bytes = Buffer.from(note.buffer, note.byteOffset, note.byteLength);
  if (bytes.length < 16 || bytes.toString('latin1', 0, APPLE_NOTE.length) !== APPLE_NOTE) return undefined;
  const order = bytes.toString('latin1', 12, 14);
  if (order !== 'MM' && order !== 'II') return undefined;
  const u16 = (at: number) => (order === 'MM' ? bytes.readUInt16BE(at) : bytes.readUInt16LE(at));
  const u32 = (at: number) => (order === 'MM' ? bytes.readUInt32BE(at) : bytes.readUInt32LE(at));
  const entries = u16(14);
  for (let i = 0; i < entries; i += 1) {
    const at = 16 + 12 * i;
    if (at + 12 > bytes.length) return undefined;
    if (u16(at) !== CONTENT_IDENTIFIER || u16(at + 2) !== ASCII) continue;
    const count = u32(at + 4);
    const from = count <= 4 ? at + 8 : u32(at + 8);
    if (count > 128 || from + count > bytes.length) return undefined;
    const id = bytes
      .toString('latin1', from, from + count)
      .replace(/\0+$/, '')
      .trim();
    return /^[\x21-\x7e]{8,127}$/.test(id) ? id : undefined;
  }
  return undefined;
}
