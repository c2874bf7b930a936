/// <reference lib="dom" />
/**
 * The page says the truth when Trove stops: it no longer claims "Up to date" nor "every file was
 * read"; it shows that Trove does not answer, and when Trove runs again (a new run has a new token)
 * it says to open the new address. Real server, real Chromium.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { browserSkipReason, launchChromium, startServe, type ServeProcess } from '../helpers/serve.js';
import { runCli } from '../helpers/cli.js';
import type { Browser, Page } from 'playwright-core';

const skipReason = browserSkipReason();
if (skipReason) console.warn(skipReason);

describe.skipIf(Boolean(skipReason))('connection to Trove (Chromium)', () => {
  const scratch = suiteTempDir();
  const library = join(scratch.path, 'library');
  const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: join(scratch.path, 'models'), TROVE_OFFLINE: '1' };
  let server: ServeProcess | undefined;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const photos = join(scratch.path, 'photos');
    await writeSyntheticPhotos(photos, 2);
    expect((await runCli(['--library', library, 'add', photos], { env })).code).toBe(0);
    server = await startServe(library, env);
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    scratch.remove();
  });

  it('shows that Trove stopped, and what to do when it runs again', async () => {
    await page.goto(server!.url);
    const label = page.getByTestId('status-label');
    await expect.poll(() => label.innerText(), { timeout: 60_000 }).toMatch(/Up to date/);
    const port = Number(new URL(server!.url).port);

    await server!.stop();
    await expect.poll(() => label.innerText(), { timeout: 20_000 }).toMatch(/Trove is not running/);
    await page.getByRole('button', { name: 'Library' }).click();
    await expect.poll(() => page.getByText(/Trove does not answer/).count()).toBe(1);
    expect(await page.getByText(/every file was read/).count()).toBe(0);

    // Started again on the same address: a new run, a new token.
    server = await startServe(library, env, port);
    await expect.poll(() => label.innerText(), { timeout: 20_000 }).toMatch(/Trove was restarted — open the new address/);
  });
});
