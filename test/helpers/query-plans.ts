/**
 * Watches how SQLite plans every statement prepared in this test file, with the arguments it runs
 * with: whatever runs once per row of something else (a correlated subquery, an EXISTS, the inner
 * loop of a join, the cascade of a delete) must seek what it needs, never read a whole table, nor
 * every file in a status. Either makes the work quadratic in the library's size (SQLite keeps no
 * statistics here, so it cannot tell a selective index from one that is not).
 */
import Database from 'better-sqlite3';

interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

export interface QueryPlanWatch {
  /** Statements planned so far (each distinct text once). */
  readonly planned: Set<string>;
  /** The statements with a step that reads a whole table (or every file in a status) once per row. */
  readonly offending: { sql: string; step: string }[];
  stop(): void;
}

/** A status-only seek on the files table: every file in that status is read. */
const FILES_BY_STATUS = /^SEARCH \w+ (EXISTS )?USING (COVERING )?INDEX files_\w+ \(status=\?\)$/;
/** A whole table read (json_each is the statement's own list of ids). */
const WHOLE_TABLE = /^SCAN (?!json_each)\w+$/;

export function watchQueryPlans(): QueryPlanWatch {
  const planned = new Set<string>();
  const offending: { sql: string; step: string }[] = [];
  const check = (db: Database.Database, sql: string, args: unknown[]) => {
    if (planned.has(sql)) return;
    planned.add(sql);
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as PlanRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const inSubquery = (row: PlanRow): boolean => {
      for (let p = byId.get(row.parent); p; p = byId.get(p.parent)) if (/CORRELATED|EXISTS/.test(p.detail)) return true;
      return false;
    };
    const firstLoop = (parent: number) => rows.find((r) => r.parent === parent && /^(SCAN|SEARCH) /.test(r.detail));
    for (const row of rows) {
      const nested = row.detail.includes(' EXISTS ') || inSubquery(row) || firstLoop(row.parent) !== row;
      if (nested && (FILES_BY_STATUS.test(row.detail) || WHOLE_TABLE.test(row.detail))) {
        offending.push({ sql: sql.replace(/\s+/g, ' '), step: row.detail });
      }
    }
  };
  const prototype = Database.prototype as unknown as { prepare(this: Database.Database, sql: string): Database.Statement };
  const prepare = prototype.prepare;
  prototype.prepare = function (this: Database.Database, sql: string) {
    const statement = prepare.call(this, sql);
    if (sql.startsWith('EXPLAIN')) return statement;
    const db = this;
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const run = statement[method] as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = function (this: Database.Statement, ...args: unknown[]) {
        check(db, sql, args);
        return run.apply(this, args);
      };
    }
    return statement;
  };
  return { planned, offending, stop: () => (prototype.prepare = prepare) };
}
