/// <reference lib="dom" />
/**
 * The desktop app itself, through Playwright's Electron support: the built main, preload and
 * renderer start, the window is sandboxed and sees only the three named API functions, and the
 * engine answers from its utility process. Needs the Electron binary, which cannot be downloaded on
 * machines without internet (ELECTRON_SKIP_BINARY_DOWNLOAD=1): there the test skips and says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/env.js';
import { suiteTempDir } from '../helpers/temp.js';

function electronBinary(): string | undefined {
  const dir = join(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const built = existsSync(join(REPO_ROOT, 'out', 'main', 'index.js'));
const skipReason = !binary
  ? 'the Electron binary is not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, no internet to fetch it): Electron app test skipped; the same UI is tested in Chromium against `trove serve`'
  : !built
    ? 'the app is not built (npm run build): Electron app test skipped'
    : '';
if (skipReason) console.warn(skipReason);

describe('the desktop app without Electron', () => {
  it('has the engine host where the main process starts it, and it refuses to run outside Electron', () => {
    const host = join(REPO_ROOT, 'out', 'main', '..', '..', 'dist', 'main', 'app', 'service-host.js');
    expect(existsSync(host), 'npm run build:cli builds it').toBe(true);
    const run = spawnSync(process.execPath, [host], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/trove serve/);
  });
});

describe.skipIf(Boolean(skipReason))('the desktop app (Electron)', () => {
  const scratch = suiteTempDir();
  afterAll(() => scratch.remove());

  it('opens a sandboxed window whose only bridge is the API contract, served by the engine process', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(REPO_ROOT, 'out', 'main', 'index.js')],
      env: { ...process.env, TROVE_LIBRARY_DIR: join(scratch.path, 'library'), TROVE_OFFLINE: '1' },
    });
    try {
      const window = await app.firstWindow();
      expect(await window.title()).toBe('Trove');
      const bridge = await window.evaluate(() => ({
        keys: Object.keys((window as unknown as { trove: object }).trove).sort(),
        hasRequire: typeof (window as unknown as { require?: unknown }).require !== 'undefined',
        hasProcess: typeof (window as unknown as { process?: unknown }).process !== 'undefined',
      }));
      expect(bridge).toEqual({ keys: ['call', 'mediaUrl', 'subscribe'], hasRequire: false, hasProcess: false });
      const info = await window.evaluate(() =>
        (window as unknown as { trove: { call: (m: string, p: object) => Promise<{ canPickFolders: boolean }> } }).trove.call('info', {}),
      );
      expect(info.canPickFolders).toBe(true);
      await window.getByTestId('first-run').waitFor();
    } finally {
      await app.close();
    }
  });
});
