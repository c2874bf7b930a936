/// <reference lib="dom" />
/**
 * Issue 12, the map: drawn offline (countries from an npm package, no tile server), photos gathered
 * where they were taken, a cluster opening its photos as a result grid; and a search by place.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, REPO_ROOT, SHARED_SKIP_REASON } from '../helpers/env.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { suiteTempDir } from '../helpers/temp.js';
import {
  browserSkipReason,
  indexFolderWithMobileNet,
  resultNames,
  dismissNotices,
  openOfflineSession,
  seriousViolations,
  settledScreenshot,
  waitForAnswer,
  type AppSession,
} from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

const dms = (v: number) => {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  return `${d}/1 ${m}/1 ${Math.round(((a - d) * 60 - m) * 6000)}/100`;
};

describe.skipIf(Boolean(skipReason))('the map in a browser', () => {
  const scratch = suiteTempDir();
  const media = join(scratch.path, 'media');
  let session: AppSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    const places: [string, number, number][] = [
      ['paris-1', 48.8584, 2.2945],
      ['paris-2', 48.8606, 2.3376],
      ['tokyo', 35.6586, 139.7454],
      ['newyork', 40.7484, -73.9857],
    ];
    for (const [i, [name, lat, lon]] of places.entries()) {
      const plain = join(scratch.path, `${name}-plain.jpg`);
      await writeSyntheticPhoto(plain, 60 + i, 640, 480, 'jpeg', 4);
      const exif = {
        GPSLatitudeRef: lat >= 0 ? 'N' : 'S',
        GPSLatitude: dms(lat),
        GPSLongitudeRef: lon >= 0 ? 'E' : 'W',
        GPSLongitude: dms(lon),
      };
      await sharp(plain)
        .withExif({ IFD3: exif })
        .toFile(join(media, `${name}.jpg`));
    }
    await writeSyntheticPhoto(join(media, 'nowhere.jpg'), 70, 640, 480, 'jpeg', 4);
    session = await openOfflineSession(scratch.path);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  it('indexes the photos', async () => {
    await indexFolderWithMobileNet(page, session.server.url, media);
  });

  it('draws the world offline with the photos gathered where they were taken, and opens a cluster as a grid', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Map', exact: true }).click();
    await expect.poll(() => page.getByTestId('map-count').innerText()).toBe('4 photos with a position, in 3 places');
    // Every country drawn from the bundled shapes (no request leaves the machine: the session is offline).
    expect(await page.getByTestId('map').locator('path.country').count()).toBeGreaterThan(150);
    const clusters = page.getByTestId('map-cluster');
    expect((await clusters.evaluateAll((c) => c.map((x) => x.getAttribute('aria-label')))).sort()).toEqual([
      'New York City, United States of America: 1 photo',
      'Paris, France: 2 photos',
      'Tokyo, Japan: 1 photo',
    ]);
    expect(await seriousViolations(page, 'map')).toEqual([]);
    await dismissNotices(page);
    await settledScreenshot(page, join(REPO_ROOT, 'docs', 'screenshots', 'map.png'));
    await page.getByRole('button', { name: 'Paris, France: 2 photos' }).click();
    await waitForAnswer(page, 'Photos taken near Paris, France');
    const shown = await resultNames(page);
    expect(shown.sort()).toEqual(['paris-1.jpg', 'paris-2.jpg']);
    await page.getByTestId('area-clear').click();
    await waitForAnswer(page, 'Your library, newest first');
    expect(await page.getByTestId('result').count()).toBe(5);
  });

  it('finds photos by the place typed in the search box, and shows it in the preview', async () => {
    await page.getByLabel('Search your library').fill('Tokyo');
    await page.keyboard.press('Enter');
    await waitForAnswer(page, 'Results for “Tokyo”');
    const first = page.locator('[data-testid="result"][data-index="0"]');
    expect(await first.getAttribute('data-path')).toBe(join(media, 'tokyo.jpg'));
    await first.click();
    await expect.poll(() => page.getByTestId('preview-place').innerText()).toBe('Tokyo, Japan');
  });

  it('zooms where the pointer is, so the photos of a city come apart, moves by dragging, and shows the whole world again', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Map', exact: true }).click();
    const labels = () => page.getByTestId('map-cluster').evaluateAll((c) => c.map((x) => x.getAttribute('aria-label')).sort());
    await expect
      .poll(labels)
      .toEqual(['New York City, United States of America: 1 photo', 'Paris, France: 2 photos', 'Tokyo, Japan: 1 photo']);
    const paris = (await page.getByRole('button', { name: 'Paris, France: 2 photos' }).boundingBox())!;
    await page.mouse.move(paris.x + paris.width / 2, paris.y + paris.height / 2);
    for (let turn = 0; turn < 8; turn += 1) await page.mouse.wheel(0, -400);
    await expect.poll(() => page.getByTestId('map').getAttribute('data-zoom')).toBe('256');
    // Zoomed on Paris: its two photos (3 km apart) are two clusters; Tokyo and New York are out of view.
    await expect.poll(labels).toEqual(['Paris, France: 1 photo', 'Paris, France: 1 photo']);
    const before = (await page.getByTestId('map-cluster').first().boundingBox())!;
    // A drag that starts on a cluster moves the map and opens nothing.
    await page.mouse.move(before.x + before.width / 2, before.y + before.height / 2);
    await page.mouse.down();
    await page.mouse.move(before.x + before.width / 2 - 120, before.y + before.height / 2 + 60, { steps: 6 });
    await page.mouse.up();
    const after = (await page.getByTestId('map-cluster').first().boundingBox())!;
    expect(after.x).toBeLessThan(before.x - 80);
    expect(after.y).toBeGreaterThan(before.y + 30);
    expect(await page.getByTestId('map-count').isVisible()).toBe(true);
    await settledScreenshot(page, join(REPO_ROOT, 'docs', 'screenshots', 'map-zoomed.png'));
    await page.getByTestId('map-whole-world').click();
    await expect
      .poll(labels)
      .toEqual(['New York City, United States of America: 1 photo', 'Paris, France: 2 photos', 'Tokyo, Japan: 1 photo']);
    expect(await page.getByTestId('map').getAttribute('data-zoom')).toBe('1');
  });
});
