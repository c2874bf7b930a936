/**
 * A large library database checked after it opened, on a worker thread (workers/integrity-worker):
 * `quick_check` reads every page, which would hold a start of a million-vector library for two
 * seconds. Its own read-only connection sees a consistent snapshot while the engine goes on writing
 * (WAL). Damage found this way is reported, not acted on: the person runs `trove repair`.
 */
import { startWorker, workerEntry } from '../util/worker-start.js';

export interface BackgroundCheck {
  /** "ok", or what is wrong with the file; "stopped" when stopped before it finished. */
  result: Promise<string>;
  stop(): Promise<void>;
}

export function checkInBackground(file: string): BackgroundCheck {
  const worker = startWorker(workerEntry('integrity-worker'));
  worker.unref(); // a one-shot command does not wait for it
  const result = new Promise<string>((resolve) => {
    worker.once('message', (answer: string) => resolve(answer));
    worker.once('error', (error) => resolve(`the check could not run: ${error.message}`));
    worker.once('exit', () => resolve('stopped'));
  });
  worker.postMessage(file);
  void result.then(() => worker.terminate());
  return {
    result,
    stop: async () => {
      await worker.terminate();
    },
  };
}
