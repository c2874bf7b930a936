/**
 * libheif, compiled to WebAssembly (libheif-js: no native code, nothing downloaded at install),
 * called through its C API directly: libheif-js's high-level wrapper decodes only the full picture,
 * and a phone's HEIC carries a small thumbnail item that serves a model in a few milliseconds.
 * One file at a time is opened in the module's memory; everything allocated is released on close.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MediaError, refuseUnreadable } from '../util/file-errors.js';

/** The part of the WebAssembly module's C API used here (pointers are numbers in its memory). */
interface LibHeif {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  UTF8ToString?: (pointer: number) => string;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _heif_context_alloc(): number;
  _heif_context_free(context: number): void;
  _heif_context_read_from_memory_without_copy(error: number, context: number, data: number, size: number, options: number): void;
  _heif_context_get_primary_image_handle(error: number, context: number, out: number): void;
  _heif_image_handle_get_width(handle: number): number;
  _heif_image_handle_get_height(handle: number): number;
  _heif_image_handle_get_ispe_width(handle: number): number;
  _heif_image_handle_get_ispe_height(handle: number): number;
  _heif_image_handle_get_item_id(handle: number): number;
  _heif_image_handle_release(handle: number): void;
  _heif_image_handle_get_number_of_thumbnails(handle: number): number;
  _heif_image_handle_get_list_of_thumbnail_IDs(handle: number, ids: number, count: number): number;
  _heif_image_handle_get_thumbnail(error: number, handle: number, id: number, out: number): void;
  _heif_image_handle_get_list_of_metadata_block_IDs(handle: number, type: number, ids: number, count: number): number;
  _heif_image_handle_get_metadata_size(handle: number, id: number): number;
  _heif_image_handle_get_metadata(error: number, handle: number, id: number, out: number): void;
  _heif_item_get_transformation_properties(context: number, item: number, out: number, count: number): number;
  _heif_decode_image(error: number, handle: number, out: number, colorspace: number, chroma: number, options: number): void;
  _heif_image_get_width(image: number, channel: number): number;
  _heif_image_get_height(image: number, channel: number): number;
  _heif_image_get_plane_readonly2(image: number, channel: number, stride: number): number;
  _heif_image_release(image: number): void;
}

const COLORSPACE_RGB = 1;
const CHROMA_INTERLEAVED_RGB = 10;
const CHANNEL_INTERLEAVED = 10;
/** Pictures larger than this are refused before decoding (as for every other format). */
const MAX_PIXELS = 200_000_000;

let module: LibHeif | undefined;
function libheif(): LibHeif {
  // Loaded on first use: 1-2 MB of WebAssembly that a library without HEIC never needs.
  module ??= createRequire(import.meta.url)('libheif-js/wasm-bundle') as LibHeif;
  return module;
}

/** One file opened in libheif's memory; everything allocated is released by `close`. */
export class HeifFile {
  private readonly lib = libheif();
  private readonly allocated: number[] = [];
  private readonly handles: number[] = [];
  private readonly error: number;
  private readonly out: number;
  private readonly context: number;
  readonly primary: number;

  /** `source`: the file's bytes, or the file's path, read straight into libheif's memory. */
  constructor(source: Uint8Array | string) {
    const lib = this.lib;
    this.error = this.alloc(16);
    this.out = this.alloc(8);
    this.context = lib._heif_context_alloc();
    try {
      const { data, size } = typeof source === 'string' ? this.readFile(source) : this.copy(source);
      lib._heif_context_read_from_memory_without_copy(this.error, this.context, data, size, 0);
      this.check('could not read the HEIC file');
      lib._heif_context_get_primary_image_handle(this.error, this.context, this.out);
      this.check('the HEIC file has no primary picture');
      this.primary = this.handle();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  size(handle: number): { width: number; height: number } {
    return { width: this.lib._heif_image_handle_get_width(handle), height: this.lib._heif_image_handle_get_height(handle) };
  }

  /** Whether libheif turns or mirrors the primary picture by the file's own properties. */
  turnsItself(): boolean {
    const ids = this.alloc(4 * 8);
    return (
      this.lib._heif_item_get_transformation_properties(this.context, this.lib._heif_image_handle_get_item_id(this.primary), ids, 8) > 0
    );
  }

  /** The smallest thumbnail whose shorter side is at least `shortest`, else the primary picture. */
  smallestServing(shortest: number): number {
    const lib = this.lib;
    const count = lib._heif_image_handle_get_number_of_thumbnails(this.primary);
    let best = this.primary;
    if (count === 0) return best;
    const ids = this.alloc(4 * count);
    lib._heif_image_handle_get_list_of_thumbnail_IDs(this.primary, ids, count);
    for (let i = 0; i < count; i += 1) {
      lib._heif_image_handle_get_thumbnail(this.error, this.primary, lib.HEAPU32[(ids >> 2) + i]!, this.out);
      if (lib.HEAP32[this.error >> 2] !== 0) continue; // a damaged thumbnail: the picture itself serves
      const thumbnail = this.handle();
      const { width, height } = this.size(thumbnail);
      const bestSize = this.size(best);
      if (Math.min(width, height) >= shortest && width * height < bestSize.width * bestSize.height) best = thumbnail;
    }
    return best;
  }

  exif(): Buffer | undefined {
    const lib = this.lib;
    const type = this.alloc(5);
    lib.HEAPU8.set([0x45, 0x78, 0x69, 0x66, 0], type); // "Exif"
    const id = this.alloc(4);
    if (lib._heif_image_handle_get_list_of_metadata_block_IDs(this.primary, type, id, 1) < 1) return undefined;
    const blockId = lib.HEAPU32[id >> 2]!;
    const size = lib._heif_image_handle_get_metadata_size(this.primary, blockId);
    if (size < 8 || size > 16 * 2 ** 20) return undefined;
    const block = this.alloc(size);
    lib._heif_image_handle_get_metadata(this.error, this.primary, blockId, block);
    if (lib.HEAP32[this.error >> 2] !== 0) return undefined;
    const bytes = Buffer.from(lib.HEAPU8.subarray(block, block + size));
    // The block starts with the offset (32-bit, big-endian) of the TIFF header after these 4 bytes.
    const start = 4 + bytes.readUInt32BE(0);
    return start < bytes.length ? bytes.subarray(start) : undefined;
  }

  decode(handle: number): { rgb: Uint8Array; width: number; height: number } {
    const lib = this.lib;
    lib._heif_decode_image(this.error, handle, this.out, COLORSPACE_RGB, CHROMA_INTERLEAVED_RGB, 0);
    this.check('could not decode the HEIC picture');
    const image = lib.HEAPU32[this.out >> 2]!;
    try {
      const width = lib._heif_image_get_width(image, CHANNEL_INTERLEAVED);
      const height = lib._heif_image_get_height(image, CHANNEL_INTERLEAVED);
      const plane = lib._heif_image_get_plane_readonly2(image, CHANNEL_INTERLEAVED, this.out);
      const stride = lib.HEAPU32[this.out >> 2]!;
      // Its own memory (not Node's shared pool of small Buffers): it is transferred to the engine.
      const rgb = new Uint8Array(width * height * 3);
      for (let y = 0; y < height; y += 1) rgb.set(lib.HEAPU8.subarray(plane + y * stride, plane + y * stride + width * 3), y * width * 3);
      return { rgb, width, height };
    } finally {
      lib._heif_image_release(image);
    }
  }

  close(): void {
    for (const handle of this.handles) this.lib._heif_image_handle_release(handle);
    if (this.context) this.lib._heif_context_free(this.context);
    for (const pointer of this.allocated) this.lib._free(pointer);
  }

  private copy(bytes: Uint8Array): { data: number; size: number } {
    const data = this.alloc(bytes.length);
    this.lib.HEAPU8.set(bytes, data);
    return { data, size: bytes.length };
  }

  /**
   * The file read into libheif's memory with no buffer between: a 4 MB photo read into a Buffer and
   * handed over costs an allocation outside the JavaScript heap on both threads, and each few dozen
   * megabytes of those set off a full garbage collection. Opened without blocking and checked on the
   * open file, as ingest does: a name that has become a FIFO cannot hang the decoder.
   */
  private readFile(path: string): { data: number; size: number } {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      refuseUnreadable(st, true);
      const data = this.alloc(st.size);
      let size = 0;
      // The heap view is taken after allocating: growing the memory replaces it.
      for (let read = -1; read !== 0 && size < st.size; size += read) {
        read = readSync(fd, this.lib.HEAPU8, data + size, st.size - size, size);
      }
      return { data, size }; // a file cut short meanwhile is parsed as it now is (and found damaged)
    } finally {
      closeSync(fd);
    }
  }

  private alloc(size: number): number {
    const pointer = this.lib._malloc(size);
    if (!pointer) throw new MediaError('not enough memory to decode the HEIC file', 'too-large');
    this.allocated.push(pointer);
    return pointer;
  }

  private handle(): number {
    const handle = this.lib.HEAPU32[this.out >> 2]!;
    this.handles.push(handle);
    return handle;
  }

  private check(what: string): void {
    if (this.lib.HEAP32[this.error >> 2] === 0) return;
    const message = this.lib.UTF8ToString?.(this.lib.HEAPU32[(this.error >> 2) + 2]!) ?? '';
    throw new MediaError(message ? `${what} (${message})` : what, 'corrupt');
  }
}

/** `use` of the file opened with `openChecked`, closed afterwards whatever happens. */
export function withHeifFile<T>(source: Uint8Array | string, use: (file: HeifFile) => T): T {
  const file = openChecked(source);
  try {
    return use(file);
  } finally {
    file.close();
  }
}

/** The file opened, its primary picture's size checked (refused before decoding when absurd). */
function openChecked(source: Uint8Array | string): HeifFile {
  const file = new HeifFile(source);
  const { width, height } = file.size(file.primary);
  if (width > 0 && height > 0 && width * height <= MAX_PIXELS) return file;
  file.close();
  if (width <= 0 || height <= 0) throw new MediaError('the HEIC picture has no size (corrupt?)', 'corrupt');
  throw new MediaError(`image too large to index safely (${width}x${height} px; the limit is ${MAX_PIXELS / 1e6} megapixels)`, 'too-large');
}
