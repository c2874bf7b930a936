/**
 * Searches a person pinned: the query as typed (filters typed in it included) and the search page's
 * own filters. They are queries, not results: run again, they answer from the library as it is now.
 */
import type { Db } from './database.js';

export interface SavedSearch {
  id: number;
  text: string;
  /** The search page's filters (kinds, folder, dates), as the UI sent them. */
  filters: Record<string, unknown>;
  savedAt: number;
}

export class SavedSearchRepo {
  constructor(private readonly db: Db) {}

  list(): SavedSearch[] {
    const rows = this.db.prepare('SELECT id, text, filters, saved_at FROM saved_searches ORDER BY id').all() as {
      id: number;
      text: string;
      filters: string;
      saved_at: number;
    }[];
    return rows.map((r) => ({ id: r.id, text: r.text, filters: JSON.parse(r.filters) as Record<string, unknown>, savedAt: r.saved_at }));
  }

  /** Pins a search; the same query with the same filters is pinned once (its id returned again). */
  add(text: string, filters: Record<string, unknown>): number {
    const key = JSON.stringify(filters);
    const known = this.db.prepare('SELECT id FROM saved_searches WHERE text = ? AND filters = ?').get(text, key) as
      { id: number } | undefined;
    if (known) return known.id;
    return Number(
      this.db.prepare('INSERT INTO saved_searches (text, filters, saved_at) VALUES (?, ?, ?)').run(text, key, Date.now()).lastInsertRowid,
    );
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM saved_searches WHERE id = ?').run(id).changes > 0;
  }
}
