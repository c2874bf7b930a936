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
      const after = engine.db.prepare('SELECT id, content_id FROM vectors ORDER BY id').all() as { id: number; content_id: number }[];
      expect(after).toHaveLength(PHOTOS);
      // Everything committed before the crash is still there, untouched.
      const afterIds = new Map(after.map((r) => [r.id, r.content_id]));
      for (const row of before) expect(afterIds.get(row.id)).toBe(row.content_id);
      // One vector per content: nothing was embedded twice.
      const perContent = engine.db.prepare('SELECT MAX(n) AS most FROM (SELECT COUNT(*) AS n FROM vectors GROUP BY content_id)').get() as { most: number };
      expect(perContent.most).toBe(1);
      expect(engine.status().files.ready).toBe(PHOTOS);
      expect(engine.queue.pending('ingest') + engine.queue.pending('embed')).toBe(0);

      // The HNSW index agrees with the database: same size, and every stored vector finds itself.
      const model = await engine.useModel();
      expect(model.index.size).toBe(PHOTOS);
      for (const { id, vector } of engine.vectors.iterate(model.modelId)) {
        const [top] = model.index.search(vector, 1);
        expect(top!.id).toBe(id);
      }
    } finally {
      await engine.close();
    }
  });
});
