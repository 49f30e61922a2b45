/**
 * Tele-expertise requests: the canonical request read from a message, its state and the policy's verdict.
 * Written inside the step that decided them (see completeMessageSteps); read by the operator and the stages.
 */
import type { Db } from './open-database.ts';
import { stmt } from './statements.ts';

export interface RequestInsert {
  id: string;
  /** the message it was read from */
  message: string;
  channel: string;
  dialect: string;
  /** the sender's referral id as `system|value`, to find the request again from a later message about it */
  senderRef?: string | undefined;
  /** the requester's secure address */
  requester?: string | undefined;
  state: string;
  canonical: unknown;
}

export interface RequestUpdate {
  id: string;
  state: string;
  verdict?: unknown;
  refusalCodes?: string[];
  deadline?: string | undefined;
  /** only from one of these states (else nothing changes) */
  fromStates?: string[];
  /** the assignment and its clock (null clears a value) */
  set?: AssignmentFields;
}

export interface AssignmentFields {
  expert?: string | null;
  expertAddress?: string | null;
  assignedAt?: Date | null;
  dueAt?: Date | null;
  remindersSent?: number;
  pausedAt?: Date | null;
}

const ASSIGNMENT_COLUMNS: Record<keyof AssignmentFields, string> = {
  expert: 'expert',
  expertAddress: 'expert_address',
  assignedAt: 'assigned_at',
  dueAt: 'due_at',
  remindersSent: 'reminders_sent',
  pausedAt: 'paused_at',
};

export interface RequestRow {
  id: string;
  message: string;
  channel: string;
  dialect: string;
  senderRef: string | undefined;
  requester: string | undefined;
  state: string;
  canonical: unknown;
  verdict: unknown;
  refusalCodes: string[];
  deadline: string | undefined;
  expert: string | undefined;
  expertAddress: string | undefined;
  assignedAt: Date | undefined;
  dueAt: Date | undefined;
  remindersSent: number;
  pausedAt: Date | undefined;
  createdAt: Date;
  updatedAt: Date;
}

interface RawRequest {
  id: string;
  message: string;
  channel: string;
  dialect: string;
  sender_ref: string | null;
  requester: string | null;
  state: string;
  canonical: string;
  verdict: string | null;
  refusal_codes: string | null;
  deadline: string | null;
  expert: string | null;
  expert_address: string | null;
  assigned_at: number | null;
  due_at: number | null;
  reminders_sent: number;
  paused_at: number | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS =
  'id, message, channel, dialect, sender_ref, requester, state, canonical, verdict, refusal_codes, deadline, expert, expert_address, assigned_at, due_at, reminders_sent, paused_at, created_at, updated_at';
const date = (t: number | null) => (t === null ? undefined : new Date(t));

function toRow(r: RawRequest): RequestRow {
  return {
    id: r.id,
    message: r.message,
    channel: r.channel,
    dialect: r.dialect,
    senderRef: r.sender_ref ?? undefined,
    requester: r.requester ?? undefined,
    state: r.state,
    canonical: JSON.parse(r.canonical) as unknown,
    verdict: r.verdict === null ? undefined : (JSON.parse(r.verdict) as unknown),
    refusalCodes: r.refusal_codes ? r.refusal_codes.split(',') : [],
    deadline: r.deadline ?? undefined,
    expert: r.expert ?? undefined,
    expertAddress: r.expert_address ?? undefined,
    assignedAt: date(r.assigned_at),
    dueAt: date(r.due_at),
    remindersSent: r.reminders_sent,
    pausedAt: date(r.paused_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** Inserts a request (inside a step's transaction). */
export function insertRequest(db: Db, r: RequestInsert, now: Date): void {
  const t = now.getTime();
  stmt(db,
    `INSERT INTO requests (id, message, channel, dialect, sender_ref, requester, state, canonical, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.id, r.message, r.channel, r.dialect, r.senderRef ?? null, r.requester ?? null, r.state, JSON.stringify(r.canonical), t, t);
}

/** Moves a request to a new state, with its verdict when given (inside a step's transaction). */
/** A request's state (undefined: no such request). */
export function requestState(db: Db, id: string): string | undefined {
  return (stmt(db, 'SELECT state FROM requests WHERE id = ?').get(id) as { state: string } | undefined)?.state;
}

export function updateRequest(db: Db, u: RequestUpdate, now: Date): boolean {
  if (u.fromStates && !u.fromStates.includes(requestState(db, u.id) ?? '')) return false;
  const r = stmt(db,
    `UPDATE requests SET state = ?, verdict = COALESCE(?, verdict), refusal_codes = COALESCE(?, refusal_codes), deadline = COALESCE(?, deadline), updated_at = ?
     WHERE id = ?`,
  ).run(u.state, u.verdict === undefined ? null : JSON.stringify(u.verdict), u.refusalCodes ? u.refusalCodes.join(',') : null, u.deadline ?? null, now.getTime(), u.id);
  if (r.changes === 1 && u.set) {
    const entries = Object.entries(u.set) as [keyof AssignmentFields, string | number | Date | null][];
    if (entries.length) {
      stmt(db, `UPDATE requests SET ${entries.map(([k]) => `${ASSIGNMENT_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`).run(...entries.map(([, v]) => (v instanceof Date ? v.getTime() : v)), u.id);
    }
  }
  return r.changes === 1;
}

export function getRequest(db: Db, id: string): RequestRow | undefined {
  const r = stmt(db, `SELECT ${COLUMNS} FROM requests WHERE id = ?`).get(id) as RawRequest | undefined;
  return r ? toRow(r) : undefined;
}

export function findRequestByMessage(db: Db, message: string): RequestRow | undefined {
  const r = stmt(db, `SELECT ${COLUMNS} FROM requests WHERE message = ?`).get(message) as RawRequest | undefined;
  return r ? toRow(r) : undefined;
}

/** The requests a sender's referral id names (the newest first). */
export function findRequestsBySenderRef(db: Db, senderRef: string): RequestRow[] {
  return (stmt(db, `SELECT ${COLUMNS} FROM requests WHERE sender_ref = ? ORDER BY created_at DESC, id DESC`).all(senderRef) as RawRequest[]).map(toRow);
}

export function listRequests(db: Db, filter: { state?: string; limit?: number } = {}): RequestRow[] {
  const where = filter.state ? 'WHERE state = ?' : '';
  const args: (string | number)[] = filter.state ? [filter.state] : [];
  return (stmt(db, `SELECT ${COLUMNS} FROM requests ${where} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...args, filter.limit ?? 50) as RawRequest[]).map(toRow);
}

/** Records a routing decision (inside a step's transaction). */
export function insertRoutingDecision(db: Db, d: RoutingDecisionInsert, now: Date): void {
  stmt(db, 'INSERT INTO routing_decisions (request, at, outcome, expert, reason) VALUES (?, ?, ?, ?, ?)').run(d.request, now.getTime(), d.outcome, d.expert ?? null, d.reason);
}

export interface RoutingDecisionInsert {
  request: string;
  /** assigned, waiting, refused, declined, expired, withdrawn */
  outcome: string;
  expert?: string | undefined;
  reason: string;
}

export function listRoutingDecisions(db: Db, request: string): { at: Date; outcome: string; expert: string | undefined; reason: string }[] {
  return (stmt(db, 'SELECT at, outcome, expert, reason FROM routing_decisions WHERE request = ? ORDER BY id').all(request) as { at: number; outcome: string; expert: string | null; reason: string }[]).map(
    (r) => ({ at: new Date(r.at), outcome: r.outcome, expert: r.expert ?? undefined, reason: r.reason }),
  );
}

/** The experts who declined a request, let its deadline pass or could not be reached (not to be asked again). */
export function excludedExperts(db: Db, request: string): string[] {
  return (stmt(db, "SELECT DISTINCT expert FROM routing_decisions WHERE request = ? AND outcome IN ('declined', 'expired', 'unreachable') AND expert IS NOT NULL").all(request) as { expert: string }[]).map(
    (r) => r.expert,
  );
}

export interface OpinionInsert {
  request: string;
  version: number;
  expert: string | undefined;
  message: string;
  text: string | undefined;
  /** the documents' attachments (sha256, name, type, size) */
  documents: unknown[];
}

/** Stores an opinion version (inside a step's transaction). */
export function insertOpinion(db: Db, o: OpinionInsert, now: Date): void {
  stmt(db, 'INSERT INTO opinions (request, version, at, expert, message, text, documents) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    o.request,
    o.version,
    now.getTime(),
    o.expert ?? null,
    o.message,
    o.text ?? null,
    JSON.stringify(o.documents),
  );
}

export function listOpinions(db: Db, request: string): { version: number; at: Date; expert: string | undefined; text: string | undefined; documents: unknown[] }[] {
  return (stmt(db, 'SELECT version, at, expert, text, documents FROM opinions WHERE request = ? ORDER BY version').all(request) as {
    version: number;
    at: number;
    expert: string | null;
    text: string | null;
    documents: string;
  }[]).map((o) => ({ version: o.version, at: new Date(o.at), expert: o.expert ?? undefined, text: o.text ?? undefined, documents: JSON.parse(o.documents) as unknown[] }));
}

/** The requests assigned to an expert whose clock runs (not paused), for the deadline sweep. */
export function listRunningAssignments(db: Db, states: readonly string[]): RequestRow[] {
  const placeholders = states.map(() => '?').join(', ');
  return (stmt(db, `SELECT ${COLUMNS} FROM requests WHERE state IN (${placeholders}) AND due_at IS NOT NULL AND paused_at IS NULL`).all(...states) as RawRequest[]).map(toRow);
}

/** The latest request of a sender's case before `before` that an expert answered (a follow-up goes back to them). */
export function findEarlierAnswered(db: Db, senderRef: string, before: Date): RequestRow | undefined {
  const r = stmt(db, `SELECT ${COLUMNS} FROM requests WHERE sender_ref = ? AND state = 'answered' AND created_at < ? ORDER BY created_at DESC LIMIT 1`).get(senderRef, before.getTime()) as
    | RawRequest
    | undefined;
  return r ? toRow(r) : undefined;
}

export interface RequestSearch {
  /** the practitioner's addresses: only the requests they sent or are assigned is seen */
  visibleTo: readonly string[];
  requester?: readonly string[];
  expertAddress?: readonly string[];
  states?: readonly string[];
  updatedAfter?: Date;
  updatedBefore?: Date;
  /** the patient, by one of their identifiers */
  patient?: readonly { system: string; value: string }[];
  offset: number;
  limit: number;
}

/** The WHERE clause of a request search over `requests` (no alias), with its arguments. */
export function requestSearchClause(s: Omit<RequestSearch, 'offset' | 'limit'>): { clause: string; args: (string | number)[] } {
  if (s.visibleTo.length === 0) return { clause: '0', args: [] };
  const list = (values: readonly string[]) => values.map(() => '?').join(', ');
  const where: string[] = [`(requester COLLATE NOCASE IN (${list(s.visibleTo)}) OR expert_address COLLATE NOCASE IN (${list(s.visibleTo)}))`];
  const args: (string | number)[] = [...s.visibleTo, ...s.visibleTo];
  if (s.requester) {
    where.push(`requester COLLATE NOCASE IN (${list(s.requester)})`);
    args.push(...s.requester);
  }
  if (s.expertAddress) {
    where.push(`expert_address COLLATE NOCASE IN (${list(s.expertAddress)})`);
    args.push(...s.expertAddress);
  }
  if (s.states) {
    where.push(`state IN (${list(s.states)})`);
    args.push(...s.states);
  }
  if (s.updatedAfter) {
    where.push('updated_at >= ?');
    args.push(s.updatedAfter.getTime());
  }
  if (s.updatedBefore) {
    where.push('updated_at < ?');
    args.push(s.updatedBefore.getTime());
  }
  if (s.patient) {
    const one = "(json_extract(p.value, '$.system') = ? AND json_extract(p.value, '$.value') = ?)";
    where.push(`EXISTS (SELECT 1 FROM json_each(canonical, '$.request.patient.identifiers') p WHERE ${s.patient.map(() => one).join(' OR ') || '0'})`);
    for (const i of s.patient) args.push(i.system, i.value);
  }
  return { clause: where.join(' AND '), args };
}

/** The requests a practitioner is part of (as requester or assigned expert), newest change first, and how many match. */
export function searchRequests(db: Db, s: RequestSearch): { rows: RequestRow[]; total: number } {
  if (s.visibleTo.length === 0) return { rows: [], total: 0 };
  const { clause, args } = requestSearchClause(s);
  const total = (stmt(db, `SELECT count(*) AS n FROM requests WHERE ${clause}`).get(...args) as { n: number }).n;
  const rows = (stmt(db, `SELECT ${COLUMNS} FROM requests WHERE ${clause} ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`).all(...args, s.limit, s.offset) as RawRequest[]).map(toRow);
  return { rows, total };
}

/**
 * A document (by SHA-256) of a request a practitioner is part of — attached to it, to one of its opinions or to one
 * of its communications — with its declared type; undefined when they may not see it (or it is no one's).
 */
export function findVisibleDocument(db: Db, sha256: string, visibleTo: readonly string[]): { contentType: string } | undefined {
  if (visibleTo.length === 0 || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  const list = visibleTo.map(() => '?').join(', ');
  const mine = `(r.requester COLLATE NOCASE IN (${list}) OR r.expert_address COLLATE NOCASE IN (${list}))`;
  const row = stmt(db,
    `SELECT json_extract(d.value, '$.contentType') AS type FROM requests r, json_each(r.canonical, '$.request.attachments') d
       WHERE ${mine} AND json_extract(d.value, '$.sha256') = ?
     UNION ALL
     SELECT json_extract(d.value, '$.contentType') FROM requests r JOIN opinions o ON o.request = r.id, json_each(o.documents) d
       WHERE ${mine} AND json_extract(d.value, '$.sha256') = ?
     UNION ALL
     SELECT json_extract(d.value, '$.contentType') FROM requests r JOIN communications c ON c.request = r.id, json_each(c.documents) d
       WHERE ${mine} AND json_extract(d.value, '$.sha256') = ?
     LIMIT 1`,
  ).get(...visibleTo, ...visibleTo, sha256, ...visibleTo, ...visibleTo, sha256, ...visibleTo, ...visibleTo, sha256) as { type: string | null } | undefined;
  return row ? { contentType: row.type ?? 'application/octet-stream' } : undefined;
}
