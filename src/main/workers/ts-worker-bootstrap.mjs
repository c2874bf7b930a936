// Development only: starts a TypeScript worker entry (tests, `tsx`) through tsx's loader.
// Built apps load the compiled .js worker directly and never use this file.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.troveWorkerEntry);
