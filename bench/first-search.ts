/**
 * A start of a large library, as the app's engine does it, in a fresh process (run by
 * bench/search-end-to-end.ts): opens the engine, answers a first text query, then more, each through
 * `engine.search.text`. Prints one JSON line: the open and the first query's times, when the first
 * results were there (epoch ms, for the parent's spawn-to-results), every later query's time, and
 * the resident memory once warm. argv: library dir, model name.
 */
import { Engine } from '../src/main/core/engine.js';

const [lib, model] = [process.argv[2]!, process.argv[3]!];
const QUERIES = ['a dog on a beach', 'birthday cake with candles', 'snow on the mountains', 'a red car', 'my grandmother in her garden'];
const opening = performance.now();
const engine = Engine.open({ libraryDir: lib, offline: true, modelCacheDir: `${lib}/models` });
const engineOpenMs = performance.now() - opening;
const asking = performance.now();
const first = await engine.search.text(QUERIES[0]!, { model, limit: 50 });
const firstQueryMs = performance.now() - asking;
const firstAt = performance.timeOrigin + performance.now();
const latencies: number[] = [];
for (let round = 0; round < 40; round += 1) {
  for (const [i, text] of QUERIES.entries()) {
    const t = performance.now();
    // Each query different (a new text to encode), as typed: the phrase and a word of its own.
    await engine.search.text(`${text} ${round * QUERIES.length + i}`, { model, limit: 50 });
    latencies.push(performance.now() - t);
  }
}
const rssMiB = process.memoryUsage().rss / 2 ** 20;
await engine.close();
console.log(JSON.stringify({ engineOpenMs, firstQueryMs, firstAt, latencies, rssMiB, results: first.results.length }));
