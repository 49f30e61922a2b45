/**
 * A request as an R4 Task, for the FHIR REST API: its state as Task.status (and as businessStatus, the txgate
 * state itself), the refusal codes as statusReason, the ServiceRequest it is about, the patient by identifier, the
 * requester and the assigned expert by their secure addresses, the answer deadline, one output per opinion version
 * (the document Bundle). Pure: times and ids come from the source.
 */
import type { Practitioner } from '../domain/canonical-request.ts';
import { buildIdentifier } from '../payload/fhir/build-fhir-participants.ts';
import { CONSULT_NOTE, TASK_CODE_SYSTEM } from '../payload/fhir/fhir-codes.ts';
import { withVersionMeta } from './fhir-version-id.ts';
import type { TaskSource } from './task-source.ts';
import { ASSIGNED_STATES } from '../pipeline/relay-stage.ts';

/** txgate's own request id, as a Task identifier. */
export const REQUEST_ID_SYSTEM = 'urn:txgate:request-id';
/** A refusal code (policy, intake, unwrap…), as a Task.statusReason coding. */
export const REFUSAL_CODE_SYSTEM = 'urn:txgate:refusal-code';
/** The txgate state of the request (or of its message, before the request exists), as Task.businessStatus. */
export const REQUEST_STATE_SYSTEM = 'urn:txgate:fhir:request-state';
/** An address as a URI: the identifier system of mailto: references. */
export const URI_SYSTEM = 'urn:ietf:rfc:3986';

/** Task.status of a message not yet read as a request. */
export const TASK_STATUS_OF_MESSAGE_STATE: Readonly<Record<string, string>> = {
  accepted: 'requested',
  received: 'requested',
  parsed: 'requested',
  rejected: 'rejected',
  unreadable: 'rejected',
  refused: 'rejected',
  quarantined: 'rejected',
};

/** Task.status of a request state (src/store/requests.ts). */
export const TASK_STATUS_OF_REQUEST_STATE: Readonly<Record<string, string>> = {
  parsed: 'received',
  admitted: 'received',
  routed: 'received',
  waiting: 'received',
  refused: 'rejected',
  cancelled: 'cancelled',
  accepted: 'accepted',
  'information-requested': 'on-hold',
  answered: 'completed',
};

/** The id of the document Bundle of an opinion version. */
export function opinionBundleId(requestId: string, version: number): string {
  return `${requestId}-opinion-${version}`;
}

/** A name as people write it: prefixes, given names, family name (undefined when there is none). */
export function displayNameOf(name: Practitioner['name']): string | undefined {
  if (!name) return undefined;
  const text = [...(name.prefix ?? []), ...(name.given ?? []), name.family ?? ''].filter(Boolean).join(' ');
  return text || undefined;
}

/**
 * A professional by secure address: `{identifier: {system urn:ietf:rfc:3986, value mailto:…}, display: name}`;
 * without an address, the name alone; undefined when there is neither.
 */
export function buildAddressReference(address: string | undefined, person?: Pick<Practitioner, 'name'>): Record<string, unknown> | undefined {
  const display = displayNameOf(person?.name);
  if (!address && !display) return undefined;
  return { ...(address ? { identifier: { system: URI_SYSTEM, value: `mailto:${address}` } } : {}), ...(display ? { display } : {}) };
}

/** `{[key]: value}`, or nothing when the value is undefined. */
export function optional(key: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: value };
}

function taskStatusOf(source: TaskSource): { status: string; state: string; refusalCodes: string[] } {
  const r = source.request;
  if (!r) {
    return {
      state: source.messageState,
      status: TASK_STATUS_OF_MESSAGE_STATE[source.messageState] ?? 'requested',
      refusalCodes: source.messageRefusal ? [source.messageRefusal] : [],
    };
  }
  return { state: r.state, status: TASK_STATUS_OF_REQUEST_STATE[r.state] ?? 'received', refusalCodes: r.refusalCodes };
}

export function buildTaskView(source: TaskSource): Record<string, unknown> {
  const r = source.request;
  const canonical = r?.canonical;
  const { status, state, refusalCodes } = taskStatusOf(source);
  const patientId = canonical?.patient.identifiers[0];
  const serviceRequest = { reference: `ServiceRequest/${source.id}` };
  const deadline = r && r.dueAt && !r.pausedAt && r.expertAddress && ASSIGNED_STATES.includes(r.state) ? r.dueAt : undefined;
  const opinions = [...source.opinions].sort((a, b) => a.version - b.version);
  const task: Record<string, unknown> = {
    resourceType: 'Task',
    id: source.id,
    identifier: [
      { system: REQUEST_ID_SYSTEM, value: source.id },
      ...(canonical?.ids.sender ? [{ use: 'usual', ...buildIdentifier(canonical.ids.sender) }] : []),
    ],
    ...(r ? { basedOn: [serviceRequest] } : {}),
    status,
    ...(status === 'rejected' && refusalCodes.length
      ? { statusReason: { coding: refusalCodes.map((code) => ({ system: REFUSAL_CODE_SYSTEM, code })), text: `refused: ${refusalCodes.join(', ')}` } }
      : {}),
    businessStatus: { coding: [{ system: REQUEST_STATE_SYSTEM, code: state }], text: state },
    intent: 'order',
    ...(canonical ? { priority: canonical.priority } : {}),
    code: { coding: [{ system: TASK_CODE_SYSTEM, code: 'fulfill' }] },
    ...(r ? { focus: serviceRequest } : {}),
    ...(patientId ? { for: { type: 'Patient', identifier: buildIdentifier(patientId) } } : {}),
    authoredOn: source.receivedAt.toISOString(),
    lastModified: source.updatedAt.toISOString(),
    ...optional('requester', buildAddressReference(source.requester, canonical?.requester)),
    ...(r?.expertAddress ? optional('owner', buildAddressReference(r.expertAddress, r.expert)) : {}),
    ...(deadline ? { restriction: { period: { end: deadline.toISOString() } } } : {}),
    ...(opinions.length
      ? {
          output: opinions.map((o) => ({
            type: { coding: [{ ...CONSULT_NOTE }] },
            valueReference: { reference: `Bundle/${opinionBundleId(source.id, o.version)}` },
          })),
        }
      : {}),
  };
  return withVersionMeta(task, source.updatedAt);
}
