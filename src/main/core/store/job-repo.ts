/**
 * The persistent work queue, kept in SQLite so that work survives a crash or Ctrl-C.
 * Job kinds are typed: 'ingest' reads and hashes a file; 'embed-image', 'embed-video' and
 * 'embed-sound' run a model (by id) on a content — a photo, a video's frames, a recording's or a
 * video's sound. Claimed jobs are marked 'running'; on start, anything left 'running' by a dead
 * process goes back to 'queued'. A job is deleted in the same transaction that stores its result, so
 * a result is never stored twice and never lost.
 */
import type { Db } from './database.js';
import { Statements } from './statements.js';

export type EmbedKind = 'embed-image' | 'embed-video' | 'embed-sound';
export type JobKind = 'ingest' | EmbedKind;

export interface IngestJob {
  id: number;
  fileId: number;
}

export interface EmbedJob {
  id: number;
  kind: EmbedKind;
  contentId: number;
  modelId: number;
}

export class JobRepo {
  private readonly statements: Statements;

  constructor(private readonly db: Db) {
    this.statements = new Statements(db);
  }

  recoverInterrupted(): number {
    return this.statements.get(`UPDATE jobs SET state = 'queued' WHERE state = 'running'`).run().changes;
  }

  enqueueIngest(fileId: number, priority = 0): void {
    this.statements
      .get(`INSERT OR IGNORE INTO jobs (kind, file_id, priority, created_at) VALUES ('ingest', ?, ?, ?)`)
      .run(fileId, priority, Date.now());
  }

  enqueueEmbed(kind: EmbedKind, contentId: number, modelId: number, priority = 0): void {
    this.statements
      .get(`INSERT OR IGNORE INTO jobs (kind, content_id, model_id, priority, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(kind, contentId, modelId, priority, Date.now());
  }

  claimIngest(limit: number): IngestJob[] {
    return this.db.transaction(() => {
      const rows = this.statements
        .get(`SELECT id, file_id FROM jobs WHERE kind = 'ingest' AND state = 'queued' ORDER BY priority DESC, id LIMIT ?`)
        .all(limit) as { id: number; file_id: number }[];
      this.markRunning(rows.map((r) => r.id));
      return rows.map((r) => ({ id: r.id, fileId: r.file_id }));
    })();
  }

  claimEmbed(kind: EmbedKind, modelId: number, limit: number): EmbedJob[] {
    return this.db.transaction(() => {
      const rows = this.statements
        .get(`SELECT id, content_id FROM jobs WHERE kind = ? AND model_id = ? AND state = 'queued' ORDER BY priority DESC, id LIMIT ?`)
        .all(kind, modelId, limit) as { id: number; content_id: number }[];
      this.markRunning(rows.map((r) => r.id));
      return rows.map((r) => ({ id: r.id, kind, contentId: r.content_id, modelId }));
    })();
  }

  /** Gives claimed but unfinished jobs back (a clean stop in the middle of a batch). */
  release(ids: number[]): void {
    const stmt = this.statements.get(`UPDATE jobs SET state = 'queued' WHERE id = ?`);
    this.db.transaction(() => ids.forEach((id) => stmt.run(id)))();
  }

  complete(id: number): void {
    this.statements.get('DELETE FROM jobs WHERE id = ?').run(id);
  }

  /** Jobs waiting of a kind (of one model, for the embedding kinds, when given). */
  pending(kind: JobKind, modelId?: number): number {
    const row =
      modelId === undefined
        ? this.statements.get(`SELECT COUNT(*) AS n FROM jobs WHERE kind = ?`).get(kind)
        : this.statements.get(`SELECT COUNT(*) AS n FROM jobs WHERE kind = ? AND model_id = ?`).get(kind, modelId);
    return (row as { n: number }).n;
  }

  /** Embedding jobs waiting for a model, of every kind. */
  pendingForModel(modelId: number): number {
    return (this.statements.get(`SELECT COUNT(*) AS n FROM jobs WHERE kind <> 'ingest' AND model_id = ?`).get(modelId) as { n: number }).n;
  }

  /** All jobs waiting, of every kind. */
  total(): number {
    return (this.statements.get('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
  }

  private markRunning(ids: number[]): void {
    const stmt = this.statements.get(`UPDATE jobs SET state = 'running', attempts = attempts + 1 WHERE id = ?`);
    for (const id of ids) stmt.run(id);
  }
}
