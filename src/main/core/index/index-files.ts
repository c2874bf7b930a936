/**
 * A vector index's files: each graph and its full vectors, the projection, and the sidecar that
 * describes them all by size and checksum, so that a torn or altered file is detected before
 * hnswlib ever parses it. Checksums are XXH3 (format 3): a start of a library of a million vectors
 * checks 1.7 GB of files, which SHA-256 did in about a second of one core and XXH3 does in a tenth;
 * they guard against damage, not against someone who can write to the library folder anyway.
 * Sidecars of formats 1 and 2 (SHA-256) are still read, and described anew at the next save.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { xxh3 } from '@node-rs/xxhash';
import hnswlib from 'hnswlib-node';
import { z } from 'zod';
import type { IdFingerprint } from '../store/vector-repo.js';
import { FullVectors } from './full-vectors.js';
import { Projection } from './projection.js';
import type { Segment } from './segment.js';

/**
 * Bytes hashed at a time: @node-rs/xxhash hashes a large buffer ten times faster fed in pieces than
 * in one call (512 MB: 19 ms against 191), and a million-vector index's start waits for it.
 */
const PIECE = 4 << 20;
/** Bytes read at a time from a large file (see readWhole). */
const READ_PIECE = 16 << 20;

const LegacyCheck = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().length(64) });
export const FileCheck = z.union([z.object({ bytes: z.number().int().nonnegative(), xxh3: z.string().length(16) }), LegacyCheck]);
export type FileCheck = z.infer<typeof FileCheck>;
const Fingerprint = z.object({
  count: z.number().int().nonnegative(),
  maxId: z.number().int().nonnegative(),
  idSum: z.number().int().nonnegative(),
});
export const SidecarSchema = z.union([
  LegacyCheck.extend({ format: z.literal(1), dim: z.number().int().positive() }),
  z.object({
    format: z.union([z.literal(2), z.literal(3)]),
    dim: z.number().int().positive(),
    /** The graphs' own dimension: `dim`, or the projection's. */
    graphDims: z.number().int().positive(),
    projection: FileCheck.nullable(),
    /** Each graph, the full vectors (float16) it re-ranks by when projected, its deleted entries. */
    segments: z
      .array(z.object({ graph: FileCheck, vectors: FileCheck.nullable(), tombstones: z.number().int().nonnegative().optional() }))
      .min(1),
    /** The ids the index held when saved (format 3): equal to the database's, it needs no comparing id by id. */
    ids: Fingerprint.optional(),
  }),
]);
export type Sidecar = z.infer<typeof SidecarSchema>;

/** Graph i's file: the index's own name for the first, numbered after it for the others. */
export function segmentFile(file: string, i: number): string {
  return i === 0 ? file : `${file}.${i}`;
}

/** Removes the files of graphs from `from` on (left by an index that had more graphs). */
export function removeSegmentFiles(file: string, from: number): void {
  for (let i = from; existsSync(segmentFile(file, i)); i += 1) {
    rmSync(segmentFile(file, i), { force: true });
    rmSync(`${segmentFile(file, i)}.vectors`, { force: true });
  }
}

/**
 * Graphs a build left behind when its process was killed (named after that process, so a build
 * going on in another process is never touched): they are never described by the sidecar.
 */
export function removeLeftovers(dir: string, file: string): void {
  const name = basename(file);
  for (const entry of readdirSync(dir)) {
    const builder = entry.startsWith(name) ? entry.match(/\.build-(\d+)$/) : null;
    if (builder && !processAlive(Number(builder[1]))) rmSync(join(dir, entry), { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the sidecar checks `bytes` by. */
export function checkOf(bytes: Uint8Array): { bytes: number; xxh3: string } {
  const hash = xxh3.Xxh3.withSeed();
  const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < whole.length; at += PIECE) hash.update(whole.subarray(at, at + PIECE));
  return { bytes: bytes.byteLength, xxh3: hex64(hash.digest()) };
}

/** What the sidecar checks a file by, read in chunks (a graph can be hundreds of megabytes). */
export function checkOfFile(file: string): { bytes: number; xxh3: string } {
  const hash = xxh3.Xxh3.withSeed();
  const bytes = eachChunk(file, (chunk) => hash.update(chunk));
  return { bytes, xxh3: hex64(hash.digest()) };
}

/** Writes `bytes` to `file` and returns what the sidecar checks it by. */
export function writeChecked(file: string, bytes: Uint8Array): FileCheck {
  writeFileSync(file, bytes);
  return checkOf(bytes);
}

/** Whether `bytes` are what `check` describes (XXH3, or SHA-256 for an older sidecar). */
function matches(check: FileCheck, bytes: Uint8Array): boolean {
  if (bytes.byteLength !== check.bytes) return false;
  return 'xxh3' in check ? checkOf(bytes).xxh3 === check.xxh3 : createHash('sha256').update(bytes).digest('hex') === check.sha256;
}

function fileMatches(file: string, check: FileCheck): boolean {
  if (!existsSync(file) || statSync(file).size !== check.bytes) return false;
  if ('xxh3' in check) return checkOfFile(file).xxh3 === check.xxh3;
  const hash = createHash('sha256');
  eachChunk(file, (chunk) => hash.update(chunk));
  return hash.digest('hex') === check.sha256;
}

/** Whether a check was made by an older Trove (SHA-256): the next save describes the file anew. */
export function isLegacy(check: FileCheck | null): boolean {
  return check !== null && !('xxh3' in check);
}

/**
 * The file's bytes when they are what the sidecar says; undefined when missing or different. Read on
 * the thread pool: the full vectors of a large index are read while its graphs load.
 */
async function readChecked(file: string, check: FileCheck): Promise<Buffer | undefined> {
  try {
    const bytes = await readWhole(file, check.bytes);
    return bytes && matches(check, bytes) ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A file of `size` bytes, read in READ_PIECE-sized reads into one buffer; undefined when its size
 * differs. Half a gigabyte of full vectors reads in 230 ms so (readFile's 512 KB reads: 265 ms,
 * and 450 ms against 300 for two files side by side, as a two-graph index opens them).
 */
async function readWhole(file: string, size: number): Promise<Buffer | undefined> {
  const handle = await open(file, 'r');
  try {
    if ((await handle.stat()).size !== size) return undefined;
    const bytes = Buffer.allocUnsafe(size);
    for (let at = 0; at < size;) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(READ_PIECE, size - at), at);
      if (bytesRead === 0) return undefined;
      at += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

export interface Loaded {
  segments?: Segment[];
  projection?: Projection;
  projectionSaved?: FileCheck;
  /** The ids the index held when saved; undefined for an older index (compared id by id). */
  ids?: IdFingerprint;
  reason?: string;
}

/**
 * Loads the index the sidecar describes. Every graph is checked, then parsed by hnswlib on the
 * thread pool (graphs load side by side) while this thread reads and checks the full vectors.
 */
export async function loadIndexFiles(file: string, dim: number): Promise<Loaded> {
  if (!existsSync(file)) return { reason: 'index file missing' };
  let sidecar: Sidecar;
  try {
    sidecar = SidecarSchema.parse(JSON.parse(readFileSync(`${file}.json`, 'utf8')));
  } catch {
    return { reason: 'index description missing or unreadable' };
  }
  if (sidecar.dim !== dim) return { reason: `index is ${sidecar.dim}-d, model gives ${dim}-d vectors` };
  const described =
    sidecar.format === 1
      ? {
          graphDims: dim,
          projection: null,
          segments: [{ graph: { bytes: sidecar.bytes, sha256: sidecar.sha256 }, vectors: null, tombstones: 0 }],
          ids: undefined,
        }
      : sidecar;
  let projection: Projection | undefined;
  if (described.projection) {
    const bytes = await readChecked(`${file}.projection`, described.projection);
    if (!bytes) return { reason: 'index projection missing or corrupt (checksum mismatch)' };
    projection = Projection.fromBytes(bytes, dim, described.graphDims);
  } else if (described.graphDims !== dim) return { reason: 'index projection missing' };
  const paths = described.segments.map((_, i) => segmentFile(file, i));
  if (!described.segments.every((saved, i) => fileMatches(paths[i]!, saved.graph)))
    return { reason: 'index file corrupt (checksum mismatch)' };
  const graphs = paths.map((path) => {
    const graph = new hnswlib.HierarchicalNSW('ip', described.graphDims);
    return {
      graph,
      loading: graph.readIndex(path).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
    };
  });
  // Full vectors that do not check out are read again from the database (refillFullVectors).
  const fulls = await Promise.all(
    described.segments.map(async (saved, i) => {
      const bytes = projection && saved.vectors ? await readChecked(`${paths[i]!}.vectors`, saved.vectors) : undefined;
      return bytes ? FullVectors.fromBytes(bytes, dim) : undefined;
    }),
  );
  const failures = await Promise.all(graphs.map((g) => g.loading));
  const failed = failures.find((f) => f !== undefined);
  if (failed) return { reason: `index file unreadable: ${failed}` };
  const segments = described.segments.map((saved, i): Segment => ({
    graph: graphs[i]!.graph,
    full: fulls[i],
    tombstones: described.ids ? (saved.tombstones ?? 0) : 0,
    dirty: false,
    saved: { graph: saved.graph, vectors: fulls[i] ? saved.vectors : null },
  }));
  return { segments, projection, projectionSaved: described.projection ?? undefined, ids: described.ids };
}

/** What a save writes: the index as it is in memory. */
export interface IndexState {
  dim: number;
  projection: Projection | undefined;
  /** The projection's file as last saved (null: not saved yet). */
  projectionSaved: FileCheck | null;
  segments: Segment[];
  /** The ids it holds, summed up; undefined when not known (the next open compares id by id). */
  ids: IdFingerprint | undefined;
}

/**
 * Writes what changed: each changed graph (and its full vectors) to a temporary name, then renamed
 * into place, the sidecar last. A crash in between leaves files the sidecar does not describe,
 * which the next open rebuilds instead of trusting. Files described by an older sidecar (SHA-256)
 * are described anew, not rewritten. Returns the projection's check.
 */
export function saveIndexFiles(file: string, state: IndexState): FileCheck | null {
  const { projection, segments } = state;
  const renames: [string, string][] = [];
  const stage = (path: string, write: (tmp: string) => FileCheck): FileCheck => {
    renames.push([`${path}.tmp`, path]);
    return write(`${path}.tmp`);
  };
  let projectionSaved = state.projectionSaved;
  if (projection && (!projectionSaved || isLegacy(projectionSaved))) {
    const bytes = projection.toBytes();
    projectionSaved = stage(`${file}.projection`, (tmp) => writeChecked(tmp, bytes));
  }
  for (const [i, segment] of segments.entries()) {
    const path = segmentFile(file, i);
    const saved = segment.saved;
    if (!segment.dirty && saved) {
      if (isLegacy(saved.graph)) saved.graph = checkOfFile(path);
      if (isLegacy(saved.vectors)) saved.vectors = checkOfFile(`${path}.vectors`);
      continue;
    }
    const graph = stage(path, (tmp) => {
      segment.graph.writeIndexSync(tmp);
      return checkOfFile(tmp);
    });
    const full = segment.full;
    const vectors = full ? stage(`${path}.vectors`, (tmp) => writeChecked(tmp, full.toBytes())) : null;
    segment.saved = { graph, vectors };
  }
  const sidecar: Sidecar = {
    format: 3,
    dim: state.dim,
    graphDims: projection?.to ?? state.dim,
    projection: projection ? projectionSaved : null,
    segments: segments.map((s) => ({ ...s.saved!, tombstones: s.tombstones })),
    ids: state.ids,
  };
  writeFileSync(`${file}.json.tmp`, JSON.stringify(sidecar));
  for (const [from, to] of renames) renameSync(from, to);
  if (!projection) rmSync(`${file}.projection`, { force: true });
  removeSegmentFiles(file, segments.length);
  renameSync(`${file}.json.tmp`, `${file}.json`);
  for (const segment of segments) segment.dirty = false;
  return projection ? projectionSaved : null;
}

/** Calls `use` with each chunk of the file, in order; returns its size. */
function eachChunk(file: string, use: (chunk: Buffer) => void): number {
  const fd = openSync(file, 'r');
  let size = 0;
  try {
    const chunk = Buffer.allocUnsafe(PIECE);
    let n: number;
    while ((n = readSync(fd, chunk, 0, chunk.length, null)) > 0) {
      use(chunk.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return size;
}

function hex64(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
