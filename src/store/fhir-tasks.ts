/**
 * The FHIR API's own records: a request received over it has its Task id (the request's id) from the POST on,
 * stored with the message in one durable transaction; and what the API reads to show a request and to find the
 * requests a practitioner is part of.
 */
import { findDuplicate, insertInboundMessage, type AcceptInput } from './messages.ts';
import type { Db } from './open-database.ts';
import { recentBytes } from './recent-bytes.ts';
import { requestSearchClause, type RequestSearch } from './requests.ts';
import { durableWrite, stmt } from './statements.ts';

export interface FhirTaskRow {
  id: string;
  message: string;
  requester: string;
  createdAt: Date;
  /** the message's state and refusal code, and when it last moved */
  messageState: string;
  messageRefusal: string | undefined;
  messageUpdatedAt: Date;
}

/**
 * Stores a request received over the FHIR API with its Task id, on disk when this returns. The same bytes from the
 * same client (the deduplication key) give back the Task stored the first time.
 */
export function storeFhirRequest(db: Db, m: AcceptInput, taskId: string, requester: string): { taskId: string; duplicate: boolean } {
  const r = durableWrite(db, () =>
    db.transaction(() => {
      const existing = findDuplicate(db, m.dedupKey);
      if (existing) {
        const task = stmt(db, 'SELECT id FROM fhir_tasks WHERE message = ?').get(existing) as { id: string } | undefined;
        if (task) return { taskId: task.id, duplicate: true };
      }
      insertInboundMessage(db, m);
      stmt(db, 'INSERT INTO fhir_tasks (id, message, requester, created_at) VALUES (?, ?, ?, ?)').run(taskId, m.id, requester, m.at.getTime());
      return { taskId, duplicate: false };
    }).immediate(),
  );
  if (!r.duplicate) recentBytes(db, 'message_raw').put(m.id, m.raw);
  return r;
}

/** Stores a message received over the FHIR API that is not a new request (an expert's Task change, a Communication). */
export function storeFhirMessage(db: Db, m: AcceptInput): { id: string; duplicate: boolean } {
  const r = durableWrite(db, () =>
    db.transaction(() => {
      const existing = findDuplicate(db, m.dedupKey);
      if (existing) return { id: existing, duplicate: true };
      insertInboundMessage(db, m);
      return { id: m.id, duplicate: false };
    }).immediate(),
  );
  if (!r.duplicate) recentBytes(db, 'message_raw').put(m.id, m.raw);
  return r;
}

/** The Task id of a request already stored under this deduplication key (the same bytes from the same client). */
export function findFhirTaskByDedupKey(db: Db, dedupKey: string): string | undefined {
  return (stmt(db, 'SELECT t.id FROM messages m JOIN fhir_tasks t ON t.message = m.id WHERE m.dedup_key = ?').get(dedupKey) as { id: string } | undefined)?.id;
}

export function getFhirTask(db: Db, id: string): FhirTaskRow | undefined {
  const r = stmt(db,
    `SELECT t.id, t.message, t.requester, t.created_at, m.state, m.refusal_code, m.updated_at
     FROM fhir_tasks t JOIN messages m ON m.id = t.message WHERE t.id = ?`,
  ).get(id) as { id: string; message: string; requester: string; created_at: number; state: string; refusal_code: string | null; updated_at: number } | undefined;
  return r
    ? { id: r.id, message: r.message, requester: r.requester, createdAt: new Date(r.created_at), messageState: r.state, messageRefusal: r.refusal_code ?? undefined, messageUpdatedAt: new Date(r.updated_at) }
    : undefined;
}

/** A message's state and refusal code (the FHIR API waits on the reply messages it stored). */
export function messageOutcome(db: Db, id: string): { state: string; refusalCode: string | undefined; summary: Record<string, unknown> | undefined } | undefined {
  const r = stmt(db, 'SELECT state, refusal_code, summary FROM messages WHERE id = ?').get(id) as { state: string; refusal_code: string | null; summary: string | null } | undefined;
  return r ? { state: r.state, refusalCode: r.refusal_code ?? undefined, summary: r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : undefined } : undefined;
}

export interface TaskSearch extends Omit<RequestSearch, 'patient'> {
  /**
   * The states of the messages of FHIR requests not read as requests yet (waiting for the pipeline, or refused
   * before their parse) that match; undefined matches any, an empty list none.
   */
  messageStates?: readonly string[];
}

/**
 * The Task ids a practitioner may see, newest change first, and how many match: the requests (any channel) they
 * sent or are assigned, and the FHIR requests they sent that are not requests yet (these have no owner: a search by
 * owner leaves them out).
 */
export function searchTaskIds(db: Db, s: TaskSearch): { ids: string[]; total: number } {
  if (s.visibleTo.length === 0) return { ids: [], total: 0 };
  const requests = requestSearchClause(s);
  const parts = [`SELECT id, updated_at FROM requests WHERE ${requests.clause}`];
  const args = [...requests.args];
  if (!s.expertAddress && s.messageStates?.length !== 0) {
    const list = (values: readonly string[]) => values.map(() => '?').join(', ');
    const where = [`t.requester COLLATE NOCASE IN (${list(s.visibleTo)})`, 'NOT EXISTS (SELECT 1 FROM requests r WHERE r.id = t.id)'];
    args.push(...s.visibleTo);
    if (s.requester) {
      where.push(`t.requester COLLATE NOCASE IN (${list(s.requester)})`);
      args.push(...s.requester);
    }
    if (s.messageStates) {
      where.push(`m.state IN (${list(s.messageStates)})`);
      args.push(...s.messageStates);
    }
    if (s.updatedAfter) {
      where.push('m.updated_at >= ?');
      args.push(s.updatedAfter.getTime());
    }
    if (s.updatedBefore) {
      where.push('m.updated_at < ?');
      args.push(s.updatedBefore.getTime());
    }
    parts.push(`SELECT t.id, m.updated_at FROM fhir_tasks t JOIN messages m ON m.id = t.message WHERE ${where.join(' AND ')}`);
  }
  const union = parts.join(' UNION ALL ');
  const total = (stmt(db, `SELECT count(*) AS n FROM (${union})`).get(...args) as { n: number }).n;
  const ids = (stmt(db, `SELECT id FROM (${union}) ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`).all(...args, s.limit, s.offset) as { id: string }[]).map((r) => r.id);
  return { ids, total };
}
