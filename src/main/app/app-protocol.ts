/**
 * The `app://trove/…` scheme the desktop window loads its UI from (rather than file://, which would
 * give the page the privileges of every local file). Only the built renderer's own files are
 * answered: the request's path is decoded once, resolved inside the renderer folder, and refused if
 * it, or the real file behind a link, lies outside it. Plain Node, so it is tested without Electron.
 */
import { realpathSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'trove';
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The file of the renderer folder that `requestUrl` names, or undefined to answer 404. */
export function resolveAppAsset(rendererDir: string, requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined; // malformed escapes
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  if (path === '/' || path === '') path = '/index.html';
  const root = realpathSync(rendererDir);
  const candidate = normalize(join(root, path));
  if (!candidate.startsWith(`${root}${sep}`)) return undefined;
  try {
    const real = realpathSync(candidate);
    if (!real.startsWith(`${root}${sep}`) || !statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}
