/**
 * Which web permissions the desktop window may have: only what the app uses (writing a path to the
 * clipboard), only for its own page. Everything else a page could ask for (camera, microphone,
 * geolocation, notifications, MIDI, HID, serial, USB, screen capture, opening external apps…) is
 * refused without asking the person. Plain Node, so it is tested without Electron.
 */
import { APP_HOST, APP_SCHEME } from './app-protocol.js';

const ALLOWED = new Set(['clipboard-sanitized-write']);

export function allowPermission(permission: string, requestingUrl: string | undefined): boolean {
  if (!ALLOWED.has(permission) || !requestingUrl) return false;
  try {
    const url = new URL(requestingUrl);
    return url.protocol === `${APP_SCHEME}:` && url.hostname === APP_HOST;
  } catch {
    return false;
  }
}
