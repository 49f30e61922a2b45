/**
 * Timer events (a reminder to the expert, an overdue answer) become messages of their own, in state `timer`, so
 * that what they cause goes through the pipeline like everything else: one step, one transaction, the outbox. The
 * event's key is the message's dedup key, so the same event is never stored twice, however often the sweep runs.
 */
import type { Db } from './open-database.ts';
import { lightWrite, stmt } from './statements.ts';

export const TIMER_STATE = 'timer';

export interface TimerEventInsert {
  id: string;
  key: string;
  /** the event as JSON (the message's raw bytes) */
  body: unknown;
}

/** Stores the events not stored yet; returns how many were new. */
export function storeTimerEvents(db: Db, events: readonly TimerEventInsert[], now: Date): number {
  if (events.length === 0) return 0;
  const t = now.getTime();
  return lightWrite(db, () =>
    db
      .transaction(() => {
        let added = 0;
        for (const e of events) {
          const raw = Buffer.from(JSON.stringify(e.body));
          const r = stmt(db,
            `INSERT INTO messages (id, channel, received_at, envelope_from, envelope_to, message_id, dedup_key, size, state, next_attempt_at, updated_at)
             VALUES (?, 'internal', ?, '', '[]', NULL, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
          ).run(e.id, t, e.key, raw.length, TIMER_STATE, t, t);
          if (r.changes !== 1) continue;
          stmt(db, 'INSERT INTO message_raw (message, raw) VALUES (?, ?)').run(e.id, raw);
          stmt(db, 'INSERT INTO history (message, at, from_state, to_state, detail) VALUES (?, ?, NULL, ?, ?)').run(e.id, t, TIMER_STATE, `timer ${e.key}`);
          added++;
        }
        return added;
      })
      .immediate(),
  );
}
