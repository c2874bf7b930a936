/**
 * The HNSW index against its source of truth: grown before it is full, deletions applied, and
 * repaired or rebuilt from SQLite when it is missing, corrupt, or out of step.
 */
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/store/database.js';
import { VectorRepo } from '../../src/main/core/store/vector-repo.js';
import { ContentRepo } from '../../src/main/core/store/content-repo.js';
import { VectorIndex } from '../../src/main/core/index/vector-index.js';
import { tempDir } from '../helpers/temp.js';

const DIM = 16;

function randomUnit(seed: number): Float32Array {
  const v = new Float32Array(DIM);
  let s = seed + 1;
  for (let i = 0; i < DIM; i += 1) {
    s = (s * 16807) % 2147483647;
    v[i] = s / 2147483647 - 0.5;
  }
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** A stored content with placeholder metadata: the index tests only need its id. */
function insertContent(contents: ContentRepo, sha256: string): number {
  const meta = { kind: 'image', format: 'jpeg', width: 1, height: 1, orientation: 1 } as const;
  return contents.insertOrGet(sha256, 1, { ...meta, takenAt: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
}

function setup(count: number) {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'library.db'));
  const vectors = new VectorRepo(db);
  const contents = new ContentRepo(db);
  const modelId = vectors.modelId('test-model', DIM);
  const ids: number[] = [];
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      const contentId = insertContent(contents, `sha-${i}`);
      ids.push(...vectors.saveEmbedding(modelId, contentId, [{ contentId, offsetS: null, vector: randomUnit(i) }], []));
    }
  })();
  return { dir, db, vectors, modelId, ids, indexDir: join(dir, 'indexes') };
}

function findsItself(index: VectorIndex, vectors: VectorRepo, modelId: number): boolean {
  for (const { id, vector } of vectors.iterate(modelId)) if (index.search(vector, 1)[0]?.id !== id) return false;
  return true;
}

describe('vector index', () => {
  it('builds from the database when missing, and grows past its initial capacity', () => {
    const { db, vectors, modelId, indexDir } = setup(10);
    const { index, report } = VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(report.rebuilt).toBe(true);
    expect(report.reason).toMatch(/missing/);
    expect(index.size).toBe(10);
    // The new index holds 1024; adding 1500 more must grow it rather than fail.
    index.add(Array.from({ length: 1500 }, (_, i) => ({ id: 100_000 + i, vector: randomUnit(5000 + i) })));
    expect(index.size).toBe(1510);
    expect(index.search(randomUnit(5000 + 1499), 1)[0]?.id).toBe(100_000 + 1499);
    db.close();
  });

  it('applies deletions and additions made while it was closed (out of step)', () => {
    const { db, vectors, modelId, indexDir, ids } = setup(200);
    VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId).index.save();
    // The database moves on without the index: 10 deleted, 5 added.
    db.prepare(`DELETE FROM vectors WHERE id IN (${ids.slice(0, 10).join(',')})`).run();
    const contents = new ContentRepo(db);
    for (let i = 0; i < 5; i += 1) {
      const contentId = insertContent(contents, `late-${i}`);
      vectors.saveEmbedding(modelId, contentId, [{ contentId, offsetS: null, vector: randomUnit(1000 + i) }], []);
    }
    const { index, report } = VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(report).toMatchObject({ rebuilt: false, added: 5, removed: 10 });
    expect(index.size).toBe(195);
    expect(findsItself(index, vectors, modelId)).toBe(true);
    const deleted = randomUnit(0);
    expect(index.search(deleted, 195).map((n) => n.id)).not.toContain(ids[0]);
    db.close();
  });

  it('rebuilds a corrupt or truncated index file instead of trusting it', () => {
    const { db, vectors, modelId, indexDir } = setup(300);
    VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId).index.save();
    const file = join(indexDir, 'test-model.hnsw');
    const bytes = readFileSync(file);
    bytes.fill(0x7f, 100, 400); // flipped bytes, same size
    writeFileSync(file, bytes);
    let opened = VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(opened.report).toMatchObject({ rebuilt: true });
    expect(opened.report.reason).toMatch(/corrupt/);
    expect(findsItself(opened.index, vectors, modelId)).toBe(true);

    writeFileSync(file, readFileSync(file).subarray(0, 1000)); // truncated
    opened = VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(opened.report.rebuilt).toBe(true);
    expect(opened.index.size).toBe(300);

    rmSync(`${file}.json`);
    opened = VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(opened.report.rebuilt).toBe(true);
    expect(existsSync(`${file}.json`)).toBe(true);
    db.close();
  });

  it('refuses to mix dimensions and rebuilds for a new one', () => {
    const { db, vectors, modelId, indexDir } = setup(50);
    VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId).index.save();
    expect(() => vectors.modelId('test-model', DIM * 2)).toThrow(/now gives 32-d vectors/);
    db.close();
  });

  it('ranks by cosine similarity, highest first, and honours a filter', () => {
    const { db, vectors, modelId, indexDir, ids } = setup(100);
    const { index } = VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    const results = index.search(randomUnit(7), 10);
    expect(results[0]).toMatchObject({ id: ids[7] });
    expect(results[0]!.score).toBeCloseTo(1, 5);
    const scores = results.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const allowed = new Set(ids.slice(50));
    expect(index.search(randomUnit(7), 10, (id) => allowed.has(id)).every((r) => allowed.has(r.id))).toBe(true);
    db.close();
  });
});

describe('efSearchFor', () => {
  it('keeps the floor for small libraries and widens the search as the index grows, within bounds', async () => {
    const { efSearchFor, HNSW_PARAMS } = await import('../../src/main/core/index/vector-index.js');
    expect(efSearchFor(0)).toBe(HNSW_PARAMS.efSearchMin);
    expect(efSearchFor(100_000)).toBe(HNSW_PARAMS.efSearchMin);
    expect(efSearchFor(300_000)).toBeGreaterThan(efSearchFor(100_000));
    expect(efSearchFor(1_000_000)).toBeGreaterThan(efSearchFor(300_000));
    expect(efSearchFor(100_000_000)).toBe(HNSW_PARAMS.efSearchMax);
  });
});
