/**
 * The persistent work queue (store/job-repo.ts) on a real SQLite file: jobs are unique per file or
 * per (kind, content, model), claims hand out each job once, released and interrupted jobs come back,
 * and embedding kinds never mix.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryStore } from '../../src/main/core/store/library-store.js';
import { tempDir } from '../helpers/temp.js';
import { bareMetadata } from '../helpers/store-fixtures.js';

function library() {
  const store = LibraryStore.open(join(tempDir(), 'library.db'));
  const folder = store.folders.add('/photos');
  const file = (name: string) => store.files.insertPending(folder.id, `/photos/${name}`, 'jpg', 1, 1);
  const content = (sha: string, kind: 'image' | 'video' | 'audio' = 'image') => store.contents.insertOrGet(sha, 1, bareMetadata(kind));
  return { store, file, content, image: store.vectors.modelId('clip', 4), audio: store.vectors.modelId('clap', 4) };
}

describe('job queue', () => {
  it('queues a file to read once, hands each job out once, and takes back what was not finished', () => {
    const { store, file } = library();
    const [a, b, c] = [file('a.jpg'), file('b.jpg'), file('c.jpg')];
    for (const id of [a, b, c, a, b]) store.jobs.enqueueIngest(id);
    expect(store.jobs.pending('ingest')).toBe(3);
    const first = store.jobs.claimIngest(2);
    expect(first.map((j) => j.fileId)).toEqual([a, b]);
    const second = store.jobs.claimIngest(5);
    expect(second.map((j) => j.fileId)).toEqual([c]);
    expect(store.jobs.claimIngest(5)).toEqual([]);
    // A clean stop gives back what was claimed; a crash leaves it 'running' until recovered.
    store.jobs.release([first[1]!.id]);
    expect(store.jobs.claimIngest(5).map((j) => j.fileId)).toEqual([b]);
    expect(store.jobs.recoverInterrupted()).toBe(3);
    store.jobs.complete(first[0]!.id);
    expect(store.jobs.claimIngest(5).map((j) => j.fileId)).toEqual([b, c]);
    expect(store.jobs.total()).toBe(2);
  });

  it('keeps embedding kinds and models apart', () => {
    const { store, content, image, audio } = library();
    const photo = content('p');
    const video = content('v', 'video');
    store.jobs.enqueueEmbed('embed-image', photo, image);
    store.jobs.enqueueEmbed('embed-image', photo, image); // once
    store.jobs.enqueueEmbed('embed-video', video, image);
    store.jobs.enqueueEmbed('embed-sound', video, audio);
    expect(store.jobs.pending('embed-image', image)).toBe(1);
    expect(store.jobs.pending('embed-video', image)).toBe(1);
    expect(store.jobs.pendingForModel(image)).toBe(2);
    expect(store.jobs.pendingForModel(audio)).toBe(1);
    // The photo pipeline never picks up a video's frames, nor the audio model's work.
    expect(store.jobs.claimEmbed('embed-image', image, 10)).toEqual([
      expect.objectContaining({ kind: 'embed-image', contentId: photo, modelId: image }),
    ]);
    expect(store.jobs.claimEmbed('embed-image', image, 10)).toEqual([]);
    expect(store.jobs.claimEmbed('embed-sound', image, 10)).toEqual([]);
    expect(store.jobs.claimEmbed('embed-sound', audio, 10).map((j) => j.contentId)).toEqual([video]);
  });

  it('drops the jobs of a content nothing refers to any more', () => {
    const { store, file, content, image } = library();
    const f = file('x.jpg');
    const c = content('x');
    store.files.setReady(f, c, { size: 1, mtimeMs: 1, identity: '1:1' });
    store.jobs.enqueueEmbed('embed-image', c, image);
    store.files.delete(f);
    store.atomically(() => store.contents.deleteOrphans());
    expect(store.jobs.total()).toBe(0);
  });
});
