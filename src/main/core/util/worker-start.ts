/**
 * Starts one of the engine's worker threads (src/main/workers): the compiled .js beside the compiled
 * engine, or, from a source checkout (tests, `tsx`), the TypeScript entry through tsx's loader.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

/** The worker entry `name` (without extension) beside this module's build. */
export function workerEntry(name: string): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../../workers/${name}${ext}`, import.meta.url);
}

export function startWorker(entry: URL): Worker {
  if (entry.pathname.endsWith('.ts')) {
    const bootstrap = new URL('../../workers/ts-worker-bootstrap.mjs', import.meta.url);
    return new Worker(fileURLToPath(bootstrap), { workerData: { troveWorkerEntry: entry.href } });
  }
  return new Worker(fileURLToPath(entry));
}
