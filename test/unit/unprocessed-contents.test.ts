/**
 * What each pass of a run finds to do (store/vector-repo unprocessedContents), on a real SQLite file:
 * the ready contents of its kind a model has not processed, each once however many files hold it.
 * The lookup starts from the contents of the kind (so a million photos' rows are not read to find a
 * library's videos: `npm run bench -- --only large-library` measures that); these are its answers.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryStore } from '../../src/main/core/store/library-store.js';
import { tempDir } from '../helpers/temp.js';
import { bareMetadata } from '../helpers/store-fixtures.js';

function library() {
  const store = LibraryStore.open(join(tempDir(), 'library.db'));
  const folder = store.folders.add('/media');
  let files = 0;
  /** A content of this kind held by ready files (`copies` of them), or by a file in another state. */
  const held = (kind: 'image' | 'video' | 'audio', options: { hasAudio?: boolean; copies?: number; status?: 'missing' | 'error' } = {}) => {
    const content = store.contents.insertOrGet(`content-${++files}`, 1, { ...bareMetadata(kind), hasAudio: options.hasAudio ?? false });
    for (let copy = 0; copy < (options.copies ?? 1); copy += 1) {
      const file = store.files.insertPending(folder.id, `/media/${files}-${copy}`, '.x', 1, 1);
      store.files.setReady(file, content, { size: 1, mtimeMs: 1, identity: `${files}:${copy}` });
      if (options.status === 'missing') store.files.markMissing(file);
      if (options.status === 'error') store.files.setError(file, { message: 'unreadable', code: 'unreadable' });
    }
    return content;
  };
  return { store, held, image: store.vectors.modelId('clip', 4), audio: store.vectors.modelId('clap', 4) };
}

describe("a run's passes find their work", () => {
  it('finds the ready contents of its kind the model has not processed, each once', () => {
    const { store, held, image, audio } = library();
    const photo = held('image', { copies: 2 });
    const embedded = held('image');
    const failed = held('image');
    held('image', { status: 'missing' });
    held('image', { status: 'error' });
    const silentVideo = held('video');
    const video = held('video', { hasAudio: true });
    const recording = held('audio');
    const heardRecording = held('audio');
    store.vectors.saveEmbedding(image, embedded, [{ contentId: embedded, offsetS: null, vector: new Float32Array(4) }], []);
    store.vectors.saveFailure(image, failed, 'could not decode');
    store.vectors.saveFailure(audio, heardRecording, 'silent');

    expect(store.vectors.unprocessedContents(image, 'image')).toEqual([photo]);
    expect(store.vectors.unprocessedContents(image, 'video').sort()).toEqual([silentVideo, video].sort());
    expect(store.vectors.unprocessedContents(audio, 'sound').sort()).toEqual([video, recording].sort());
    // A model the library has not seen has processed nothing.
    expect(store.vectors.unprocessedContents(undefined, 'sound').sort()).toEqual([video, recording, heardRecording].sort());
  });
});
