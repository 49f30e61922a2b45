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
}

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
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'id, message, channel, dialect, sender_ref, requester, state, canonical, verdict, refusal_codes, deadline, created_at, updated_at';

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
