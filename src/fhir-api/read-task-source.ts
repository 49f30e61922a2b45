/**
 * The TaskSource of a request, read from the store: the request row (any channel) or, for a request received over
 * the FHIR API and not read yet, its message; its opinions; the assigned expert as the directory knows them.
 */
import type { CanonicalRequest, Practitioner } from '../domain/canonical-request.ts';
import { getFhirTask } from '../store/fhir-tasks.ts';
import type { Db } from '../store/open-database.ts';
import { getRequest, listOpinions, type RequestRow } from '../store/requests.ts';
import type { OpinionSource, StoredDocumentRef, TaskSource } from './task-source.ts';

export interface TaskSourceLookups {
  /** the expert of an address, as the directory knows them */
  expertOf(address: string): Practitioner | undefined;
}

function opinionsOf(db: Db, request: string): OpinionSource[] {
  return listOpinions(db, request).map((o) => ({ version: o.version, at: o.at, text: o.text, documents: o.documents as StoredDocumentRef[] }));
}

/** A request row as a TaskSource. */
export function taskSourceOfRequest(db: Db, row: RequestRow, lookups: TaskSourceLookups, received?: { at: Date; messageState: string }): TaskSource {
  const canonical = (row.canonical as { request: CanonicalRequest }).request;
  return {
    id: row.id,
    requester: row.requester ?? '',
    receivedAt: received?.at ?? row.createdAt,
    updatedAt: row.updatedAt,
    messageState: received?.messageState ?? 'parsed',
    request: {
      state: row.state,
      canonical,
      refusalCodes: row.refusalCodes,
      expertAddress: row.expertAddress,
      expert: row.expertAddress ? lookups.expertOf(row.expertAddress) : undefined,
      dueAt: row.dueAt,
      pausedAt: row.pausedAt,
    },
    opinions: opinionsOf(db, row.id),
  };
}

/** The TaskSource of a Task id (a request's id), or undefined when there is none. */
export function readTaskSource(db: Db, id: string, lookups: TaskSourceLookups): TaskSource | undefined {
  const fhir = getFhirTask(db, id);
  const row = getRequest(db, id);
  if (row) return taskSourceOfRequest(db, row, lookups, fhir ? { at: fhir.createdAt, messageState: fhir.messageState } : undefined);
  if (!fhir) return undefined;
  return {
    id,
    requester: fhir.requester,
    receivedAt: fhir.createdAt,
    updatedAt: fhir.messageUpdatedAt,
    messageState: fhir.messageState,
    messageRefusal: fhir.messageRefusal,
    opinions: [],
  };
}
