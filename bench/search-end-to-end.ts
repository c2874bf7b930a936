/**
 * What a person waits for in a large library (issue 13): from starting the engine to the first
 * results of a text query, and each query after that, through the full-size CLIP ViT-B/32 text
 * encoder (random weights: the real one's compute), the vector index, the words-in-pictures and
 * place lookups, metadata and ranking: `engine.search.text`, what the UI's search calls.
 *
 * The library holds `items` photos (a file, a content and one 512-d vector each, low-rank like
 * embeddings), written straight through the store; the index is built once, then a fresh process
 * opens the library as a start does and answers the queries (bench/first-search.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Engine } from '../src/main/core/engine.js';
import { VectorIndex } from '../src/main/core/index/vector-index.js';
import { LibraryStore } from '../src/main/core/store/library-store.js';
import { makeVectors, rows } from '../test/helpers/vectors.js';
import { writeReadyPhoto } from './library-rows.js';

export interface EndToEndResult {
  items: number;
  /** Writing the library and building its index (not what a person waits for at a start). */
  prepareSeconds: number;
  /**
   * A start with the library's files in the system's cache (a restart of the app): Engine.open until
   * the first query's results, the median of three fresh processes.
   */
  coldFirstResultsSeconds: number;
  /** The same, from spawning the process (Node and module loading included, through tsx). */
  coldFromSpawnSeconds: number;
  /** Its parts: opening the engine, then the first query (model, index, encoding, ranking). */
  engineOpenMs: number;
  firstQueryMs: number;
  /** A start with nothing in the system's cache (as after a reboot); null where the cache cannot be dropped. */
  diskColdFirstResultsSeconds: number | null;
  warmP50Ms: number;
  warmP95Ms: number;
  /** Resident memory of the process once warm. */
  rssMiB: number;
}

const FIRST_SEARCH = fileURLToPath(new URL('./first-search.ts', import.meta.url));
const MODEL = 'clip-vit-base-patch32';
const DIM = 512;

export async function measureEndToEnd(items: number, modelsDir: string, log: (m: string) => void): Promise<EndToEndResult> {
  const lib = mkdtempSync(join(tmpdir(), 'trove-e2e-'));
  try {
    const start = performance.now();
    await writeLibrary(lib, items, modelsDir, log);
    const prepareSeconds = (performance.now() - start) / 1000;
    // What was just written reaches the disk first: a start does not share it with the writeback.
    execFileSync('sync');
    const starts = [0, 1, 2].map(() => startAndSearch(lib, modelsDir));
    const { run, spawned } = starts.sort((a, b) => seconds(a.run) - seconds(b.run))[1]!;
    const diskCold = dropSystemCache() ? seconds(startAndSearch(lib, modelsDir).run) : null;
    const sorted = [...run.latencies].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    return {
      items,
      prepareSeconds,
      coldFirstResultsSeconds: seconds(run),
      coldFromSpawnSeconds: (run.firstAt - spawned) / 1000,
      engineOpenMs: run.engineOpenMs,
      firstQueryMs: run.firstQueryMs,
      diskColdFirstResultsSeconds: diskCold,
      warmP50Ms: pct(0.5),
      warmP95Ms: pct(0.95),
      rssMiB: run.rssMiB,
    };
  } finally {
    rmSync(lib, { recursive: true, force: true });
  }
}

const FirstSearch = z.object({
  engineOpenMs: z.number(),
  firstQueryMs: z.number(),
  firstAt: z.number(),
  latencies: z.array(z.number()),
  rssMiB: z.number(),
  results: z.number(),
});
type FirstSearch = z.infer<typeof FirstSearch>;

const seconds = (run: FirstSearch) => (run.engineOpenMs + run.firstQueryMs) / 1000;

/** A fresh process that opens the library and searches it (bench/first-search.ts). */
function startAndSearch(lib: string, modelsDir: string): { run: FirstSearch; spawned: number } {
  const spawned = Date.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', FIRST_SEARCH, lib, MODEL], {
    encoding: 'utf8',
    env: { ...process.env, TROVE_MODELS_DIR: modelsDir },
    maxBuffer: 16 * 2 ** 20,
  });
  const run = FirstSearch.parse(JSON.parse(out.trim().split('\n').at(-1)!));
  if (run.results === 0) throw new Error('the first query found nothing');
  return { run, spawned };
}

/** Empties the system's file cache (Linux, as root); false where that is not allowed. */
function dropSystemCache(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

/** `items` photos in `lib`, each a ready file with its content and vector, and the index built. */
export async function writeLibrary(lib: string, items: number, modelsDir: string, log: (m: string) => void): Promise<void> {
  process.env.TROVE_MODELS_DIR = modelsDir;
  const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: join(lib, 'models') });
  engine.settings.update({ imageModel: MODEL, readText: false });
  await engine.close();
  const store = LibraryStore.open(join(lib, 'library.db'));
  const folder = store.folders.add(join(lib, 'photos'));
  const modelId = store.vectors.modelId(MODEL, DIM);
  const started = performance.now();
  const BATCH = 20_000;
  for (let from = 0; from < items; from += BATCH) {
    const count = Math.min(BATCH, items - from);
    const vectors = rows(makeVectors('low-rank', count, DIM, 42 + from), DIM);
    store.atomically(() => {
      for (let i = 0; i < count; i += 1) {
        const contentId = writeReadyPhoto(store, folder, from + i, 'e2e');
        store.vectors.saveEmbedding(modelId, contentId, [{ contentId, offsetS: null, vector: vectors[i]! }], []);
      }
    });
  }
  log(`  wrote ${items} photos to the library (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const built = performance.now();
  mkdirSync(join(lib, 'indexes'), { recursive: true });
  await VectorIndex.rebuild(join(lib, 'indexes', `${MODEL}.hnsw`), DIM, store.vectors, modelId);
  log(`  built the index (${((performance.now() - built) / 1000).toFixed(0)} s)`);
  await store.close();
}
