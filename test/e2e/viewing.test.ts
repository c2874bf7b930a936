/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Looking through a library as a person does, in Chromium against `trove serve`: the library as a
 * timeline (month headings, a scrubber of years and months), a single click that opens, a
 * full-screen viewer (arrows, zoom, pan, Esc), picking many items (Ctrl/Shift-click, Space) and
 * acting on them (copy paths, copy to a folder, move to the trash with Undo), search that forgives
 * (small words, typos, suggestions while typing, what exists when nothing matches), a narrow window
 * where the preview lies over the grid, and no serious accessibility violation on any page, light or
 * dark (axe-core).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSharedPhotos, REPO_ROOT, SHARED_PHOTOS, SHARED_SKIP_REASON } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';
import {
  browserSkipReason,
  dismissNotices,
  openOfflineSession,
  seriousViolations,
  settled,
  settledScreenshot,
  waitForAnswer,
  type AppSession,
  type ServeProcess,
} from '../helpers/serve.js';

const skipReason = browserSkipReason() || (hasSharedPhotos ? '' : SHARED_SKIP_REASON);
if (skipReason) console.warn(skipReason);

const CLASSES = ['flamingo', 'pizza', 'grand_piano', 'Leopards', 'strawberry', 'sunflower'];
const PER_CLASS = 6;
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');

describe.skipIf(Boolean(skipReason))('viewing and picking in a browser', () => {
  const scratch = suiteTempDir();
  const photos = join(scratch.path, 'photos');
  const exported = join(scratch.path, 'exported');
  const trash = join(scratch.path, 'xdg-data', 'Trash', 'files');
  let session: AppSession;
  let server: ServeProcess;
  let page: Page;

  const answered = (heading: string) => waitForAnswer(page, heading);
  const tile = (index: number) => page.locator(`[data-testid="result"][data-index="${index}"]`);
  const pathOf = async (index: number) => (await tile(index).getAttribute('data-path'))!;
  /** The picture shows the page, not the notices of earlier steps. */
  const shot = async (name: string) => {
    await dismissNotices(page);
    await settledScreenshot(page, join(SCREENSHOTS, `${name}.png`));
  };

  beforeAll(async () => {
    mkdirSync(photos, { recursive: true });
    mkdirSync(exported, { recursive: true });
    let i = 0;
    for (const dir of CLASSES) {
      for (const file of readdirSync(join(SHARED_PHOTOS, dir)).sort().slice(0, PER_CLASS)) {
        const target = join(photos, `${dir}-${file}`);
        copyFileSync(join(SHARED_PHOTOS, dir, file), target);
        // Spread over three years and several months: the photos carry no date of their own.
        const when = new Date(Date.UTC(2019 + (i % 3), (i * 5) % 12, 10, 12)).getTime() / 1000;
        utimesSync(target, when, when);
        i += 1;
      }
    }
    session = await openOfflineSession(scratch.path, { XDG_DATA_HOME: join(scratch.path, 'xdg-data') });
    ({ server, page } = session);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
  });

  afterAll(async () => {
    await session?.close();
    scratch.remove();
  });

  /** Every page of the app, in both themes: no serious or critical accessibility violation. */
  const scanEveryPage = async (pages: string[]) => {
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const name of pages) {
        await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();
        await page.locator(`nav [aria-current="page"][aria-label="${name}"]`).waitFor();
        await settled(page);
        found.push(...(await seriousViolations(page, `${scheme} ${name}`)));
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    return found;
  };

  it('has no serious accessibility violation on the first run, light or dark', async () => {
    await page.goto(server.url);
    await page.getByTestId('first-run').waitFor();
    expect(await scanEveryPage(['Search', 'Library', 'Duplicates', 'Settings'])).toEqual([]);
  });

  it('indexes the folder', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Image model').selectOption('mobilenet-v2-int8');
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByLabel('Folder to add').fill(photos);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByTestId('status-label').innerText(), { timeout: 120_000 }).toMatch(/Up to date/);
    await expect.poll(() => page.getByTestId('folder-ready').innerText()).toBe(String(CLASSES.length * PER_CLASS));
  });

  it('shows the library as a timeline with month headings and a scrubber that jumps', async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    await answered('Your library, newest first');
    const headings = await page.getByTestId('month-heading').allInnerTexts();
    expect(headings[0]).toMatch(/ 2021$/);
    const scrubber = page.getByTestId('scrubber');
    expect(await scrubber.getByRole('button', { name: /^\d{4}, / }).allInnerTexts()).toEqual(['2021', '2020', '2019']);
    await shot('timeline');
    await scrubber.getByRole('button', { name: /^2019, / }).click();
    // The first 2019 month is at the top of the grid, and the scrubber marks where the view is.
    await expect.poll(() => scrubber.locator('[aria-current="true"]').getAttribute('aria-label')).toMatch(/ 2019, /);
    const grid = (await page.getByTestId('results-grid').boundingBox())!;
    const firstOf2019 = page
      .getByTestId('month-heading')
      .filter({ hasText: / 2019$/ })
      .first();
    const box = (await firstOf2019.boundingBox())!;
    expect(Math.abs(box.y - grid.y)).toBeLessThan(60);
    await page.getByTestId('results-grid').evaluate((g) => g.scrollTo({ top: 0 }));
  });

  it('opens with a single click, goes full screen with Enter, moves with arrows, zooms and pans, and Esc goes back', async () => {
    const first = await pathOf(0);
    await tile(0).click();
    await expect.poll(() => page.getByTestId('preview-path').innerText()).toBe(first);
    await tile(0).focus();
    await page.keyboard.press('Enter');
    const viewer = page.getByTestId('viewer');
    await expect.poll(() => viewer.isVisible()).toBe(true);
    expect(await viewer.innerText()).toMatch(/1 of 36/);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewer.innerText()).toMatch(/2 of 36/);
    const second = await pathOf(1);
    expect(await viewer.getAttribute('aria-label')).toContain(second.split('/').pop());

    const image = page.getByTestId('viewer-image');
    await page.keyboard.press('+');
    await expect.poll(() => page.getByTestId('viewer-zoom').innerText()).toBe('150%');
    const box = (await image.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => parseInt(await page.getByTestId('viewer-zoom').innerText(), 10)).toBeGreaterThan(150);
    // The picture and the words read in it move together: the transform is on their common frame.
    const picture = page.getByTestId('viewer-picture');
    const before = await picture.evaluate((frame) => frame.style.transform);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    expect(await picture.evaluate((frame) => frame.style.transform)).not.toBe(before);
    // Zoomed in, the original (a JPEG the browser can show) replaces the preview.
    expect(await image.getAttribute('src')).toMatch(/\/media\/original\//);
    await shot('viewer');

    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
    // Back where the person was: the preview of the item they moved to is still open.
    await expect.poll(() => page.getByTestId('preview-path').innerText()).toBe(second);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('preview').count()).toBe(0);
  });

  it('picks many with Ctrl-click, Shift-click and Space, and copies their paths and the files', async () => {
    await tile(0).click({ modifiers: ['Control'] });
    await tile(3).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('picked-count').innerText()).toBe('4 picked');
    expect(await page.getByTestId('preview').count()).toBe(0); // picking does not open
    await page.keyboard.press('Space'); // the item in focus (the last clicked) leaves the picks
    await expect.poll(() => page.getByTestId('picked-count').innerText()).toBe('3 picked');
    const picked = [await pathOf(0), await pathOf(1), await pathOf(2)];
    expect(await page.locator('[data-testid="result"][aria-selected="true"]').count()).toBe(3);
    await shot('picked');

    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Copy paths' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(picked.join('\n'));

    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Copy to folder…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Copy to a folder' });
    await dialog.getByLabel('Folder to copy into').fill(exported);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => readdirSync(exported).length).toBe(3);
    expect(readdirSync(exported).sort()).toEqual(picked.map((p) => p.split('/').pop()).sort());
    for (const p of picked) expect(existsSync(p)).toBe(true); // copies; the originals stay
  });

  it('moves the picked items to the trash only after confirming, and Undo puts them back', async () => {
    const picked = [await pathOf(0), await pathOf(1), await pathOf(2)];
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Move to Trash…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm moving to trash' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    for (const p of picked) expect(existsSync(p)).toBe(true);
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Move to Trash…' }).click();
    await confirm.getByRole('button', { name: 'Move to Trash' }).click();
    await expect.poll(() => page.getByText(/Moved 3 files to the trash/).count()).toBe(1);
    for (const p of picked) expect(existsSync(p)).toBe(false);
    expect(readdirSync(trash)).toHaveLength(3);
    await expect.poll(() => page.getByTestId('results-count').innerText()).toMatch(/^33 items/);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByText(/Put back 3 files/).count()).toBe(1);
    for (const p of picked) expect(existsSync(p)).toBe(true);
    await expect.poll(() => page.getByTestId('results-count').innerText(), { timeout: 20_000 }).toMatch(/^36 items/);
  });

  it('forgives small words and typos, suggests words that exist, and says what exists when nothing matches', async () => {
    const box = page.getByLabel('Search your library');
    await box.fill('a flam');
    await expect
      .poll(() =>
        page
          .getByTestId('suggestions')
          .locator('option')
          .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
      )
      .toContain('a flamingo');
    for (const query of ['a flamingo', 'flamngo']) {
      await box.fill(query);
      await answered(`Results for “${query}”`);
      const top = await page.getByTestId('result').evaluateAll((t) => t.slice(0, 6).map((x) => x.getAttribute('data-path') ?? ''));
      expect(top[0], query).toMatch(/\/flamingo-/);
      expect(top.filter((p) => p.includes('/flamingo-')).length, query).toBeGreaterThanOrEqual(3);
    }
    await box.fill('zqxv wombat');
    await answered('Results for “zqxv wombat”');
    const exists = page.getByTestId('what-exists');
    await expect.poll(() => exists.getByRole('button').count()).toBeGreaterThan(3);
    await exists.getByRole('button', { name: /^pizza/ }).click();
    await answered('Results for “pizza”');
    expect(await pathOf(0)).toMatch(/\/pizza-/);
  });

  it('lays the preview over the grid in a narrow window', async () => {
    await page.setViewportSize({ width: 600, height: 800 });
    await tile(0).click();
    const preview = (await page.getByTestId('preview').boundingBox())!;
    const grid = (await page.getByTestId('results-grid').boundingBox())!;
    // The grid keeps its width; the preview is wide enough to use, over it.
    expect(preview.width).toBeGreaterThanOrEqual(400);
    expect(grid.width).toBeGreaterThan(450);
    expect(preview.x).toBeLessThan(grid.x + grid.width);
    await shot('narrow-preview');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('has no serious accessibility violation on any page, light or dark, nor in the viewer', async () => {
    const found = await scanEveryPage(['Library', 'Duplicates', 'Settings', 'Search']);
    await tile(0).click();
    await page.keyboard.press('Enter');
    await page.getByTestId('viewer').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      found.push(...(await seriousViolations(page, `${scheme} viewer`)));
    }
    await page.keyboard.press('Escape');
    expect(found).toEqual([]);
    expect(server.log.text).not.toMatch(/\[page error\]/);
  });
});
