/**
 * Builds one HNSW graph off the engine's thread (see core/index/graph-builder): started with the
 * graph's settings, fed chunks of vectors, and asked to write the graph to a file. One request at a
 * time, each answered in order.
 */
import { parentPort } from 'node:worker_threads';
import { GraphBuild, type BuilderRequest, type BuilderResponse } from '../core/index/graph-builder.js';

if (!parentPort) throw new Error('graph-builder-worker must run in a worker thread');
const port = parentPort;
let build: GraphBuild | undefined;

port.on('message', (request: BuilderRequest) => {
  let response: BuilderResponse = { type: 'ok' };
  try {
    if (request.type === 'start') build = new GraphBuild(request.spec);
    else if (!build) throw new Error('the graph was not started');
    else if (request.type === 'add') build.add(request.chunk);
    else build.graph.writeIndexSync(request.file);
  } catch (error) {
    response = { type: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
