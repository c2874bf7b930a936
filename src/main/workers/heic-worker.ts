/**
 * HEIC decoding off the engine's thread: libheif in WebAssembly runs synchronously, and a
 * 12-megapixel picture takes most of a second, during which the engine would answer nobody. Each
 * picture is read from its path straight into libheif's memory. Asked for pixels, the worker sends
 * them back transferred, not copied; asked for a model's input, it resizes the picture and writes
 * the input into the batch's shared memory itself, and sends back only the picture's fingerprint.
 */
// First, as in every thread that uses sharp: loaded through its settings (media/sharp-settings).
import '../core/media/sharp-settings.js';
import { parentPort } from 'node:worker_threads';
import { heicFailure, heicForModelHere, readHeicHere, type HeicDecodeRequest, type HeicDecodeResponse } from '../core/media/heic.js';

if (!parentPort) throw new Error('heic-worker must run in a worker thread');
const port = parentPort;

port.on('message', (request: HeicDecodeRequest) => {
  void answer(request).then((response) => port.postMessage(response, 'rgb' in response ? [response.rgb.buffer as ArrayBuffer] : []));
});

async function answer(request: HeicDecodeRequest): Promise<HeicDecodeResponse> {
  try {
    if (request.kind === 'model') return { id: request.id, ok: true, fingerprint: await heicForModelHere(request.source, request.model) };
    return { id: request.id, ok: true, ...readHeicHere(request.source, request.shortest) };
  } catch (error) {
    return heicFailure(request.id, error);
  }
}
