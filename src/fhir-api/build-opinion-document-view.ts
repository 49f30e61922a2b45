/**
 * An opinion version as the document Bundle the FHIR REST API serves (Bundle/<request>-opinion-<version>): the
 * document of buildFhirAnswer (Composition, patient, expert, each document as DocumentReference + Binary),
 * finalized for version 1 and corrected after, with its server id and no signature (the server signs it). Pure.
 */
import type { Answer } from '../domain/answer.ts';
import type { CanonicalRequest, Practitioner } from '../domain/canonical-request.ts';
import { buildFhirAnswer } from '../payload/fhir/build-fhir-answer.ts';
import { opinionBundleId } from './build-task-view.ts';

export interface OpinionDocumentSource {
  requestId: string;
  version: number;
  request: CanonicalRequest;
  expert: Practitioner;
  at: Date;
  text: string;
  documents: { contentType: string; name?: string | undefined; data: Buffer }[];
}

/** The answer id of an opinion version (the Composition's and the Bundle's identifiers derive from it). */
export function opinionAnswerId(requestId: string, version: number): string {
  return `opinion-${requestId}-${version}`;
}

export function buildOpinionDocumentView(o: OpinionDocumentSource): Record<string, unknown> {
  const answer: Answer = {
    kind: o.version === 1 ? 'finalized' : 'corrected',
    at: o.at.toISOString(),
    expert: o.expert,
    opinion: {
      text: o.text,
      documents: o.documents.map((d) => ({ contentType: d.contentType, ...(d.name ? { name: d.name } : {}), data: d.data.toString('base64') })),
      version: o.version,
    },
    id: opinionAnswerId(o.requestId, o.version),
  };
  const document = buildFhirAnswer(o.request, answer).document;
  if (!document) throw new Error('buildFhirAnswer gave no document for an opinion');
  const { resourceType, signature: _signature, ...rest } = document;
  return { resourceType, id: opinionBundleId(o.requestId, o.version), ...rest };
}
