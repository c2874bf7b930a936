/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The duplicates review in a real browser against `trove serve`, on a throw-away folder: a photo,
 * a smaller copy of it, an identical copy and an unrelated photo. The review groups the copies
 * with the larger original as suggested keeper, moves the marked ones to the system trash (a
 * temporary XDG_DATA_HOME) only after the confirmation, and Undo puts them back. The person's
 * marks are theirs (a file they chose to keep is never trashed by a later click, after a reload or
 * "Look again"), and "Not duplicates" is remembered until they undo it.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, REPO_ROOT, SHARED_SKIP_REASON } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import { writeSyntheticPhoto } from '../helpers/images.js';
import {
  browserSkipReason,
  openOfflineSession,
  seriousViolations,
  settledScreenshot,
  type AppSession,
  type ServeProcess,
} from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

describe.skipIf(Boolean(skipReason))('duplicates review in a browser', () => {
  const scratch = suiteTempDir();
  const photos = join(scratch.path, 'photos');
  const trash = join(scratch.path, 'xdg-data', 'Trash', 'files');
  let session: AppSession;
  let server: ServeProcess;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(photos, { recursive: true });
    await writeSyntheticPhoto(join(photos, 'beach.jpg'), 5, 1200, 900, 'jpeg', 5);
    await sharp(join(photos, 'beach.jpg')).resize(500).jpeg({ quality: 70 }).toFile(join(photos, 'beach-small.jpg'));
    copyFileSync(join(photos, 'beach.jpg'), join(photos, 'beach-copy.jpg'));
    await writeSyntheticPhoto(join(photos, 'forest.jpg'), 77, 1200, 900, 'jpeg', 5);
    session = await openOfflineSession(scratch.path, { XDG_DATA_HOME: join(scratch.path, 'xdg-data') });
    ({ server, page } = session);
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  it('indexes a folder added from the UI', async () => {
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Image model').selectOption('mobilenet-v2-int8');
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByLabel('Folder to add').fill(photos);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByTestId('folder-ready').innerText(), { timeout: 60_000 }).toBe('4');
    // Embedded too, before the review (its fingerprints come from indexing, not from a backfill).
    await expect.poll(() => page.getByTestId('status-label').innerText(), { timeout: 60_000 }).toMatch(/Up to date/);
  });

  it('groups the copies, suggests the original, and trashes the rest only after confirmation; Undo restores', async () => {
    await page.getByRole('button', { name: 'Duplicates' }).click();
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await expect.poll(() => page.getByTestId('duplicate-group').count()).toBe(1);
    const group = page.getByTestId('duplicate-group');
    expect(await group.innerText()).toMatch(/3 photos/);
    expect(await group.innerText()).not.toMatch(/forest/);
    await settledScreenshot(page, join(REPO_ROOT, 'docs', 'screenshots', 'duplicates.png'));
    // The review with its groups, and the trash confirmation, in both themes: nothing serious for axe.
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      found.push(...(await seriousViolations(page, `${scheme} review`)));
      await page.getByRole('button', { name: /Move 2 to Trash/ }).click();
      await page.getByRole('dialog').waitFor();
      found.push(...(await seriousViolations(page, `${scheme} confirmation`)));
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(found).toEqual([]);

    // The keeper is one of the full-size files, unmarked; the two others are marked.
    const marked = await group.getByRole('checkbox', { checked: true }).count();
    expect(marked).toBe(2);
    expect(await group.getByRole('checkbox', { name: /beach-small\.jpg/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: /Move 2 to Trash/ }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(existsSync(join(photos, 'beach-small.jpg'))).toBe(true);

    await page.getByRole('button', { name: /Move 2 to Trash/ }).click();
    await dialog.getByRole('button', { name: 'Move to Trash' }).click();
    await expect.poll(() => page.getByText(/Moved 2 files to the trash/).count()).toBe(1);
    expect(existsSync(join(photos, 'beach-small.jpg'))).toBe(false);
    expect(readdirSync(photos).sort()).toHaveLength(2);
    expect(readdirSync(trash)).toHaveLength(2);
    await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);

    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByText(/Put back 2 files/).count()).toBe(1);
    expect(readdirSync(photos).sort()).toEqual(['beach-copy.jpg', 'beach-small.jpg', 'beach.jpg', 'forest.jpg']);
    expect(readdirSync(trash)).toHaveLength(0);
    expect(server.log.text).not.toMatch(/\[page error\]/);
  });

  it('keeps the marks a person changed across the move to the trash, a reload and Look again', async () => {
    // The files put back are read again first (each in its own time): look until the whole group is
    // back, both of them in it.
    const lookAgain = async () => {
      await page.getByRole('button', { name: 'Look again' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Look again' }).isEnabled()).toBe(true);
      const groups = page.getByTestId('duplicate-group');
      return (await groups.count()) === 1 ? groups.innerText() : '';
    };
    await expect.poll(lookAgain, { timeout: 30_000 }).toMatch(/3 photos/);
    const group = page.getByTestId('duplicate-group');
    // Keep the identical copy: only the small one goes.
    await group.getByRole('checkbox', { name: /beach-copy\.jpg/ }).uncheck();
    await page.getByRole('button', { name: /Move 1 to Trash/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move to Trash' }).click();
    await expect.poll(() => page.getByText(/Moved 1 file to the trash/).count()).toBe(1);
    expect(existsSync(join(photos, 'beach-small.jpg'))).toBe(false);
    expect(existsSync(join(photos, 'beach-copy.jpg'))).toBe(true);

    // The two identical files still form a group, and the copy the person kept is still kept:
    // a second click can trash nothing of it.
    const kept = async () => {
      await expect.poll(() => page.getByTestId('duplicate-group').count(), { timeout: 20_000 }).toBe(1);
      expect(
        await page
          .getByTestId('duplicate-group')
          .getByRole('checkbox', { name: /beach-copy\.jpg/ })
          .isChecked(),
      ).toBe(false);
      expect(await page.getByRole('button', { name: /Move 0 to Trash/ }).isDisabled()).toBe(true);
    };
    await kept();
    await page.getByRole('button', { name: 'Look again' }).click();
    await kept();
    await page.reload();
    await page.getByRole('button', { name: 'Duplicates' }).click();
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await kept();
    // The folder is shown beside each name.
    expect(await page.getByTestId('duplicate-group').innerText()).toContain(photos);
  });

  it('compares two copies large and side by side, and puts one file back from Recently trashed', async () => {
    const group = page.getByTestId('duplicate-group');
    await group.getByRole('button', { name: 'Compare', exact: true }).click();
    const compare = page.getByTestId('compare');
    await expect.poll(() => compare.isVisible()).toBe(true);
    const sides = compare.getByTestId('compare-side');
    expect(await sides.count()).toBe(2);
    const names = await sides.locator('strong').allInnerTexts();
    expect(new Set(names).size).toBe(2); // two different files
    expect(names).toContain('beach.jpg');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('dialog img')].every((img) => (img as HTMLImageElement).naturalWidth > 0),
    );
    const widths = await sides.locator('img').evaluateAll((imgs) => imgs.map((img) => img.getBoundingClientRect().width));
    for (const w of widths) expect(w).toBeGreaterThan(300); // large, not a thumbnail
    // Either side can show any member.
    await compare.getByLabel('Which file on the right').selectOption({ label: `beach-copy.jpg — ${photos}` });
    await expect.poll(() => sides.nth(1).locator('strong').innerText()).toBe('beach-copy.jpg');
    for (const scheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await seriousViolations(page, `${scheme} compare`)).toEqual([]);
    }
    await settledScreenshot(page, join(REPO_ROOT, 'docs', 'screenshots', 'duplicates-compare.png'));
    await page.keyboard.press('Escape');
    await expect.poll(() => compare.count()).toBe(0);

    // The small copy trashed earlier is listed, with its folder, and comes back on its own.
    const trashed = page.getByTestId('recently-trashed');
    await trashed.locator('summary').click();
    expect(await trashed.innerText()).toMatch(/beach-small\.jpg/);
    expect(await trashed.innerText()).toContain(photos);
    await trashed.getByRole('button', { name: 'Put back beach-small.jpg' }).click();
    await expect.poll(() => existsSync(join(photos, 'beach-small.jpg'))).toBe(true);
    await expect.poll(() => page.getByTestId('trashed-item').count()).toBe(0);
    // Read again, it joins its group once more.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Look again' }).click();
          await expect.poll(() => page.getByRole('button', { name: 'Look again' }).isEnabled()).toBe(true);
          return page.getByTestId('duplicate-group').innerText();
        },
        { timeout: 30_000 },
      )
      .toMatch(/3 photos/);
  });

  it('remembers "Not duplicates" for a group, and lets the person undo it', async () => {
    await page.getByTestId('duplicate-group').getByRole('button', { name: 'Not duplicates' }).click();
    await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);
    await page.getByRole('button', { name: 'Look again' }).click();
    await expect.poll(() => page.getByTestId('no-duplicates').count()).toBe(1);
    const remembered = page.getByTestId('not-duplicates');
    await remembered.locator('summary').click();
    expect(await remembered.innerText()).toMatch(/beach-copy\.jpg/);
    await remembered.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByTestId('duplicate-group').count()).toBe(1);
    expect(server.log.text).not.toMatch(/\[page error\]/);
  });
});
