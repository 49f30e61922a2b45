/**
 * The yearly quota's places: an admitted request takes one, a request cancelled before acceptance gives it
 * back. A place is taken by a count and an insert in the same write transaction (the step's, begun IMMEDIATE),
 * so of two requests racing for the last place exactly one gets it, whatever the number of workers or processes.
 * Days are day numbers in the programme's time zone (src/policy/local-date.ts); the index serves every query.
 */
import type { Db } from './open-database.ts';
import { stmt } from './statements.ts';

export interface QuotaRange {
  pack: string;
  key: string;
  /** inclusive day numbers */
  firstDay: number;
  lastDay: number;
}

export interface QuotaTake extends QuotaRange {
  request: string;
  /** the request's day */
  day: number;
  limit: number;
}

/** Places taken in a window. */
export function countQuotaPlaces(db: Db, r: QuotaRange): number {
  return (stmt(db, 'SELECT COUNT(*) AS n FROM quota_places WHERE pack = ? AND key = ? AND day BETWEEN ? AND ?').get(r.pack, r.key, r.firstDay, r.lastDay) as { n: number }).n;
}

/**
 * Takes a place when fewer than `limit` are taken in the window; true when taken (or already held by this
 * request). Call inside a write transaction.
 */
export function takeQuotaPlace(db: Db, t: QuotaTake, now: Date): boolean {
  if (stmt(db, 'SELECT 1 FROM quota_places WHERE request = ?').get(t.request)) return true;
  if (countQuotaPlaces(db, t) >= t.limit) return false;
  stmt(db, 'INSERT INTO quota_places (request, pack, key, day, taken_at) VALUES (?, ?, ?, ?, ?)').run(t.request, t.pack, t.key, t.day, now.getTime());
  return true;
}

/** Gives a request's place back; true when it held one. Call inside a write transaction. */
export function releaseQuotaPlace(db: Db, request: string): boolean {
  return stmt(db, 'DELETE FROM quota_places WHERE request = ?').run(request).changes === 1;
}

/** The places taken in a window, oldest first (for the operator). */
export function listQuotaPlaces(db: Db, r: QuotaRange): { request: string; day: number; takenAt: Date }[] {
  return (stmt(db, 'SELECT request, day, taken_at FROM quota_places WHERE pack = ? AND key = ? AND day BETWEEN ? AND ? ORDER BY day, taken_at').all(r.pack, r.key, r.firstDay, r.lastDay) as {
    request: string;
    day: number;
    taken_at: number;
  }[]).map((p) => ({ request: p.request, day: p.day, takenAt: new Date(p.taken_at) }));
}
