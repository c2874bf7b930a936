/**
 * New photos in a large library (issue 13): a library that already holds `items` indexed files, to
 * which a folder of new photos is added and indexed, as the app does it: with its progress bar
 * reported and the status (the Library table's counts) asked for every 1.5 s, as the app's window
 * does while a run goes on. Against the same photos indexed into an empty library: how much a large
 * library slows the run. Also the cost of one count of the files still waiting and of the Library
 * table's counts, which read every file's row, and of two lookups of each content's ready file (the
 * pictures to fingerprint for the duplicates review, those whose words are unread): quadratic while
 * SQLite looked those files up by status.
 *
 * The library's files are written straight into its database, each a ready file whose content the
 * model has seen (recorded as a failure: no vectors, so the index is not rebuilt at every start; the
 * counts read the same rows either way), in a folder that no longer exists (its files are kept).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/core/engine.js';
import { LibraryStore } from '../src/main/core/store/library-store.js';
import { median } from './indexing.js';
import { writeReadyPhoto } from './library-rows.js';

export interface LargeLibraryResult {
  items: number;
  photos: number;
  /** One count of the run's waiting files, and one of every folder's counts (the Library table), in ms. */
  waitingCountMs: number;
  folderCountsMs: number;
  /**
   * Lookups of each content's ready file, in ms: the pictures still to fingerprint for the duplicates
   * review (all of them here, as in a library read before fingerprints), and the count of pictures
   * whose words are unread (asked at the start of every run while words are read).
   */
  toFingerprintMs: number;
  unreadWordsMs: number;
  /** The new photos indexed into the large library: wall and CPU seconds (medians of the runs). */
  seconds: number;
  cpuSeconds: number;
  /** The same photos into an empty library. */
  emptySeconds: number;
  emptyCpuSeconds: number;
}

const MODEL = 'mobilenet-v2-int8';
const STATUS_EVERY_MS = 1500;

export async function measureLargeLibrary(
  items: number,
  photosDir: string,
  modelsDir: string,
  log: (m: string) => void,
  runs = 3,
): Promise<LargeLibraryResult> {
  process.env.TROVE_MODELS_DIR = modelsDir;
  const root = mkdtempSync(join(tmpdir(), 'trove-large-library-'));
  try {
    const large = join(root, 'large');
    const empty = join(root, 'empty');
    const started = performance.now();
    const counts = await writeLibrary(large, items);
    await writeLibrary(empty, 0);
    log(`  wrote ${items} indexed files (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    const timed: { seconds: number; cpuSeconds: number; photos: number }[][] = [[], []];
    for (let run = 0; run < runs; run += 1) {
      for (const [i, base] of [large, empty].entries()) timed[i]!.push(await indexInto(base, join(root, 'run'), photosDir));
    }
    const [inLarge, inEmpty] = timed as [(typeof timed)[0], (typeof timed)[0]];
    return {
      items,
      photos: inLarge[0]!.photos,
      ...counts,
      seconds: median(inLarge.map((r) => r.seconds)),
      cpuSeconds: median(inLarge.map((r) => r.cpuSeconds)),
      emptySeconds: median(inEmpty.map((r) => r.seconds)),
      emptyCpuSeconds: median(inEmpty.map((r) => r.cpuSeconds)),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A library of `items` indexed files; the time of one count of each kind at that size. */
async function writeLibrary(
  dir: string,
  items: number,
): Promise<Pick<LargeLibraryResult, 'waitingCountMs' | 'folderCountsMs' | 'toFingerprintMs' | 'unreadWordsMs'>> {
  mkdirSync(dir, { recursive: true });
  const engine = Engine.open({ libraryDir: dir, offline: true, modelCacheDir: join(dir, 'models') });
  engine.settings.update({ imageModel: MODEL, readText: false });
  await engine.indexer.useModel(MODEL);
  await engine.close();
  const store = LibraryStore.open(join(dir, 'library.db'));
  const folder = store.folders.add(join(dir, 'old-photos-no-longer-here'));
  const modelId = store.vectors.findModel(MODEL)!.id;
  const BATCH = 20_000;
  for (let from = 0; from < items; from += BATCH) {
    store.atomically(() => {
      for (let n = from; n < Math.min(items, from + BATCH); n += 1) {
        const contentId = writeReadyPhoto(store, folder, n, 'large');
        store.vectors.saveFailure(modelId, contentId, 'stands in for an embedding');
      }
    });
  }
  const models = { image: modelId, audio: null };
  const time = (count: () => unknown) => {
    const t = performance.now();
    count();
    return performance.now() - t;
  };
  const waitingCountMs = median([0, 1, 2].map(() => time(() => store.queries.waitingFiles(models))));
  const folderCountsMs = median([0, 1, 2].map(() => time(() => store.queries.folderCounts(models))));
  const toFingerprintMs = time(() => store.fingerprints.missing('visual'));
  const unreadWordsMs = time(() => store.text.unreadCount());
  await store.close();
  return { waitingCountMs, folderCountsMs, toFingerprintMs, unreadWordsMs };
}

/** A copy of the library at `base`, the photos' folder added and indexed with progress and status asked for. */
async function indexInto(base: string, lib: string, photosDir: string): Promise<{ seconds: number; cpuSeconds: number; photos: number }> {
  rmSync(lib, { recursive: true, force: true });
  cpSync(base, lib, { recursive: true });
  const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(base, 'models') });
  try {
    await engine.indexer.useModel(MODEL); // loading the model is a one-time cost, not throughput
    engine.folders.add(photosDir);
    const status = setInterval(() => engine.status.read({ errorLimit: 0 }), STATUS_EVERY_MS);
    const cpu = process.cpuUsage();
    const started = performance.now();
    let summary;
    try {
      summary = await engine.indexer.index({ model: MODEL, onProgress: () => undefined });
    } finally {
      clearInterval(status);
    }
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, photos: summary.embedded };
  } finally {
    await engine.close();
    rmSync(lib, { recursive: true, force: true });
  }
}
