/**
 * The FHIR API's own records: a request received over it has its Task id (the request's id) from the POST on,
 * stored with the message in one durable transaction; and what the API reads to show a request and to find the
 * requests a practitioner is part of.
 */
import { findDuplicate, insertInboundMessage, type AcceptInput } from './messages.ts';
import type { Db } from './open-database.ts';
import { recentBytes } from './recent-bytes.ts';
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
