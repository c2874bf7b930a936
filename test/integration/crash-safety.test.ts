/**
 * Acceptance 5: crash safety. The indexer is killed with SIGKILL in the middle of a run; on the next
 * start the database opens, the vector index agrees with it, work resumes, and nothing that was
 * already embedded is embedded again.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { FIXTURE_MODELS, REPO_ROOT, useModelDirs } from '../helpers/env.js';
import { cliArgs, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { storeOf } from '../helpers/library-store.js';

const PHOTOS = 300;

function countVectors(dbFile: string): number {
  if (!existsSync(dbFile)) return 0;
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM vectors').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

describe('crash safety', () => {
  beforeEach(() => useModelDirs(FIXTURE_MODELS));

  it('survives kill -9 mid-run: resumes without embedding anything twice', async () => {
    const lib = tempDir();
    const photos = tempDir();
    await writeSyntheticPhotos(photos, PHOTOS);
    const env = { ...process.env, TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    expect((await runCli(['--library', lib, 'add', photos], { env })).code).toBe(0);

    const dbFile = join(lib, 'library.db');
    const child = spawn(process.execPath, cliArgs(['--library', lib, '--threads', '1', 'index']), { cwd: REPO_ROOT, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? -9 : _code)));
    await waitFor(() => countVectors(dbFile) >= 20, 'the indexer to embed a first batches', 60_000);
    child.kill('SIGKILL');
    expect(await exited).toBe(-9);

    // What was committed before the kill.
    const snapshot = new Database(dbFile, { readonly: true });
    const before = snapshot.prepare('SELECT id, content_id FROM vectors ORDER BY id').all() as { id: number; content_id: number }[];
    snapshot.close();
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(PHOTOS);

    const resumed = await runCli(['--library', lib, 'index'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const embeddedNow = Number(/(\d+) embedded/.exec(resumed.stderr)?.[1]);
    expect(embeddedNow).toBe(PHOTOS - before.length);

    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: env.TROVE_MODEL_CACHE });
    try {
      const after = storeOf(engine)
        .vectors.placements()
        .map((v) => ({ id: v.id, content_id: v.contentId }));
      expect(after).toHaveLength(PHOTOS);
      // Everything committed before the crash is still there, untouched.
      const afterIds = new Map(after.map((r) => [r.id, r.content_id]));
      for (const row of before) expect(afterIds.get(row.id)).toBe(row.content_id);
      // One vector per content: nothing was embedded twice.
      const perContent = new Map<number, number>();
      for (const v of after) perContent.set(v.content_id, (perContent.get(v.content_id) ?? 0) + 1);
      expect(Math.max(...perContent.values())).toBe(1);
      expect(engine.status.read().files.ready).toBe(PHOTOS);
      expect(storeOf(engine).jobs.total()).toBe(0);

      // The HNSW index agrees with the database: same size, and every stored vector finds itself.
      const model = await engine.indexer.useModel();
      expect(model.index.size).toBe(PHOTOS);
      for (const { id, vector } of storeOf(engine).vectors.iterate(model.modelId)) {
        const [top] = model.index.search(vector, 1);
        expect(top!.id).toBe(id);
      }
    } finally {
      await engine.close();
    }
  });

  it('stops cleanly on Ctrl-C (SIGINT) with the index saved, and the next run resumes', async () => {
    const lib = tempDir();
    const photos = tempDir();
    await writeSyntheticPhotos(photos, 200, 500);
    const env = { ...process.env, TROVE_MODELS_DIR: FIXTURE_MODELS, TROVE_MODEL_CACHE: tempDir(), TROVE_OFFLINE: '1' };
    expect((await runCli(['--library', lib, 'add', photos], { env })).code).toBe(0);
    const dbFile = join(lib, 'library.db');
    const child = spawn(process.execPath, cliArgs(['--library', lib, '--threads', '1', 'index']), { cwd: REPO_ROOT, env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => countVectors(dbFile) >= 20, 'a first batch', 60_000);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopping after the current batch/);
    expect(stderr).toMatch(/stopped: (\d+) embedded/);
    const firstRun = Number(/stopped: (\d+) embedded/.exec(stderr)![1]);
    expect(firstRun).toBeLessThan(200);
    expect(countVectors(dbFile)).toBe(firstRun);

    // The saved index matches the database: the next open needs no repair or rebuild.
    const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: env.TROVE_MODEL_CACHE });
    try {
      const model = await engine.indexer.useModel();
      expect(model.indexReport).toMatchObject({ rebuilt: false, added: 0, removed: 0 });
      const resumed = await engine.indexer.index();
      expect(resumed.embedded).toBe(200 - firstRun);
      expect(model.index.size).toBe(200);
    } finally {
      await engine.close();
    }
  });

  it('a failing model stops the run without blaming the photos; the next run finishes the work', async () => {
    const lib = tempDir();
    const photos = tempDir();
    await writeSyntheticPhotos(photos, 64, 900);
    const cache = tempDir();
    let engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: cache });
    try {
      engine.folders.add(photos);
      // The inference worker goes away before the first batch (as if it had crashed): deterministic,
      // unlike killing it mid-run, which may come too late on a fast machine.
      const model = await engine.indexer.useModel();
      await model.client.close();
      const run = engine.indexer.index();
      await expect(run).rejects.toThrow(/inference failed, indexing stopped/);
      expect(engine.status.read().files.error).toBe(0);
    } finally {
      await engine.close();
    }
    engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: cache });
    try {
      const summary = await engine.indexer.index();
      expect(summary.failed).toBe(0);
      expect(engine.status.read().files.ready).toBe(64);
      expect(storeOf(engine).vectors.count(storeOf(engine).vectors.findModel('clip-vit-base-patch32')!.id)).toBe(64);
    } finally {
      await engine.close();
    }
  });
});
