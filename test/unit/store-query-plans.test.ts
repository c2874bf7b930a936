/**
 * How SQLite plans the store's statements, checked on a real library file: whatever runs once per
 * row of something else (a correlated subquery, an EXISTS, the inner loop of a join, the cascade of
 * a delete) seeks what it needs, and never reads a whole table, nor every file in a status. Seeking a
 * content's files by status alone, SQLite walked every ready file for each content: quadratic work
 * that a library of a million photos never finished (the duplicates review, the count of pictures
 * whose words are unread); each deleted file or content read the whole job queue. The plans are
 * those SQLite makes for these very statements, with their own arguments, as the store runs them
 * (test/helpers/query-plans). test/integration/query-plans checks the same over a whole engine.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryStore } from '../../src/main/core/store/library-store.js';
import { tempDir } from '../helpers/temp.js';
import { bareMetadata } from '../helpers/store-fixtures.js';
import { watchQueryPlans, type QueryPlanWatch } from '../helpers/query-plans.js';

let plans: QueryPlanWatch;
beforeAll(() => {
  plans = watchQueryPlans();
});
afterAll(() => plans.stop());

describe('the store never reads a whole table once per row', () => {
  it('in the statements of a run, the duplicates review, the words pass, search and clean-up', () => {
    const store = LibraryStore.open(join(tempDir(), 'library.db'));
    const folder = store.folders.add('/media');
    const clip = store.vectors.modelId('clip', 4);
    const clap = store.vectors.modelId('clap', 4);
    const models = { image: clip, audio: clap };
    let n = 0;
    const held = (kind: 'image' | 'video' | 'audio', copies = 1) => {
      const content = store.contents.insertOrGet(`c-${++n}`, 1, { ...bareMetadata(kind), hasAudio: kind === 'video' });
      for (let copy = 0; copy < copies; copy += 1) {
        const file = store.files.insertPending(folder.id, `/media/${n}-${copy}.${kind === 'image' ? 'jpg' : 'mp4'}`, '.x', 1, 1);
        store.files.setReady(file, content, { size: 1, mtimeMs: 1, identity: `${n}:${copy}` });
      }
      return content;
    };
    const photos = [held('image', 2), held('image'), held('image')];
    held('video');
    held('audio');
    store.vectors.saveEmbedding(clip, photos[1]!, [{ contentId: photos[1]!, offsetS: null, vector: new Float32Array(4) }], []);
    store.files.insertPending(folder.id, '/media/new.jpg', '.jpg', 1, 1);

    for (const kind of ['image', 'video', 'sound'] as const) store.vectors.unprocessedContents(kind === 'sound' ? clap : clip, kind);
    store.queries.waitingFiles(models);
    store.queries.folderCounts(models);
    store.files.countByStatus();
    for (const kind of ['visual', 'audio', 'video'] as const) store.fingerprints.missing(kind);
    store.fingerprints.visual();
    store.fingerprints.blobs('audio');
    store.fingerprints.blobs('video');
    for (const kind of ['image', 'audio', 'video']) store.fingerprints.contentsWithCopies(kind);
    store.text.unread(10);
    store.text.unreadCount();
    // Search: its filters, a result's files, the timeline, the newest first.
    const everything = { kinds: ['image', 'video'] as ('image' | 'video')[], folder: '/media', types: ['jpg'], from: 0, to: Date.now() };
    const ids = [...store.search.allowedVectorIds(clip, everything)];
    store.search.passingVectors(ids, everything);
    store.search.filesOf(photos[0]!, everything);
    store.search.months(everything);
    store.search.newestFirst(everything, 10, 0);
    store.search.newestFirst({ hasText: true, hasGps: true, place: 'paris', camera: 'canon', folderPart: 'media' }, 10, 0);
    // A file's details, its companions, what a move or a clean-up looks for.
    const [first] = store.files.listByFolder(folder.id);
    store.queries.fileDetails(first!.id);
    store.queries.rawCompanions(first!.id);
    store.queries.liveMotion(first!.id);
    store.queries.pictureSource(first!.id);
    store.files.readyPathForContent(photos[0]!);
    store.files.missingWithContent(photos[0]!);
    store.places.unplaced(10);
    store.files.purgeMissingBefore(Date.now());
    // A file deleted, and its content with it (the cascades of both).
    const gone = held('image');
    store.jobs.enqueueEmbed('embed-image', gone, clip);
    store.files.delete(store.files.listByFolder(folder.id).find((f) => f.content_id === gone)!.id);
    store.atomically(() => store.contents.deleteOrphans());
    expect(store.contents.kindOf(gone)).toBeUndefined();

    expect(plans.planned.size).toBeGreaterThan(10);
    expect(plans.offending).toEqual([]);
  });
});
