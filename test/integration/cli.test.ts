/** The installed `trove` command (bin/ over the compiled dist/ that `npm ci` builds). */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, FIXTURE_MODELS } from '../helpers/env.js';
import { tempDir } from '../helpers/temp.js';
import { runCli } from '../helpers/cli.js';

const BIN = join(REPO_ROOT, 'bin', 'trove.js');

describe('trove command', () => {
  it('answers --help from the built package', () => {
    const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    for (const command of ['add', 'remove', 'index', 'watch', 'search', 'similar', 'status', 'models'])
      expect(help).toMatch(new RegExp(`\\n\\s+${command}\\b`));
    const models = execFileSync(process.execPath, [BIN, 'models', '--help'], { encoding: 'utf8' });
    for (const sub of ['list', 'download', 'import']) expect(models).toContain(sub);
  });

  it('fails with a sentence and exit code 1 for an unknown folder', () => {
    const result = spawnSync(process.execPath, [BIN, '--library', tempDir(), 'remove', '/nowhere/at/all'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^trove: \/nowhere\/at\/all is not a library folder/);
  });

  it('imports models from a folder for offline use, and lists them', async () => {
    const cache = tempDir();
    const env = { TROVE_MODEL_CACHE: cache, TROVE_MODELS_DIR: '' };
    const before = await runCli(['models', 'list', '--json'], { env });
    const listed = (out: string) => (JSON.parse(out) as { models: { name: string; installedAt: string | null }[] }).models;
    expect(listed(before.stdout).find((m) => m.name === 'clip-vit-base-patch32')?.installedAt).toBeNull();
    const imported = await runCli(['models', 'import', FIXTURE_MODELS], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/imported clip-vit-base-patch32/);
    const after = await runCli(['models', 'list', '--json'], { env });
    expect(listed(after.stdout).find((m) => m.name === 'clip-vit-base-patch32')?.installedAt).toBe(join(cache, 'clip-vit-base-patch32'));
    const nothing = await runCli(['models', 'import', tempDir()], { env });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/no model folder found/);
  });

  it('status --json and settings round-trip', async () => {
    const lib = tempDir();
    const photos = tempDir();
    await runCli(['--library', lib, 'add', photos]);
    const set = await runCli(['--library', lib, 'settings', '--offline-mode', 'on', '--exclude', '*.tmp', 'raw', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ offline: true, excludePatterns: ['*.tmp', 'raw'] });
    const status = JSON.parse((await runCli(['--library', lib, 'status', '--json'])).stdout);
    expect(status.folders.map((f: { path: string }) => f.path)).toHaveLength(1);
    expect(status.settings.offline).toBe(true);
  });

  it('downloads a model with `models download`, and refuses to in offline mode', async () => {
    const { startFakeHub } = await import('../helpers/fake-hub.js');
    const hub = await startFakeHub('Xenova/clip-vit-base-patch32', join(FIXTURE_MODELS, 'clip-vit-base-patch32'), 'good');
    try {
      const cache = tempDir();
      const env = { TROVE_MODEL_CACHE: cache, TROVE_HF_ENDPOINT: hub.endpoint, TROVE_MODELS_DIR: '' };
      const offline = await runCli(['--offline', 'models', 'download', 'clip-vit-base-patch32'], { env });
      expect(offline.code).toBe(1);
      expect(offline.stderr).toMatch(/offline mode is on/);
      expect(hub.requests()).toBe(0);
      const online = await runCli(['models', 'download', 'clip-vit-base-patch32'], { env });
      expect(online.code, online.stderr).toBe(0);
      expect(online.stderr).toMatch(/downloading onnx\/vision_model_quantized.onnx/);
      expect(online.stderr).toContain(`installed clip-vit-base-patch32 in ${join(cache, 'clip-vit-base-patch32')}`);
    } finally {
      await hub.close();
    }
  });

  it('`watch` indexes, follows new files, and stops cleanly on Ctrl-C', async () => {
    const { spawn } = await import('node:child_process');
    const { cliArgs } = await import('../helpers/cli.js');
    const { writeSyntheticPhoto } = await import('../helpers/images.js');
    const { waitFor } = await import('../helpers/wait.js');
    const lib = tempDir();
    const photos = tempDir();
    await writeSyntheticPhoto(join(photos, 'first.jpg'), 1);
    const env = { ...process.env, TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    expect((await runCli(['--library', lib, 'add', photos], { env })).code).toBe(0);
    const child = spawn(process.execPath, cliArgs(['--library', lib, 'watch']), { cwd: REPO_ROOT, env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /watching 1 folder/.test(stderr), 'the watcher to start', 60_000);
      await writeSyntheticPhoto(join(photos, 'second.jpg'), 2);
      await waitFor(() => /1 changes: 1 embedded/.test(stderr), 'the new photo to be indexed', 30_000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    const search = JSON.parse((await runCli(['--library', lib, 'search', 'x', '--json'], { env })).stdout) as {
      results: { path: string }[];
    };
    expect(search.results.map((r) => r.path).sort()).toEqual([join(photos, 'first.jpg'), join(photos, 'second.jpg')]);
  });
});
