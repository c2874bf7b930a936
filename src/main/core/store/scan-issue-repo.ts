/**
 * Problems met while scanning a folder as a whole (a sub-folder that cannot be listed, a link loop,
 * an unplugged drive), kept per library folder until its next scan replaces them.
 */
import type { Db } from './database.js';

export interface ScanIssue {
  path: string;
  error: string;
}

export class ScanIssueRepo {
  constructor(private readonly db: Db) {}

  /** The issues of a folder's latest scan, replacing those of the one before. */
  replace(folderId: number, issues: ScanIssue[]): void {
    this.db.prepare('DELETE FROM scan_issues WHERE folder_id = ?').run(folderId);
    const insert = this.db.prepare('INSERT OR REPLACE INTO scan_issues (folder_id, path, error, seen_at) VALUES (?, ?, ?, ?)');
    for (const issue of issues) insert.run(folderId, issue.path, issue.error, Date.now());
  }

  /** One more issue for a folder (its own path: the folder is not reachable). */
  add(folderId: number, issue: ScanIssue): void {
    this.db
      .prepare('INSERT OR REPLACE INTO scan_issues (folder_id, path, error, seen_at) VALUES (?, ?, ?, ?)')
      .run(folderId, issue.path, issue.error, Date.now());
  }

  list(limit = Infinity): ScanIssue[] {
    return this.db
      .prepare('SELECT path, error FROM scan_issues ORDER BY path LIMIT ?')
      .all(Number.isFinite(limit) ? limit : -1) as ScanIssue[];
  }
}
