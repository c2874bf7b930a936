/// <reference lib="dom" />
/**
 * The first run told honestly, in Chromium against `trove serve` run where file permissions bind
 * (root without the capabilities that override them), downloads allowed but no network: a failed
 * model download stays said with what can be done; recordings are indexed with the audio model
 * while photos wait for theirs (issue 10 #6, #8); an unreadable folder is refused in a sentence,
 * the list of files that could not be read has as many rows as its count says, and a wrong thread
 * count gets a sentence and is not saved (#11).
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, SHARED_MODELS, SHARED_PHOTOS, SHARED_SKIP_REASON } from '../helpers/env.js';
import { ffmpegOrThrow } from '../helpers/audio-variants.js';
import { suiteTempDir } from '../helpers/temp.js';
import { browserSkipReason, dismissNotices, openAppSession, type AppSession } from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

describe.skipIf(Boolean(skipReason))('honest status on a first run without a network (Chromium)', () => {
  const scratch = suiteTempDir();
  const photos = join(scratch.path, 'photos');
  const sounds = join(scratch.path, 'sounds');
  const locked = join(scratch.path, 'locked');
  let session: AppSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(photos, { recursive: true });
    mkdirSync(sounds, { recursive: true });
    mkdirSync(locked, { recursive: true });
    for (const dir of ['pizza', 'llama']) {
      for (const file of readdirSync(join(SHARED_PHOTOS, dir)).sort().slice(0, 2)) copyFileSync(join(SHARED_PHOTOS, dir, file), join(photos, `${dir}-${file}`));
    }
    // Three photos Trove may not read, and one that is no picture: four files it could not read.
    for (const name of ['private-1.jpg', 'private-2.jpg', 'private-3.jpg']) {
      copyFileSync(join(photos, readdirSync(photos)[0]!), join(photos, name));
      chmodSync(join(photos, name), 0o000);
    }
    writeFileSync(join(photos, 'broken.jpg'), 'not a picture at all');
    for (const hz of [330, 440, 550]) ffmpegOrThrow(['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=3`, join(sounds, `tone-${hz}.wav`)]);
    chmodSync(locked, 0o000);
    session = await openAppSession(
      join(scratch.path, 'library'),
      {
        TROVE_MODELS_DIR: SHARED_MODELS,
        TROVE_MODEL_CACHE: join(scratch.path, 'models'),
        TROVE_OFFLINE: '',
        // Downloads are allowed, but nothing answers: a machine with no network.
        TROVE_HF_ENDPOINT: 'http://127.0.0.1:2',
      },
      'light',
      true,
    );
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    chmodSync(locked, 0o755);
    scratch.remove();
  });

  it('says a failed download where the model is offered, with what can be done now', async () => {
    await page.goto(session.server.url);
    const card = page.getByTestId('first-run').getByTestId('model-status');
    await card.getByRole('button', { name: 'Download the model' }).click();
    const failed = card.getByTestId('download-failed');
    await expect.poll(() => failed.count(), { timeout: 20_000 }).toBe(1);
    expect(await failed.innerText()).toMatch(/download failed/i);
    // Still there after the notice is gone, with the three ways on.
    expect(await card.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    expect(await card.getByLabel('Folder holding models').count()).toBe(1);
    expect(await card.getByRole('button', { name: 'Use mobilenet-v2-int8' }).count()).toBe(1);
    await dismissNotices(page);
  });

  it('refuses a folder it may not read, in a sentence, before adding it', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByLabel('Folder to add').fill(locked);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const alert = page.locator('.add + .error, [role="alert"]').filter({ hasText: locked });
    await expect.poll(() => alert.count()).toBe(1);
    expect(await alert.innerText()).toMatch(/may not read this folder/);
    expect(await alert.innerText()).not.toMatch(/EACCES/);
    expect(await page.getByTestId('folder-row').count()).toBe(0);
  });

  it('indexes recordings with the audio model while photos wait for theirs, and says so', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Audio model').selectOption('efficientat-mn04-as');
    await page.getByRole('button', { name: 'Library' }).click();
    for (const folder of [sounds, photos]) {
      await page.getByLabel('Folder to add').fill(folder);
      await page.getByRole('button', { name: 'Add folder' }).click();
      await expect.poll(() => page.getByTestId('folder-row').filter({ hasText: folder }).count()).toBe(1);
    }
    const row = (folder: string) => page.getByTestId('folder-row').filter({ hasText: folder });
    await expect.poll(() => row(sounds).getByTestId('folder-ready').innerText(), { timeout: 60_000 }).toBe('3');
    // The readable photos wait for the image model, and the page says why, with what fixes it.
    await expect.poll(() => row(photos).getByTestId('folder-waiting').innerText(), { timeout: 30_000 }).toBe('4');
    expect(await row(photos).getByTestId('folder-ready').innerText()).toBe('0');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Audio', exact: true }).click();
    await expect.poll(() => page.getByTestId('result').count(), { timeout: 20_000 }).toBe(3);
    await expect.poll(() => page.getByTestId('status-label').innerText()).toMatch(/some files wait for a model/);
    await page.getByRole('button', { name: 'Audio', exact: true }).click();
  });

  it('lists as many files it could not read as it counts, and answers a wrong thread count in a sentence', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    const heading = page.getByRole('heading', { name: /Files Trove could not read/ });
    await expect.poll(() => heading.innerText(), { timeout: 30_000 }).toMatch(/\(4\)/);
    const rows = page.getByTestId('file-error');
    expect(await rows.count()).toBe(4);
    expect(await page.getByTestId('file-error').filter({ hasText: 'private-1.jpg' }).innerText()).toMatch(/permission|may not read/i);

    await page.getByRole('button', { name: 'Settings' }).click();
    for (const wrong of ['0', '300', '2.5']) {
      await page.getByLabel('Inference threads').fill(wrong);
      await page.locator('label.row').filter({ hasText: 'Threads' }).getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByText(/Threads must be a whole number from 1 to 256/).count()).toBeGreaterThan(0);
      await dismissNotices(page);
    }
    expect(await page.getByText(/patch\.threads|Too big|Too small/).count()).toBe(0);
    expect(await page.getByText('Settings saved').count()).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    expect(await page.getByLabel('Inference threads').inputValue()).toBe('');
    expect(session.server.log.text).not.toMatch(/\[page error\]/);
  });
});
