/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Videos in a real browser against `trove serve`: three labelled clips (two encodings of one), real
 * MobileNet. The grid shows video tiles with their frame and a play badge; the preview plays the
 * video from the matching moment; "find similar to this moment" puts the other encoding first; the
 * duplicates review groups the two encodings.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED, SHARED_MODELS } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { browserSkipReason, dismissNotices, openOfflineSession, settledScreenshot, type AppSession, type ServeProcess } from '../helpers/serve.js';

const VIDEO = join(SHARED, 'media', 'video');
const hasVideo = existsSync(join(VIDEO, 'videos.csv')) && existsSync(join(SHARED_MODELS, 'mobilenet-v2-int8'));
const skipReason = browserSkipReason() || (hasVideo ? '' : `../shared (videos and models) not found at ${SHARED}: video UI test skipped`);
if (skipReason) console.warn(skipReason);

describe.skipIf(Boolean(skipReason))('videos in a browser', () => {
  const scratch = suiteTempDir();
  const videos = join(scratch.path, 'videos');
  let session: AppSession;
  let server: ServeProcess;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(videos, { recursive: true });
    for (const name of ['rabbit.mp4', 'rabbit320.mp4', 'crystal.mp4']) copyFileSync(join(VIDEO, name), join(videos, name));
    session = await openOfflineSession(scratch.path);
    ({ server, page } = session);
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  it('indexes the videos and shows them as video tiles with a frame', async () => {
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Image model').selectOption('mobilenet-v2-int8');
    await page.getByLabel('Audio model').selectOption('');
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByLabel('Folder to add').fill(videos);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByTestId('folder-ready').innerText(), { timeout: 90_000 }).toBe('3');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Videos' }).click();
    await expect.poll(() => page.getByTestId('result').count(), { timeout: 20_000 }).toBe(3);
    // Each tile shows a frame of its video (a decoded picture, not a broken image) and a play badge.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="result"] img')].every((img) => (img as HTMLImageElement).naturalWidth > 0),
    );
    expect(await page.getByTestId('result').first().innerText()).toMatch(/▶/);
  });

  it('plays a video from its moment and finds the other encoding from that moment', async () => {
    await page.locator('[data-testid="result"][data-path$="/rabbit.mp4"]').click();
    const player = page.getByTestId('preview-video');
    await expect.poll(() => player.count()).toBe(1);
    expect(await player.getAttribute('src')).toMatch(/#t=\d/);
    // The browser can read the file (served with Range support) and seek into it.
    await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await player.evaluate((v: HTMLVideoElement) => (v.currentTime = 4));
    await expect.poll(() => page.getByTestId('status-label').innerText(), { timeout: 60_000 }).toMatch(/Up to date/);
    // The seeked frame is decoded (the browser can play the file, not only read its header).
    await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await dismissNotices(page);
    await settledScreenshot(page, join(REPO_ROOT, 'docs', 'screenshots', 'video-preview.png'));
    await page.getByRole('button', { name: 'Find similar to this moment' }).click();
    const tiles = () => page.getByTestId('result').evaluateAll((all) => all.map((t) => t.getAttribute('data-path') ?? ''));
    // The answer, not the library shown before it: the first tile is the other encoding, at its moment.
    const first = page.getByTestId('result').first();
    await expect
      .poll(async () => `${await first.getAttribute('data-path')} ${await first.innerText()}`, { timeout: 20_000 })
      .toMatch(/rabbit320\.mp4 [\s\S]*▶ 0:0[2-6]/);
    // The unrelated clip is no close match: it waits behind "Show weaker matches", if at all shown.
    if (await page.getByTestId('show-weaker').count()) await page.getByTestId('show-weaker').click();
    await expect
      .poll(tiles, { timeout: 20_000 })
      .toEqual([expect.stringMatching(/rabbit320\.mp4$/), expect.stringMatching(/crystal\.mp4$/)]);
  });

  it('groups the two encodings in the duplicates review', async () => {
    await page.getByRole('button', { name: 'Duplicates' }).click();
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await expect.poll(() => page.getByTestId('duplicate-group').count()).toBe(1);
    const group = page.getByTestId('duplicate-group');
    expect(await group.innerText()).toMatch(/2 videos/);
    expect(await group.innerText()).toMatch(/rabbit\.mp4[\s\S]*Suggested keeper|Suggested keeper[\s\S]*rabbit\.mp4/);
  });
});
