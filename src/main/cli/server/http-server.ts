/**
 * `trove serve`: the browser twin of the desktop app. The same API contract as Electron's IPC, over
 * HTTP (`POST /api/<method>`, JSON) plus server-sent events (`GET /api/events`) for progress, and the
 * same Svelte build as static files.
 *
 * Security: it listens on 127.0.0.1 only, and the Host header must name this server (stops
 * DNS-rebinding pages). No credential ever lives in a cookie: cookies are not scoped by port, so any
 * other server on 127.0.0.1 that the browser visits would receive it. Instead the printed address
 * carries the per-run token in its fragment (#token=…), which browsers never send anywhere; the page
 * keeps it in sessionStorage (scoped to this origin, port included) and sends it as an Authorization
 * header with every API call and on the event stream. Media URLs (<img src>, <video src>) cannot carry
 * headers, so each one carries its own capability: an HMAC of the variant and file id under a key
 * derived from the token. A leaked media URL opens that one item, for this run only; no URL grants
 * the API. API calls must be JSON (a cross-site form cannot send that); media is served by file id
 * only, through MediaResolver, which refuses anything that is no longer the indexed file.
 * The static UI (HTML, scripts, styles) holds no secret and is served without the token.
 */
import { constants, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import sirv from 'sirv';
import type { MediaVariant, TroveEvent } from '../../../shared/api.js';
import type { LibraryService } from '../../core/service/library-service.js';
import { parseFileId } from '../../core/library/media-access.js';
import { fileIdentity } from '../../core/util/file-identity.js';
import { answerFor, TooLargeError } from '../../core/errors.js';

export interface ServerOptions {
  service: LibraryService;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Up to 32 MB of image bytes as base64, plus the rest of the request. */
const MAX_BODY_BYTES = 48 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const service = options.service;
  if (!existsSync(options.rendererDir)) {
    throw new Error(`the UI is not built (${options.rendererDir} is missing): run \`npm run build\` first`);
  }
  const statics = sirv(options.rendererDir, { dev: false, etag: true, gzip: false, brotli: false, single: false });
  const streams = new Set<ServerResponse>();
  let port = 0;
  const mediaKey = mediaKeyOf(token);

  const tokenMatches = (given: string | undefined): boolean => {
    if (!given) return false;
    const bytes = Buffer.from(given);
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };

  const bearer = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization;
    return Boolean(header?.startsWith('Bearer ') && tokenMatches(header.slice(7)));
  };

  const hostAllowed = (req: IncomingMessage): boolean => {
    const host = req.headers.host ?? '';
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setCommonHeaders(res);
    if (!hostAllowed(req)) return sendError(res, 421, 'this server answers only on 127.0.0.1');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return sendError(res, 400, 'malformed request address');
    }
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      if (!bearer(req)) return sendError(res, 401, 'missing or wrong token: open the address that `trove serve` printed');
      return handleApi(req, res, path.slice('/api/'.length));
    }
    if (path.startsWith('/media/')) return handleMedia(req, res, path, url.searchParams.get('k'));
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'method not allowed');
    // Only plain paths reach the static files: no "//host" or "/./" forms that a redirect could turn
    // into an address on another site.
    if (!/^\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/?)*$/.test(path)) return sendError(res, 404, 'not found');
    statics(req, res, () => sendError(res, 404, 'not found'));
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    if (method === 'events') {
      if (req.method !== 'GET') return sendError(res, 405, 'events are read with GET');
      return openEventStream(req, res);
    }
    if (req.method !== 'POST') return sendError(res, 405, `use POST for /api/${method}`);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return sendError(res, 415, 'send the request body as application/json');
    let body: unknown;
    try {
      const text = await readBody(req, MAX_BODY_BYTES);
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch (error) {
      if (error instanceof TooLargeError) {
        // The rest of an oversized body is not read: this connection cannot carry another request.
        res.setHeader('Connection', 'close');
        return sendError(res, 413, error.message);
      }
      return sendError(res, 400, 'the request body is not valid JSON');
    }
    try {
      const result = await service.handle(method, body);
      sendJson(res, 200, result);
    } catch (error) {
      const answer = answerFor(error);
      if (!answer.bug) return sendError(res, answer.status, answer.message);
      options.log?.(`internal error in ${method}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendError(res, 500, 'internal error; the details are in the terminal running `trove serve`');
    }
  };

  const handleMedia = async (req: IncomingMessage, res: ServerResponse, path: string, capability: string | null): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'method not allowed');
    const match = /^\/media\/(thumb|preview|original)\/([^/]+)$/.exec(path);
    const fileId = match ? parseFileId(match[2]!) : undefined;
    if (!match || fileId === undefined) return sendError(res, 404, 'no such media');
    const signed = capability !== null && sameText(capability, mediaSignature(mediaKey, match[1]!, fileId));
    if (!signed && !bearer(req)) return sendError(res, 401, 'this media address is not valid for this run of Trove');
    const media = await service.media.resolve(match[1] as MediaVariant, fileId);
    if (!media) return sendError(res, 404, 'no such media in the library');
    // What is streamed is the open file, checked once more on its descriptor: a swap between the check
    // and the open (for a link, a FIFO, another file) is caught, and a FIFO cannot block the open.
    let handle: FileHandle;
    try {
      handle = await open(media.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return sendError(res, 404, 'no such media in the library');
    }
    const st = await handle.stat();
    if (!st.isFile() || st.size !== media.bytes || (media.identity !== undefined && fileIdentity(st) !== media.identity)) {
      await handle.close();
      return sendError(res, 404, 'no such media in the library');
    }
    res.setHeader('Content-Type', media.contentType);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Accept-Ranges', 'bytes');
    const range = parseRange(req.headers.range, media.bytes);
    if (range === 'invalid') {
      await handle.close();
      res.writeHead(416, { 'Content-Range': `bytes */${media.bytes}` });
      res.end();
      return;
    }
    const [start, end] = range ?? [0, media.bytes - 1];
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${media.bytes}`);
    res.writeHead(range ? 206 : 200);
    if (req.method === 'HEAD' || media.bytes === 0) {
      await handle.close();
      res.end();
      return;
    }
    const stream = handle.createReadStream({ start, end });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const openEventStream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    const send = (event: TroveEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    send({ type: 'indexing', state: service.status().indexing });
    const unsubscribe = service.subscribe(send);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The key media capabilities are signed with: derived from the token, so the page can compute it too. */
export function mediaKeyOf(token: string): Buffer {
  return createHmac('sha256', token).update('trove-media').digest();
}

/**
 * A media URL's capability: the variant and file id signed with the media key (132 bits, base64url).
 * The page computes the same (src/renderer/src/lib/media-signature.ts).
 */
export function mediaSignature(key: Buffer, variant: string, fileId: number): string {
  return createHmac('sha256', key).update(`${variant}/${fileId}`).digest('base64url').slice(0, 22);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function setCommonHeaders(res: ServerResponse): void {
  // Every response, HTML or not, carries the policy: an error page or a future HTML route is covered too.
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(new TooLargeError('the request is too large'));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new TooLargeError('the request is too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** One byte range ("bytes=100-", "bytes=-500", "bytes=0-99"); multiple ranges are served whole. */
export function parseRange(header: string | undefined, size: number): [number, number] | undefined | 'invalid' {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return 'invalid';
  let start: number;
  let end: number;
  if (a === '') {
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return [start, end];
}
