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
 *
 * Pictures are decoded in a worker thread (workers/heic-worker); for a model, the worker also
 * resizes the picture and writes its input into the batch's shared memory.
 */
import { readFile } from 'node:fs/promises';
import { describeFileError, MediaError, type MediaErrorCode } from '../util/file-errors.js';
import { startWorker, workerEntry } from '../util/worker-start.js';
import type { ImagePreprocess } from './image-preprocess.js';
import { withHeifFile, type HeifFile } from './libheif.js';
import { modelResize, resizedPixels, resizePlan, uprightRgb, writeModelInput } from './model-input.js';
import type { VisualFingerprint } from './visual-fingerprint.js';

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

/** On the engine's thread a path is read asynchronously first (HeifFile reads one synchronously). */
async function open<T>(input: Buffer | string, use: (file: HeifFile) => T): Promise<T> {
  return withHeifFile(typeof input === 'string' ? await readFile(input) : input, use);
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

/** A picture for a model: its input written into shared memory, where the batch is. */
export interface HeicModelInput {
  pre: ImagePreprocess;
  /** The picture as probed: its upright size, and the EXIF orientation still to apply. */
  picture: { width: number; height: number; orientation: number };
  /** Over a SharedArrayBuffer: the worker writes the input at `offset`, nothing comes back but the fingerprint. */
  out: Float32Array;
  offset: number;
}

/** What the worker is asked for a picture: its pixels (as stored), or a model's input. */
type HeicTask = { kind: 'pixels'; shortest: number } | { kind: 'model'; model: HeicModelInput };
export type HeicDecodeRequest = {
  id: number;
  /** The file's path (the worker reads it) or its bytes (the worker's own copy, transferred). */
  source: string | Uint8Array;
} & HeicTask;
interface HeicPixels {
  rgb: Uint8Array;
  width: number;
  height: number;
  exif: Uint8Array | undefined;
  turnsItself: boolean;
}
interface HeicModelAnswer {
  fingerprint: VisualFingerprint;
}
type HeicAnswer = HeicPixels | HeicModelAnswer;
export type HeicDecodeResponse = ({ id: number; ok: true } & HeicAnswer) | { id: number; ok: false; error: string; code: MediaErrorCode };

/** The decoding itself, on the calling thread (workers/heic-worker runs it). */
export function readHeicHere(source: string | Uint8Array, shortest: number): HeicPixels {
  return withHeifFile(source, (file) => ({
    ...file.decode(file.smallestServing(shortest)),
    exif: file.exif(),
    turnsItself: file.turnsItself(),
  }));
}

/**
 * A picture's model input, on the calling thread (workers/heic-worker runs it): decoded from its
 * smallest representation that serves, turned, resized and written into `model.out` as
 * decodeForModel does for every other format; its visual fingerprint is returned.
 */
export async function heicForModelHere(source: string | Uint8Array, model: HeicModelInput): Promise<VisualFingerprint> {
  const { picture, pre } = model;
  const plan = resizePlan(picture, (w, h) => modelResize(pre, w, h));
  const decoded = withHeifFile(source, (file) => file.decode(file.smallestServing(plan.shortest)));
  const upright = uprightRgb(decoded.rgb, decoded.width, decoded.height, picture.orientation);
  const { data, info } = await resizedPixels(upright.image, picture, upright, plan);
  return writeModelInput(data, info, pre, model.out, model.offset);
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
  const decoded = await decoder().request<HeicPixels>(input, { kind: 'pixels', shortest });
  const exif = decoded.exif && Buffer.from(decoded.exif.buffer, decoded.exif.byteOffset, decoded.exif.byteLength);
  return {
    rgb: Buffer.from(decoded.rgb.buffer, decoded.rgb.byteOffset, decoded.rgb.byteLength),
    width: decoded.width,
    height: decoded.height,
    orientation: !decoded.turnsItself && exif ? await orientationOf(exif) : 1,
  };
}

/**
 * A HEIC's model input written into `out` at `offset` by the decoding worker, which returns only its
 * visual fingerprint: the engine's thread receives no pixels. Every array that arrives from another
 * thread, and every Buffer sharp returns, counts towards V8's next full collection of the engine's
 * heap; with the picture (230 kB) and its resized pixels (200 kB) arriving for each HEIC, the engine
 * collected its whole heap every 30-odd photos, 80 ms of CPU each time. `out` not in shared memory
 * (one picture, not a batch) is written through a shared copy.
 */
export async function heicForModel(
  input: Buffer | string,
  picture: { width: number; height: number; orientation: number },
  pre: ImagePreprocess,
  out: Float32Array,
  offset: number,
): Promise<VisualFingerprint> {
  const length = 3 * pre.size * pre.size;
  const shared = out.buffer instanceof SharedArrayBuffer;
  const target = shared ? out : new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
  const model: HeicModelInput = { pre, picture, out: target, offset: shared ? offset : 0 };
  const { fingerprint } = await decoder().request<HeicModelAnswer>(input, { kind: 'model', model });
  if (!shared) out.set(target, offset);
  return fingerprint;
}

/**
 * The decoding worker, started on first use, holding the process open only while it has work. Its
 * WebAssembly memory grows to the largest picture decoded and never shrinks: idle for a while, the
 * worker ends, and that memory with it.
 */
class HeicDecoder {
  private readonly worker = startWorker(workerEntry('heic-worker'));
  private readonly pending = new Map<number, { resolve: (answer: HeicAnswer) => void; reject: (e: Error) => void }>();
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

  /** The worker's answer to `task` (`Answer`: the kind of answer that task gets). */
  request<Answer extends HeicAnswer>(input: Uint8Array | string, task: HeicTask): Promise<Answer> {
    clearTimeout(this.idle);
    const id = this.nextId++;
    // A copy of the caller's bytes is transferred (Buffer's own slice() is a view: transferring its
    // memory would empty the caller's Buffer); a path is read by the worker itself.
    const source = typeof input === 'string' ? input : new Uint8Array(input);
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (answer: HeicAnswer) => void, reject });
      this.worker.ref();
      const request: HeicDecodeRequest = { id, source, ...task };
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
