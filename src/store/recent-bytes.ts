/**
 * Bytes just committed, kept in memory for the claim that reads them next: the raw message a step opens
 * moments after intake wrote it, the sealed message delivery sends moments after the step wrote it.
 * Those bytes are written once and never change, so a copy in memory is the same as the database's;
 * the database stays the source (after a restart, or past the budget, the claim reads it there).
 */
import type { Db } from './open-database.ts';

export type BytesTable = 'message_raw' | 'outbox_raw';

export interface RecentBytes {
  /** remembers `bytes` for `id` (call only once they are committed); nothing when over the budget */
  put(id: string, bytes: Buffer): void;
  /** the bytes of `id`, forgotten as they are handed out */
  take(id: string): Buffer | undefined;
}

const BUDGET_BYTES = 32 * 1024 * 1024;
const caches = new WeakMap<Db, Map<BytesTable, RecentBytes>>();

function createRecentBytes(budget: number): RecentBytes {
  const held = new Map<string, Buffer>();
  let size = 0;
  return {
    put(id, bytes) {
      if (size + bytes.length > budget || held.has(id)) return;
      held.set(id, bytes);
      size += bytes.length;
    },
    take(id) {
      const b = held.get(id);
      if (b) {
        held.delete(id);
        size -= b.length;
      }
      return b;
    },
  };
}

/** The recent bytes of one table of one database connection. */
export function recentBytes(db: Db, table: BytesTable): RecentBytes {
  let byTable = caches.get(db);
  if (!byTable) {
    byTable = new Map();
    caches.set(db, byTable);
  }
  let r = byTable.get(table);
  if (!r) {
    r = createRecentBytes(BUDGET_BYTES);
    byTable.set(table, r);
  }
  return r;
}
