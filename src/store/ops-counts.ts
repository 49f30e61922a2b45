/** Counts for the operator's metrics (read only): refusals by code, and whether the database takes a write lock. */
import type { Db } from './open-database.ts';
import { stmt } from './statements.ts';

/** Messages by state and refusal code (codes only where there is one). */
export function countMessagesByCode(db: Db): { state: string; code: string; n: number }[] {
  return stmt(db, "SELECT state, COALESCE(refusal_code, '') AS code, COUNT(*) AS n FROM messages GROUP BY state, refusal_code").all() as { state: string; code: string; n: number }[];
}

/** Whether a write transaction can begin now (the database is writable and not locked for longer than the busy timeout). */
export function probeWritable(db: Db): boolean {
  try {
    stmt(db, 'BEGIN IMMEDIATE').run();
    stmt(db, 'ROLLBACK').run();
    return true;
  } catch {
    return false;
  }
}
