/**
 * `quick_check` of the library database off the engine's thread (store/integrity-check.ts): one
 * file, one answer.
 */
import { parentPort } from 'node:worker_threads';
import { checkDatabaseFile } from '../core/store/database.js';

if (!parentPort) throw new Error('integrity-worker must run in a worker thread');
const port = parentPort;

port.once('message', (file: string) => port.postMessage(checkDatabaseFile(file)));
