/**
 * Embedding vectors, the source of truth for the HNSW indexes (which can always be rebuilt from
 * here without running a model again), plus per-model processing status and tags.
 */
import { FLOAT16_VALUES, toFloat16 } from '../util/float16.js';
import type { MediaKind } from '../util/media-types.js';
import type { Db } from './database.js';
import { Statements } from './statements.js';

/** A set of vector ids summed up: compared instead of the whole set (VectorRepo.fingerprint). */
export interface IdFingerprint {
  count: number;
  maxId: number;
  idSum: number;
}

export interface NewVector {
  contentId: number;
  offsetS: number | null;
  vector: Float32Array;
}

export interface Tag {
  label: string;
  score: number;
}

export class VectorRepo {
  private readonly statements: Statements;

  constructor(private readonly db: Db) {
    this.statements = new Statements(db);
  }

  /** The numeric id of a model name, registering it (with its dimension) on first use. */
  modelId(name: string, dim: number): number {
    const row = this.statements.get('SELECT id, dim FROM models WHERE name = ?').get(name) as { id: number; dim: number } | undefined;
    if (row) {
      if (row.dim !== dim) throw new Error(`model ${name} now gives ${dim}-d vectors but the library holds ${row.dim}-d ones`);
      return row.id;
    }
    return Number(this.statements.get('INSERT INTO models (name, dim) VALUES (?, ?)').run(name, dim).lastInsertRowid);
  }

  findModel(name: string): { id: number; dim: number } | undefined {
    return this.statements.get('SELECT id, dim FROM models WHERE name = ?').get(name) as { id: number; dim: number } | undefined;
  }

  modelNames(): { id: number; name: string; dim: number }[] {
    return this.statements.get('SELECT id, name, dim FROM models ORDER BY id').all() as { id: number; name: string; dim: number }[];
  }

  /** Stores one content's results for a model; returns the new vector ids (HNSW labels). */
  saveEmbedding(modelId: number, contentId: number, vectors: NewVector[], tags: Tag[]): number[] {
    const insertVector = this.statements.get('INSERT INTO vectors (content_id, model_id, offset_s, vector) VALUES (?, ?, ?, ?)');
    const ids = vectors.map((v) => Number(insertVector.run(v.contentId, modelId, v.offsetS, toBlob(v.vector)).lastInsertRowid));
    const insertTag = this.statements.get('INSERT OR REPLACE INTO tags (content_id, model_id, label, score) VALUES (?, ?, ?, ?)');
    for (const tag of tags) insertTag.run(contentId, modelId, tag.label, tag.score);
    this.statements
      .get(`INSERT OR REPLACE INTO embeddings (content_id, model_id, status, error, embedded_at) VALUES (?, ?, 'done', NULL, ?)`)
      .run(contentId, modelId, Date.now());
    return ids;
  }

  saveFailure(modelId: number, contentId: number, message: string): void {
    this.statements
      .get(`INSERT OR REPLACE INTO embeddings (content_id, model_id, status, error, embedded_at) VALUES (?, ?, 'error', ?, ?)`)
      .run(contentId, modelId, message, Date.now());
  }

  isProcessed(modelId: number, contentId: number): boolean {
    return this.statements.get('SELECT 1 FROM embeddings WHERE model_id = ? AND content_id = ?').get(modelId, contentId) !== undefined;
  }

  /** The error recorded when this model failed on this content, if it did. */
  failureOf(modelId: number, contentId: number): string | undefined {
    const row = this.statements
      .get(`SELECT error FROM embeddings WHERE model_id = ? AND content_id = ? AND status = 'error'`)
      .get(modelId, contentId) as { error: string | null } | undefined;
    return row ? (row.error ?? 'the model could not process this file') : undefined;
  }

  /**
   * Ready contents of a kind (photos for an image model, recordings for an audio model) this model
   * has not processed yet: new files, a model switch, or jobs lost to a crash. A model not known to
   * the library yet (`modelId` undefined) has processed nothing.
   */
  unprocessedContents(modelId: number | undefined, kind: MediaKind | 'sound'): number[] {
    // Recordings and videos are found through their own index (migration 21, which the query opts
    // into by naming both kinds): a million photos' rows are not read to find a library's few videos.
    // 'sound': what the audio model hears, recordings and videos with a sound track.
    const tracks = `c.kind IN ('audio', 'video')`;
    const which =
      kind === 'image'
        ? `c.kind = 'image'`
        : kind === 'sound'
          ? `${tracks} AND (c.kind = 'audio' OR c.has_audio = 1)`
          : `${tracks} AND c.kind = ?`;
    return this.statements
      .get(
        `SELECT c.id FROM contents c
         WHERE ${which}
           AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.content_id = c.id AND e.model_id = ?)
           AND EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id AND f.status = 'ready')`,
      )
      .pluck()
      .all(...(kind === 'audio' || kind === 'video' ? [kind] : []), modelId ?? -1) as number[];
  }

  ids(modelId: number): number[] {
    return this.db.prepare('SELECT id FROM vectors WHERE model_id = ? ORDER BY id').pluck().all(modelId) as number[];
  }

  /**
   * What a model's set of vector ids adds up to: how many, the largest, their sum. Ids only grow
   * (AUTOINCREMENT), so a set that lost or gained any id shows a different fingerprint (vector-index).
   */
  fingerprint(modelId: number): IdFingerprint {
    const row = this.statements
      .get('SELECT COUNT(*) AS count, COALESCE(MAX(id), 0) AS maxId, COALESCE(SUM(id), 0) AS idSum FROM vectors WHERE model_id = ?')
      .get(modelId) as IdFingerprint;
    return { count: row.count, maxId: row.maxId, idSum: row.idSum };
  }

  /** Whether the model has any vector (an index seek, unlike count). */
  hasAny(modelId: number): boolean {
    return this.statements.get('SELECT 1 FROM vectors WHERE model_id = ? LIMIT 1').get(modelId) !== undefined;
  }

  /** Where every stored vector belongs (its content, model and moment), by id. */
  placements(contentId?: number): { id: number; contentId: number; modelId: number; offsetS: number | null }[] {
    const rows = (
      contentId === undefined
        ? this.statements.get('SELECT id, content_id, model_id, offset_s FROM vectors ORDER BY id').all()
        : this.statements
            .get('SELECT id, content_id, model_id, offset_s FROM vectors WHERE content_id = ? ORDER BY offset_s, id')
            .all(contentId)
    ) as { id: number; content_id: number; model_id: number; offset_s: number | null }[];
    return rows.map((r) => ({ id: r.id, contentId: r.content_id, modelId: r.model_id, offsetS: r.offset_s }));
  }

  exists(id: number): boolean {
    return this.statements.get('SELECT 1 FROM vectors WHERE id = ?').get(id) !== undefined;
  }

  /** How many (model, content) pairs have been processed, embedded or failed. */
  processedCount(): number {
    return (this.statements.get('SELECT COUNT(*) AS n FROM embeddings').get() as { n: number }).n;
  }

  /** Forgets every model's vectors and verdicts for a content, so it is embedded again. */
  forgetContent(contentId: number): void {
    this.statements.get('DELETE FROM embeddings WHERE content_id = ?').run(contentId);
    this.statements.get('DELETE FROM vectors WHERE content_id = ?').run(contentId);
  }

  count(modelId: number): number {
    return (this.statements.get('SELECT COUNT(*) AS n FROM vectors WHERE model_id = ?').get(modelId) as { n: number }).n;
  }

  *iterate(modelId: number, ids?: number[]): Generator<{ id: number; vector: Float32Array }> {
    if (ids) {
      const one = this.statements.get('SELECT id, vector FROM vectors WHERE id = ?');
      for (const id of ids) {
        const row = one.get(id) as { id: number; vector: Buffer } | undefined;
        if (row) yield { id: row.id, vector: fromBlob(row.vector) };
      }
      return;
    }
    const rows = this.db.prepare('SELECT id, vector FROM vectors WHERE model_id = ? ORDER BY id').iterate(modelId) as Iterable<{
      id: number;
      vector: Buffer;
    }>;
    for (const row of rows) yield { id: row.id, vector: fromBlob(row.vector) };
  }

  /** The vectors with these ids (one query; ids not stored are absent from the map). */
  byIds(ids: readonly number[]): Map<number, Float32Array> {
    const rows = this.statements
      .get('SELECT id, vector FROM vectors WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as { id: number; vector: Buffer }[];
    return new Map(rows.map((row) => [row.id, fromBlob(row.vector)]));
  }

  /**
   * Up to `count` of a model's vectors spread over its id range (a cheap stand-in for a random
   * sample: one indexed lookup each, whatever the size of the library). Deterministic for a given
   * library state, so the same query ranks the same way twice.
   */
  sample(modelId: number, count: number): Float32Array[] {
    const range = this.idRange(modelId);
    if (range.hi < range.lo) return [];
    const at = this.statements.get('SELECT id, vector FROM vectors WHERE model_id = ? AND id >= ? ORDER BY id LIMIT 1');
    const seen = new Set<number>();
    const out: Float32Array[] = [];
    const step = (range.hi - range.lo + 1) / count;
    for (let i = 0; i < count; i += 1) {
      const row = at.get(modelId, Math.floor(range.lo + i * step)) as { id: number; vector: Buffer } | undefined;
      if (!row || seen.has(row.id)) continue;
      seen.add(row.id);
      out.push(fromBlob(row.vector));
    }
    return out;
  }

  /** A model's smallest and largest vector id (two index seeks); hi < lo when it has none. */
  idRange(modelId: number): { lo: number; hi: number } {
    // Two queries: SQLite answers a lone MIN or MAX with one seek, but reads the whole range for both at once.
    const lo = this.statements.get('SELECT MIN(id) FROM vectors WHERE model_id = ?').pluck().get(modelId) as number | null;
    const hi = this.statements.get('SELECT MAX(id) FROM vectors WHERE model_id = ?').pluck().get(modelId) as number | null;
    return lo === null || hi === null ? { lo: 1, hi: 0 } : { lo, hi };
  }

  vectorsOfContent(modelId: number, contentId: number): { id: number; offsetS: number | null; vector: Float32Array }[] {
    return (
      this.statements
        .get('SELECT id, offset_s, vector FROM vectors WHERE model_id = ? AND content_id = ? ORDER BY id')
        .all(modelId, contentId) as { id: number; offset_s: number | null; vector: Buffer }[]
    ).map((r) => ({ id: r.id, offsetS: r.offset_s, vector: fromBlob(r.vector) }));
  }

  /** Every tag of a model's contents (for the tag search index). */
  *allTags(modelId: number): Generator<{ contentId: number; label: string; score: number }> {
    for (const row of this.db.prepare('SELECT content_id, label, score FROM tags WHERE model_id = ?').iterate(modelId) as Iterable<{
      content_id: number;
      label: string;
      score: number;
    }>) {
      yield { contentId: row.content_id, label: row.label, score: row.score };
    }
  }

  /** Changes whenever a model's tags do (added or removed): the tag search index is rebuilt then. */
  tagsVersion(modelId: number): string {
    const row = this.statements.get('SELECT COUNT(*) AS n, MAX(rowid) AS last FROM tags WHERE model_id = ?').get(modelId) as {
      n: number;
      last: number | null;
    };
    return `${row.n}:${row.last ?? 0}`;
  }

  tagsOfContent(modelId: number, contentId: number): Tag[] {
    return this.statements
      .get('SELECT label, score FROM tags WHERE model_id = ? AND content_id = ? ORDER BY score DESC')
      .all(modelId, contentId) as Tag[];
  }
}

/**
 * Vectors are stored in half precision: a tag byte (FLOAT16_TAG, which makes the length odd) and
 * two bytes a value. A 512-d float32 row is just over half a 4 KB page, so SQLite kept one a page
 * (a million took 3.9 GB); in float16 three fit. Scores move by about 1e-4 (util/float16), far
 * below what ranking, re-ranking or the duplicates' embedding check decide on. Rows written by
 * earlier versions (float32, a multiple of four bytes long) are read as they are.
 */
const FLOAT16_TAG = 0x16;

export function toBlob(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(1 + 2 * vector.length);
  out[0] = FLOAT16_TAG;
  for (let i = 0; i < vector.length; i += 1) out.writeUInt16LE(toFloat16(vector[i]!), 1 + 2 * i);
  return out;
}

export function fromBlob(blob: Buffer): Float32Array {
  if (blob.byteLength % 2 === 1 && blob[0] === FLOAT16_TAG) {
    const out = new Float32Array((blob.byteLength - 1) / 2);
    for (let i = 0; i < out.length; i += 1) out[i] = FLOAT16_VALUES[blob[1 + 2 * i]! | (blob[2 + 2 * i]! << 8)]!;
    return out;
  }
  if (blob.byteLength % 4 !== 0) throw new Error(`a stored vector is damaged (${blob.byteLength} bytes)`);
  // Copy: the Buffer may be a view into a pool with an unaligned offset.
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}
