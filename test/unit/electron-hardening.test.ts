/**
 * The parts of the desktop app's hardening that run without Electron: the app:// protocol's path
 * checks, the permission policy, and the fuse configuration, flipped for real by @electron/fuses on a
 * stand-in binary that carries Electron's fuse wire.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY, resolveAppAsset } from '../../src/main/app/app-protocol.js';
import { allowPermission } from '../../src/main/app/permissions.js';
import { applyTroveFuses, TROVE_FUSES } from '../../scripts/electron-fuses.js';
import { tempDir } from '../helpers/temp.js';

/** A built renderer folder with a secret beside it and a link in it pointing at the secret. */
function rendererFolder(): string {
  const root = tempDir();
  const renderer = join(root, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
  writeFileSync(join(renderer, 'assets', 'app.js'), '');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  symlinkSync(join(root, 'secret.txt'), join(renderer, 'assets', 'link.js'));
  return renderer;
}

describe('app:// protocol', () => {
  it('serves the renderer’s own files', () => {
    const renderer = rendererFolder();
    expect(resolveAppAsset(renderer, APP_ENTRY)).toBe(join(renderer, 'index.html'));
    expect(resolveAppAsset(renderer, 'app://trove/')).toBe(join(renderer, 'index.html'));
    expect(resolveAppAsset(renderer, 'app://trove/assets/app.js?x=1#y')).toBe(join(renderer, 'assets', 'app.js'));
  });

  it('refuses everything else', () => {
    const renderer = rendererFolder();
    for (const url of [
      'app://trove/../secret.txt',
      'app://trove/%2e%2e/secret.txt',
      'app://trove/assets/..%2f..%2fsecret.txt',
      'app://trove/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://trove/assets/..%5c..%5csecret.txt',
      'app://trove/index.html%00.js',
      'app://trove/%E0%A4%A',
      'app://trove/assets/link.js',
      'app://trove/assets',
      'app://trove/missing.js',
      'app://elsewhere/index.html',
      'file:///etc/passwd',
      'trove-media://original/1',
      'not a url',
    ]) {
      expect(resolveAppAsset(renderer, url), url).toBeUndefined();
    }
  });
});

describe('permissions', () => {
  it('allows only the clipboard write the app uses, and only to its own page', () => {
    expect(allowPermission('clipboard-sanitized-write', 'app://trove/index.html')).toBe(true);
    expect(allowPermission('clipboard-sanitized-write', 'https://example.com/')).toBe(false);
    expect(allowPermission('clipboard-sanitized-write', undefined)).toBe(false);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'midi',
      'hid',
      'serial',
      'usb',
      'display-capture',
      'openExternal',
      'clipboard-read',
    ]) {
      expect(allowPermission(permission, 'app://trove/index.html'), permission).toBe(false);
    }
  });
});

describe('Electron fuses', () => {
  it('turn off RunAsNode, NODE_OPTIONS and --inspect, and turn on cookie encryption and ASAR integrity', async () => {
    expect(TROVE_FUSES).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    // A stand-in binary with Electron's fuse wire (sentinel, version 1, 9 fuses at their defaults).
    const binary = join(tempDir(), 'electron');
    const wire = Buffer.from([1, 9, ...Buffer.from('101100010')]);
    writeFileSync(
      binary,
      Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), wire, Buffer.alloc(4096, 7)]),
    );
    await applyTroveFuses(binary);
    const flipped = await getCurrentFuseWire(binary);
    expect(flipped[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(flipped[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(flipped[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(flipped[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(flipped[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(flipped[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(readFileSync(binary).length).toBe(4096 * 2 + 32 + wire.length);
  });
});
