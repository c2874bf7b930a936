/**
 * The HNSW index against its source of truth: grown before it is full, deletions applied, and
 * repaired or rebuilt from SQLite when it is missing, corrupt, or out of step.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/store/database.js';
import { VectorRepo } from '../../src/main/core/store/vector-repo.js';
import { ContentRepo } from '../../src/main/core/store/content-repo.js';
import { VectorIndex } from '../../src/main/core/index/vector-index.js';
import { tempDir } from '../helpers/temp.js';
import { REPO_ROOT } from '../helpers/env.js';
import { exactTopK, makeVectors, rows } from '../helpers/vectors.js';

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
  it('builds from the database when missing, and grows past its initial capacity', async () => {
    const { db, vectors, modelId, indexDir } = setup(10);
    const { index, report } = await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(report.rebuilt).toBe(true);
    expect(report.reason).toMatch(/missing/);
    expect(index.size).toBe(10);
    // The new index holds 1024; adding 1500 more must grow it rather than fail.
    index.add(Array.from({ length: 1500 }, (_, i) => ({ id: 100_000 + i, vector: randomUnit(5000 + i) })));
    expect(index.size).toBe(1510);
    expect(index.search(randomUnit(5000 + 1499), 1)[0]?.id).toBe(100_000 + 1499);
    db.close();
  });

  it('applies deletions and additions made while it was closed (out of step)', async () => {
    const { db, vectors, modelId, indexDir, ids } = setup(200);
    (await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId)).index.save();
    // The database moves on without the index: 10 deleted, 5 added.
    db.prepare(`DELETE FROM vectors WHERE id IN (${ids.slice(0, 10).join(',')})`).run();
    const contents = new ContentRepo(db);
    for (let i = 0; i < 5; i += 1) {
      const contentId = insertContent(contents, `late-${i}`);
      vectors.saveEmbedding(modelId, contentId, [{ contentId, offsetS: null, vector: randomUnit(1000 + i) }], []);
    }
    const { index, report } = await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(report).toMatchObject({ rebuilt: false, added: 5, removed: 10 });
    expect(index.size).toBe(195);
    expect(findsItself(index, vectors, modelId)).toBe(true);
    const deleted = randomUnit(0);
    expect(index.search(deleted, 195).map((n) => n.id)).not.toContain(ids[0]);
    db.close();
  });

  it('at a start with nothing changed, compares the ids by fingerprint instead of one by one; a change is still caught', async () => {
    const { db, vectors, modelId, indexDir, ids } = setup(200);
    const first = (await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId)).index;
    db.prepare(`DELETE FROM vectors WHERE id IN (${ids.slice(0, 3).join(',')})`).run();
    first.remove(ids.slice(0, 3));
    first.save();
    /** The library's own vectors, counting the times the index asks for every id. */
    class Watched extends VectorRepo {
      listed = 0;
      override ids(model: number): number[] {
        this.listed += 1;
        return super.ids(model);
      }
    }
    const watched = new Watched(db);
    let opened = await VectorIndex.open(indexDir, 'test-model', DIM, watched, modelId);
    expect(opened.report).toMatchObject({ rebuilt: false, added: 0, removed: 0 });
    expect(watched.listed).toBe(0);
    expect(opened.index.size).toBe(197); // its deletions were saved with it
    expect(findsItself(opened.index, vectors, modelId)).toBe(true);
    expect(opened.index.search(randomUnit(1), 197).map((n) => n.id)).not.toContain(ids[1]);

    // Behind its back, one vector goes and another comes: as many as before, a different set.
    db.prepare('DELETE FROM vectors WHERE id = ?').run(ids[10]);
    const contentId = insertContent(new ContentRepo(db), 'late');
    vectors.saveEmbedding(modelId, contentId, [{ contentId, offsetS: null, vector: randomUnit(2000) }], []);
    opened = await VectorIndex.open(indexDir, 'test-model', DIM, watched, modelId);
    expect(opened.report).toMatchObject({ rebuilt: false, added: 1, removed: 1 });
    expect(watched.listed).toBe(1);
    expect(opened.index.size).toBe(197);
    expect(findsItself(opened.index, vectors, modelId)).toBe(true);
    opened.index.save();
    watched.listed = 0;
    expect((await VectorIndex.open(indexDir, 'test-model', DIM, watched, modelId)).report.added).toBe(0);
    expect(watched.listed).toBe(0);
    db.close();
  });

  it('opens an index described by an older Trove (SHA-256) without rebuilding it, and describes it anew', async () => {
    const { db, vectors, modelId, indexDir } = setup(100);
    (await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId)).index.save();
    const file = join(indexDir, 'test-model.hnsw');
    const graph = readFileSync(file);
    const sha256 = createHash('sha256').update(graph).digest('hex');
    /** The sidecar as Trove wrote it before XXH3 (format 2, SHA-256). */
    const describeAsBefore = () =>
      writeFileSync(
        `${file}.json`,
        JSON.stringify({
          format: 2,
          dim: DIM,
          graphDims: DIM,
          projection: null,
          segments: [{ graph: { bytes: graph.byteLength, sha256 }, vectors: null }],
        }),
      );
    describeAsBefore();
    const { index, report } = await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(report.rebuilt).toBe(false);
    expect(findsItself(index, vectors, modelId)).toBe(true);
    const sidecar = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect(sidecar).toMatchObject({ format: 3, ids: { count: 100 } });
    expect(sidecar.segments[0].graph).toEqual({ bytes: graph.byteLength, xxh3: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(readFileSync(file).equals(graph)).toBe(true); // described anew, not rewritten

    // An altered byte of a legacy-described file is still caught.
    describeAsBefore();
    const altered = Buffer.from(graph);
    altered[200] = altered[200]! ^ 0xff;
    writeFileSync(file, altered);
    expect((await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId)).report).toMatchObject({
      rebuilt: true,
      reason: expect.stringMatching(/corrupt/),
    });
    db.close();
  });

  it('rebuilds a corrupt or truncated index file instead of trusting it', async () => {
    const { db, vectors, modelId, indexDir } = setup(300);
    (await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId)).index.save();
    const file = join(indexDir, 'test-model.hnsw');
    const bytes = readFileSync(file);
    bytes.fill(0x7f, 100, 400); // flipped bytes, same size
    writeFileSync(file, bytes);
    let opened = await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(opened.report).toMatchObject({ rebuilt: true });
    expect(opened.report.reason).toMatch(/corrupt/);
    expect(findsItself(opened.index, vectors, modelId)).toBe(true);

    writeFileSync(file, readFileSync(file).subarray(0, 1000)); // truncated
    opened = await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(opened.report.rebuilt).toBe(true);
    expect(opened.index.size).toBe(300);

    rmSync(`${file}.json`);
    opened = await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    expect(opened.report.rebuilt).toBe(true);
    expect(existsSync(`${file}.json`)).toBe(true);
    db.close();
  });

  it('refuses to mix dimensions and rebuilds for a new one', async () => {
    const { db, vectors, modelId, indexDir } = setup(50);
    (await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId)).index.save();
    expect(() => vectors.modelId('test-model', DIM * 2)).toThrow(/now gives 32-d vectors/);
    db.close();
  });

  it('ranks by cosine similarity, highest first, and honours a filter', async () => {
    const { db, vectors, modelId, indexDir, ids } = setup(100);
    const { index } = await VectorIndex.open(indexDir, 'test-model', DIM, vectors, modelId);
    const results = index.search(randomUnit(7), 10);
    expect(results[0]).toMatchObject({ id: ids[7] });
    // The database keeps vectors in half precision: a vector's cosine with itself is 1 within about 1e-4.
    expect(results[0]!.score).toBeCloseTo(1, 3);
    expect(results[1]!.score).toBeLessThan(0.9);
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

describe('a large library: the graph over projected vectors, answers re-ranked by the full ones', () => {
  const DIMS = 512;

  /** A library of `count` low-rank 512-d vectors (embedding-like), one content each. */
  function library(count: number, seed = 42) {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'library.db'));
    const vectors = new VectorRepo(db);
    const contents = new ContentRepo(db);
    const modelId = vectors.modelId('big-model', DIMS);
    const ids: number[] = [];
    /** Stores `more` vectors (each its own content) and, as the indexer does, then adds them to `index`. */
    const grow = (more: Float32Array[], label: string, index?: VectorIndex): void => {
      db.transaction(() => {
        more.forEach((vector, i) => {
          const contentId = insertContent(contents, `${label}-${i}`);
          const [id] = vectors.saveEmbedding(modelId, contentId, [{ contentId, offsetS: null, vector }], []);
          index?.add([{ id: id!, vector }]);
          ids.push(id!);
          data.push(vector);
        });
      })();
    };
    const data: Float32Array[] = [];
    grow(rows(makeVectors('low-rank', count, DIMS, seed), DIMS), `big-${seed}`);
    return { db, vectors, modelId, data, ids, grow, indexDir: join(dir, 'indexes') };
  }

  function recallAt10(index: VectorIndex, data: Float32Array[], ids: number[], queries: Float32Array[]): number {
    let hits = 0;
    for (const q of queries) {
      const truth = new Set(exactTopK(data, q, 10).map((i) => ids[i]!));
      hits += index.search(q, 10).filter((n) => truth.has(n.id)).length;
    }
    return hits / (10 * queries.length);
  }

  it('finds what the full graph finds (recall@10 within noise), with exact cosine scores', async () => {
    const { db, vectors, modelId, data, ids, indexDir } = library(3000);
    const queries = rows(makeVectors('low-rank', 40, DIMS, 7), DIMS);
    const full = (await VectorIndex.open(join(indexDir, 'full'), 'big-model', DIMS, vectors, modelId)).index;
    const projected = (await VectorIndex.open(join(indexDir, 'projected'), 'big-model', DIMS, vectors, modelId, { projectFrom: 1000 }))
      .index;
    expect(full.projected).toBe(false);
    expect(projected.projected).toBe(true);
    const [fullRecall, projectedRecall] = [recallAt10(full, data, ids, queries), recallAt10(projected, data, ids, queries)];
    expect(projectedRecall).toBeGreaterThanOrEqual(0.97);
    expect(projectedRecall).toBeGreaterThanOrEqual(fullRecall - 0.02);
    const [best] = projected.search(queries[0]!, 1);
    const exact = data[ids.indexOf(best!.id)]!.reduce((s, v, d) => s + v * queries[0]![d]!, 0);
    expect(best!.score).toBeCloseTo(exact, 3); // re-ranked by float16 copies: within 1e-3
    db.close();
  });

  it('is projected once the library has grown, keeps its projection across opens, and rebuilds a damaged one', async () => {
    const { db, vectors, modelId, data, ids, grow, indexDir } = library(600);
    const options = { projectFrom: 1000 };
    let opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
    expect(opened.index.projected).toBe(false);
    opened.index.save();
    grow(rows(makeVectors('low-rank', 600, DIMS, 43), DIMS), 'more'); // while the index is closed
    opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
    expect(opened.report).toMatchObject({ rebuilt: true, reason: expect.stringMatching(/grown/) });
    expect(opened.index.projected).toBe(true);
    expect(opened.index.size).toBe(1200);

    opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
    expect(opened.report.rebuilt).toBe(false);
    expect(opened.index.projected).toBe(true);

    const projectionFile = join(indexDir, 'big-model.hnsw.projection');
    const bytes = readFileSync(projectionFile);
    bytes.fill(0, 0, 64);
    writeFileSync(projectionFile, bytes);
    opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
    expect(opened.report).toMatchObject({ rebuilt: true, reason: expect.stringMatching(/projection missing or corrupt/) });
    // Damaged re-ranking vectors are read again from the database; the graph is kept.
    const vectorsFile = join(indexDir, 'big-model.hnsw.vectors');
    writeFileSync(vectorsFile, readFileSync(vectorsFile).subarray(0, 1000));
    opened.index.save();
    writeFileSync(vectorsFile, readFileSync(vectorsFile).subarray(0, 1000));
    opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
    expect(opened.report.rebuilt).toBe(false);
    expect(opened.index.projected).toBe(true);
    // Every stored vector is found, and found once.
    for (const [i, vector] of data.entries()) {
      const found = opened.index.search(vector, 5);
      expect(found[0]?.id).toBe(ids[i]);
      expect(new Set(found.map((n) => n.id)).size).toBe(found.length);
    }
    // A file of the right size with one byte changed is caught by its check too: read again from
    // the database, and written back whole at the next save.
    opened.index.save();
    const good = readFileSync(vectorsFile);
    const altered = Buffer.from(good);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 0xff;
    writeFileSync(vectorsFile, altered);
    opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
    expect(opened.report.rebuilt).toBe(false);
    opened.index.save();
    expect(readFileSync(vectorsFile).equals(good)).toBe(true);
    db.close();
  });

  it('leaves out what was deleted while it was closed, and what is deleted while it is open', async () => {
    const { db, vectors, modelId, data, ids, indexDir } = library(1200);
    const options = { projectFrom: 1000 };
    (await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options)).index.save();
    const gone = ids.slice(0, 100);
    db.prepare(`DELETE FROM vectors WHERE id IN (${gone.join(',')})`).run();
    const opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
    expect(opened.report.removed).toBe(100);
    expect(opened.index.search(data[0]!, 10).some((n) => gone.includes(n.id))).toBe(false);
    opened.index.remove([ids[100]!]);
    expect(opened.index.search(data[100]!, 10).some((n) => n.id === ids[100])).toBe(false);
    expect(opened.index.search(data[101]!, 1)[0]?.id).toBe(ids[101]);
    db.close();
  });

  describe('several graphs, built side by side', () => {
    const options = { projectFrom: 1000, segmentMin: 1000, threads: 2 };

    it('finds every stored vector exactly once, with the recall of one graph', async () => {
      const { db, vectors, modelId, data, ids, indexDir } = library(3000);
      const queries = rows(makeVectors('low-rank', 40, DIMS, 7), DIMS);
      const one = (await VectorIndex.open(join(indexDir, 'one'), 'big-model', DIMS, vectors, modelId, { ...options, threads: 1 })).index;
      const two = (await VectorIndex.open(join(indexDir, 'two'), 'big-model', DIMS, vectors, modelId, options)).index;
      expect([one.graphs, two.graphs]).toEqual([1, 2]);
      expect(two.size).toBe(3000);
      expect(recallAt10(two, data, ids, queries)).toBeGreaterThanOrEqual(recallAt10(one, data, ids, queries) - 0.02);
      for (const [i, vector] of data.entries()) {
        const found = two.search(vector, 10);
        expect(found[0]?.id).toBe(ids[i]);
        expect(new Set(found.map((n) => n.id)).size).toBe(found.length);
      }
      db.close();
    });

    it('adds to its last graph, deletes from any, stays in step across opens, and compacts', async () => {
      const { db, vectors, modelId, data, ids, grow, indexDir } = library(2400);
      let { index } = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
      expect(index.graphs).toBe(2);
      // Added while open (saved to the database first, as the indexer does), and removed while open.
      grow(rows(makeVectors('low-rank', 100, DIMS, 44), DIMS), 'added', index);
      expect(index.graphs).toBe(3); // the built graphs were full: a third took the additions
      const gone = [ids[0]!, ids[1500]!, ids[2450]!]; // one in each graph's share, one just added
      db.prepare(`DELETE FROM vectors WHERE id IN (${gone.join(',')})`).run();
      index.remove(gone);
      index.save();
      let opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
      expect(opened.report).toMatchObject({ rebuilt: false, added: 0, removed: 0 });
      index = opened.index;
      expect(index.graphs).toBe(3);
      expect(index.size).toBe(2497);
      const everyOnce = () => {
        for (const [i, vector] of data.entries()) {
          const found = index.search(vector, 3).map((n) => n.id);
          if (gone.includes(ids[i]!)) expect(found).not.toContain(ids[i]);
          else expect(found[0]).toBe(ids[i]);
          expect(new Set(found).size).toBe(found.length);
        }
      };
      everyOnce();
      // A quarter and more deleted while closed: the graphs are built again without them.
      const many = ids.slice(100, 1200);
      db.prepare(`DELETE FROM vectors WHERE id IN (${many.join(',')})`).run();
      gone.push(...many);
      opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, options);
      expect(opened.report).toMatchObject({ rebuilt: true, reason: 'compacting deleted entries' });
      index = opened.index;
      expect(index.size).toBe(2497 - 1100);
      everyOnce();
      db.close();
    });

    it('merges the graphs additions grew into, once there are too many', async () => {
      const { db, vectors, modelId, data, ids, grow, indexDir } = library(1200);
      const small = { projectFrom: 1000, segmentMin: 500, threads: 1 };
      const { index } = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, small);
      grow(rows(makeVectors('low-rank', 2100, DIMS, 45), DIMS), 'grown', index);
      expect(index.graphs).toBe(6); // 1200, then 500, 500, 500, 500 and 100
      index.save();
      const opened = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, small);
      expect(opened.report).toMatchObject({ rebuilt: true, reason: 'merging the graphs it grew into' });
      expect(opened.index.graphs).toBe(1);
      expect(readdirSync(indexDir).filter((f) => /\.hnsw\.\d+$/.test(f))).toEqual([]); // the grown graphs' files are gone
      for (let i = 0; i < data.length; i += 3) expect(opened.index.search(data[i]!, 1)[0]?.id).toBe(ids[i]);
      db.close();
    });

    it('survives being killed in the middle of a build: the next open has every vector, once', async () => {
      const { db, vectors, modelId, data, ids, indexDir } = library(12_000);
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO_ROOT, 'test', 'helpers', 'build-index-child.ts'),
          indexDir,
          db.name,
          'big-model',
          String(DIMS),
          '5000',
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = once(child, 'exit');
      // Killed once the graphs are being built (some vectors dealt out, not all).
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          const progress = [...chunk.toString().matchAll(/progress (\d+) (\d+)/g)];
          if (progress.some(([, done, total]) => Number(done) > 0 && Number(done) < Number(total))) resolve();
          if (chunk.toString().includes('built')) reject(new Error('the build ended before it could be killed'));
        });
        child.on('exit', () => reject(new Error('the child ended before it was killed')));
      });
      child.kill('SIGKILL');
      await exited;
      const { index, report } = await VectorIndex.open(indexDir, 'big-model', DIMS, vectors, modelId, { ...options, segmentMin: 5000 });
      expect(report.rebuilt).toBe(true);
      expect(index.size).toBe(12_000);
      expect(readdirSync(indexDir).filter((f) => f.includes('.build-'))).toEqual([]);
      for (let i = 0; i < data.length; i += 7) {
        const found = index.search(data[i]!, 3).map((n) => n.id);
        expect(found[0]).toBe(ids[i]);
        expect(new Set(found).size).toBe(found.length);
      }
      db.close();
    });
  });
});
