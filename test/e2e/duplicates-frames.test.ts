/// <reference lib="dom" />
/**
 * Issue 10 #5 as a person meets it in the duplicates review (Chromium against `trove serve`): photos
 * put in the same frame are not shown as duplicates of each other, a framed copy is shown with its
 * original, and a one-and-a-half-second clip is shown with its re-encode.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, SHARED_SKIP_REASON } from '../helpers/env.js';
import { ffmpegOrThrow } from '../helpers/audio-variants.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import { framed } from '../helpers/photo-variants.js';
import { suiteTempDir } from '../helpers/temp.js';
import { browserSkipReason, openOfflineSession, type AppSession } from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

describe.skipIf(Boolean(skipReason))('frames and short clips in the duplicates review (Chromium)', () => {
  const scratch = suiteTempDir();
  const media = join(scratch.path, 'media');
  let session: AppSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    for (const [name, seed] of [
      ['harbour', 41],
      ['meadow', 42],
      ['station', 43],
    ] as const) {
      await writeSyntheticPhoto(join(media, `${name}.jpg`), seed, 640, 480, 'jpeg', 5);
    }
    // The same gradient frame around three different photos, and the harbour photo on its own.
    for (const name of ['harbour', 'meadow', 'station']) writeFileSync(join(media, `${name}-framed.jpg`), await framed(join(media, `${name}.jpg`), 'gradient'));
    // Only the harbour keeps its unframed original.
    rmSync(join(media, 'meadow.jpg'));
    rmSync(join(media, 'station.jpg'));
    ffmpegOrThrow(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '1.5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(media, 'wave.mp4')]);
    ffmpegOrThrow(['-i', join(media, 'wave.mp4'), '-vf', 'scale=160:120', '-c:v', 'mpeg4', '-q:v', '6', join(media, 'wave-copy.mkv')]);
    session = await openOfflineSession(scratch.path);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  it('shows a framed copy with its original and a short clip with its re-encode, never photos sharing only a frame', async () => {
    await page.goto(session.server.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Image model').selectOption('mobilenet-v2-int8');
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByLabel('Folder to add').fill(media);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByTestId('folder-ready').innerText(), { timeout: 60_000 }).toBe('6');
    await page.getByRole('button', { name: 'Duplicates' }).click();
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const groups = page.getByTestId('duplicate-group');
    await expect.poll(() => groups.count(), { timeout: 30_000 }).toBe(2);
    const texts = (await groups.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    const photoGroup = texts.find((t) => /photos/.test(t))!;
    expect(photoGroup).toMatch(/harbour\.jpg/);
    expect(photoGroup).toMatch(/harbour-framed\.jpg/);
    expect(photoGroup).not.toMatch(/meadow|station/);
    const videoGroup = texts.find((t) => /videos/.test(t))!;
    expect(videoGroup).toMatch(/wave\.mp4/);
    expect(videoGroup).toMatch(/wave-copy\.mkv/);
    expect(session.server.log.text).not.toMatch(/\[page error\]/);
  });
});
