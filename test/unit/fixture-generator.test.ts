/**
 * The committed CLIP fixture is exactly what the committed script generates (same seed, same bytes),
 * so nobody can hand-edit the fixture and nobody can change the script without regenerating it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { FIXTURE_MODELS, REPO_ROOT } from '../helpers/env.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('CLIP fixture generator', () => {
  it('reproduces the committed fixture byte for byte, and it stays small', () => {
    const out = tempDir();
    execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'make-clip-model.ts'), '--size', 'tiny', '--out', out], {
      cwd: REPO_ROOT,
    });
    const committed = join(FIXTURE_MODELS, 'clip-vit-base-patch32');
    const generated = join(out, 'clip-vit-base-patch32');
    const files = listFiles(committed)
      .map((f) => relative(committed, f))
      .sort();
    expect(
      listFiles(generated)
        .map((f) => relative(generated, f))
        .sort(),
    ).toEqual(files);
    for (const file of files) expect(readFileSync(join(generated, file)).equals(readFileSync(join(committed, file))), file).toBe(true);
    const bytes = files.reduce((sum, f) => sum + statSync(join(committed, f)).size, 0);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
  });
});
