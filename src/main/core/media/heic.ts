/**
 * HEIC/HEIF photos (HEVC, what iPhones take), decoded with libheif compiled to WebAssembly
 * (libheif-js: no native code, nothing downloaded at install), since sharp's libvips ships no HEVC
 * decoder. The C API is called directly (libheif-js's high-level wrapper decodes only the full
 * picture): a phone's HEIC carries a small thumbnail item (about 320 px), and a model that needs
 * 224 px decodes that in a few milliseconds instead of a second for the 12-megapixel picture; the
 * full picture is decoded only for viewing (and then converted once to a cached preview).
 *
 * Upright: libheif applies the file's own rotation and mirroring (irot/imir); a file without them
 * whose EXIF says it is turned (what some converters write) is turned by its EXIF orientation, as
 * the caller is told. Grid (tiled) pictures are assembled by libheif.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describeFileError, MediaError, refuseUnreadable, type MediaErrorCode } from '../util/file-errors.js';
import { startWorker, workerEntry } from '../util/worker-start.js';

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

/**
 * Whether these first bytes are an HEIF file of HEVC pictures: an 'ftyp' box whose major brand only
 * HEVC-coded files carry (a generic 'mif1' file may be AVIF, which sharp decodes).
 */
export function isHevcHeif(head: Uint8Array): boolean {
  if (head.length < 12) return false;
  const box = String.fromCharCode(...head.subarray(4, 8));
  const brand = String.fromCharCode(...head.subarray(8, 12));
  return box === 'ftyp' && HEVC_BRANDS.has(brand);
}
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);

export interface HeicInfo {
  /** The primary picture's size, upright. */
  width: number;
  height: number;
  /** The EXIF block as a TIFF structure (what exifr reads), if the file has one. */
  exif: Buffer | undefined;
  /** EXIF orientation still to apply (1 when the file turns itself with its own properties). */
  orientation: number;
}

export interface HeicPicture {
  /** Packed RGB, 3 bytes a pixel, as stored (turn it by `orientation`). */
  rgb: Buffer;
  width: number;
  height: number;
  orientation: number;
}

/** One file opened in libheif's memory; everything allocated is released by `close`. */
class HeifFile {
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

/** The file opened, its primary picture's size checked (refused before decoding when absurd). */
function openChecked(source: Uint8Array | string): HeifFile {
  const file = new HeifFile(source);
  const { width, height } = file.size(file.primary);
  if (width > 0 && height > 0 && width * height <= MAX_PIXELS) return file;
  file.close();
  if (width <= 0 || height <= 0) throw new MediaError('the HEIC picture has no size (corrupt?)', 'corrupt');
  throw new MediaError(`image too large to index safely (${width}x${height} px; the limit is ${MAX_PIXELS / 1e6} megapixels)`, 'too-large');
}

async function open<T>(input: Buffer | string, use: (file: HeifFile) => T): Promise<T> {
  const file = openChecked(typeof input === 'string' ? await readFile(input) : input);
  try {
    return use(file);
  } finally {
    file.close();
  }
}

/** EXIF orientation (1-8) read from a TIFF block: the caller turns by it only when the file does not turn itself. */
export type OrientationReader = (exif: Buffer) => Promise<number>;

export async function heicInfo(input: Buffer | string, orientationOf: OrientationReader): Promise<HeicInfo> {
  const { info, exif } = await open(input, (file) => ({
    info: { ...file.size(file.primary), turnsItself: file.turnsItself() },
    exif: file.exif(),
  }));
  const orientation = !info.turnsItself && exif ? await orientationOf(exif) : 1;
  const turned = orientation >= 5;
  return { width: turned ? info.height : info.width, height: turned ? info.width : info.height, exif, orientation };
}

export interface HeicDecodeRequest {
  id: number;
  /** The file's path (the worker reads it) or its bytes (the worker's own copy, transferred). */
  source: string | Uint8Array;
  shortest: number;
}
export type HeicDecodeResponse =
  | { id: number; ok: true; rgb: Uint8Array; width: number; height: number; exif: Uint8Array | undefined; turnsItself: boolean }
  | { id: number; ok: false; error: string; code: MediaErrorCode };

/** The decoding itself, on the calling thread (workers/heic-worker runs it). */
export function readHeicHere(source: string | Uint8Array, shortest: number): Omit<HeicDecodeResponse & { ok: true }, 'id' | 'ok'> {
  const file = openChecked(source);
  try {
    return { ...file.decode(file.smallestServing(shortest)), exif: file.exif(), turnsItself: file.turnsItself() };
  } finally {
    file.close();
  }
}

/**
 * A decoding failure as the worker reports it: a file that vanished or may not be read says so, as
 * ingest would; anything libheif met while parsing or decoding is a damaged file.
 */
export function heicFailure(id: number, error: unknown): HeicDecodeResponse & { ok: false } {
  const fromSystem = error instanceof MediaError || typeof (error as NodeJS.ErrnoException | undefined)?.code === 'string';
  const { message, code } = fromSystem
    ? describeFileError(error)
    : { message: error instanceof Error ? error.message : String(error), code: 'corrupt' as const };
  return { id, ok: false, error: message, code };
}

/**
 * The picture's pixels, from the smallest representation whose shorter side (upright) is at least
 * `shortest` px (a thumbnail item when there is one that large), else the full picture; decoded in
 * a worker thread (workers/heic-worker).
 */
export async function decodeHeic(input: Buffer | string, shortest: number, orientationOf: OrientationReader): Promise<HeicPicture> {
  const decoded = await decoder().decode(input, shortest);
  const exif = decoded.exif && Buffer.from(decoded.exif.buffer, decoded.exif.byteOffset, decoded.exif.byteLength);
  return {
    rgb: Buffer.from(decoded.rgb.buffer, decoded.rgb.byteOffset, decoded.rgb.byteLength),
    width: decoded.width,
    height: decoded.height,
    orientation: !decoded.turnsItself && exif ? await orientationOf(exif) : 1,
  };
}

/**
 * The decoding worker, started on first use, holding the process open only while it has work. Its
 * WebAssembly memory grows to the largest picture decoded and never shrinks: idle for a while, the
 * worker ends, and that memory with it.
 */
class HeicDecoder {
  private readonly worker = startWorker(workerEntry('heic-worker'));
  private readonly pending = new Map<number, { resolve: (r: HeicDecodeResponse & { ok: true }) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;

  constructor() {
    this.worker.unref();
    this.worker.on('message', (response: HeicDecodeResponse) => {
      const pending = this.pending.get(response.id);
      if (!pending) return;
      this.pending.delete(response.id);
      if (this.pending.size === 0) {
        this.worker.unref();
        this.idle = setTimeout(() => this.retire(), IDLE_MS).unref();
      }
      if (response.ok) pending.resolve(response);
      else pending.reject(new MediaError(response.error, response.code));
    });
    const fail = (reason: string) => {
      for (const pending of this.pending.values()) pending.reject(new MediaError(reason, 'corrupt'));
      this.pending.clear();
      if (heicDecoder === this) heicDecoder = undefined; // the next picture gets a new worker
    };
    this.worker.on('error', (error) => fail(`the HEIC decoder crashed (${error.message})`));
    this.worker.on('exit', (code) => fail(`the HEIC decoder stopped (code ${code})`));
  }

  private retire(): void {
    if (this.pending.size > 0) return;
    if (heicDecoder === this) heicDecoder = undefined;
    void this.worker.terminate();
  }

  decode(input: Uint8Array | string, shortest: number): Promise<HeicDecodeResponse & { ok: true }> {
    clearTimeout(this.idle);
    const id = this.nextId++;
    // A copy of the caller's bytes is transferred (Buffer's own slice() is a view: transferring its
    // memory would empty the caller's Buffer); a path is read by the worker itself.
    const source = typeof input === 'string' ? input : new Uint8Array(input);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      const request: HeicDecodeRequest = { id, source, shortest };
      this.worker.postMessage(request, typeof source === 'string' ? [] : [source.buffer as ArrayBuffer]);
    });
  }
}

/** How long the decoding worker waits for another picture before it ends. */
const IDLE_MS = 20_000;
let heicDecoder: HeicDecoder | undefined;
function decoder(): HeicDecoder {
  heicDecoder ??= new HeicDecoder();
  return heicDecoder;
}
