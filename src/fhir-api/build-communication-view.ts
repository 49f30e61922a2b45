/**
 * A message of the loop about a request (a question, an answer to it, a note) as an R4 Communication, for the
 * FHIR REST API: part of the request's Task, based on its ServiceRequest, from and to secure addresses, the text
 * and the documents (Binary references by SHA-256) as payloads. Pure.
 */
import { buildAddressReference, optional } from './build-task-view.ts';
import { withVersionMeta } from './fhir-version-id.ts';
import type { StoredDocumentRef } from './task-source.ts';

export interface CommunicationSource {
  id: string;
  /** the request's id */
  request: string;
  /** secure addresses */
  sender: string;
  recipient: string;
  text: string;
  sentAt: Date;
  documents?: StoredDocumentRef[] | undefined;
}

/** meta.lastUpdated is sentAt: a Communication does not change once sent. */
export function buildCommunicationView(c: CommunicationSource): Record<string, unknown> {
  const payload = [
    ...(c.text ? [{ contentString: c.text }] : []),
    ...(c.documents ?? []).map((d) => ({ contentReference: { reference: `Binary/${d.sha256}`, ...(d.name ? { display: d.name } : {}) } })),
  ];
  const communication: Record<string, unknown> = {
    resourceType: 'Communication',
    id: c.id,
    basedOn: [{ reference: `ServiceRequest/${c.request}` }],
    partOf: [{ reference: `Task/${c.request}` }],
    status: 'completed',
    sent: c.sentAt.toISOString(),
    ...(c.recipient ? { recipient: [buildAddressReference(c.recipient)] } : {}),
    ...optional('sender', buildAddressReference(c.sender)),
    ...(payload.length ? { payload } : {}),
  };
  return withVersionMeta(communication, c.sentAt);
}
