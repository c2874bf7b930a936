/**
 * The product's vector index at scale (issue 13): vectors stored in a real SQLite library, the index
 * built from them by `VectorIndex.rebuild` (reading the database, learning the projection, building
 * the graph, saving it), then queried through `VectorIndex.search` (graph, then re-ranking by the
 * full vectors read back from the database) against exact search over the same vectors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VectorIndex } from '../src/main/core/index/vector-index.js';
import { ContentRepo } from '../src/main/core/store/content-repo.js';
import { openDatabase } from '../src/main/core/store/database.js';
import { VectorRepo } from '../src/main/core/store/vector-repo.js';
import { z } from 'zod';
import { exactTopK, makeVectors, rows, type VectorKind } from '../test/helpers/vectors.js';

export interface ScaleResult {
  kind: VectorKind;
  vectors: number;
  buildSeconds: number;
  recallAt10: number;
  p50Ms: number;
  p99Ms: number;
  /** Resident memory the built index adds, per million vectors. */
  rssMiBPerMillion: number;
  /** The raw vectors' own size per million (512 float32: 1953 MiB), for the ratio. */
  rawMiBPerMillion: number;
  /** The library database and the index files, per million vectors. */
  databaseMiBPerMillion: number;
  indexFilesMiBPerMillion: number;
  projected: boolean;
  /** Opening the saved index, as a start does (load, check, sync with the database). */
  openSeconds: number;
  firstQueryMs: number;
}

const OPEN_SCRIPT = fileURLToPath(new URL('./open-index.ts', import.meta.url));

/** Queries timed (distinct ones; the recall is checked on the first `queries`, exact search being slow). */
const TIMED_QUERIES = 1000;

/** Vectors per content: a library of videos' moments and photos (one content holds up to this many). */
const VECTORS_PER_CONTENT = 50;

export async function measureVectorScale(
  kind: VectorKind,
  count: number,
  queries: number,
  log: (m: string) => void = () => {},
): Promise<ScaleResult> {
  const dim = 512;
  const dir = mkdtempSync(join(tmpdir(), 'trove-scale-'));
  try {
    const db = openDatabase(join(dir, 'library.db'));
    const vectors = new VectorRepo(db);
    const contents = new ContentRepo(db);
    const modelId = vectors.modelId('bench-model', dim);
    const data = rows(makeVectors(kind, count, dim, 42), dim);
    const ids: number[] = [];
    const insertStart = performance.now();
    const meta = { kind: 'video', format: 'mp4', width: 1, height: 1, orientation: 1, takenAt: null, cameraMake: null } as const;
    for (let from = 0; from < count; from += 20_000) {
      db.transaction(() => {
        for (let at = from; at < Math.min(count, from + 20_000); at += VECTORS_PER_CONTENT) {
          const contentId = contents.insertOrGet(`bench-${at}`, 1, { ...meta, cameraModel: null, gpsLat: null, gpsLon: null });
          const batch = data.slice(at, Math.min(count, at + VECTORS_PER_CONTENT));
          ids.push(
            ...vectors.saveEmbedding(
              modelId,
              contentId,
              batch.map((vector, i) => ({ contentId, offsetS: i, vector })),
              [],
            ),
          );
        }
      })();
    }
    log(`  stored ${count} vectors in SQLite (${((performance.now() - insertStart) / 1000).toFixed(0)} s)`);
    const buildStart = performance.now();
    const built = await VectorIndex.rebuild(join(dir, 'bench.hnsw'), dim, vectors, modelId);
    const buildSeconds = (performance.now() - buildStart) / 1000;
    log(`  built in ${buildSeconds.toFixed(1)} s (${built.graphs} graph${built.graphs > 1 ? 's, built side by side' : ''})`);
    // What the running app holds and waits for: the index opened from its files and queried, in a
    // fresh process whose heap holds what the app's would. What was just written reaches the disk
    // first (a start does not share the disk with its writeback), and TIMED_QUERIES distinct queries
    // are timed, so p99 is not one query's hiccup (of 100, it is the slowest).
    execFileSync('sync');
    const opened = z
      .object({
        openSeconds: z.number(),
        firstQueryMs: z.number(),
        rssMiB: z.number(),
        rebuilt: z.boolean(),
        projected: z.boolean(),
        answers: z.array(z.array(z.number())),
        latencies: z.array(z.number()),
      })
      .parse(
        JSON.parse(
          execFileSync(
            process.execPath,
            [
              '--expose-gc',
              '--import',
              'tsx',
              OPEN_SCRIPT,
              dir,
              String(modelId),
              String(dim),
              kind,
              String(queries),
              String(TIMED_QUERIES),
            ],
            { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
          )
            .trim()
            .split('\n')
            .at(-1)!,
        ),
      );
    if (opened.rebuilt) throw new Error('the saved index was rebuilt at open');
    log(
      `  opened in ${opened.openSeconds.toFixed(2)} s${opened.projected ? ' (projected graph)' : ''}, first query ${opened.firstQueryMs.toFixed(1)} ms`,
    );
    const queryData = rows(makeVectors(kind, queries, dim, 7), dim);
    let hits = 0;
    for (const [qi, q] of queryData.entries()) {
      const truth = new Set(exactTopK(data, q, 10).map((i) => ids[i]!));
      hits += opened.answers[qi]!.filter((id) => truth.has(id)).length;
    }
    const latencies = [...opened.latencies];
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    const perMillion = 1_000_000 / count;
    const mib = (bytes: number) => (bytes / 2 ** 20) * perMillion;
    db.close();
    const indexBytes = readdirSync(dir)
      .filter((f) => f.startsWith('bench.hnsw') && !f.endsWith('.json'))
      .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    return {
      kind,
      vectors: count,
      buildSeconds,
      recallAt10: hits / (10 * queries),
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      rssMiBPerMillion: opened.rssMiB * perMillion,
      rawMiBPerMillion: mib(count * dim * 4),
      databaseMiBPerMillion: mib(statSync(join(dir, 'library.db')).size),
      indexFilesMiBPerMillion: mib(indexBytes),
      projected: opened.projected,
      openSeconds: opened.openSeconds,
      firstQueryMs: opened.firstQueryMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
