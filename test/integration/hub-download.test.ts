/**
 * Model download from a Hugging Face-style hub, against a real HTTP server on loopback that behaves
 * like the hub (LFS files answered with a redirect carrying X-Linked-Etag/X-Linked-Size, small files
 * with a git blob ETag): progress is reported, integrity is checked, and a failed or interrupted
 * download leaves nothing behind. Offline mode refuses before any connection.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadHubModel } from '../../src/main/core/models/hub-download.js';
import { findBuiltinModel, type HubModelSpec } from '../../src/main/core/models/registry.js';
import { ModelManager } from '../../src/main/core/models/model-manager.js';
import { VectorRepo } from '../../src/main/core/store/vector-repo.js';
import { openDatabase } from '../../src/main/core/store/database.js';
import { tempDir } from '../helpers/temp.js';
import { FIXTURE_MODELS } from '../helpers/env.js';

const spec = findBuiltinModel('clip-vit-base-patch32') as HubModelSpec;
const source = join(FIXTURE_MODELS, 'clip-vit-base-patch32');

let hub: FakeHub | undefined;

afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('model download', () => {
  it('downloads every file with progress and verifies it', async () => {
    hub = await startFakeHub(spec.hubRepo, source, 'good');
    const endpoint = hub.endpoint;
    const cache = tempDir();
    const progress: { file: string; received: number }[] = [];
    const dir = await downloadHubModel(spec, cache, { endpoint, onProgress: (p) => progress.push(p) });
    expect(dir).toBe(join(cache, 'clip-vit-base-patch32'));
    for (const file of spec.files) expect(readFileSync(join(dir, file))).toEqual(readFileSync(join(source, file)));
    expect(new Set(progress.map((p) => p.file))).toEqual(new Set(spec.files));
    expect(readdirSync(cache)).toEqual(['clip-vit-base-patch32']);
  });

  it.each([
    ['corrupt', /integrity check failed/],
    ['cut', /cut|failed/],
    ['missing-file', /404/],
  ] as const)('a %s download says why and leaves nothing half-written', async (mode, message) => {
    hub = await startFakeHub(spec.hubRepo, source, mode);
    const endpoint = hub.endpoint;
    const cache = tempDir();
    await expect(downloadHubModel(spec, cache, { endpoint })).rejects.toThrow(message);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('offline mode refuses to download, before any network access, and says what to do', async () => {
    hub = await startFakeHub(spec.hubRepo, source, 'good');
    const endpoint = hub.endpoint;
    process.env.TROVE_HF_ENDPOINT = endpoint;
    const saved = process.env.TROVE_MODELS_DIR;
    process.env.TROVE_MODELS_DIR = tempDir();
    const dir = tempDir();
    const db = openDatabase(join(dir, 'library.db'));
    const managerWith = (offline: boolean) =>
      new ModelManager({
        cacheDir: join(dir, 'cache'),
        indexDir: join(dir, 'idx'),
        threads: 1,
        offline: () => offline,
        vectors: new VectorRepo(db),
      });
    const manager = managerWith(true);
    try {
      await expect(manager.ensureInstalled('clip-vit-base-patch32')).rejects.toThrow(
        /offline mode forbids downloading.*trove models import/,
      );
      expect(hub.requests()).toBe(0);
      // Online, the same call downloads it (from the loopback hub) and finds it complete.
      const online = managerWith(false);
      const resolved = await online.ensureInstalled('clip-vit-base-patch32');
      expect(resolved.dir).toBe(join(dir, 'cache', 'clip-vit-base-patch32'));
      expect(hub.requests()).toBeGreaterThan(0);
    } finally {
      delete process.env.TROVE_HF_ENDPOINT;
      process.env.TROVE_MODELS_DIR = saved;
      db.close();
    }
  });
});
