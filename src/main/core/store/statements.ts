/**
 * Prepared statements kept by their SQL. Preparing one costs more than running a lookup by key, and
 * a search runs the same few lookups for every neighbour and every hit it lists.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

/** Statements a repository prepares more than once: by their text (filter SQL varies, so not one field each). */
export class Statements {
  private readonly prepared = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  get(sql: string): Statement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }
}
