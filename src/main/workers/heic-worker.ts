/**
 * HEIC decoding off the engine's thread: libheif in WebAssembly runs synchronously, and a
 * 12-megapixel picture takes most of a second, during which the engine would answer nobody. One
 * picture at a time, read from its path straight into libheif's memory; the pixels come back
 * transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { heicFailure, readHeicHere, type HeicDecodeRequest, type HeicDecodeResponse } from '../core/media/heic.js';

if (!parentPort) throw new Error('heic-worker must run in a worker thread');
const port = parentPort;

port.on('message', (request: HeicDecodeRequest) => {
  let response: HeicDecodeResponse;
  try {
    response = { id: request.id, ok: true, ...readHeicHere(request.source, request.shortest) };
  } catch (error) {
    response = heicFailure(request.id, error);
  }
  port.postMessage(response, response.ok ? [response.rgb.buffer as ArrayBuffer] : []);
});
