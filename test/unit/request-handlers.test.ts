/**
 * The service's request handlers (service/handlers.ts through LibraryService.handle) on a real
 * library with the tiny CLIP fixture, no transport in between: validation at the boundary, typed
 * refusals and the one mapping to a status (answerFor), and the rules the handlers route to.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFor, TroveError } from '../../src/main/core/errors.js';
import { LibraryService } from '../../src/main/core/service/library-service.js';
import { FIXTURE_MODELS, useModelDirs } from '../helpers/env.js';
import { writeSyntheticPhotos } from '../helpers/images.js';
import { suiteTempDir } from '../helpers/temp.js';

/** The status and sentence a request is answered with, as any transport would send them. */
async function answer(service: LibraryService, method: string, params: unknown): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 200, body: await service.handle(method, params) };
  } catch (error) {
    const a = answerFor(error);
    return { status: a.status, body: a.message };
  }
}

describe('request handlers', () => {
  const scratch = suiteTempDir();
  let service: LibraryService;
  let photos: string;

  beforeAll(async () => {
    useModelDirs(FIXTURE_MODELS);
    photos = join(scratch.path, 'photos');
    await writeSyntheticPhotos(photos, 3);
    service = new LibraryService({
      libraryDir: join(scratch.path, 'library'),
      modelCacheDir: join(scratch.path, 'models'),
      offline: true,
      version: 'test',
    });
  });

  afterAll(async () => {
    await service.close();
    scratch.remove();
  });

  it('validates every request at the boundary, and refuses with typed errors', async () => {
    expect(await answer(service, 'noSuchMethod', {})).toMatchObject({ status: 404, body: expect.stringMatching(/unknown request/) });
    expect(await answer(service, 'addFolder', { path: 'photos' })).toMatchObject({ status: 400, body: expect.stringMatching(/full path/) });
    expect(await answer(service, 'addFolder', { path: '/no/such/folder' })).toMatchObject({
      status: 422,
      body: expect.stringMatching(/no such folder/),
    });
    expect(await answer(service, 'fileDetails', { fileId: 999 })).toMatchObject({ status: 404 });
    expect(await answer(service, 'revealFile', { fileId: 1 })).toMatchObject({ status: 409, body: expect.stringMatching(/desktop app/) });
    expect(await answer(service, 'downloadModel', { name: 'clip-vit-base-patch32' })).toMatchObject({
      status: 409,
      body: expect.stringMatching(/offline/),
    });
    expect(await answer(service, 'downloadModel', { name: 'no-such-model' })).toMatchObject({ status: 404 });
    expect(await answer(service, 'searchImage', { imageBase64: '' })).toMatchObject({ status: 400 });
  });

  it('answers a bug with a 500 that hides its details', () => {
    expect(answerFor(new TypeError('x is undefined'))).toEqual({
      status: 500,
      message: expect.stringMatching(/internal error/),
      bug: true,
    });
    expect(answerFor(new TroveError('busy', 'another Trove'))).toMatchObject({ status: 409, bug: false });
  });

  it('adds a folder, indexes it, and answers searches, details and settings through the engine modules', async () => {
    service.start();
    const added = (await service.handle('addFolder', { path: photos })) as { path: string };
    expect(added.path).toBe(photos);
    const started = Date.now();
    const indexed = () => service.status().totals.ready === 3 && service.status().indexing.phase === 'watching';
    while (!indexed() && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
    expect(service.status().totals.ready).toBe(3);

    const page = (await service.handle('searchText', { text: 'a red square', limit: 2 })) as { hits: { fileId: number }[]; more: boolean };
    expect(page.hits).toHaveLength(2);
    expect(page.more).toBe(true);
    const details = (await service.handle('fileDetails', { fileId: page.hits[0]!.fileId })) as { kind: string; folder: string };
    expect(details).toMatchObject({ kind: 'photo', folder: photos });
    const none = (await service.handle('browse', { filters: { kinds: [] } })) as { hits: unknown[] };
    expect(none.hits).toEqual([]);

    // Settings: one rule whoever asks (threads null = default, empty exclude patterns dropped).
    const settings = (await service.handle('updateSettings', { patch: { threads: 2, excludePatterns: ['raw', '  '] } })) as Record<
      string,
      unknown
    >;
    expect(settings).toMatchObject({ threads: 2, excludePatterns: ['raw'] });
    const cleared = (await service.handle('updateSettings', { patch: { threads: null } })) as Record<string, unknown>;
    expect(cleared.threads).toBeUndefined();
  });
});
