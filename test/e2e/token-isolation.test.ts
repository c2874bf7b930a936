/// <reference lib="dom" />
/**
 * The access token must not leak to other programs on 127.0.0.1. Cookies are not scoped by port, so a
 * credential in a cookie would reach every other local server the browser visits. Here the same
 * Chromium opens Trove's printed address, uses the app (its API, its event stream, its thumbnails),
 * then visits a second loopback server on another port that records every request it receives; none
 * of what that server was sent is accepted by Trove's API or media routes.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { browserSkipReason, openAppSession, type AppSession } from '../helpers/serve.js';
import { runCli } from '../helpers/cli.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(skipReason);

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

function status(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe.skipIf(Boolean(skipReason))('the access token stays with Trove (Chromium)', () => {
  const scratch = suiteTempDir();
  let session: AppSession;
  let other: Server;
  let otherPort = 0;
  const seen: Seen[] = [];

  beforeAll(async () => {
    const photos = join(scratch.path, 'photos');
    await writeSyntheticPhotos(photos, 3);
    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: join(scratch.path, 'models'), TROVE_OFFLINE: '1' };
    const library = join(scratch.path, 'library');
    expect((await runCli(['--library', library, 'add', photos], { env })).code).toBe(0);
    expect((await runCli(['--library', library, 'index'], { env })).code).toBe(0);
    session = await openAppSession(library, env);
    other = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'text/html' });
      // A page that also makes the browser send whatever it would send to a sub-resource.
      res.end('<!doctype html><title>other</title><img src="/pixel.png"><script src="/script.js"></script>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherPort = (other.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await session?.close();
    await new Promise((resolve) => other?.close(resolve));
    scratch.remove();
  });

  it('a second local server visited after Trove was used receives nothing Trove accepts', async () => {
    const { page, server } = session;
    await page.goto(server.url);
    // The token is taken out of the address bar, and the app works with it: the library shows.
    await expect.poll(() => page.url()).not.toContain('token');
    await expect.poll(() => page.getByTestId('result').count(), { timeout: 30_000 }).toBe(3);
    await page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete && img.naturalWidth > 0));
    const thumb = await page.getByTestId('result').first().locator('img').getAttribute('src');
    expect(thumb).toMatch(/^\/media\/thumb\/\d+\?k=[A-Za-z0-9_-]{22}$/);
    // Reloading keeps the session (the token lives in this tab's sessionStorage).
    await page.reload();
    await expect.poll(() => page.getByTestId('result').count(), { timeout: 30_000 }).toBe(3);

    const cookies = await page.context().cookies();
    expect(cookies).toEqual([]);

    // The address without its token (an old bookmark) says what to do, in a page, not an error.
    const bare = await page.context().browser()!.newPage();
    await bare.goto(server.url.replace(/#.*$/, ''));
    await expect.poll(() => bare.getByTestId('needs-token').innerText()).toMatch(/address that trove serve printed/);
    await bare.close();

    const otherPage = await page.context().newPage();
    await otherPage.goto(`http://127.0.0.1:${otherPort}/`);
    await page.goto(`http://127.0.0.1:${otherPort}/again`);
    await expect.poll(() => seen.length).toBeGreaterThanOrEqual(4);

    const port = Number(new URL(server.url).port);
    const host = `127.0.0.1:${port}`;
    const token = new URL(server.url).hash.replace('#token=', '');
    for (const request of seen) {
      const everything = `${request.url} ${JSON.stringify(request.headers)}`;
      expect(everything).not.toContain(token);
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
      // Replayed against Trove with Trove's own Host, nothing the other server received opens anything.
      const replay = { ...(request.headers as Record<string, string>), host };
      expect(await status(port, '/api/status', { ...replay, 'content-type': 'application/json' }, 'POST')).toBe(401);
      expect(await status(port, '/media/original/1', replay)).toBe(401);
    }
  });
});
