/**
 * `trove serve` refuses what it must: requests without the per-run token or with a wrong one,
 * foreign Host headers, media outside the library (unknown ids, `..` tricks, a photo replaced by a
 * link pointing out of the library), malformed bodies — each with a 4xx and a sentence — and it
 * keeps serving afterwards. Real server, real library indexed with the tiny CLIP fixture.
 */
import { request } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryService } from '../../src/main/core/service/library-service.js';
import { mediaKeyOf, mediaSignature, startServer, type RunningServer } from '../../src/main/cli/server/http-server.js';
import { mediaKeyOf as pageKeyOf, mediaSignature as pageSignature } from '../../src/renderer/src/lib/media-signature.js';
import { FIXTURE_MODELS, REPO_ROOT, useModelDirs } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { waitFor } from '../helpers/wait.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request: no URL normalisation, so `..` reaches the server as typed. */
function send(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ agent: false, host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

const trace = async <T>(what: string, p: Promise<T>): Promise<T> => {
  try {
    return await p;
  } catch (e) {
    throw new Error(`${what}: ${String(e)}`);
  }
};
const json = (r: Reply) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

describe('trove serve: security and malformed requests', () => {
  let service: LibraryService;
  let server: RunningServer;
  let photos: string[];
  let auth: Record<string, string>;
  const scratch = suiteTempDir();
  const outside = join(scratch.path, 'outside', 'secret.jpg');

  const api = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    trace(
      method,
      send(server.port, `/api/${method}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );

  beforeAll(async () => {
    useModelDirs(FIXTURE_MODELS);
    const folder = join(scratch.path, 'photos');
    photos = await writeSyntheticPhotos(folder, 4);
    mkdirSync(dirname(outside));
    writeFileSync(outside, readFileSync(photos[0]!));
    service = new LibraryService({
      libraryDir: join(scratch.path, 'library'),
      modelCacheDir: join(scratch.path, 'models'),
      offline: true,
      version: 'test',
    });
    service.engine.folders.add(folder);
    const renderer = join(REPO_ROOT, 'out', 'renderer');
    server = await startServer({ service, rendererDir: existsSync(renderer) ? renderer : folder });
    auth = { Authorization: `Bearer ${server.token}`, Host: `127.0.0.1:${server.port}` };
    service.start();
    await waitFor(
      () => service.status().totals.ready === 4 && service.status().indexing.phase === 'watching',
      'the library to be indexed',
      60_000,
    );
  });

  afterAll(async () => {
    await server?.close();
    await service?.close();
    scratch.remove();
  });

  it('listens on the loopback address only, with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses a missing or wrong token, and a foreign Host header', async () => {
    const host = { Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json' };
    const none = await send(server.port, '/api/status', { method: 'POST', headers: host, body: '{}' });
    expect(none.status).toBe(401);
    expect(json(none).error).toMatch(/token/);
    const wrong = await send(server.port, '/api/status', {
      method: 'POST',
      headers: { ...host, Authorization: 'Bearer nope' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    const cookieOnly = await send(server.port, `/media/thumb/1`, {
      headers: { ...host, Cookie: `trove_${server.port}=${server.token}` },
    });
    expect(cookieOnly.status).toBe(401);
    const inQuery = await send(server.port, `/api/status?token=${server.token}`, { method: 'POST', headers: host, body: '{}' });
    expect(inQuery.status).toBe(401);
    // The page itself holds no secret: it loads, then asks for the token from the address's fragment.
    const page = await send(server.port, '/', { headers: { Host: `127.0.0.1:${server.port}`, Accept: 'text/html' } });
    expect(page.body.toString()).not.toContain(server.token);
    expect(String(page.headers['set-cookie'] ?? '')).toBe('');
    const rebinding = await send(server.port, '/api/status', {
      method: 'POST',
      headers: { ...auth, Host: 'evil.example:80', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(rebinding.status).toBe(421);
    expect((await api('status', {})).status).toBe(200);
  });

  it('sets no cookie, accepts media only with its own per-item signature, and sends the CSP on every response', async () => {
    const host = { Host: `127.0.0.1:${server.port}` };
    const hits = json(await api('browse', {})).hits as { fileId: number }[];
    const [a, b] = [hits[0]!.fileId, hits[1]!.fileId];
    const key = mediaKeyOf(server.token);
    const signed = await send(server.port, `/media/thumb/${a}?k=${mediaSignature(key, 'thumb', a)}`, { headers: host });
    expect(signed.status).toBe(200);
    expect(signed.headers['set-cookie']).toBeUndefined();
    // A signature opens only its own item and variant.
    expect((await send(server.port, `/media/thumb/${b}?k=${mediaSignature(key, 'thumb', a)}`, { headers: host })).status).toBe(401);
    expect((await send(server.port, `/media/original/${a}?k=${mediaSignature(key, 'thumb', a)}`, { headers: host })).status).toBe(401);
    // The page computes the same signatures as the server.
    expect(pageSignature(pageKeyOf(server.token), 'original', b)).toBe(mediaSignature(key, 'original', b));
    for (const path of ['/', '/index.html', '/no-such-page', '/media/thumb/1']) {
      const reply = await send(server.port, path, { headers: { ...host, Accept: 'text/html' } });
      expect(reply.headers['content-security-policy'], path).toMatch(/default-src 'self'/);
    }
  });

  it('never redirects off-site', async () => {
    for (const path of ['/.//evil.example/x', '//evil.example/x', '/.%2F%2Fevil.example', '/assets/..//evil.example']) {
      const reply = await send(server.port, path, { headers: { Host: `127.0.0.1:${server.port}` } });
      expect(reply.status, path).not.toBe(301);
      expect(reply.status, path).not.toBe(302);
      expect(reply.status, path).not.toBe(303);
      expect(reply.headers.location, path).toBeUndefined();
    }
  });

  it('serves library media by id, and nothing else', async () => {
    const hits = json(await api('browse', {})).hits as { fileId: number; path: string }[];
    expect(hits).toHaveLength(4);
    const first = hits[0]!;
    const original = await send(server.port, `/media/original/${first.fileId}`, { headers: auth });
    expect(original.status).toBe(200);
    expect(original.body.equals(readFileSync(first.path))).toBe(true);
    const thumb = await send(server.port, `/media/thumb/${first.fileId}`, { headers: auth });
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const ranged = await send(server.port, `/media/original/${first.fileId}`, { headers: { ...auth, Range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect(ranged.body).toHaveLength(10);

    for (const path of [
      '/media/original/999999',
      '/media/original/0',
      '/media/original/01',
      '/media/original/1abc',
      '/media/original/../../../../etc/passwd',
      '/media/original/..%2f..%2f..%2fetc%2fpasswd',
      `/media/original/${encodeURIComponent(first.path)}`,
      '/media/original/%2fetc%2fpasswd',
      '/media/other/1',
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const reply = await send(server.port, path, { headers: auth });
      expect(reply.status, path).toBe(404);
      expect(reply.body.toString()).not.toMatch(/root:/);
    }
  });

  it('does not follow a library file that became a link pointing out of the library', async () => {
    const hits = json(await api('browse', {})).hits as { fileId: number; path: string }[];
    const victim = hits[hits.length - 1]!;
    rmSync(victim.path);
    symlinkSync(outside, victim.path);
    const reply = await send(server.port, `/media/original/${victim.fileId}`, { headers: auth });
    expect(reply.status).toBe(404);
    const similar = await api('similarTo', { fileId: victim.fileId });
    expect(similar.status).toBe(404);
  });

  it('answers malformed requests with a 4xx and a sentence, and keeps serving', async () => {
    const cases: [string, Reply, number, RegExp][] = [
      ['not JSON', await api('status', '{"oops'), 400, /not valid JSON/],
      ['wrong content type', await api('status', '{}', { 'Content-Type': 'text/plain' }), 415, /application\/json/],
      ['unknown method', await api('dropTables', {}), 404, /unknown request/],
      ['wrong HTTP method', await send(server.port, '/api/status', { headers: auth }), 405, /POST/],
      ['bad limit', await api('searchText', { text: 'x', limit: -1 }), 400, /limit/],
      ['unknown field', await api('status', { sneaky: 1 }), 400, /invalid request for status/],
      ['empty text', await api('searchText', { text: '   ' }), 400, /type something/],
      ['bad file id', await api('fileDetails', { fileId: 'x' }), 400, /fileId/],
      ['unknown file id', await api('fileDetails', { fileId: 424242 }), 404, /no file with id/],
      ['bad filter', await api('browse', { filters: { kinds: ['pdf'] } }), 400, /kinds/],
      ['missing folder', await api('addFolder', { path: '/no/such/folder/anywhere' }), 422, /no such folder/],
      ['relative folder', await api('addFolder', { path: '../../etc' }), 400, /a full path is needed/],
      ['relative removal', await api('removeFolder', { path: 'photos' }), 400, /a full path is needed/],
      [
        'not an image',
        await api('searchImage', { imageBase64: Buffer.from('hello, not a picture').toString('base64') }),
        422,
        /cannot search by/,
      ],
      ['reveal in a browser', await api('revealFile', { fileId: 1 }), 409, /desktop app/],
      ['array body', await api('status', '[1,2]'), 400, /invalid request/],
    ];
    for (const [what, reply, status, message] of cases) {
      expect(reply.status, what).toBe(status);
      expect(String(json(reply).error), what).toMatch(message);
    }
    const huge = await send(server.port, '/api/searchImage', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(60 * 1024 * 1024) },
      body: '{',
    }).catch(() => ({ status: 413, headers: {}, body: Buffer.from('{"error":"the request is too large"}') }));
    expect(huge.status).toBe(413);
    const still = await api('status', {});
    expect(still.status).toBe(200);
    expect((json(still).totals as { ready: number }).ready).toBeGreaterThanOrEqual(3);
  });
});
