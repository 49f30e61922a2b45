import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database.ts';

const caches = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, prepared once per database connection. */
export function stmt(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/*
 * Durability of commits. The database runs in WAL mode: a commit with synchronous NORMAL survives a crash
 * of the process at once and a power cut at the next commit made with synchronous FULL (which flushes
 * the whole log). So:
 * - what txgate promised to a peer (the 250 of intake) is committed FULL;
 * - what a step decided (new state, outbox rows) is committed NORMAL, but marks the log unflushed, and
 *   nothing leaves the gateway before a FULL commit (`barrierWrite`, used when an outbox row is claimed);
 * - what is harmless to lose (a lease, an attempt count, a delivery's outcome: at worst the same message,
 *   same Message-ID, goes again) is committed NORMAL.
 */
const mode = new WeakMap<Db, 'FULL' | 'NORMAL'>();
const unflushed = new WeakSet<Db>();

function setMode(db: Db, m: 'FULL' | 'NORMAL'): void {
  if ((mode.get(db) ?? 'FULL') === m) return;
  // prepared once (db.pragma would prepare it again at every switch)
  stmt(db, `PRAGMA synchronous = ${m}`).run();
  mode.set(db, m);
}

/** A commit that is on disk when this returns (synchronous FULL); it flushes everything before it too. */
export function durableWrite<T>(db: Db, fn: () => T): T {
  setMode(db, 'FULL');
  const r = fn();
  unflushed.delete(db);
  return r;
}

/** A step's commit: not waited for, but flushed before anything it decided leaves the gateway. */
export function stepWrite<T>(db: Db, fn: () => T): T {
  setMode(db, 'NORMAL');
  const r = fn();
  unflushed.add(db);
  return r;
}

/** A commit whose loss at a power cut is harmless. */
export function lightWrite<T>(db: Db, fn: () => T): T {
  setMode(db, 'NORMAL');
  return fn();
}

/** Before an effect outside: a full commit if a step's commit may still be only in the OS cache. */
export function barrierWrite<T>(db: Db, fn: () => T): T {
  return unflushed.has(db) ? durableWrite(db, fn) : lightWrite(db, fn);
}
