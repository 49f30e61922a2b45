/**
 * The answer to a FHIR request, in FHIR: the Task update (status, statusReason, businessStatus, the expert as
 * owner, output = the opinion) and, when there is an opinion, a document Bundle (Composition first, with the
 * opinion text as a section, then the patient, the expert, and each attached document as DocumentReference +
 * Binary). Pure: every id is derived from the answer's id.
 */
import { createHash } from 'node:crypto';
import type { CanonicalRequest } from '../../domain/canonical-request.ts';
import type { Answer } from '../../domain/answer.ts';
import { ANSWER_ID_SYSTEM, ANSWER_KIND_SYSTEM, CONSULT_NOTE, OPINION_VERSION_EXTENSION, TASK_CODE_SYSTEM } from './fhir-codes.ts';
import { buildIdentifier, buildPatientResource, buildPractitionerResources, type FhirResource } from './build-fhir-participants.ts';

export interface FhirAnswer {
  /** the Task, updated (PUT it over the request's Task) */
  task: FhirResource;
  /** the opinion as a document Bundle (finalized and corrected answers only) */
  document?: FhirResource;
}

export interface FhirAnswerOptions {
  /** the id of the request's Task on the server, when known */
  taskId?: string;
}

export const TASK_STATUS_OF_ANSWER: Record<Answer['kind'], string> = {
  accepted: 'accepted',
  declined: 'rejected',
  'information-requested': 'on-hold',
  finalized: 'completed',
  corrected: 'completed',
  cancelled: 'cancelled',
};

/** A UUID (RFC 4122 layout, version 5 bits) derived from a name: the same answer always gives the same ids. */
export function deriveUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function escapeXhtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function buildFhirAnswer(request: CanonicalRequest, answer: Answer, options: FhirAnswerOptions = {}): FhirAnswer {
  const documentId = answer.opinion ? `urn:uuid:${deriveUuid('document', answer.id)}` : undefined;
  const expert = buildPractitionerResources(answer.expert, { practitioner: '#expert', organization: '#expert-org' }, { practitioner: 'expert', role: 'expert-role', organization: 'expert-org' });
  const patientId = request.patient.identifiers[0];
  const status = TASK_STATUS_OF_ANSWER[answer.kind];
  const task: FhirResource = {
    resourceType: 'Task',
    ...(options.taskId ? { id: options.taskId } : {}),
    contained: [expert.practitioner, expert.role, ...(expert.organization ? [expert.organization] : [])],
    identifier: [...(request.ids.sender ? [{ use: 'usual', ...buildIdentifier(request.ids.sender) }] : []), { system: ANSWER_ID_SYSTEM, value: answer.id }],
    status,
    ...(answer.reason ? { statusReason: { text: answer.reason } } : {}),
    businessStatus: { coding: [{ system: ANSWER_KIND_SYSTEM, code: answer.kind }], text: answer.kind },
    intent: 'order',
    priority: request.priority,
    code: { coding: [{ system: TASK_CODE_SYSTEM, code: 'fulfill' }] },
    ...(request.ids.sender ? { focus: { type: 'ServiceRequest', identifier: buildIdentifier(request.ids.sender) } } : {}),
    ...(patientId ? { for: { type: 'Patient', identifier: buildIdentifier(patientId) } } : {}),
    lastModified: answer.at,
    owner: { reference: '#expert-role' },
    ...(answer.opinion
      ? {
          output: [
            { type: { text: 'opinion' }, valueString: answer.opinion.text },
            { type: { text: 'opinion-document' }, valueReference: { type: 'Bundle', identifier: { system: 'urn:ietf:rfc:3986', value: documentId } } },
          ],
        }
      : {}),
  };
  if (!answer.opinion || !documentId) return { task };
  return { task, document: buildOpinionDocument(request, answer, documentId) };
}

/** The Task of an answer in a collection Bundle, the form in which the gateway signs it (Da Vinci CDex signs Bundles). */
export function buildTaskUpdateBundle(task: FhirResource, answer: Answer): FhirResource & { resourceType: 'Bundle' } {
  return {
    resourceType: 'Bundle',
    identifier: { system: ANSWER_ID_SYSTEM, value: answer.id },
    type: 'collection',
    timestamp: answer.at,
    entry: [{ fullUrl: `urn:uuid:${deriveUuid('task-update', answer.id)}`, resource: task }],
  };
}

function buildOpinionDocument(request: CanonicalRequest, answer: Answer, documentId: string): FhirResource {
  const opinion = answer.opinion!;
  const url = (label: string, k = 0) => `urn:uuid:${deriveUuid(label, answer.id, String(k))}`;
  const compositionUrl = url('composition');
  const patientUrl = url('patient');
  const practitionerUrl = url('practitioner');
  const roleUrl = url('practitioner-role');
  const organizationUrl = url('organization');
  const expert = buildPractitionerResources(answer.expert, { practitioner: practitionerUrl, organization: organizationUrl });
  const documents = opinion.documents.flatMap((d, k) => {
    const bytes = Buffer.from(d.data, 'base64');
    const binaryUrl = url('binary', k);
    const referenceUrl = url('document-reference', k);
    return [
      {
        fullUrl: referenceUrl,
        resource: {
          resourceType: 'DocumentReference',
          status: 'current',
          subject: { reference: patientUrl },
          author: [{ reference: roleUrl }],
          content: [
            {
              attachment: {
                contentType: d.contentType,
                url: binaryUrl,
                size: bytes.length,
                hash: createHash('sha1').update(bytes).digest('base64'),
                ...(d.name ? { title: d.name } : {}),
              },
            },
          ],
        },
      },
      { fullUrl: binaryUrl, resource: { resourceType: 'Binary', contentType: d.contentType, data: bytes.toString('base64') } },
    ];
  });
  const composition: FhirResource = {
    resourceType: 'Composition',
    extension: [{ url: OPINION_VERSION_EXTENSION, valueInteger: opinion.version }],
    identifier: { system: ANSWER_ID_SYSTEM, value: answer.id },
    status: answer.kind === 'corrected' ? 'amended' : 'final',
    type: { coding: [CONSULT_NOTE] },
    subject: { reference: patientUrl },
    date: answer.at,
    author: [{ reference: roleUrl }],
    title: 'Tele-expertise opinion',
    section: [
      {
        title: 'Opinion',
        code: { coding: [CONSULT_NOTE] },
        text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><pre>${escapeXhtml(opinion.text)}</pre></div>` },
        ...(documents.length ? { entry: documents.filter((_, k) => k % 2 === 0).map((e) => ({ reference: e.fullUrl })) } : {}),
      },
    ],
  };
  return {
    resourceType: 'Bundle',
    identifier: { system: 'urn:ietf:rfc:3986', value: documentId },
    type: 'document',
    timestamp: answer.at,
    entry: [
      { fullUrl: compositionUrl, resource: composition },
      { fullUrl: patientUrl, resource: buildPatientResource(request.patient) },
      { fullUrl: roleUrl, resource: expert.role },
      { fullUrl: practitionerUrl, resource: expert.practitioner },
      ...(expert.organization ? [{ fullUrl: organizationUrl, resource: expert.organization }] : []),
      ...documents,
    ],
  };
}
