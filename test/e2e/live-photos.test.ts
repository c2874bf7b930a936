/// <reference lib="dom" />
/**
 * A Live Photo in the browser: the still and its motion are one tile; the viewer's Live button (or
 * L) plays the motion over the still, and the still is back when it ends.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, REPO_ROOT, SHARED_SKIP_REASON } from '../helpers/env.js';
import { ffmpegOrThrow } from '../helpers/audio-variants.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { suiteTempDir } from '../helpers/temp.js';
import {
  browserSkipReason,
  indexFolderWithMobileNet,
  resultNames,
  openOfflineSession,
  settledScreenshot,
  waitForAnswer,
  type AppSession,
} from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

describe.skipIf(Boolean(skipReason))('a Live Photo in a browser', () => {
  const scratch = suiteTempDir();
  const media = join(scratch.path, 'media');
  let session: AppSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await writeSyntheticPhoto(join(media, 'IMG_0100.JPG'), 31, 960, 720, 'jpeg', 4);
    ffmpegOrThrow([
      ...['-loop', '1', '-t', '2', '-i', join(media, 'IMG_0100.JPG'), '-vf', 'zoompan=z=1.0+0.004*on:d=1:s=480x360,format=yuv420p'],
      ...['-r', '15', '-c:v', 'libx264', join(media, 'IMG_0100.MOV')],
    ]);
    await writeSyntheticPhoto(join(media, 'other.jpg'), 32, 960, 720, 'jpeg', 4);
    session = await openOfflineSession(scratch.path);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  it('is one tile, and plays its motion over the still in the viewer', async () => {
    await indexFolderWithMobileNet(page, session.server.url, media);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Search', exact: true }).click();
    await waitForAnswer(page, 'Your library, newest first');
    const tiles = await resultNames(page);
    expect(tiles.sort()).toEqual(['IMG_0100.JPG', 'other.jpg']);

    const still = page.locator(`[data-testid="result"][data-path="${join(media, 'IMG_0100.JPG')}"]`);
    await still.click();
    await expect.poll(() => page.getByTestId('preview-live').count()).toBe(1);
    await still.focus();
    await page.keyboard.press('Enter');
    const live = page.getByRole('button', { name: 'Live' });
    await live.click();
    const motion = page.getByTestId('viewer-motion');
    // Playing: frames decoded and time moving.
    await expect
      .poll(() => motion.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.currentTime > 0), { timeout: 15_000 })
      .toBe(true);
    expect(await live.getAttribute('aria-pressed')).toBe('true');
    await settledScreenshot(page, join(REPO_ROOT, 'docs', 'screenshots', 'live-photo.png')).catch(() => undefined);
    // When it ends, the still is back.
    await expect.poll(() => motion.count(), { timeout: 15_000 }).toBe(0);
    expect(await live.getAttribute('aria-pressed')).toBe('false');
  });
});
