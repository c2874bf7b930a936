/** Library folders: the roots the user asked Trove to index and watch. */
import type { Db } from './database.js';

export interface Folder {
  id: number;
  path: string;
  addedAt: number;
}

interface FolderRow {
  id: number;
  path: string;
  added_at: number;
}
const toFolder = (r: FolderRow): Folder => ({ id: r.id, path: r.path, addedAt: r.added_at });

export class FolderRepo {
  constructor(private readonly db: Db) {}

  list(): Folder[] {
    return (this.db.prepare('SELECT id, path, added_at FROM folders ORDER BY path').all() as FolderRow[]).map(toFolder);
  }

  byPath(path: string): Folder | undefined {
    const row = this.db.prepare('SELECT id, path, added_at FROM folders WHERE path = ?').get(path) as FolderRow | undefined;
    return row && toFolder(row);
  }

  add(path: string): Folder {
    this.db.prepare('INSERT INTO folders (path, added_at) VALUES (?, ?)').run(path, Date.now());
    return this.byPath(path)!;
  }

  remove(id: number): void {
    this.db.prepare('DELETE FROM folders WHERE id = ?').run(id);
  }
}
