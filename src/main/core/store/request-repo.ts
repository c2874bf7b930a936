/**
 * Requests handed from one Trove process to the one holding the library: `trove index` run while
 * `trove serve` or the app is watching asks the watcher to read the folders again rather than being
 * refused, and waits for the answer. The database both already share is the channel: no socket, no
 * port, nothing another local program could reach.
 */
import type { Db } from './database.js';

export type RequestKind = 'rescan';

export class RequestRepo {
  constructor(private readonly db: Db) {}

  ask(kind: RequestKind): number {
    return Number(this.db.prepare('INSERT INTO requests (kind, asked_at) VALUES (?, ?)').run(kind, Date.now()).lastInsertRowid);
  }

  /** Requests not answered yet, oldest first. */
  open(): { id: number; kind: RequestKind }[] {
    return this.db.prepare('SELECT id, kind FROM requests WHERE done_at IS NULL ORDER BY id').all() as { id: number; kind: RequestKind }[];
  }

  answer(id: number): void {
    this.db.prepare('UPDATE requests SET done_at = ? WHERE id = ?').run(Date.now(), id);
  }

  isAnswered(id: number): boolean {
    const row = this.db.prepare('SELECT done_at FROM requests WHERE id = ?').get(id) as { done_at: number | null } | undefined;
    return row?.done_at !== null && row?.done_at !== undefined;
  }

  /** Answered requests are history; old ones go. */
  forgetAnswered(before: number): void {
    this.db.prepare('DELETE FROM requests WHERE done_at IS NOT NULL AND done_at < ?').run(before);
  }
}
