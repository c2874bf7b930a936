/**
 * Apple's Live Photo content identifier, written the way an iPhone writes it, for tests: in the
 * still, tag 0x0011 of an Apple MakerNote inside the EXIF; in the motion, the QuickTime key
 * com.apple.quicktime.content.identifier. ExifTool reads both back as Apple:ContentIdentifier and
 * Keys:ContentIdentifier (checked when this helper was written).
 */

/** An Apple MakerNote holding only the content identifier (offsets count from the note's start). */
function appleMakerNote(id: string): Buffer {
  const text = Buffer.from(`${id}\0`, 'ascii');
  const head = Buffer.concat([Buffer.from('Apple iOS\0', 'latin1'), Buffer.from([0, 1]), Buffer.from('MM', 'latin1')]);
  const ifd = Buffer.alloc(2 + 12 + 4);
  ifd.writeUInt16BE(1, 0);
  ifd.writeUInt16BE(0x0011, 2); // ContentIdentifier
  ifd.writeUInt16BE(2, 4); // ASCII
  ifd.writeUInt32BE(text.length, 6);
  ifd.writeUInt32BE(head.length + ifd.length, 10);
  return Buffer.concat([head, ifd, text]);
}

/** An EXIF block (TIFF, big-endian): IFD0 pointing at an Exif IFD whose one entry is the MakerNote. */
function exifWithMakerNote(note: Buffer): Buffer {
  const ifd0 = 8;
  const exif = ifd0 + 18;
  const noteAt = exif + 18;
  const tiff = Buffer.alloc(noteAt);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(ifd0, 4);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    tiff.writeUInt16BE(1, at);
    tiff.writeUInt16BE(tag, at + 2);
    tiff.writeUInt16BE(type, at + 4);
    tiff.writeUInt32BE(count, at + 6);
    tiff.writeUInt32BE(value, at + 10);
    tiff.writeUInt32BE(0, at + 14); // no next IFD
  };
  entry(ifd0, 0x8769, 4, 1, exif); // ExifIFDPointer, LONG
  entry(exif, 0x927c, 7, note.length, noteAt); // MakerNote, UNDEFINED
  return Buffer.concat([tiff, note]);
}

/** A JPEG (its bytes, with no EXIF of its own) carrying Apple's Live Photo content identifier `id`. */
export function withContentIdentifier(jpeg: Buffer, id: string): Buffer {
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifWithMakerNote(appleMakerNote(id))]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(body.length + 2, 2);
  // Right after the start-of-image marker, where EXIF belongs.
  return Buffer.concat([jpeg.subarray(0, 2), app1, body, jpeg.subarray(2)]);
}

/** ffmpeg arguments that write `id` as the motion's content identifier (before the output file). */
export function contentIdentifierArgs(id: string): string[] {
  return ['-metadata', `com.apple.quicktime.content.identifier=${id}`, '-movflags', 'use_metadata_tags'];
}
