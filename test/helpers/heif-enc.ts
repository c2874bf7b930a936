/** HEIC files for tests, made with Debian's heif-enc (libheif-examples, which CI installs). */
import { execFileSync } from 'node:child_process';

export const hasHeifEnc = (() => {
  try {
    execFileSync('heif-enc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasHeifEnc) console.warn('heif-enc not found (apt-get install libheif-examples): the HEIC tests are skipped');

/** A HEIC made from `jpeg` by libheif's encoder; `thumbnail` adds a thumbnail item that large, as phones do. */
export function heifEnc(jpeg: string, out: string, thumbnail?: number): string {
  execFileSync('heif-enc', ['-q', '70', ...(thumbnail ? ['-t', String(thumbnail)] : []), '-o', out, jpeg], { stdio: 'ignore' });
  return out;
}
