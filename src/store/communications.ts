/**
 * Questions and answers between the expert and the requester of a request (the FHIR API shows them as
 * Communications): written with the step that relayed them, read by the FHIR API.
 */
import type { Db } from './open-database.ts';
import { stmt } from './statements.ts';

export interface CommunicationDocument {
  contentType: string;
  name?: string | undefined;
  sha256: string;
}

export interface CommunicationInsert {
  id: string;
  request: string;
  /** the message it came in */
  message?: string | undefined;
  sender: string;
  recipient: string;
  text: string;
  documents?: CommunicationDocument[];
}

export interface CommunicationRow {
  id: string;
  request: string;
  sender: string;
  recipient: string;
  text: string;
  documents: CommunicationDocument[];
  sentAt: Date;
}

interface RawCommunication {
  id: string;
  request: string;
  sender: string;
  recipient: string;
  text: string;
  documents: string;
  sent_at: number;
}

const COLUMNS = 'id, request, sender, recipient, text, documents, sent_at';

function toRow(r: RawCommunication): CommunicationRow {
  return { id: r.id, request: r.request, sender: r.sender, recipient: r.recipient, text: r.text, documents: JSON.parse(r.documents) as CommunicationDocument[], sentAt: new Date(r.sent_at) };
}

/** Stores a communication (inside a step's transaction); the same id twice is written once. */
export function insertCommunication(db: Db, c: CommunicationInsert, now: Date): void {
  stmt(db, `INSERT OR IGNORE INTO communications (id, request, message, sender, recipient, text, documents, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    c.id,
    c.request,
    c.message ?? null,
    c.sender,
    c.recipient,
    c.text,
    JSON.stringify(c.documents ?? []),
    now.getTime(),
  );
}

export function getCommunication(db: Db, id: string): CommunicationRow | undefined {
  const r = stmt(db, `SELECT ${COLUMNS} FROM communications WHERE id = ?`).get(id) as RawCommunication | undefined;
  return r ? toRow(r) : undefined;
}

/** The communications of some requests, oldest first. */
export function listCommunications(db: Db, requests: readonly string[]): CommunicationRow[] {
  if (requests.length === 0) return [];
  const placeholders = requests.map(() => '?').join(', ');
  return (stmt(db, `SELECT ${COLUMNS} FROM communications WHERE request IN (${placeholders}) ORDER BY sent_at, id`).all(...requests) as RawCommunication[]).map(toRow);
}
