/**
 * The outbox: every message the gateway sends, written in the same transaction as the step that decided
 * to send it, with a fixed Message-ID and idempotency key, then delivered (and retried) from here.
 */
import type { Db } from './open-database.ts';
import { recentBytes } from './recent-bytes.ts';
import { barrierWrite, lightWrite, stmt } from './statements.ts';

export interface OutboxInsert {
  id: string;
  idempotencyKey: string;
  kind: string;
  sourceMessage: string | undefined;
  messageId: string;
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  /** track processed (and dispatched) MDNs for this message */
  expectsMdn?: boolean;
  wantsDispatched?: boolean;
}

export interface OutboxRow {
  id: string;
  idempotencyKey: string;
  kind: string;
  sourceMessage: string | undefined;
  messageId: string;
  envelopeFrom: string;
  envelopeTo: string[];
  state: string;
  attempts: number;
  firstAttemptAt: Date | undefined;
  lastErrorCode: string | undefined;
  lastResponse: string | undefined;
  tracking: string | undefined;
  wantsDispatched: boolean;
  createdAt: Date;
  sentAt: Date | undefined;
}

export interface OutboxWork extends OutboxRow {
  raw: Buffer;
}

interface RawOutbox {
  id: string;
  idempotency_key: string;
  kind: string;
  source_message: string | null;
  message_id: string;
  envelope_from: string;
  envelope_to: string;
  state: string;
  attempts: number;
  first_attempt_at: number | null;
  last_error_code: string | null;
  last_response: string | null;
  tracking: string | null;
  wants_dispatched: number;
  created_at: number;
  sent_at: number | null;
}

const COLUMNS = 'id, idempotency_key, kind, source_message, message_id, envelope_from, envelope_to, state, attempts, first_attempt_at, last_error_code, last_response, tracking, wants_dispatched, created_at, sent_at';

function toRow(r: RawOutbox): OutboxRow {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    sourceMessage: r.source_message ?? undefined,
    messageId: r.message_id,
    envelopeFrom: r.envelope_from,
    envelopeTo: JSON.parse(r.envelope_to) as string[],
    state: r.state,
    attempts: r.attempts,
    firstAttemptAt: r.first_attempt_at === null ? undefined : new Date(r.first_attempt_at),
    lastErrorCode: r.last_error_code ?? undefined,
    lastResponse: r.last_response ?? undefined,
    tracking: r.tracking ?? undefined,
    wantsDispatched: r.wants_dispatched === 1,
    createdAt: new Date(r.created_at),
    sentAt: r.sent_at === null ? undefined : new Date(r.sent_at),
  };
}

/** Inserts an outbox row unless its idempotency key exists (then nothing happens). Call inside a step's transaction. */
export function insertOutbox(db: Db, o: OutboxInsert, now: Date): boolean {
  const t = now.getTime();
  const r = stmt(db, 
      `INSERT INTO outbox (id, idempotency_key, kind, source_message, message_id, envelope_from, envelope_to, state, next_attempt_at, expects_mdn, wants_dispatched, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
    )
    .run(o.id, o.idempotencyKey, o.kind, o.sourceMessage ?? null, o.messageId, o.envelopeFrom, JSON.stringify(o.envelopeTo), t, o.expectsMdn ? 1 : 0, o.wantsDispatched ? 1 : 0, t, t);
  if (r.changes !== 1) return false;
  stmt(db, 'INSERT INTO outbox_raw (outbox, raw) VALUES (?, ?)').run(o.id, o.raw);
  return true;
}

/** Takes the next outbox rows due for delivery (at most `limit`, oldest first), for `leaseMs`, in one commit. */
export function claimOutboxRows(db: Db, now: Date, leaseMs: number, owner: string, limit: number): OutboxWork[] {
  if (limit < 1) return [];
  const t = now.getTime();
  // a full commit here is the durability barrier: the steps that wrote these rows (committed without
  // waiting for the disk) reach it before anything leaves the gateway
  const rows = barrierWrite(db, () => stmt(db,
      `UPDATE outbox SET lease_until = ?, lease_owner = ?, attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?)
       WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?)
       RETURNING ${COLUMNS}`,
    )
    .all(t + leaseMs, owner, t, t, t, limit)) as RawOutbox[];
  rows.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  const recent = recentBytes(db, 'outbox_raw');
  return rows.map((row) => ({ ...toRow(row), raw: recent.take(row.id) ?? getOutboxRaw(db, row.id)! }));
}

/** Takes the next outbox row due for delivery, for `leaseMs` (see claimOutboxRows). */
export function claimOutbox(db: Db, now: Date, leaseMs: number, owner: string): OutboxWork | undefined {
  return claimOutboxRows(db, now, leaseMs, owner, 1)[0];
}

/** Delivered: the peer's server answered 250. (Lost only at a power cut: the message would go again, same Message-ID.) Starts MDN tracking when the row asks for it. */
export function markOutboxSent(db: Db, id: string, owner: string, response: string, now: Date, mdnTimeoutMs: number): void {
  lightWrite(db, () => {
    const t = now.getTime();
    stmt(db, 
      `UPDATE outbox SET state = 'sent', sent_at = ?, last_response = ?, last_error_code = NULL, lease_until = NULL, lease_owner = NULL, updated_at = ?,
         tracking = CASE WHEN expects_mdn = 1 AND tracking IS NULL THEN 'awaiting' ELSE tracking END,
         mdn_deadline = CASE WHEN expects_mdn = 1 THEN ? ELSE mdn_deadline END
       WHERE id = ? AND lease_owner = ?`,
    ).run(t, response, t, t + mdnTimeoutMs, id, owner);
  });
}

/** A temporary failure: try again at `retryAt`. */
export function markOutboxRetry(db: Db, id: string, owner: string, code: string, response: string, retryAt: Date, now: Date): void {
  lightWrite(db, () => {
    stmt(db, 'UPDATE outbox SET last_error_code = ?, last_response = ?, next_attempt_at = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?').run(
      code,
      response,
      retryAt.getTime(),
      now.getTime(),
      id,
      owner,
    );
  });
}

/** A permanent failure (or retries given up): nothing more will be tried. */
export function markOutboxFailed(db: Db, id: string, owner: string, code: string, response: string, now: Date): void {
  lightWrite(db, () => {
    stmt(db, 
      "UPDATE outbox SET state = 'failed', tracking = CASE WHEN expects_mdn = 1 THEN 'failed' ELSE tracking END, last_error_code = ?, last_response = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?",
    ).run(code, response, now.getTime(), id, owner);
  });
}

export function findOutboxByMessageId(db: Db, messageId: string): OutboxRow | undefined {
  const r = stmt(db, `SELECT ${COLUMNS} FROM outbox WHERE message_id = ? LIMIT 1`).get(messageId) as RawOutbox | undefined;
  return r ? toRow(r) : undefined;
}

/** Sets the tracking state of an outbox row from a notification (call inside the step's transaction). */
export function setOutboxTracking(db: Db, id: string, tracking: string, now: Date): void {
  stmt(db, 'UPDATE outbox SET tracking = ?, updated_at = ? WHERE id = ?').run(tracking, now.getTime(), id);
}

/** Rows whose processed MDN did not come in time: marked timed-out and returned, so the originator can be told. */
export function expireAwaitedMdns(db: Db, now: Date): OutboxRow[] {
  const t = now.getTime();
  return db.transaction(() => {
    const rows = stmt(db, `SELECT ${COLUMNS} FROM outbox WHERE tracking = 'awaiting' AND mdn_deadline <= ?`).all(t) as RawOutbox[];
    for (const r of rows) stmt(db, "UPDATE outbox SET tracking = 'timed-out', updated_at = ? WHERE id = ?").run(t, r.id);
    return rows.map(toRow);
  }).immediate();
}

export function listOutbox(db: Db, filter: { state?: string; sourceMessage?: string; limit?: number } = {}): OutboxRow[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.state) {
    where.push('state = ?');
    args.push(filter.state);
  }
  if (filter.sourceMessage) {
    where.push('source_message = ?');
    args.push(filter.sourceMessage);
  }
  const sql = `SELECT ${COLUMNS} FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
  return (stmt(db, sql).all(...args, filter.limit ?? 100) as RawOutbox[]).map(toRow);
}

export function getOutboxRaw(db: Db, id: string): Buffer | undefined {
  const r = stmt(db, 'SELECT raw FROM outbox_raw WHERE outbox = ?').get(id) as { raw: Buffer } | undefined;
  return r?.raw;
}

export function countOutbox(db: Db): { pending: number; oldestPendingAt: Date | undefined } {
  const r = stmt(db, "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE state = 'pending'").get() as { n: number; oldest: number | null };
  return { pending: r.n, oldestPendingAt: r.oldest === null ? undefined : new Date(r.oldest) };
}
