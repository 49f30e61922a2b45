/**
 * What the FHIR views of a request are built from: the request as stored (once the parse stage read it) or,
 * before that, the message it came in. The store reads it; src/fhir-api's builders turn it into resources.
 */
import type { CanonicalRequest, Practitioner } from '../domain/canonical-request.ts';

export interface StoredDocumentRef {
  contentType: string;
  name?: string | undefined;
  sha256: string;
}

export interface OpinionSource {
  version: number;
  at: Date;
  text?: string | undefined;
  documents: StoredDocumentRef[];
}

export interface TaskSource {
  /** the request's id, which is the Task's id from the POST on */
  id: string;
  /** the requester's secure address (for the FHIR API: the client certificate's practitioner) */
  requester: string;
  receivedAt: Date;
  updatedAt: Date;
  /** the message's state and refusal code (what there is before the request exists) */
  messageState: string;
  messageRefusal?: string | undefined;
  /** once read by the parse stage */
  request?:
    | {
        state: string;
        canonical: CanonicalRequest;
        refusalCodes: string[];
        expertAddress?: string | undefined;
        /** the assigned expert as the directory knows them */
        expert?: Practitioner | undefined;
        dueAt?: Date | undefined;
        pausedAt?: Date | undefined;
      }
    | undefined;
  opinions: OpinionSource[];
}
