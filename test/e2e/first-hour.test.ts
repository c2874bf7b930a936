/// <reference lib="dom" />
/**
 * The first run as a person lives it, offline, with the default model (CLIP) missing but MobileNetV2
 * on the machine: the first run offers the installed model right there; Settings offers only models
 * that can be had; after a folder is added and indexing stops for want of a model, the main area says
 * why nothing is indexed, with the one action that fixes it — and taking it indexes the photos.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, SHARED_PHOTOS, SHARED_SKIP_REASON } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { browserSkipReason, openOfflineSession, type AppSession } from '../helpers/serve.js';

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
    const images = await page.getByLabel('Image model').locator('option').allInnerTexts();
    // Offline: the installed model, and the current one (said to be missing); nothing to download.
    expect(images).toEqual(expect.arrayContaining(['mobilenet-v2-int8', 'clip-vit-base-patch32 (not installed)']));
    expect(images.join(' ')).not.toMatch(/downloads first/);
    const sounds = await page.getByLabel('Audio model').locator('option').allInnerTexts();
    expect(sounds).toEqual(expect.arrayContaining(['efficientat-mn04-as']));
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
});
