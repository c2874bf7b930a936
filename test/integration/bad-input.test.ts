/**
 * Acceptance 4: bad input. Each awkward file gets a recorded per-file status with a readable
 * reason, indexing carries on, and nothing crashes. Run through the real CLI; as root, the CLI runs
 * without the capabilities that override file permissions, so a chmod-000 file really is unreadable.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhoto, writeSyntheticPhotos } from '../helpers/images.js';
import { writePngHeaderOnly } from '../helpers/bad-files.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { runCli } from '../helpers/cli.js';
import { storeOf } from '../helpers/library-store.js';

interface Status {
  errors: { path: string; error: string }[];
  scanIssues: { path: string; error: string }[];
  files: Record<string, number>;
}

describe('bad input', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('records a clear status for every awkward file and indexes the rest', async () => {
    const lib = tempDir();
    const photos = tempDir();
    const cache = tempDir();
    for (const dir of [lib, photos, cache]) chmodSync(dir, 0o777);

    await writeSyntheticPhoto(join(photos, 'good.jpg'), 1);
    const unicode = join(photos, 'café ☕', 'фото 日本 😀.jpg');
    await writeSyntheticPhoto(unicode, 2);
    writeFileSync(join(photos, 'zero.jpg'), '');
    await writeSyntheticPhoto(join(photos, 'whole.jpg'), 3, 640, 480);
    const whole = readFileSync(join(photos, 'whole.jpg'));
    writeFileSync(join(photos, 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length / 2)));
    rmSync(join(photos, 'whole.jpg'));
    writeFileSync(join(photos, 'notes.jpg'), 'this is a text file, not a photo\n');
    writePngHeaderOnly(join(photos, 'huge.png'), 30000, 30000);
    await writeSyntheticPhoto(join(photos, 'locked.jpg'), 4);
    chmodSync(join(photos, 'locked.jpg'), 0o000);
    symlinkSync('.', join(photos, 'loop'));
    symlinkSync('self.jpg', join(photos, 'self.jpg'));
    mkdirSync(join(photos, 'private'));
    await writeSyntheticPhoto(join(photos, 'private', 'hidden-away.jpg'), 5);
    chmodSync(join(photos, 'private'), 0o000);

    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: cache, TROVE_OFFLINE: '1', HOME: lib };
    const asUser = { unprivileged: true };
    const add = await runCli(['--library', lib, 'add', photos], { env, ...asUser });
    expect(add.code, add.stderr).toBe(0);
    const index = await runCli(['--library', lib, 'index'], { env, ...asUser });
    expect(index.code, index.stderr).toBe(0);
    expect(index.stderr).toMatch(/2 embedded/);

    const status = await runCli(['--library', lib, 'status', '--json'], { env, ...asUser });
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as Status;
    const errorOf = (name: string) => parsed.errors.find((e) => e.path === join(photos, name))?.error;
    expect(errorOf('zero.jpg')).toMatch(/empty file/);
    expect(errorOf('truncated.jpg')).toMatch(/corrupt or truncated/);
    expect(errorOf('notes.jpg')).toMatch(/not an image/);
    expect(errorOf('huge.png')).toMatch(/too large.*30000x30000/);
    expect(errorOf('locked.jpg')).toMatch(/permission denied/);
    expect(errorOf('self.jpg')).toMatch(/symbolic link loop/);
    const issueOf = (name: string) => parsed.scanIssues.find((i) => i.path === join(photos, name))?.error;
    expect(issueOf('loop')).toMatch(/loop/);
    expect(issueOf('private')).toMatch(/permission denied/);
    expect(parsed.files.ready).toBe(2);

    const search = await runCli(['--library', lib, 'search', 'café', '--json'], { env, ...asUser });
    expect(search.code, search.stderr).toBe(0);
    expect((JSON.parse(search.stdout) as { results: { path: string }[] }).results.map((r) => r.path).sort()).toEqual(
      [join(photos, 'good.jpg'), unicode].sort(),
    );
  });

  it('records a file that vanishes between the scan and its turn', async () => {
    const lib = tempDir();
    const photos = tempDir();
    const [first, doomed] = (await writeSyntheticPhotos(photos, 3)) as [string, string, string];
    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'm') });
    try {
      engine.folders.add(photos);
      // Pause the pipeline right after the scan, delete a file, then let it run.
      engine.indexer.pause();
      const run = engine.indexer.index();
      const { waitFor } = await import('../helpers/wait.js');
      await waitFor(() => storeOf(engine).files.byPath(doomed), 'the scan to record the file');
      rmSync(doomed);
      engine.indexer.resume();
      const summary = await run;
      expect(summary.embedded).toBe(2);
      expect(storeOf(engine).files.byPath(doomed)).toBeUndefined(); // gone from disk, so forgotten
      expect(storeOf(engine).files.byPath(first)!.status).toBe('ready');
    } finally {
      await engine.close();
    }
  });

  it('rejects bad command lines and missing paths with a message and a non-zero exit', async () => {
    const lib = tempDir();
    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    const missing = await runCli(['--library', lib, 'add', join(lib, 'does-not-exist')], { env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot add .*does-not-exist: no such folder/);
    const badLimit = await runCli(['--library', lib, 'search', 'x', '--limit', 'many'], { env });
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toMatch(/positive whole number/);
    const unknownModel = await runCli(['--library', lib, 'index', '--model', 'no-such-model'], { env });
    expect(unknownModel.code).toBe(1);
    expect(unknownModel.stderr).toMatch(/unknown model "no-such-model"/);
  });

  it('refuses a folder it may not read up front, in a sentence', async () => {
    const lib = tempDir();
    const locked = join(tempDir(), 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o000);
    const env = { TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    const add = await runCli(['--library', lib, 'add', locked], { env, unprivileged: true });
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/cannot add .*locked: Trove may not read this folder \(permission denied\)/);
    const status = await runCli(['--library', lib, 'status', '--json'], { env, unprivileged: true });
    expect((JSON.parse(status.stdout) as { folders: unknown[] }).folders).toEqual([]);
  });
});
