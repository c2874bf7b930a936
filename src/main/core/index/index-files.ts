/**
 * A vector index's files: each graph and its full vectors, the projection, and the sidecar that
 * describes them all by size and SHA-256, so that a torn or altered file is detected before
 * hnswlib ever parses it.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { z } from 'zod';
import { FullVectors } from './full-vectors.js';
import { Projection } from './projection.js';
import type { Segment } from './segment.js';

export const FileCheck = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().length(64) });
export type FileCheck = z.infer<typeof FileCheck>;
export const SidecarSchema = z.union([
  FileCheck.extend({ format: z.literal(1), dim: z.number().int().positive() }),
  z.object({
    format: z.literal(2),
    dim: z.number().int().positive(),
    /** The graphs' own dimension: `dim`, or the projection's. */
    graphDims: z.number().int().positive(),
    projection: FileCheck.nullable(),
    /** Each graph, and the full vectors (float16) it re-ranks by when projected. */
    segments: z.array(z.object({ graph: FileCheck, vectors: FileCheck.nullable() })).min(1),
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

/** Writes `bytes` to `file` and returns what the sidecar checks it by. */
export function writeChecked(file: string, bytes: Uint8Array): FileCheck {
  writeFileSync(file, bytes);
  return { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The file's bytes when they are what the sidecar says; undefined when missing or different. */
function readChecked(file: string, check: FileCheck): Buffer | undefined {
  try {
    const bytes = readFileSync(file);
    return bytes.byteLength === check.bytes && createHash('sha256').update(bytes).digest('hex') === check.sha256 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

export interface Loaded {
  segments?: Segment[];
  projection?: Projection;
  projectionSaved?: FileCheck;
  reason?: string;
}

export function tryLoad(file: string, dim: number): Loaded {
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
      ? { graphDims: dim, projection: null, segments: [{ graph: { bytes: sidecar.bytes, sha256: sidecar.sha256 }, vectors: null }] }
      : sidecar;
  let projection: Projection | undefined;
  if (described.projection) {
    const bytes = readChecked(`${file}.projection`, described.projection);
    if (!bytes) return { reason: 'index projection missing or corrupt (checksum mismatch)' };
    projection = Projection.fromBytes(bytes, dim, described.graphDims);
  } else if (described.graphDims !== dim) return { reason: 'index projection missing' };
  const segments: Segment[] = [];
  for (const [i, saved] of described.segments.entries()) {
    const path = segmentFile(file, i);
    if (!existsSync(path) || statSync(path).size !== saved.graph.bytes || sha256File(path) !== saved.graph.sha256)
      return { reason: 'index file corrupt (checksum mismatch)' };
    const graph = new hnswlib.HierarchicalNSW('ip', described.graphDims);
    try {
      graph.readIndexSync(path);
    } catch (error) {
      return { reason: `index file unreadable: ${(error as Error).message}` };
    }
    // Full vectors that do not check out are read again from the database (refillFullVectors).
    const vectors = projection && saved.vectors ? readChecked(`${path}.vectors`, saved.vectors) : undefined;
    const full = vectors ? FullVectors.fromBytes(vectors, dim) : undefined;
    segments.push({ graph, full, tombstones: 0, dirty: false, saved: { graph: saved.graph, vectors: full ? saved.vectors : null } });
  }
  return { segments, projection, projectionSaved: described.projection ?? undefined };
}

export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let n: number;
    while ((n = readSync(fd, chunk, 0, chunk.length, null)) > 0) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
