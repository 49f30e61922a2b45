/**
 * Counts for the operator's metrics (read only): refusals by code, claims to the insurer by state and outcome, and
 * whether the database takes a write lock.
 */
import { CLAIM_STATES, type ClaimOutcome } from './claims.ts';
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

/** The claims to the insurer as an operator watches them. */
export interface ClaimCounts {
  /** every state of CLAIM_STATES (0 when none), and any other state found */
  byState: { state: string; n: number }[];
  /** claims by the outcome of the insurer's answer (ClaimResponse.outcome: every ClaimOutcome, 0 when none), whatever their state */
  byOutcome: { outcome: string; n: number }[];
  /** when the oldest claim still to send (`pending`: not yet submitted, not given up) was written */
  oldestPendingAt: Date | undefined;
}

const CLAIM_OUTCOMES: readonly ClaimOutcome[] = ['complete', 'partial', 'queued', 'error'];

/** Claims by state and by the insurer's outcome, and the oldest one not yet submitted. */
export function countClaims(db: Db): ClaimCounts {
  const states = stmt(db, 'SELECT state, COUNT(*) AS n FROM claims GROUP BY state').all() as { state: string; n: number }[];
  const outcomes = stmt(db, 'SELECT outcome, COUNT(*) AS n FROM claims WHERE outcome IS NOT NULL GROUP BY outcome').all() as { outcome: string; n: number }[];
  const oldest = stmt(db, "SELECT MIN(created_at) AS t FROM claims WHERE state = 'pending'").get() as { t: number | null };
  return {
    byState: withZeros(CLAIM_STATES, states.map((r) => [r.state, r.n])).map(([state, n]) => ({ state, n })),
    byOutcome: withZeros(CLAIM_OUTCOMES, outcomes.map((r) => [r.outcome, r.n])).map(([outcome, n]) => ({ outcome, n })),
    oldestPendingAt: oldest.t === null ? undefined : new Date(oldest.t),
  };
}

/** The known keys first (0 when absent), then any other key found. */
function withZeros(known: readonly string[], found: [string, number][]): [string, number][] {
  const counts = new Map<string, number>(known.map((k) => [k, 0]));
  for (const [k, n] of found) counts.set(k, n);
  return [...counts];
}
