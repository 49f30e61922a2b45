/**
 * A request as an R4 ServiceRequest, for the FHIR REST API: what was asked (category, priority, reason, question
 * and notes as notes), about whom (the patient by identifier), by whom (the requester by secure address), of whom
 * (the named expert, or the specialty), with the documents as Binary references by their SHA-256. Pure.
 */
import type { CanonicalRequest, Practitioner } from '../domain/canonical-request.ts';
import { buildIdentifier } from '../payload/fhir/build-fhir-participants.ts';
import { buildAddressReference, displayNameOf, optional } from './build-task-view.ts';
import { withVersionMeta } from './fhir-version-id.ts';

/** ServiceRequest.status of a request state: active until answered, completed once answered, revoked when refused or cancelled. */
export const SERVICE_REQUEST_STATUS_OF_STATE: Readonly<Record<string, string>> = {
  answered: 'completed',
  refused: 'revoked',
  cancelled: 'revoked',
};

export function serviceRequestStatusOf(state: string): string {
  return SERVICE_REQUEST_STATUS_OF_STATE[state] ?? 'active';
}

/** The named expert: by secure address when the request gives one, else by their first identifier, with their name. */
function buildExpertReference(expert: Practitioner): Record<string, unknown> | undefined {
  if (expert.address) return buildAddressReference(expert.address, expert);
  const display = displayNameOf(expert.name);
  const identifier = expert.identifiers[0];
  if (!identifier && !display) return undefined;
  return { ...(identifier ? { identifier: buildIdentifier(identifier) } : {}), ...(display ? { display } : {}) };
}

export function buildServiceRequestView(
  id: string,
  request: CanonicalRequest,
  state: string,
  requester: string,
  updatedAt: Date,
  receivedAt: Date,
): Record<string, unknown> {
  const patientId = request.patient.identifiers[0];
  const expert = request.requested.expert ? buildExpertReference(request.requested.expert) : undefined;
  const notes = [...(request.question ? [request.question] : []), ...request.notes];
  const reasonText = request.reason.text;
  const serviceRequest: Record<string, unknown> = {
    resourceType: 'ServiceRequest',
    id,
    ...(request.ids.sender ? { identifier: [{ use: 'usual', ...buildIdentifier(request.ids.sender) }] } : {}),
    status: serviceRequestStatusOf(state),
    intent: 'order',
    ...(request.category ? { category: [{ text: request.category }] } : {}),
    priority: request.priority,
    code: { text: 'tele-expertise' },
    // subject is 1..1: without a patient identifier, the reference says so (never a name)
    subject: patientId ? { type: 'Patient', identifier: buildIdentifier(patientId) } : { type: 'Patient', display: 'no patient identifier' },
    authoredOn: receivedAt.toISOString(),
    ...optional('requester', buildAddressReference(requester, request.requester)),
    ...(request.requested.specialty ? { performerType: { coding: [{ ...request.requested.specialty }] } } : {}),
    ...(expert ? { performer: [expert] } : {}),
    ...(request.reason.codes.length || reasonText
      ? { reasonCode: [{ ...(request.reason.codes.length ? { coding: request.reason.codes.map((c) => ({ ...c })) } : {}), ...(reasonText ? { text: reasonText } : {}) }] }
      : {}),
    ...(request.attachments.length
      ? { supportingInfo: request.attachments.map((a) => ({ reference: `Binary/${a.sha256}`, ...(a.name ? { display: a.name } : {}) })) }
      : {}),
    ...(notes.length ? { note: notes.map((text) => ({ text })) } : {}),
  };
  return withVersionMeta(serviceRequest, updatedAt);
}
