/**
 * Opens a saved vector index in a fresh process, as a start of the app does, and queries it there,
 * where the heap holds what the running app would (not the bench's million test vectors). Prints
 * one JSON line: seconds to open (load, check, sync with the database), resident memory the open
 * adds, the first query's time, then every query's answer (ids) and time. Run by
 * bench/vector-scale.ts; argv: library dir, model id, dimension, vector kind, queries answered, queries timed.
 */
import { join } from 'node:path';
import { VectorIndex } from '../src/main/core/index/vector-index.js';
import { openDatabase } from '../src/main/core/store/database.js';
import { VectorRepo } from '../src/main/core/store/vector-repo.js';
import { makeVectors, rows, type VectorKind } from '../test/helpers/vectors.js';

const [dir, modelId, dim, kind, count, timed] = [
  process.argv[2]!,
  Number(process.argv[3]),
  Number(process.argv[4]),
  process.argv[5] as VectorKind,
  Number(process.argv[6]),
  Number(process.argv[7] ?? process.argv[6]),
];
const vectors = new VectorRepo(openDatabase(join(dir, 'library.db')));
// The first `count` queries are answered (their recall is checked), all `timed` are timed.
const queries = rows(makeVectors(kind, Math.max(count, timed), dim, 7), dim);
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
const { index, report } = await VectorIndex.open(dir, 'bench', dim, vectors, modelId);
const openSeconds = (performance.now() - start) / 1000;
const firstStart = performance.now();
index.search(makeVectors(kind, 1, dim, 1), 10);
const firstQueryMs = performance.now() - firstStart;
global.gc?.();
const rssMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
const answers: number[][] = [];
const latencies: number[] = [];
for (const [i, query] of queries.entries()) {
  const t = performance.now();
  const found = index.search(query, 10);
  latencies.push(performance.now() - t);
  if (i < count) answers.push(found.map((n) => n.id));
}
console.log(JSON.stringify({ openSeconds, firstQueryMs, rssMiB, rebuilt: report.rebuilt, projected: index.projected, answers, latencies }));
