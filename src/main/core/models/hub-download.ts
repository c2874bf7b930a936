/**
 * Downloads a model from the Hugging Face hub into the model cache, file by file, with progress and
 * an integrity check against the hashes the hub publishes: SHA-256 for large (LFS) files, the git
 * blob SHA-1 for small ones. Everything lands in a staging folder that is renamed into place only
 * when every file has verified; a failed, corrupted or interrupted download leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HubModelSpec } from './registry.js';

export interface DownloadProgress {
  model: string;
  file: string;
  fileIndex: number;
  fileCount: number;
  /** Bytes of this file received so far, and its size when the server says. */
  received: number;
  size: number | null;
  /** Bytes received for the whole model. */
  totalReceived: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** The hub's address; TROVE_HF_ENDPOINT (or HF_ENDPOINT) overrides it, e.g. for a mirror. */
  endpoint?: string;
}

export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

export function hubEndpoint(): string {
  return (process.env.TROVE_HF_ENDPOINT ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

export async function downloadHubModel(spec: HubModelSpec, cacheDir: string, options: DownloadOptions = {}): Promise<string> {
  const endpoint = (options.endpoint ?? hubEndpoint()).replace(/\/+$/, '');
  const target = join(cacheDir, spec.name);
  const staging = join(cacheDir, `.download-${spec.name}-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  let totalReceived = 0;
  try {
    for (const [fileIndex, file] of spec.files.entries()) {
      const url = `${endpoint}/${spec.hubRepo}/resolve/${encodeURIComponent(spec.revision)}/${file}`;
      const destination = join(staging, file);
      await mkdir(dirname(destination), { recursive: true });
      totalReceived += await downloadVerified(url, destination, options.signal, (received, size) =>
        options.onProgress?.({
          model: spec.name,
          file,
          fileIndex,
          fileCount: spec.files.length,
          received,
          size,
          totalReceived: totalReceived + received,
        }),
      );
    }
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    return target;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof DownloadError) throw error;
    if (options.signal?.aborted) throw new DownloadError(`download of ${spec.name} was cancelled; nothing was kept`);
    throw new DownloadError(`download of ${spec.name} failed (${networkReason(error)}); nothing was kept, try again later`);
  }
}

async function downloadVerified(
  url: string,
  destination: string,
  signal: AbortSignal | undefined,
  onBytes: (received: number, size: number | null) => void,
): Promise<number> {
  // The hub answers large files with a redirect to a CDN; the hashes are on the hub's own answer.
  let response = await fetch(url, { redirect: 'manual', signal });
  const linkedEtag = response.headers.get('x-linked-etag');
  const etag = linkedEtag ?? response.headers.get('etag');
  const linkedSize = response.headers.get('x-linked-size');
  for (let hops = 0; response.status >= 300 && response.status < 400; hops += 1) {
    const location = response.headers.get('location');
    if (!location || hops > 5) throw new DownloadError(`${url}: too many or broken redirects`);
    await response.body?.cancel();
    response = await fetch(new URL(location, url), { redirect: 'manual', signal });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    const hint = response.status === 401 || response.status === 404 ? ' (wrong model name, or the file moved on the hub)' : '';
    throw new DownloadError(`${url}: the server answered ${response.status} ${response.statusText}${hint}`);
  }
  const size = Number(linkedSize ?? response.headers.get('content-length')) || null;
  const expected = parseEtag(etag);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  if (expected?.algorithm === 'git-sha1') {
    if (size === null) throw new DownloadError(`${url}: the server did not say the file's size, so it cannot be verified`);
    sha1.update(`blob ${size}\0`);
  }
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      sha256.update(chunk);
      if (expected?.algorithm === 'git-sha1') sha1.update(chunk);
      onBytes(received, size);
      callback(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), meter, createWriteStream(destination), {
    signal,
  });
  if (size !== null && received !== size) {
    throw new DownloadError(`${url}: received ${received} bytes of ${size}; the connection was cut`);
  }
  if (!expected) throw new DownloadError(`${url}: the server published no checksum, so the file cannot be verified`);
  const actual = expected.algorithm === 'sha256' ? sha256.digest('hex') : sha1.digest('hex');
  if (actual !== expected.hex) {
    throw new DownloadError(`${url}: integrity check failed (expected ${expected.algorithm} ${expected.hex}, got ${actual})`);
  }
  return received;
}

function parseEtag(etag: string | null): { algorithm: 'sha256' | 'git-sha1'; hex: string } | undefined {
  const hex = etag?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  if (hex && /^[0-9a-f]{64}$/.test(hex)) return { algorithm: 'sha256', hex };
  if (hex && /^[0-9a-f]{40}$/.test(hex)) return { algorithm: 'git-sha1', hex };
  return undefined;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'no internet connection, or the hub cannot be reached';
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET') return 'the connection was cut';
  return cause?.message ?? (error as Error).message;
}
