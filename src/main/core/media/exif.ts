/** Date taken, camera and GPS position from EXIF, read with exifr (fast, well kept, no native code). */
import exifr from 'exifr';

export interface PhotoExif {
  takenAt: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
}

const EMPTY: PhotoExif = { takenAt: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null };

/** The EXIF orientation (1 upright .. 8) in an EXIF block (a TIFF structure), 1 when it says none. */
export async function exifOrientation(tiff: Buffer): Promise<number> {
  try {
    const value = (await exifr.parse(tiff, { pick: ['Orientation'], translateValues: false }))?.Orientation as unknown;
    return typeof value === 'number' && value >= 1 && value <= 8 ? value : 1;
  } catch {
    return 1;
  }
}

/** `input` is the file's bytes, or its path (exifr then reads only the parts it needs), or an EXIF block (TIFF). */
export async function readExif(input: Buffer | string): Promise<PhotoExif> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await exifr.parse(input, {
      pick: ['DateTimeOriginal', 'CreateDate', 'Make', 'Model', 'GPSLatitude', 'GPSLongitude', 'GPSLatitudeRef', 'GPSLongitudeRef'],
      gps: true,
    });
  } catch {
    return EMPTY; // missing or malformed EXIF is normal (screenshots, scans, edited files)
  }
  if (!tags) return EMPTY;
  const date = (tags.DateTimeOriginal ?? tags.CreateDate) as Date | undefined;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    takenAt: date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : null,
    cameraMake: text(tags.Make),
    cameraModel: text(tags.Model),
    gpsLat: num(tags.latitude),
    gpsLon: num(tags.longitude),
  };
}
