/// <reference lib="dom" />
/**
 * The first run as a person lives it, offline, with the default model (CLIP) missing but MobileNetV2
 * on the machine: the first run offers the installed model right there; Settings offers only models
 * that can be had; after a folder is added and indexing stops for want of a model, the main area says
 * why nothing is indexed, with the one action that fixes it — and taking it indexes the photos. An
 * image dropped on any page searches by it; buttons stay readable in the dark theme.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, SHARED_PHOTOS, SHARED_SKIP_REASON } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { browserSkipReason, dropImage, openOfflineSession, type AppSession } from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

describe.skipIf(Boolean(skipReason))('the first hour, offline (Chromium)', () => {
  const scratch = suiteTempDir();
  const photos = join(scratch.path, 'photos');
  let session: AppSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(photos, { recursive: true });
    for (const dir of ['flamingo', 'pizza', 'llama']) {
      for (const file of readdirSync(join(SHARED_PHOTOS, dir)).slice(0, 2))
        copyFileSync(join(SHARED_PHOTOS, dir, file), join(photos, `${dir}-${file}`));
    }
    session = await openOfflineSession(scratch.path);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  it('offers the installed model on the first run, and only models that can be had in Settings', async () => {
    await page.goto(session.server.url);
    const offer = page.getByTestId('first-run').getByTestId('installed-models');
    await expect.poll(() => offer.innerText()).toMatch(/Use mobilenet-v2-int8/);

    await page.getByRole('button', { name: 'Settings' }).click();
    // The lists fill in once Settings has asked the engine for its models: waited for, not read at once.
    const images = page.getByLabel('Image model').locator('option');
    // Offline: the installed model, and the current one (said to be missing); nothing to download.
    await expect
      .poll(() => images.allInnerTexts())
      .toEqual(expect.arrayContaining(['mobilenet-v2-int8', 'clip-vit-base-patch32 (not installed)']));
    expect((await images.allInnerTexts()).join(' ')).not.toMatch(/downloads first/);
    const sounds = page.getByLabel('Audio model').locator('option');
    await expect.poll(() => sounds.allInnerTexts()).toEqual(expect.arrayContaining(['efficientat-mn04-as']));
  });

  it('says why nothing is indexed after a folder is added, and the one action that fixes it', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByLabel('Folder to add').fill(photos);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await page.getByRole('button', { name: 'Search' }).click();
    const why = page.getByTestId('why-empty');
    await expect.poll(() => why.count(), { timeout: 30_000 }).toBe(1);
    expect(await why.innerText()).toMatch(/indexing has stopped: it needs a model/);
    await why.getByRole('button', { name: 'Use mobilenet-v2-int8' }).click();
    await expect.poll(() => page.getByTestId('status-label').innerText(), { timeout: 60_000 }).toMatch(/Up to date/);
    await expect.poll(() => page.getByTestId('result').count(), { timeout: 20_000 }).toBe(6);
    expect(session.server.log.text).not.toMatch(/\[page error\]/);
  });

  it('searches by an image dropped on any page, keeps the hidden file input out of the tab order', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    const bytes = readFileSync(
      join(
        photos,
        readdirSync(photos).find((f) => f.startsWith('llama'))!,
      ),
    );
    await dropImage(page, 'section.library', bytes, 'dropped-llama.jpg');
    await expect.poll(() => page.getByTestId('results-heading').innerText(), { timeout: 20_000 }).toBe('Similar to dropped-llama.jpg');
    expect(new URL(page.url()).pathname).toBe('/'); // still the app, not the image opened in its place
    expect(await page.getByTestId('image-input').getAttribute('tabindex')).toBe('-1');
  });

  it('gives buttons at least 4.5:1 contrast in the dark theme', async () => {
    const context = await session.browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
    const dark = await context.newPage();
    await dark.goto(session.server.url);
    await dark.getByRole('button', { name: 'Library' }).click();
    const ratio = await dark
      .locator('button.primary')
      .first()
      .evaluate((button) => {
        const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
        const luminance = (c: number[]) => {
          const [r, g, b] = c.map((v) => {
            const s = v / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          }) as [number, number, number];
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const style = getComputedStyle(button);
        const [a, b] = [luminance(rgb(style.color)), luminance(rgb(style.backgroundColor))];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      });
    await context.close();
    expect(ratio).toBeGreaterThanOrEqual(4.5);
  });
});
