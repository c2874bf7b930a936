/**
 * What the person decided in the duplicates review: which files they marked to go or to stay (so a
 * reload or "Look again" never brings back a default mark they changed), and which groups they said
 * are not duplicates (never shown again, until they undo it).
 */
import type { Db } from './database.js';

export class ReviewRepo {
  constructor(private readonly db: Db) {}

  setMark(fileId: number, trash: boolean): void {
    this.db.prepare('INSERT OR REPLACE INTO review_marks (file_id, trash, set_at) VALUES (?, ?, ?)').run(fileId, Number(trash), Date.now());
  }

  /** The person's marks for these files (files they never touched are absent). */
  marks(fileIds: number[]): Map<number, boolean> {
    const marks = new Map<number, boolean>();
    const get = this.db.prepare('SELECT trash FROM review_marks WHERE file_id = ?');
    for (const id of fileIds) {
      const row = get.get(id) as { trash: number } | undefined;
      if (row) marks.set(id, row.trash === 1);
    }
    return marks;
  }

  /** Remembers that a group (by its contents) is not a group of duplicates. */
  dismiss(contentIds: number[]): void {
    this.db.prepare('INSERT OR IGNORE INTO not_duplicates (contents, set_at) VALUES (?, ?)').run(contentKey(contentIds), Date.now());
  }

  undismiss(contentIds: number[]): void {
    this.db.prepare('DELETE FROM not_duplicates WHERE contents = ?').run(contentKey(contentIds));
  }

  /** Every group dismissed, as its content ids, newest first. */
  dismissed(): number[][] {
    return (this.db.prepare('SELECT contents FROM not_duplicates ORDER BY set_at DESC, id DESC').all() as { contents: string }[]).map((r) =>
      r.contents.split(',').map(Number),
    );
  }
}

export function contentKey(contentIds: number[]): string {
  return [...new Set(contentIds)].sort((a, b) => a - b).join(',');
}
