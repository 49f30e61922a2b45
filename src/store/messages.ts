/**
 * Inbound messages: intake, the pipeline's claims and steps, and what the operator reads.
 * A message's state lives in one row; each step writes its new state, its history line and its
 * outgoing messages in one transaction.
 */
import type { Db } from './open-database.ts';
import { durableWrite, lightWrite, stepWrite, stmt } from './statements.ts';
import { insertOutbox, setOutboxTracking, type OutboxInsert } from './outbox.ts';
import { recentBytes } from './recent-bytes.ts';
import { insertOpinion, insertRequest, insertRoutingDecision, requestState, updateRequest, type OpinionInsert, type RequestInsert, type RequestUpdate, type RoutingDecisionInsert } from './requests.ts';
import { releaseQuotaPlace, takeQuotaPlace, type QuotaTake } from './quota.ts';
import { insertClaim, type ClaimInsert } from './claims.ts';
import { insertCommunication, type CommunicationInsert } from './communications.ts';

/** Final states take no more work. */
export const FINAL_MESSAGE_STATES = ['rejected', 'notification', 'unreadable', 'refused', 'status', 'cancelled', 'routed', 'relayed', 'reply-refused', 'timer-done', 'quarantined'] as const;

export interface AcceptInput {
  id: string;
  /** smtp: a mail; fhir: a request or a reply received over the FHIR API */
  channel: 'smtp' | 'fhir';
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string | undefined;
  dedupKey: string;
  remoteAddress: string | undefined;
  tls: boolean;
  clientCert: string | undefined;
  raw: Buffer;
  state: string;
  at: Date;
  /** what is known of it from the start (the FHIR API's client and the request id its Task has) */
  summary?: Record<string, unknown>;
}

export interface MessageRow {
  id: string;
  channel: string;
  receivedAt: Date;
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string | undefined;
  remoteAddress: string | undefined;
  tls: boolean;
  size: number;
  state: string;
  attempts: number;
  refusalCode: string | undefined;
  lastError: string | undefined;
  summary: Record<string, unknown> | undefined;
  updatedAt: Date;
}

export interface MessageWork extends MessageRow {
  raw: Buffer;
  content: Buffer | undefined;
}

interface RawRow {
  id: string;
  channel: string;
  received_at: number;
  envelope_from: string;
  envelope_to: string;
  message_id: string | null;
  remote_address: string | null;
  tls: number;
  size: number;
  state: string;
  attempts: number;
  refusal_code: string | null;
  last_error: string | null;
  summary: string | null;
  updated_at: number;
}

function toRow(r: RawRow): MessageRow {
  return {
    id: r.id,
    channel: r.channel,
    receivedAt: new Date(r.received_at),
    envelopeFrom: r.envelope_from,
    envelopeTo: JSON.parse(r.envelope_to) as string[],
    messageId: r.message_id ?? undefined,
    remoteAddress: r.remote_address ?? undefined,
    tls: r.tls === 1,
    size: r.size,
    state: r.state,
    attempts: r.attempts,
    refusalCode: r.refusal_code ?? undefined,
    lastError: r.last_error ?? undefined,
    summary: r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : undefined,
    updatedAt: new Date(r.updated_at),
  };
}

const LIST_COLUMNS = 'id, channel, received_at, envelope_from, envelope_to, message_id, remote_address, tls, size, state, attempts, refusal_code, last_error, summary, updated_at';

/**
 * Stores received messages (a batch: one commit, one flush to disk for all), each unless the same one
 * (sender + Message-ID) is already stored. Returns, for each, the id of the stored message and whether it
 * was a duplicate. On disk when this returns.
 */
export function storeInboundMessages(db: Db, batch: AcceptInput[]): { id: string; duplicate: boolean }[] {
  const stored = durableWrite(db, () =>
    db.transaction(() => {
      const seen = new Map<string, string>();
      return batch.map((m) => {
        const existing = seen.get(m.dedupKey) ?? findDuplicate(db, m.dedupKey);
        if (existing) return { id: existing, duplicate: true };
        insertInboundMessage(db, m);
        seen.set(m.dedupKey, m.id);
        return { id: m.id, duplicate: false };
      });
    }).immediate(),
  );
  // committed: the step that opens them soon need not read them back
  const recent = recentBytes(db, 'message_raw');
  stored.forEach((r, i) => {
    if (!r.duplicate) recent.put(r.id, batch[i]!.raw);
  });
  return stored;
}

/** The id of the message already stored under this deduplication key. */
export function findDuplicate(db: Db, dedupKey: string): string | undefined {
  return (stmt(db, 'SELECT id FROM messages WHERE dedup_key = ?').get(dedupKey) as { id: string } | undefined)?.id;
}

/** Inserts one received message, its bytes and its first history line (inside the caller's transaction). */
export function insertInboundMessage(db: Db, m: AcceptInput): void {
  const at = m.at.getTime();
  stmt(db,
    `INSERT INTO messages (id, channel, received_at, envelope_from, envelope_to, message_id, dedup_key, remote_address, tls, client_cert, size, state, summary, next_attempt_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(m.id, m.channel, at, m.envelopeFrom, JSON.stringify(m.envelopeTo), m.messageId ?? null, m.dedupKey, m.remoteAddress ?? null, m.tls ? 1 : 0, m.clientCert ?? null, m.raw.length, m.state, m.summary ? JSON.stringify(m.summary) : null, at, at);
  stmt(db, 'INSERT INTO message_raw (message, raw) VALUES (?, ?)').run(m.id, m.raw);
  stmt(db, 'INSERT INTO history (message, at, from_state, to_state, detail) VALUES (?, ?, NULL, ?, ?)').run(m.id, at, m.state, `accepted over ${m.channel}`);
}

/** Stores one received message (see storeInboundMessages). */
export function storeInboundMessage(db: Db, m: AcceptInput): { id: string; duplicate: boolean } {
  return storeInboundMessages(db, [m])[0]!;
}

/**
 * Takes the next messages due in one of `states` (at most `limit`, oldest first) for `leaseMs` (another worker
 * will not take them meanwhile; a crashed worker's lease simply runs out), in one commit. The attempt counter
 * goes up now, so a step that crashes the process every time still ends in quarantine; and only messages
 * never tried share a claim: one whose earlier attempt did not finish (the process may have died on it) is
 * claimed alone, so that it takes no other message with it into quarantine.
 */
export function claimMessages(db: Db, states: readonly string[], now: Date, leaseMs: number, owner: string, maxAttempts: number, limit: number): MessageWork[] {
  if (states.length === 0 || limit < 1) return [];
  const t = now.getTime();
  const placeholders = states.map(() => '?').join(', ');
  const rows = lightWrite(db, () => db.transaction(() => {
    const due = stmt(db,
        `SELECT id, attempts FROM messages WHERE state IN (${placeholders}) AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) AND attempts < ?
         ORDER BY next_attempt_at LIMIT ?`,
      )
      .all(...states, t, t, maxAttempts, limit) as { id: string; attempts: number }[];
    const retried = due.findIndex((d) => d.attempts > 0);
    const taken = retried === -1 ? due : due.slice(0, Math.max(1, retried));
    return taken.map(({ id }) =>
      stmt(db, `UPDATE messages SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 WHERE id = ? RETURNING ${LIST_COLUMNS}`).get(t + leaseMs, owner, id) as RawRow,
    );
  }).immediate());
  const recent = recentBytes(db, 'message_raw');
  return rows.map((row) => {
    const raw = recent.take(row.id);
    const data = raw ? { raw, content: getContent(db, row.id) } : getMessageContent(db, row.id)!;
    return { ...toRow(row), raw: data.raw, content: data.content };
  });
}

/** Takes the next message due in one of `states` (see claimMessages). */
export function claimMessage(db: Db, states: readonly string[], now: Date, leaseMs: number, owner: string, maxAttempts: number): MessageWork | undefined {
  return claimMessages(db, states, now, leaseMs, owner, maxAttempts, 1)[0];
}

export interface StepResult {
  state: string;
  detail: string;
  refusalCode?: string;
  summary?: Record<string, unknown>;
  content?: Buffer;
  outbox?: OutboxInsert[];
  notification?: { outbox: string | undefined; kind: string; disposition: string; originalMessageId: string | undefined; detail?: string; tracking?: string };
  /** a request read from the message, stored with it */
  request?: RequestInsert;
  /** a request moved to a new state */
  requestUpdate?: RequestUpdate;
  /** a place in a quota, taken in the same transaction: when none is left, `lost` is written instead of this result */
  claim?: QuotaTake & { lost: StepResult };
  /** a request whose quota place is given back */
  releaseQuotaOf?: string;
  /** routing decisions recorded with the step */
  routingDecisions?: RoutingDecisionInsert[];
  /** an opinion version stored with the step */
  opinion?: OpinionInsert;
  /** claims to the insurer, written with the request's move (a claim whose idempotency key exists is not written again) */
  claims?: ClaimInsert[];
  /** questions and answers between the expert and the requester (FHIR Communications), written with the move */
  communications?: CommunicationInsert[];
  /** when the message is due again (a stage that waits: the state unchanged, retried then); default now */
  nextAttemptAt?: Date;
  /** no history line (a wait that goes on: the state unchanged) */
  quiet?: boolean;
  /** something the operator must see (logged as a warning) */
  alert?: string;
}

/** A step's outcome for one claimed message. */
export interface CompletedStep {
  id: string;
  fromState: string;
  result: StepResult;
}

/**
 * Writes the outcome of steps in one transaction: for each, the new state, its history line, the outgoing
 * messages (an outbox row whose idempotency key exists already is not written again) and any notification
 * record. Returns, for each, false (writing nothing for it) when this worker no longer holds the message.
 */
export function completeMessageSteps(db: Db, owner: string, steps: readonly CompletedStep[], now: Date): boolean[] {
  if (steps.length === 0) return [];
  const written: OutboxInsert[] = [];
  // durable against a crash of the process at once, against a power cut at the next full commit: claiming an
  // outbox row is one, so nothing a step decided leaves the gateway before the step is on disk
  // IMMEDIATE: the write lock from the start, so that what a step reads here (a quota's places) no other
  // connection changes before it writes
  const done = stepWrite(db, () => db.transaction(() => steps.map((s) => writeStep(db, s.id, owner, s.fromState, s.result, now, written))).immediate());
  const recent = recentBytes(db, 'outbox_raw');
  for (const o of written) recent.put(o.id, o.raw);
  return done;
}

/** Writes one step's outcome (see completeMessageSteps). */
export function completeMessageStep(db: Db, id: string, owner: string, fromState: string, r: StepResult, now: Date): boolean {
  return completeMessageSteps(db, owner, [{ id, fromState, result: r }], now)[0]!;
}

function writeStep(db: Db, id: string, owner: string, fromState: string, result: StepResult, now: Date, written: OutboxInsert[]): boolean {
  const t = now.getTime();
  let r = result;
  if (result.claim) {
    // a place is taken only by the worker that holds the message
    if (!stmt(db, 'SELECT 1 FROM messages WHERE id = ? AND state = ? AND lease_owner = ?').get(id, fromState, owner)) return false;
    // no place for a request that moved meanwhile (cancelled): its own update will not apply either
    const guard = result.requestUpdate?.fromStates;
    const current = guard ? requestState(db, result.requestUpdate!.id) : undefined;
    if (!guard || (current !== undefined && guard.includes(current))) {
      if (!takeQuotaPlace(db, result.claim, now)) r = result.claim.lost;
    }
  }
  const updated = stmt(db,
      `UPDATE messages SET state = ?, refusal_code = COALESCE(?, refusal_code), summary = COALESCE(?, summary),
         last_error = NULL, lease_until = NULL, lease_owner = NULL, attempts = 0, next_attempt_at = ?, updated_at = ?
       WHERE id = ? AND state = ? AND lease_owner = ?`,
    )
    .run(r.state, r.refusalCode ?? null, r.summary ? JSON.stringify(r.summary) : null, r.nextAttemptAt?.getTime() ?? t, t, id, fromState, owner);
  if (updated.changes !== 1) return false;
  if (r.content) stmt(db, 'INSERT OR REPLACE INTO message_content (message, content) VALUES (?, ?)').run(id, r.content);
  if (r.request) insertRequest(db, r.request, now);
  // a place is given back only with the move it goes with (a cancellation too late changes nothing)
  const moved = r.requestUpdate ? updateRequest(db, r.requestUpdate, now) : true;
  if (r.releaseQuotaOf && moved) releaseQuotaPlace(db, r.releaseQuotaOf);
  if (moved) {
    for (const d of r.routingDecisions ?? []) insertRoutingDecision(db, d, now);
    if (r.opinion) insertOpinion(db, r.opinion, now);
    for (const c of r.claims ?? []) insertClaim(db, c, now);
    for (const c of r.communications ?? []) insertCommunication(db, c, now);
  }
  if (!(r.quiet && r.state === fromState)) stmt(db, 'INSERT INTO history (message, at, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?)').run(id, t, fromState, r.state, r.detail);
  for (const o of r.outbox ?? []) if (insertOutbox(db, o, now)) written.push(o);
  if (r.notification) {
    const n = r.notification;
    stmt(db, 'INSERT INTO notifications (message, outbox, kind, disposition, original_message_id, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      id,
      n.outbox ?? null,
      n.kind,
      n.disposition,
      n.originalMessageId ?? null,
      t,
      n.detail ?? null,
    );
    if (n.outbox && n.tracking) setOutboxTracking(db, n.outbox, n.tracking, now);
  }
  return true;
}

/**
 * A step that could not complete: retry after `retryAt`, or quarantine when the attempts are spent.
 * The error text is for the operator (no patient data is put in it by the pipeline).
 */
export function failMessageStep(db: Db, id: string, owner: string, error: string, now: Date, retryAt: Date | 'quarantine'): void {
  lightWrite(db, () => db.transaction(() => {
    const t = now.getTime();
    const row = stmt(db, 'SELECT state FROM messages WHERE id = ? AND lease_owner = ?').get(id, owner) as { state: string } | undefined;
    if (!row) return;
    if (retryAt === 'quarantine') {
      stmt(db, "UPDATE messages SET state = 'quarantined', last_error = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ?").run(error, t, id);
      stmt(db, 'INSERT INTO history (message, at, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?)').run(id, t, row.state, 'quarantined', error);
    } else {
      stmt(db, 'UPDATE messages SET last_error = ?, lease_until = NULL, lease_owner = NULL, next_attempt_at = ?, updated_at = ? WHERE id = ?').run(error, retryAt.getTime(), t, id);
    }
  }).immediate());
}

/**
 * Messages that crashed their worker too often: their attempts are spent although no step recorded a
 * failure (the claim counts the attempt first). `workStates` are the states stages take work from.
 */
export function quarantineExhausted(db: Db, workStates: readonly string[], maxAttempts: number, now: Date): number {
  if (workStates.length === 0) return 0;
  const t = now.getTime();
  const placeholders = workStates.map(() => '?').join(', ');
  return lightWrite(db, () => db.transaction(() => {
    const rows = stmt(db, `SELECT id, state FROM messages WHERE state IN (${placeholders}) AND attempts >= ? AND (lease_until IS NULL OR lease_until < ?)`)
      .all(...workStates, maxAttempts, t) as { id: string; state: string }[];
    for (const r of rows) {
      stmt(db, "UPDATE messages SET state = 'quarantined', last_error = COALESCE(last_error, 'attempts exhausted'), lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ?").run(t, r.id);
      stmt(db, 'INSERT INTO history (message, at, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?)').run(r.id, t, r.state, 'quarantined', 'attempts exhausted');
    }
    return rows.length;
  }).immediate());
}

/**
 * At start, the leases of a previous run of this process are void: with SQLite one gateway process owns the
 * database, so whatever it held when it stopped (or was killed) is free again at once.
 */
export function releaseStaleLeases(db: Db): void {
  stmt(db, 'UPDATE messages SET lease_until = NULL, lease_owner = NULL WHERE lease_owner IS NOT NULL').run();
  stmt(db, 'UPDATE outbox SET lease_until = NULL, lease_owner = NULL WHERE lease_owner IS NOT NULL').run();
}

export interface HistoryEntry {
  at: Date;
  fromState: string | undefined;
  toState: string;
  detail: string | undefined;
}

export function getMessage(db: Db, id: string): (MessageRow & { history: HistoryEntry[] }) | undefined {
  const r = stmt(db, `SELECT ${LIST_COLUMNS} FROM messages WHERE id = ?`).get(id) as RawRow | undefined;
  if (!r) return undefined;
  const history = (stmt(db, 'SELECT at, from_state, to_state, detail FROM history WHERE message = ? ORDER BY id').all(id) as { at: number; from_state: string | null; to_state: string; detail: string | null }[]).map(
    (h) => ({ at: new Date(h.at), fromState: h.from_state ?? undefined, toState: h.to_state, detail: h.detail ?? undefined }),
  );
  return { ...toRow(r), history };
}

export function getMessageContent(db: Db, id: string): { raw: Buffer; content: Buffer | undefined } | undefined {
  const r = stmt(db, 'SELECT raw FROM message_raw WHERE message = ?').get(id) as { raw: Buffer } | undefined;
  if (!r) return undefined;
  return { raw: r.raw, content: getContent(db, id) };
}

function getContent(db: Db, id: string): Buffer | undefined {
  return (stmt(db, 'SELECT content FROM message_content WHERE message = ?').get(id) as { content: Buffer } | undefined)?.content;
}

export function listMessages(db: Db, filter: { state?: string; limit?: number; before?: Date } = {}): MessageRow[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.state) {
    where.push('state = ?');
    args.push(filter.state);
  }
  if (filter.before) {
    where.push('received_at < ?');
    args.push(filter.before.getTime());
  }
  const sql = `SELECT ${LIST_COLUMNS} FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id DESC LIMIT ?`;
  return (stmt(db, sql).all(...args, filter.limit ?? 50) as RawRow[]).map(toRow);
}

export function countMessagesByState(db: Db): Record<string, number> {
  const rows = stmt(db, 'SELECT state, COUNT(*) AS n FROM messages GROUP BY state').all() as { state: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
