/**
 * The clean-up after every run (store/content-repo deleteOrphans), on a real SQLite file: a content
 * no file holds any more goes, with everything kept about it, and its vectors are handed back by
 * model for the HNSW indexes; a content still held by any file, in any state, stays.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryStore } from '../../src/main/core/store/library-store.js';
import { tempDir } from '../helpers/temp.js';
import { bareMetadata } from '../helpers/store-fixtures.js';

describe('contents no file holds', () => {
  it('go with their vectors, jobs and results; contents still held stay', () => {
    const store = LibraryStore.open(join(tempDir(), 'library.db'));
    const folder = store.folders.add('/media');
    const image = store.vectors.modelId('clip', 4);
    const audio = store.vectors.modelId('clap', 4);
    let n = 0;
    const content = (kind: 'image' | 'video' = 'image') => store.contents.insertOrGet(`content-${++n}`, 1, bareMetadata(kind));
    const fileOf = (contentId: number) => {
      const file = store.files.insertPending(folder.id, `/media/${++n}.x`, '.x', 1, 1);
      store.files.setReady(file, contentId, { size: 1, mtimeMs: 1, identity: `${n}` });
      return file;
    };
    const vector = (contentId: number, offsetS: number | null = null) => ({ contentId, offsetS, vector: new Float32Array(4) });

    const deleted = content('video');
    const frames = store.vectors.saveEmbedding(image, deleted, [vector(deleted, 0), vector(deleted, 1)], [{ label: 'dog', score: 1 }]);
    const [sound] = store.vectors.saveEmbedding(audio, deleted, [vector(deleted, 0)], []);
    store.jobs.enqueueEmbed('embed-video', deleted, image);
    const deletedFile = fileOf(deleted);

    const neverHeld = content(); // read, then the run stopped before its file took it
    const kept = content();
    const [keptVector] = store.vectors.saveEmbedding(image, kept, [vector(kept)], []);
    fileOf(kept);
    const missingFile = fileOf(kept);
    store.files.markMissing(missingFile);
    const stillMissing = content();
    store.files.markMissing(fileOf(stillMissing));

    store.files.delete(deletedFile);
    const removed = store.atomically(() => store.contents.deleteOrphans());

    expect(Object.fromEntries(removed)).toEqual({ [image]: frames, [audio]: [sound] });
    for (const gone of [deleted, neverHeld]) expect(store.contents.kindOf(gone)).toBeUndefined();
    expect(store.vectors.isProcessed(image, deleted)).toBe(false);
    expect(store.jobs.total()).toBe(0);
    expect(store.contents.kindOf(kept)).toBe('image');
    expect(store.contents.kindOf(stillMissing)).toBe('image');
    expect(store.vectors.placements(kept).map((p) => p.id)).toEqual([keptVector]);
    // Nothing more to clean up: nothing is handed back a second time.
    expect(store.atomically(() => store.contents.deleteOrphans()).size).toBe(0);
  });
});
