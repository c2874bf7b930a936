/**
 * The committed CLIP and CLAP fixtures are exactly what the committed scripts generate (same seed,
 * same bytes), so nobody can hand-edit a fixture and nobody can change a script without regenerating.
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

const FIXTURES = [
  { script: 'make-clip-model.ts', args: ['--size', 'tiny'], folder: 'clip-vit-base-patch32' },
  { script: 'make-clap-model.ts', args: [], folder: 'clap-htsat-unfused' },
];

describe('model fixture generators', () => {
  it.each(FIXTURES)('$script reproduces the committed $folder byte for byte, and it stays small', ({ script, args, folder }) => {
    const out = tempDir();
    execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', script), ...args, '--out', out], { cwd: REPO_ROOT });
    const committed = join(FIXTURE_MODELS, folder);
    const generated = join(out, folder);
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

  it('make-region-names.ts reproduces the committed region names byte for byte, with the well-known regions right', () => {
    const out = join(tempDir(), 'region-names.json');
    execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'make-region-names.ts'), '--out', out], {
      cwd: REPO_ROOT,
    });
    const committed = join(REPO_ROOT, 'src', 'main', 'core', 'media', 'region-names.json');
    expect(readFileSync(out).equals(readFileSync(committed))).toBe(true);
    const regions = JSON.parse(readFileSync(committed, 'utf8')) as Record<string, string>;
    // City-states inside another region (their districts are nearer the neighbour's towns) included.
    expect([
      regions['US.CA'],
      regions['US.DC'],
      regions['DE.02'],
      regions['DE.16'],
      regions['FR.11'],
      regions['JP.40'],
      regions['IT.09'],
    ]).toEqual(['California', 'District of Columbia', 'Bavaria', 'Berlin', 'Île-de-France', 'Tōkyō', 'Lombardy']);
  });
});
