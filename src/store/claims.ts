/**
 * Claims to the insurer: one row per billable act of a request, inserted in the transaction of the step that
 * delivered the opinion (StepResult.claims), then sent by the claim worker with leases and retries, like the outbox.
 * States: `pending` (to send) → `submitted` (the insurer took it; its ClaimResponse stored) | `error` (refused,
 * answered with outcome error, or given up: the operator sees it and may resend it) ; `invalid` (the bundle failed
 * validation: never sent). A resend puts a claim back to `pending` with the same bundle, so the same identifier.
 */
import type { Db } from './open-database.ts';
import { barrierWrite, lightWrite, stmt } from './statements.ts';

export const CLAIM_STATES = ['pending', 'submitted', 'error', 'invalid'] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];
export type ClaimOutcome = 'complete' | 'error' | 'partial' | 'queued';

export interface ClaimInsert {
  id: string;
  request: string;
  actCode: string;
  idempotencyKey: string;
  bundle: unknown;
  /** pending, or invalid (with lastError saying why) */
  state: 'pending' | 'invalid';
  lastError?: string;
}

export interface ClaimRow {
  id: string;
  request: string;
  actCode: string;
  idempotencyKey: string;
  state: ClaimState;
  attempts: number;
  firstAttemptAt: Date | undefined;
  nextAttemptAt: Date;
  lastError: string | undefined;
  outcome: ClaimOutcome | undefined;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | undefined;
}

export interface ClaimDetail extends ClaimRow {
  bundle: unknown;
  response: unknown;
}

interface RawClaim {
  id: string;
  request: string;
  act_code: string;
  idempotency_key: string;
  state: string;
  attempts: number;
  first_attempt_at: number | null;
  next_attempt_at: number;
  last_error: string | null;
  outcome: string | null;
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
}

const COLUMNS = 'id, request, act_code, idempotency_key, state, attempts, first_attempt_at, next_attempt_at, last_error, outcome, created_at, updated_at, submitted_at';
const date = (t: number | null) => (t === null ? undefined : new Date(t));

function toRow(r: RawClaim): ClaimRow {
  return {
    id: r.id,
    request: r.request,
    actCode: r.act_code,
    idempotencyKey: r.idempotency_key,
    state: r.state as ClaimState,
    attempts: r.attempts,
    firstAttemptAt: date(r.first_attempt_at),
    nextAttemptAt: new Date(r.next_attempt_at),
    lastError: r.last_error ?? undefined,
    outcome: (r.outcome ?? undefined) as ClaimOutcome | undefined,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    submittedAt: date(r.submitted_at),
  };
}

/** Inserts a claim unless one with its idempotency key exists (then nothing happens). Call inside a step's transaction. */
export function insertClaim(db: Db, c: ClaimInsert, now: Date): boolean {
  const t = now.getTime();
  const r = stmt(db,
    `INSERT INTO claims (id, request, act_code, idempotency_key, bundle, state, last_error, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  ).run(c.id, c.request, c.actCode, c.idempotencyKey, JSON.stringify(c.bundle), c.state, c.lastError ?? null, t, t, t);
  return r.changes === 1;
}

/** A claim taken for sending, with its bundle. */
export interface ClaimWork extends ClaimRow {
  bundle: unknown;
}

/**
 * Takes the pending claims due (at most `limit`, oldest first) for `leaseMs`, in one commit; the attempt counter
 * goes up now. A full commit first when a step's commit may not be on disk yet: nothing leaves before it is.
 */
export function claimPendingClaims(db: Db, now: Date, leaseMs: number, owner: string, limit: number): ClaimWork[] {
  if (limit < 1) return [];
  const t = now.getTime();
  const rows = barrierWrite(db, () => stmt(db,
    `UPDATE claims SET lease_until = ?, lease_owner = ?, attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?), updated_at = ?
     WHERE id IN (SELECT id FROM claims WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?)
     RETURNING ${COLUMNS}, bundle`,
  ).all(t + leaseMs, owner, t, t, t, t, limit)) as (RawClaim & { bundle: string })[];
  rows.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  return rows.map((r) => ({ ...toRow(r), bundle: JSON.parse(r.bundle) as unknown }));
}

/** The insurer took the claim: its answer (a ClaimResponse, or the transaction response) and outcome stored. */
export function markClaimSubmitted(db: Db, id: string, owner: string, response: unknown, outcome: ClaimOutcome, now: Date): boolean {
  const t = now.getTime();
  return lightWrite(db, () => stmt(db,
    `UPDATE claims SET state = 'submitted', response = ?, outcome = ?, last_error = NULL, submitted_at = ?, lease_until = NULL, lease_owner = NULL, updated_at = ?
     WHERE id = ? AND lease_owner = ?`,
  ).run(JSON.stringify(response), outcome, t, t, id, owner).changes === 1);
}

/** Refused for good, answered with outcome error, or given up: for the operator (who may resend it). */
export function markClaimError(db: Db, id: string, owner: string, error: string, now: Date, answer?: { response: unknown; outcome?: ClaimOutcome }): boolean {
  const t = now.getTime();
  return lightWrite(db, () => stmt(db,
    `UPDATE claims SET state = 'error', last_error = ?, response = COALESCE(?, response), outcome = COALESCE(?, outcome), lease_until = NULL, lease_owner = NULL, updated_at = ?
     WHERE id = ? AND lease_owner = ?`,
  ).run(error, answer ? JSON.stringify(answer.response) : null, answer?.outcome ?? null, t, id, owner).changes === 1);
}

/** The bundle failed validation: held, never sent. */
export function markClaimInvalid(db: Db, id: string, owner: string, error: string, now: Date): boolean {
  return lightWrite(db, () => stmt(db, "UPDATE claims SET state = 'invalid', last_error = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?")
    .run(error, now.getTime(), id, owner).changes === 1);
}

/** A temporary failure: try again at `retryAt`. */
export function markClaimRetry(db: Db, id: string, owner: string, error: string, retryAt: Date, now: Date): boolean {
  return lightWrite(db, () => stmt(db, 'UPDATE claims SET last_error = ?, next_attempt_at = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?')
    .run(error, retryAt.getTime(), now.getTime(), id, owner).changes === 1);
}

/**
 * The operator resends a claim in `error` or `invalid`: back to `pending`, due now, its attempts and first attempt
 * reset (the same bundle, so the same identifier). A pending or submitted claim is left alone.
 */
export function resendClaim(db: Db, id: string, now: Date): 'resent' | 'not-found' | { state: ClaimState } {
  const t = now.getTime();
  return lightWrite(db, () => db.transaction(() => {
    const row = stmt(db, 'SELECT state FROM claims WHERE id = ?').get(id) as { state: ClaimState } | undefined;
    if (!row) return 'not-found' as const;
    if (row.state !== 'error' && row.state !== 'invalid') return { state: row.state };
    stmt(db, "UPDATE claims SET state = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ?").run(t, t, id);
    return 'resent' as const;
  }).immediate());
}

/** At start: the leases of a previous run of this process are void (one gateway process owns the database). */
export function releaseStaleClaimLeases(db: Db): void {
  stmt(db, 'UPDATE claims SET lease_until = NULL, lease_owner = NULL WHERE lease_owner IS NOT NULL').run();
}

export function getClaim(db: Db, id: string): ClaimDetail | undefined {
  const r = stmt(db, `SELECT ${COLUMNS}, bundle, response FROM claims WHERE id = ?`).get(id) as (RawClaim & { bundle: string; response: string | null }) | undefined;
  if (!r) return undefined;
  return { ...toRow(r), bundle: JSON.parse(r.bundle) as unknown, response: r.response === null ? undefined : (JSON.parse(r.response) as unknown) };
}

export function listClaims(db: Db, filter: { state?: string; request?: string; limit?: number } = {}): ClaimRow[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.state) {
    where.push('state = ?');
    args.push(filter.state);
  }
  if (filter.request) {
    where.push('request = ?');
    args.push(filter.request);
  }
  const sql = `SELECT ${COLUMNS} FROM claims ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
  return (stmt(db, sql).all(...args, filter.limit ?? 100) as RawClaim[]).map(toRow);
}

export function countClaimsByState(db: Db): Record<string, number> {
  const rows = stmt(db, 'SELECT state, COUNT(*) AS n FROM claims GROUP BY state').all() as { state: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
