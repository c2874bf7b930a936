/** `trove serve` (the built CLI) in a child process, and headless Chromium to look at it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT, SHARED_MODELS } from './env.js';
import { nodeCommand } from './cli.js';

export const CHROMIUM = process.env.TROVE_CHROMIUM ?? '/usr/bin/chromium';
const RENDERER = join(REPO_ROOT, 'out', 'renderer', 'index.html');

/** Why browser tests cannot run here, or '' when they can. */
export function browserSkipReason(): string {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium): browser tests skipped`;
  if (!existsSync(RENDERER)) return 'the UI is not built (npm run build): browser tests skipped';
  return '';
}

export interface ServeProcess {
  url: string;
  /** Everything the server printed, plus page errors the test adds. */
  log: { text: string };
  stop(): Promise<void>;
}

/** `unprivileged`: file permissions bind the server (root without the capabilities that override them). */
export async function startServe(libraryDir: string, env: NodeJS.ProcessEnv, port = 0, unprivileged = false): Promise<ServeProcess> {
  const args = [join(REPO_ROOT, 'bin', 'trove.js'), '--library', libraryDir, 'serve', '--port', String(port)];
  const [command, commandArgs] = nodeCommand(args, unprivileged);
  const child: ChildProcess = spawn(command, commandArgs, { env: { ...process.env, ...env } });
  const log = { text: '' };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`trove serve did not start:\n${log.text}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      log.text += d;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(log.text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (log.text += d));
    child.on('exit', (code) => reject(new Error(`trove serve exited (${code}):\n${log.text}`)));
  });
  return {
    url,
    log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface AppSession {
  server: ServeProcess;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * An app session over a throw-away library in `scratch`, offline, with the real models of ../shared
 * and its own model cache; `extraEnv` adds to that (a temporary trash, say).
 */
export function openOfflineSession(scratch: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<AppSession> {
  return openAppSession(join(scratch, 'library'), {
    TROVE_MODELS_DIR: SHARED_MODELS,
    TROVE_MODEL_CACHE: join(scratch, 'models'),
    TROVE_OFFLINE: '1',
    ...extraEnv,
  });
}

/** A server, a browser and one page on it; page errors are added to the server log for asserting. */
export async function openAppSession(
  libraryDir: string,
  env: NodeJS.ProcessEnv,
  colorScheme: 'light' | 'dark' = 'light',
  unprivileged = false,
): Promise<AppSession> {
  const server = await startServe(libraryDir, env, 0, unprivileged);
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
  const page = await context.newPage();
  page.on('pageerror', (error) => (server.log.text += `\n[page error] ${error.message}`));
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}

/** Drops an image file (its bytes) on an element of the page, as a person dragging it from their files. */
export async function dropImage(page: Page, selector: string, bytes: Buffer, name: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([base64, fileName]) => {
      const array = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([array], fileName, { type: 'image/jpeg' }));
      return transfer;
    },
    [bytes.toString('base64'), name] as const,
  );
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/**
 * Waits until the page has settled: every image decoded, every video showing a frame or its poster,
 * and no animation or transition still running (a preview sliding in, a dialog fading).
 */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('img')].every((img) => img.complete) &&
      [...document.querySelectorAll('video')].every((video) => (video.readyState >= 2 && !video.seeking) || video.error !== null),
    undefined,
    { timeout: 30_000 },
  );
  await page.evaluate(async () => {
    await Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined)));
    // Two frames: what the finished animations leave is painted.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

/** A screenshot of the page once it has settled (see `settled`). */
export async function settledScreenshot(page: Page, path: string): Promise<void> {
  await settled(page);
  await page.screenshot({ path });
}

/** Waits for the heading of a new query and for its answer (the count reads "Searching…" until then). */
export async function waitForAnswer(page: Page, heading: string): Promise<void> {
  await expect.poll(() => page.getByTestId('results-heading').innerText()).toBe(heading);
  await expect.poll(() => page.getByTestId('results-count').innerText()).not.toMatch(/Searching/);
}

/** Closes every notice on the page (they would cover what a step clicks or a screenshot shows). */
export async function dismissNotices(page: Page): Promise<void> {
  const dismiss = page.locator('.shell:not([inert])').getByRole('button', { name: 'Dismiss' });
  for (let left = await dismiss.count(); left > 0; left = await dismiss.count()) {
    await dismiss
      .first()
      .click({ timeout: 5000 })
      .catch(async (error: unknown) => {
        // An information notice leaves by itself after a few seconds: one that went between counting
        // and clicking is not there to close (and the click would wait for it in vain).
        if ((await dismiss.count()) >= left) throw error;
      });
  }
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export async function seriousViolations(page: Page, where: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`);
}

/**
 * The first run as a person goes through it offline: choose MobileNetV2 (from ../shared/models) in
 * Settings, add `folder` in Library, and wait until everything is indexed ("Up to date").
 */
export async function indexFolderWithMobileNet(page: Page, url: string, folder: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('first-run').waitFor();
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Image model').selectOption('mobilenet-v2-int8');
  await page.getByRole('button', { name: 'Library' }).click();
  await page.getByLabel('Folder to add').fill(folder);
  await page.getByRole('button', { name: 'Add folder' }).click();
  await expect.poll(() => page.getByTestId('status-label').innerText(), { timeout: 120_000 }).toMatch(/Up to date/);
}

/** The file names of the result tiles shown, in grid order. */
export function resultNames(page: Page): Promise<string[]> {
  return page.getByTestId('result').evaluateAll((tiles) => tiles.map((t) => (t.getAttribute('data-path') ?? '').split('/').pop() ?? ''));
}
