/**
 * The claims of a tele-expertise, as FHIR R4 Claim bundles: one Bundle (type collection) per billable act, the
 * Claim first, then every resource it references (Patient, the provider's Practitioner and PractitionerRole, the
 * prescriber's for an act of the requested professional, the insurer's Organization, the Coverage, the
 * ServiceRequest and the people it names), each once, with `urn:uuid` full URLs derived from the request and the act.
 * Tiers payant: the payee is the provider. The requester, with their billing number, is the prescriber: the
 * ServiceRequest's requester, which Claim.referral names (R4's Claim has no prescriber element). Claim.identifier is the idempotency key (the same request and act always
 * give the same one: the insurer holds a claim once by it). Pure: the clock and the uuid derivation are injected.
 */
import type { CanonicalRequest, Practitioner } from '../domain/canonical-request.ts';
import { buildIdentifier, buildPatientResource, buildPractitionerResources, type FhirResource } from '../payload/fhir/build-fhir-participants.ts';
import { deriveUuid } from '../payload/fhir/build-fhir-answer.ts';
import type { BillableAct } from '../policy/verdict.ts';

/** The system of Claim.identifier: txgate's idempotency key of a claim. */
export const CLAIM_ID_SYSTEM = 'urn:txgate:claim-id';
/** The system of ServiceRequest.identifier: txgate's request id. */
export const REQUEST_ID_SYSTEM = 'urn:txgate:request-id';
/** The system of the Bundle's identifier. */
export const CLAIM_BUNDLE_ID_SYSTEM = 'urn:txgate:claim-bundle-id';

export const CLAIM_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claim-type';
export const PRIORITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/processpriority';
export const PAYEE_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/payeetype';
export const CARE_TEAM_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claimcareteamrole';

export interface InsurerParty {
  name: string;
  identifier: { system: string; value: string };
}

export interface ClaimBuildInput {
  /** txgate's request id */
  requestId: string;
  request: CanonicalRequest;
  /** when the request was received (ServiceRequest.authoredOn) */
  requestedAt: Date;
  /** the acts to claim (from the verdict), each on its own claim */
  acts: BillableAct[];
  /** the day the acts were done (YYYY-MM-DD, the programme's time zone): Claim.created and item.servicedDate */
  actDate: string;
  /** the requested professional who answered */
  expert: Practitioner;
  insurer: InsurerParty;
  /** the clock: Bundle.timestamp */
  now: Date;
  /** derives a uuid from names (default: deriveUuid, a name-based uuid) */
  uuid?: (...parts: string[]) => string;
}

export interface ClaimBundle {
  act: BillableAct;
  /** Claim.identifier.value: unique per request and act */
  idempotencyKey: string;
  bundle: FhirResource;
}

/** The idempotency key of the claim of an act of a request (Claim.identifier.value). */
export function claimIdempotencyKey(requestId: string, actCode: string): string {
  return `${requestId}/${actCode}`;
}

const money = (a: BillableAct['amount']) => ({ value: a.value, currency: a.currency });

export function buildClaimBundles(input: ClaimBuildInput): ClaimBundle[] {
  return input.acts.map((act) => buildOne(input, act));
}

function buildOne(input: ClaimBuildInput, act: BillableAct): ClaimBundle {
  const uuid = input.uuid ?? deriveUuid;
  const key = claimIdempotencyKey(input.requestId, act.code);
  const url = (label: string) => `urn:uuid:${uuid('claim', input.requestId, act.code, label)}`;
  const u = {
    claim: url('claim'),
    patient: url('patient'),
    requester: url('requester'),
    requesterRole: url('requester-role'),
    requesterOrg: url('requester-organization'),
    expert: url('expert'),
    expertRole: url('expert-role'),
    expertOrg: url('expert-organization'),
    insurer: url('insurer'),
    coverage: url('coverage'),
    serviceRequest: url('service-request'),
  };
  const { request } = input;
  const requester = buildPractitionerResources(request.requester, { practitioner: u.requester, organization: u.requesterOrg });
  const expert = buildPractitionerResources(input.expert, { practitioner: u.expert, organization: u.expertOrg });
  const byRequested = act.billedBy === 'requested';
  const provider = byRequested ? { p: expert, role: u.expertRole, pUrl: u.expert, orgUrl: u.expertOrg } : { p: requester, role: u.requesterRole, pUrl: u.requester, orgUrl: u.requesterOrg };
  const other = byRequested ? { p: requester, role: u.requesterRole, pUrl: u.requester, orgUrl: u.requesterOrg } : { p: expert, role: u.expertRole, pUrl: u.expert, orgUrl: u.expertOrg };

  const claim: FhirResource = {
    resourceType: 'Claim',
    identifier: [{ system: CLAIM_ID_SYSTEM, value: key }],
    status: 'active',
    type: { coding: [{ system: CLAIM_TYPE_SYSTEM, code: 'professional' }] },
    use: 'claim',
    patient: { reference: u.patient },
    created: input.actDate,
    insurer: { reference: u.insurer },
    provider: { reference: provider.role },
    priority: { coding: [{ system: PRIORITY_SYSTEM, code: 'normal' }] },
    // R4 Claim has no prescriber element: the prescriber (the requester, with their billing number) is the
    // requester of the ServiceRequest that Claim.referral names
    referral: { reference: u.serviceRequest },
    // tiers payant: the insurer pays the provider
    payee: { type: { coding: [{ system: PAYEE_TYPE_SYSTEM, code: 'provider' }] }, party: { reference: provider.role } },
    careTeam: [{ sequence: 1, provider: { reference: provider.role }, role: { coding: [{ system: CARE_TEAM_ROLE_SYSTEM, code: 'primary' }] } }],
    insurance: [{ sequence: 1, focal: true, coverage: { reference: u.coverage } }],
    item: [
      {
        sequence: 1,
        careTeamSequence: [1],
        productOrService: { coding: [{ system: act.system, code: act.code, ...(act.display ? { display: act.display } : {}) }] },
        servicedDate: input.actDate,
        unitPrice: money(act.amount),
        net: money(act.amount),
      },
    ],
    total: money(act.amount),
  };

  const insurer: FhirResource = { resourceType: 'Organization', identifier: [{ system: input.insurer.identifier.system, value: input.insurer.identifier.value }], name: input.insurer.name };
  const coverage: FhirResource = {
    resourceType: 'Coverage',
    status: 'active',
    ...(request.coverage?.memberId ? { subscriberId: request.coverage.memberId } : {}),
    beneficiary: { reference: u.patient },
    payor: [{ reference: u.insurer }],
  };
  const serviceRequest: FhirResource = {
    resourceType: 'ServiceRequest',
    identifier: [{ system: REQUEST_ID_SYSTEM, value: input.requestId }, ...(request.ids.sender ? [buildIdentifier(request.ids.sender)] : [])],
    status: 'completed',
    intent: 'order',
    subject: { reference: u.patient },
    authoredOn: input.requestedAt.toISOString(),
    requester: { reference: u.requesterRole },
    performer: [{ reference: u.expertRole }],
    ...(request.reason.codes.length || request.reason.text
      ? { reasonCode: [{ ...(request.reason.codes.length ? { coding: request.reason.codes } : {}), ...(request.reason.text ? { text: request.reason.text } : {}) }] }
      : {}),
    insurance: [{ reference: u.coverage }],
  };

  const entry = (fullUrl: string, resource: FhirResource) => ({ fullUrl, resource });
  const people = (x: typeof provider) => [
    entry(x.pUrl, x.p.practitioner),
    entry(x.role, x.p.role),
    ...(x.p.organization ? [entry(x.orgUrl, x.p.organization)] : []),
  ];
  const bundle: FhirResource = {
    resourceType: 'Bundle',
    identifier: { system: CLAIM_BUNDLE_ID_SYSTEM, value: key },
    type: 'collection',
    timestamp: input.now.toISOString(),
    entry: [
      entry(u.claim, claim),
      entry(u.patient, buildPatientResource(request.patient)),
      ...people(provider),
      ...people(other),
      entry(u.insurer, insurer),
      entry(u.coverage, coverage),
      entry(u.serviceRequest, serviceRequest),
    ],
  };
  return { act, idempotencyKey: key, bundle };
}
