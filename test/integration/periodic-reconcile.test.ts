/**
 * Watching can miss an event (a burst, a sleeping laptop, a network share), and nothing else would
 * repair it: the periodic reconcile (a stat-only scan while watching) does, within its interval.
 * The missed event is made here by putting the file's record out of step with the disk, as a lost
 * event leaves it: a file stuck "in error" with the size and time of a version that is gone.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/core/engine.js';
import { tempDir } from '../helpers/temp.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { waitFor } from '../helpers/wait.js';
import { storeOf } from '../helpers/library-store.js';

describe('periodic reconcile while watching', () => {
  it('repairs a file left in error by a change the watcher never reported', async () => {
    useModelDirs(FIXTURE_MODELS);
    const photos = tempDir();
    const [first] = (await writeSyntheticPhotos(photos, 3)) as [string];
    const engine = Engine.open({ libraryDir: tempDir(), offline: true, modelCacheDir: tempDir() });
    engine.folders.add(photos);
    const controller = new AbortController();
    let live = false;
    const watching = engine.indexer.watch({ signal: controller.signal, reconcileIntervalMs: 500, onWatching: () => (live = true) });
    try {
      await waitFor(() => live && storeOf(engine).files.countByStatus().ready === 3, 'the first index and the watcher');
      const row = storeOf(engine).files.byPath(first)!;
      storeOf(engine).files.markChanged(row.id, 1, 1);
      storeOf(engine).files.setError(row.id, { message: 'stale: the version read was swapped away', code: 'corrupt' });
      expect(storeOf(engine).files.byPath(first)!.status).toBe('error');
      await waitFor(() => storeOf(engine).files.byPath(first)!.status === 'ready', 'the periodic reconcile to repair the file', 15_000);
      expect(storeOf(engine).files.byPath(first)!.id).toBe(row.id);
      expect(storeOf(engine).files.countByStatus()).toMatchObject({ ready: 3, error: 0 });
    } finally {
      controller.abort();
      await watching;
      await engine.close();
    }
  });
});
