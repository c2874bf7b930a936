/**
 * The persistent work queue, kept in SQLite so that work survives a crash or Ctrl-C.
 * Claimed jobs are marked 'running'; on start, anything left 'running' by a dead process goes back
 * to 'queued'. A job is deleted in the same transaction that stores its result, so a result is never
 * stored twice and never lost.
 */
import type { Db } from './database.js';

export interface IngestJob {
  id: number;
  fileId: number;
}
export interface EmbedJob {
  id: number;
  contentId: number;
  model: string;
}

export class JobRepo {
  constructor(private readonly db: Db) {}

  recoverInterrupted(): number {
    return this.db.prepare(`UPDATE jobs SET state = 'queued' WHERE state = 'running'`).run().changes;
  }

  enqueueIngest(fileId: number, priority = 0): void {
    this.db
      .prepare(`INSERT OR IGNORE INTO jobs (kind, file_id, priority, created_at) VALUES ('ingest', ?, ?, ?)`)
      .run(fileId, priority, Date.now());
  }

  enqueueEmbed(contentId: number, model: string, priority = 0): void {
    this.db
      .prepare(`INSERT OR IGNORE INTO jobs (kind, content_id, model, priority, created_at) VALUES ('embed', ?, ?, ?, ?)`)
      .run(contentId, model, priority, Date.now());
  }

  claimIngest(limit: number): IngestJob[] {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(`SELECT id, file_id FROM jobs WHERE kind = 'ingest' AND state = 'queued' ORDER BY priority DESC, id LIMIT ?`)
        .all(limit) as { id: number; file_id: number }[];
      this.markRunning(rows.map((r) => r.id));
      return rows.map((r) => ({ id: r.id, fileId: r.file_id }));
    })();
  }

  claimEmbed(model: string, limit: number): EmbedJob[] {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(
          `SELECT id, content_id FROM jobs WHERE kind = 'embed' AND model = ? AND state = 'queued' ORDER BY priority DESC, id LIMIT ?`,
        )
        .all(model, limit) as { id: number; content_id: number }[];
      this.markRunning(rows.map((r) => r.id));
      return rows.map((r) => ({ id: r.id, contentId: r.content_id, model }));
    })();
  }

  /** Gives claimed but unfinished jobs back (a clean stop in the middle of a batch). */
  release(ids: number[]): void {
    const stmt = this.db.prepare(`UPDATE jobs SET state = 'queued' WHERE id = ?`);
    this.db.transaction(() => ids.forEach((id) => stmt.run(id)))();
  }

  complete(id: number): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }

  pending(kind: 'ingest' | 'embed', model?: string): number {
    const row = model
      ? this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE kind = ? AND model = ?`).get(kind, model)
      : this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE kind = ?`).get(kind);
    return (row as { n: number }).n;
  }

  /** Embed jobs for models other than this one are kept for when that model is used again. */
  modelsWithWork(): string[] {
    return (this.db.prepare(`SELECT DISTINCT model FROM jobs WHERE kind = 'embed'`).all() as { model: string }[]).map((r) => r.model);
  }

  private markRunning(ids: number[]): void {
    const stmt = this.db.prepare(`UPDATE jobs SET state = 'running', attempts = attempts + 1 WHERE id = ?`);
    for (const id of ids) stmt.run(id);
  }
}
