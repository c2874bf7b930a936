/// <reference lib="dom" />
/**
 * Words in pictures, as a person meets them in Chromium against `trove serve`: the status says when
 * the words are being read, a search for a word shows the picture that shows it first, the viewer
 * lays the words read over the picture where they are (highlighted, and selectable: a triple click
 * copies a line), and a video found by a word opens at the moment it shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, REPO_ROOT, SHARED_SKIP_REASON } from '../helpers/env.js';
import { runFfmpeg } from '../helpers/ffmpeg.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { suiteTempDir } from '../helpers/temp.js';
import {
  browserSkipReason,
  indexFolderWithMobileNet,
  resultNames,
  dismissNotices,
  openOfflineSession,
  settledScreenshot,
  waitForAnswer,
  type AppSession,
} from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');

/** A shop front: a dark sign with two lines of white letters on a brick-coloured wall. */
function signSvg(width: number, height: number, lines: string[]): string {
  const text = lines
    .map(
      (line, i) =>
        `<text x="${width / 2}" y="${300 + i * 130}" text-anchor="middle" font-size="96" font-family="sans-serif" fill="#fdfdfd">${line}</text>`,
    )
    .join('');
  return `<svg width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#8c4a3a"/><rect x="150" y="170" width="${width - 300}" height="330" rx="18" fill="#1f2b36"/>${text}</svg>`;
}

describe.skipIf(Boolean(skipReason))('words in pictures in a browser', () => {
  const scratch = suiteTempDir();
  const media = join(scratch.path, 'media');
  let session: AppSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await sharp(Buffer.from(signSvg(1400, 900, ['HARBOUR CAFE', 'OPEN DAILY'])))
      .jpeg({ quality: 90 })
      .toFile(join(media, 'shop.jpg'));
    for (let i = 0; i < 3; i += 1) await writeSyntheticPhoto(join(media, `plain-${i}.jpg`), 40 + i, 900, 600, 'jpeg', 4);
    // A video: four seconds of a wall, then four of a sign.
    const frames = join(scratch.path, 'frames');
    mkdirSync(frames);
    await sharp({ create: { width: 640, height: 360, channels: 3, background: '#5b6b7a' } })
      .png()
      .toFile(join(frames, 'wall.png'));
    writeFileSync(
      join(frames, 'sign.svg'),
      `<svg width="640" height="360"><rect width="640" height="360" fill="#1d3b57"/><text x="320" y="210" text-anchor="middle" font-size="84" font-family="sans-serif" fill="#fff">FERRY</text></svg>`,
    );
    await sharp(join(frames, 'sign.svg')).png().toFile(join(frames, 'sign.png'));
    const { code, stderr } = runFfmpeg([
      ...['-loop', '1', '-t', '4', '-i', join(frames, 'wall.png'), '-loop', '1', '-t', '4', '-i', join(frames, 'sign.png')],
      ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]', '-map', '[v]', '-r', '10', '-c:v', 'libx264'],
      join(media, 'crossing.mp4'),
    ]);
    if (code !== 0) throw new Error(stderr);
    session = await openOfflineSession(scratch.path);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  const search = async (query: string) => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByLabel('Search your library').fill(query);
    await page.keyboard.press('Enter');
    await waitForAnswer(page, `Results for “${query}”`);
  };

  it('reads the words once the files are indexed, saying so, and then is up to date', async () => {
    await page.goto(session.server.url);
    await page.getByTestId('first-run').waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Image model').selectOption('mobilenet-v2-int8');
    await expect.poll(() => page.getByLabel(/Read the words in pictures/).isChecked()).toBe(true);
    const labels = new Set<string>();
    const watch = setInterval(() => {
      void page
        .getByTestId('status-label')
        .innerText()
        .then((t) => labels.add(t))
        .catch(() => undefined);
    }, 50);
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByLabel('Folder to add').fill(media);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByTestId('status-label').innerText(), { timeout: 120_000 }).toMatch(/Up to date/);
    clearInterval(watch);
    // The step is announced while it runs (it is short here: seen at least once, or the run was quicker than a look).
    expect([...labels].some((l) => /Reading the words in pictures|Indexing/.test(l))).toBe(true);
  });

  it('finds the shop by a word on its sign and lays the words over the picture in the viewer, selectable', async () => {
    await search('harbour');
    const first = page.locator('[data-testid="result"][data-index="0"]');
    expect(await first.getAttribute('data-path')).toBe(join(media, 'shop.jpg'));
    await first.click();
    await expect.poll(() => page.getByTestId('preview-text').innerText()).toMatch(/HARBOUR CAFE/);
    await first.focus();
    await page.keyboard.press('Enter');
    const words = page.getByTestId('viewer-words');
    await words.waitFor();
    const lines = words.locator('text');
    // The words of a line are one line, in reading order (the recogniser may drop a space: "OPENDAILY").
    await expect.poll(() => lines.allTextContents()).toHaveLength(2);
    const [top, bottom] = await lines.allTextContents();
    expect(top).toBe('HARBOUR CAFE');
    expect(bottom).toMatch(/^OPEN ?DAILY$/);
    // Each line's box lies on the sign, where the words are drawn (the sign spans 150..1250 x 170..500 of 1400 x 900).
    const image = (await page.getByTestId('viewer-image').boundingBox())!;
    const box = (await words.locator('rect').first().boundingBox())!;
    const fx = (box.x - image.x) / image.width;
    const fy = (box.y - image.y) / image.height;
    expect(fx).toBeGreaterThan(150 / 1400);
    expect(fx + box.width / image.width).toBeLessThan(1250 / 1400);
    expect(fy).toBeGreaterThan(170 / 900);
    expect(fy + box.height / image.height).toBeLessThan(500 / 900);
    await dismissNotices(page);
    await settledScreenshot(page, join(SCREENSHOTS, 'viewer-words.png'));
    // A triple click on a line selects it, like any text.
    await lines.first().click({ clickCount: 3 });
    expect((await page.evaluate(() => window.getSelection()?.toString() ?? '')).trim()).toBe('HARBOUR CAFE');
    // "Words" (or T) hides the highlights; the text stays selectable.
    const toggle = page.getByRole('button', { name: 'Words' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await words.getAttribute('class')).not.toMatch(/shown/);
    await page.keyboard.press('Escape');
  });

  it('finds the video by the word it shows, at that moment', async () => {
    await search('ferry');
    const first = page.locator('[data-testid="result"][data-index="0"]');
    expect(await first.getAttribute('data-path')).toBe(join(media, 'crossing.mp4'));
    await first.click();
    await expect.poll(() => page.getByTestId('preview-text').innerText()).toMatch(/0:0[4-7]\s+FERRY/);
    await first.focus();
    await page.keyboard.press('Enter');
    const video = page.getByTestId('viewer').locator('video');
    await video.waitFor();
    const at = Number(new URL((await video.getAttribute('src'))!, page.url()).hash.replace('#t=', ''));
    expect(at).toBeGreaterThanOrEqual(4);
    expect(at).toBeLessThan(8);
    await page.keyboard.press('Escape');
  });
});

describe.skipIf(Boolean(skipReason))('filters and exclusions typed in the search box', () => {
  const scratch = suiteTempDir();
  const media = join(scratch.path, 'media');
  let session: AppSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    await sharp(Buffer.from(signSvg(1400, 900, ['HARBOUR CAFE', 'OPEN DAILY'])))
      .jpeg({ quality: 90 })
      .toFile(join(media, 'open.jpg'));
    await sharp(Buffer.from(signSvg(1400, 900, ['HARBOUR VIEW', 'ROOMS'])))
      .jpeg({ quality: 90 })
      .toFile(join(media, 'rooms.jpg'));
    session = await openOfflineSession(scratch.path);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  it('indexes two signs', async () => {
    await indexFolderWithMobileNet(page, session.server.url, media);
  });

  it('shows what the query filters and leaves out as chips, whose × takes them out again', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Search', exact: true }).click();
    const box = page.getByLabel('Search your library');
    const paths = () => resultNames(page);
    await box.fill('harbour type:photo -open year:20x');
    await page.keyboard.press('Enter');
    await waitForAnswer(page, 'Results for “harbour type:photo -open year:20x”');
    expect(await paths()).toEqual(['rooms.jpg']);
    const chips = page.getByTestId('query-chips');
    expect(await chips.locator('li > span').allInnerTexts()).toEqual(['type photo', 'without open']);
    await expect.poll(() => page.getByTestId('query-hints').innerText()).toMatch(/year: takes a year/);
    await dismissNotices(page);
    await settledScreenshot(page, join(SCREENSHOTS, 'query-chips.png'));
    // The exclusion's × takes "-open" out of the box, and the sign that shows "open" is back.
    await page.getByRole('button', { name: 'Stop leaving out open' }).click();
    await expect.poll(() => box.inputValue()).toBe('harbour type:photo year:20x');
    await expect.poll(async () => (await paths()).sort()).toEqual(['open.jpg', 'rooms.jpg']);
  });

  it('pins a search in the sidebar, keeps it across a reload, runs it again from there, and unpins it', async () => {
    const box = page.getByLabel('Search your library');
    await box.fill('harbour -open');
    await page.keyboard.press('Enter');
    await waitForAnswer(page, 'Results for “harbour -open”');
    await page.getByTestId('pin-search').click();
    const pinned = page.getByTestId('pinned-searches');
    await expect.poll(() => pinned.getByRole('button', { name: 'Search again: harbour -open' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('pin-search').innerText()).toBe('Pinned');
    await page.reload();
    await page.getByRole('button', { name: 'Library' }).click();
    await pinned.getByRole('button', { name: 'Search again: harbour -open' }).click();
    await waitForAnswer(page, 'Results for “harbour -open”');
    expect(await box.inputValue()).toBe('harbour -open');
    expect(await resultNames(page)).toEqual(['rooms.jpg']);
    await settledScreenshot(page, join(SCREENSHOTS, 'pinned-search.png'));
    await pinned.getByRole('button', { name: 'Unpin harbour -open' }).click();
    await expect.poll(() => pinned.count()).toBe(0);
  });
});
