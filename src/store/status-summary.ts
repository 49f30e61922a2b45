/**
 * What an operator looks at first (txgate status): queues by state, the outbox's depth and age, requests by state,
 * deadlines at risk, rows that look stuck, certificates of the directory about to expire. Read only; every query
 * is served by an index or reads a small table.
 */
import type { Db } from './open-database.ts';
import { stmt } from './statements.ts';

export interface StatusSummary {
  messages: Record<string, number>;
  requests: Record<string, number>;
  outbox: { pending: number; oldestPendingAt: Date | undefined; failed: number; awaitingMdn: number; mdnTimedOut: number };
  /** assigned requests whose answer is due before `riskBefore`, overdue ones first */
  deadlinesAtRisk: { request: string; state: string; expert: string | undefined; dueAt: Date }[];
  /** messages retried at least once and still in a working state, or quarantined */
  stuck: { message: string; state: string; attempts: number; lastError: string | undefined }[];
  /** directory certificates that expire before `certificatesBefore` */
  expiringCertificates: { practitioner: string; notAfter: Date }[];
}

const WORK_STATES = ['accepted', 'received', 'parsed', 'admitted', 'waiting', 'reply', 'timer'];

export function readStatusSummary(db: Db, o: { riskBefore: Date; certificatesBefore: Date; now: Date; limit?: number }): StatusSummary {
  const limit = o.limit ?? 20;
  const byState = (table: 'messages' | 'requests') =>
    Object.fromEntries((stmt(db, `SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state ORDER BY state`).all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
  const outbox = stmt(db,
    `SELECT SUM(state = 'pending') AS pending, MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest, SUM(state = 'failed') AS failed,
            SUM(tracking = 'awaiting') AS awaiting, SUM(tracking = 'timed-out') AS timedOut FROM outbox`,
  ).get() as { pending: number | null; oldest: number | null; failed: number | null; awaiting: number | null; timedOut: number | null };
  const placeholders = WORK_STATES.map(() => '?').join(', ');
  return {
    messages: byState('messages'),
    requests: byState('requests'),
    outbox: {
      pending: outbox.pending ?? 0,
      oldestPendingAt: outbox.oldest === null ? undefined : new Date(outbox.oldest),
      failed: outbox.failed ?? 0,
      awaitingMdn: outbox.awaiting ?? 0,
      mdnTimedOut: outbox.timedOut ?? 0,
    },
    deadlinesAtRisk: (stmt(db,
      `SELECT id, state, expert, due_at FROM requests WHERE state IN ('routed', 'accepted', 'information-requested') AND due_at IS NOT NULL AND due_at < ? ORDER BY due_at LIMIT ?`,
    ).all(o.riskBefore.getTime(), limit) as { id: string; state: string; expert: string | null; due_at: number }[]).map((r) => ({ request: r.id, state: r.state, expert: r.expert ?? undefined, dueAt: new Date(r.due_at) })),
    stuck: (stmt(db,
      `SELECT id, state, attempts, last_error FROM messages WHERE (state IN (${placeholders}) AND attempts > 0) OR state = 'quarantined' ORDER BY updated_at LIMIT ?`,
    ).all(...WORK_STATES, limit) as { id: string; state: string; attempts: number; last_error: string | null }[]).map((r) => ({ message: r.id, state: r.state, attempts: r.attempts, lastError: r.last_error ?? undefined })),
    expiringCertificates: (stmt(db, 'SELECT practitioner, MAX(not_after) AS not_after FROM practitioner_certificates GROUP BY practitioner HAVING MAX(not_after) < ? ORDER BY not_after LIMIT ?').all(
      o.certificatesBefore.getTime(),
      limit,
    ) as { practitioner: string; not_after: number }[]).map((r) => ({ practitioner: r.practitioner, notAfter: new Date(r.not_after) })),
  };
}
