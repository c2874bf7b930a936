/**
 * Search with filters at scale: a filter most items pass is applied to the nearest neighbours after
 * the graph search (no pass over the whole library for every query, which at a million items costs
 * seconds), with the same answer as applying it inside the search; a filter that keeps few still
 * finds every item it keeps.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VectorIndex } from '../../src/main/core/index/vector-index.js';
import { SearchService, type SearchableModel } from '../../src/main/core/search/search-service.js';
import { ContentRepo } from '../../src/main/core/store/content-repo.js';
import { openDatabase, type Db } from '../../src/main/core/store/database.js';
import { FileRepo } from '../../src/main/core/store/file-repo.js';
import { FolderRepo } from '../../src/main/core/store/folder-repo.js';
import { SearchQueries, type SearchFilters } from '../../src/main/core/store/search-queries.js';
import { TextRepo } from '../../src/main/core/store/text-repo.js';
import { VectorRepo } from '../../src/main/core/store/vector-repo.js';
import { exactTopK, makeVectors, rows } from '../helpers/vectors.js';
import { tempDir } from '../helpers/temp.js';
import { bareMetadata } from '../helpers/store-fixtures.js';

const DIM = 32;
const ITEMS = 4000;
/** Every 200th item is a video: 20 of 4000, a filter that keeps few. */
const isVideo = (i: number) => i % 200 === 7;

/** The library's search queries, counting the passes over every vector (allowedVectorIds). */
class Watched extends SearchQueries {
  passes = 0;
  override allowedVectorIds(modelId: number, f: SearchFilters): Set<number> {
    this.passes += 1;
    return super.allowedVectorIds(modelId, f);
  }
}

describe('filtered search in a large library', () => {
  let db: Db;
  let queries: Watched;
  let service: SearchService;
  let model: SearchableModel;
  const data = rows(makeVectors('clustered', ITEMS, DIM, 5), DIM);
  const contentOf: number[] = [];

  beforeAll(async () => {
    const dir = tempDir();
    db = openDatabase(join(dir, 'library.db'));
    const vectors = new VectorRepo(db);
    const contents = new ContentRepo(db);
    const files = new FileRepo(db);
    const folder = new FolderRepo(db).add(join(dir, 'photos'));
    const modelId = vectors.modelId('m', DIM);
    db.transaction(() => {
      for (const [i, vector] of data.entries()) {
        const kind = isVideo(i) ? 'video' : 'image';
        const contentId = contents.insertOrGet(`c-${i}`, 1, { ...bareMetadata(kind), format: kind === 'video' ? 'mp4' : 'jpeg' });
        const path = join(folder.path, `f-${i}.${kind === 'video' ? 'mp4' : 'jpg'}`);
        const fileId = files.insertPending(folder.id, path, kind === 'video' ? '.mp4' : '.jpg', 1, 1);
        files.setReady(fileId, contentId, { size: 1, mtimeMs: 1, identity: `c-${i}` });
        vectors.saveEmbedding(modelId, contentId, [{ contentId, offsetS: null, vector }], []);
        contentOf.push(contentId);
      }
    })();
    const { index } = await VectorIndex.open(join(dir, 'indexes'), 'm', DIM, vectors, modelId);
    queries = new Watched(db);
    service = new SearchService(queries, vectors, new TextRepo(db));
    model = { name: 'm', modelId, index };
  });

  afterAll(() => db.close());

  it('applies a filter most items pass after the search: the exact answer, without a pass over the library', () => {
    const images = data.filter((_, i) => !isVideo(i));
    const imageContents = contentOf.filter((_, i) => !isVideo(i));
    for (const q of [3, 1500, 3999]) {
      const query = data[q]!;
      const truth = exactTopK(images, query, 10).map((i) => imageContents[i]);
      const found = service.byVector(model, query, { kinds: ['image'], limit: 10 });
      expect(found.map((h) => h.contentId)).toEqual(truth);
      expect(found.every((h) => h.kind === 'image')).toBe(true);
    }
    expect(queries.passes).toBe(0);
  });

  it('finds every item a filter that keeps few keeps, nearest first', () => {
    queries.passes = 0;
    const query = data[0]!;
    const found = service.byVector(model, query, { kinds: ['video'], limit: 50 });
    const videos = contentOf.filter((_, i) => isVideo(i));
    expect(found.map((h) => h.contentId).sort((a, b) => a - b)).toEqual([...videos].sort((a, b) => a - b));
    const scores = found.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(queries.passes).toBe(1); // the nearest 2048 held too few: the filter went inside the search
  });
});
