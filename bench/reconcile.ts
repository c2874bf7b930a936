/**
 * What the periodic reconcile costs while watching: one stat-only pass over every folder compared
 * with the database, at `files` files (100 folders), when nothing changed. The files are empty
 * `.jpg`s, so the first index gives each its status without any model work; the pass measured is a
 * second `index()` that finds nothing to do, which is what the reconcile timer runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/core/engine.js';

export interface ReconcileResult {
  files: number;
  firstIndexSeconds: number;
  reconcileSeconds: number;
  reconcileCpuSeconds: number;
}

export async function measureReconcile(files: number, modelsDir: string, log: (m: string) => void): Promise<ReconcileResult> {
  const root = mkdtempSync(join(tmpdir(), 'trove-bench-reconcile-'));
  try {
    const photos = join(root, 'photos');
    const perFolder = Math.ceil(files / 100);
    for (let i = 0; i < files; i += 1) {
      const dir = join(photos, `folder-${Math.floor(i / perFolder)}`);
      if (i % perFolder === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `photo-${i}.jpg`), '');
    }
    process.env.TROVE_MODELS_DIR = modelsDir;
    const engine = Engine.open({ libraryDir: join(root, 'library'), modelCacheDir: join(root, 'cache'), offline: true });
    try {
      engine.folders.add(photos);
      let started = performance.now();
      await engine.indexer.index();
      const firstIndexSeconds = (performance.now() - started) / 1000;
      log(`  first index of ${files} files: ${firstIndexSeconds.toFixed(1)} s`);
      const cpu = process.cpuUsage();
      started = performance.now();
      const again = await engine.indexer.index();
      const reconcileSeconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      if (again.scanned.added + again.scanned.changed + again.scanned.missing !== 0) throw new Error('the second pass found changes');
      return { files, firstIndexSeconds, reconcileSeconds, reconcileCpuSeconds: (used.user + used.system) / 1e6 };
    } finally {
      await engine.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
