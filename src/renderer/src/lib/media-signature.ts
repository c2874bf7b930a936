/**
 * Media capabilities for `trove serve`: an <img> or <video> cannot send the Authorization header, so
 * each media URL carries an HMAC of its variant and file id under a key derived from the run's token.
 * The server computes the same (src/main/cli/server/http-server.ts, mediaSignature); a test checks
 * the two agree. Synchronous, because the UI builds media URLs while it renders.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

export function mediaKeyOf(token: string): Uint8Array {
  return hmac(sha256, encoder.encode(token), encoder.encode('trove-media'));
}

export function mediaSignature(key: Uint8Array, variant: string, fileId: number): string {
  return base64url(hmac(sha256, key, encoder.encode(`${variant}/${fileId}`))).slice(0, 22);
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
