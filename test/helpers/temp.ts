/** Real temporary folders for tests, removed afterwards (even if the test made them read-only). */
import { chmodSync, mkdtempSync, readdirSync, realpathSync, rmSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

export function tempDir(prefix = 'trove-test-'): string {
  // Real path: Trove reports paths with symbolic links resolved (macOS's /var is one).
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

function makeWritable(dir: string): void {
  try {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) makeWritable(path);
      else chmodSync(path, 0o644);
    }
  } catch {
    // best effort
  }
}

function removeDir(dir: string): void {
  makeWritable(dir);
  rmSync(dir, { recursive: true, force: true });
}

afterEach(() => {
  for (const dir of made.splice(0)) removeDir(dir);
});

/** A temporary folder for a whole suite (beforeAll), removed by the returned function (afterAll). */
export function suiteTempDir(prefix = 'trove-suite-'): { path: string; remove: () => void } {
  const path = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { path, remove: () => removeDir(path) };
}
