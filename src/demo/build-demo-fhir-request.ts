/**
 * The request Bundle the demo's FHIR requester's software writes (a `transaction`, unsigned: play-fhir-request.ts
 * signs it): the ServiceRequest asking the pool's specialty (performerType, in the pack's code system), its Task
 * (`requested`, the question as description), the Patient, the requester as a PractitionerRole (profession,
 * secure address, organisation) with her Practitioner (the identifiers the directory holds), the patient's Consent
 * (what it covers and the mode of return, urn:txgate:fhir codes, decision 0012) and the document as a
 * DocumentReference with its Binary. References are the entries' urn:uuid fullUrls. Pure: the time is an input.
 */
import { createHash } from 'node:crypto';
import type { Coding } from '../domain/canonical-request.ts';
import type { DirectoryEntry } from '../directory/directory-entry.ts';
import { CONSENT_COVERAGE_CODES, CONSENT_COVERAGE_SYSTEM, MODE_OF_RETURN_SYSTEM, TASK_CODE_SYSTEM } from '../payload/fhir/fhir-codes.ts';
import type { DemoFhirRequest } from './demo-programme.ts';

export type FhirJson = Record<string, unknown>;

export interface DemoFhirRequestInput {
  request: DemoFhirRequest;
  /** the requester as the directory holds her (identifiers, profession) */
  requester: DirectoryEntry;
  /** the specialty asked: the pool's, as the pack codes it */
  specialty: Coding;
  /** when she writes it (the consent is dated from it) */
  at: Date;
}

const RESOURCES = ['ServiceRequest', 'Task', 'Patient', 'PractitionerRole', 'Practitioner', 'Organization', 'Consent', 'DocumentReference', 'Binary'] as const;

/** The fullUrl of each entry: a fixed UUID per resource type (one of each). */
function urlOf(type: (typeof RESOURCES)[number]): string {
  return `urn:uuid:7e1a0000-0000-4000-8000-${String(RESOURCES.indexOf(type) + 1).padStart(12, '0')}`;
}

const ref = (type: (typeof RESOURCES)[number]) => ({ reference: urlOf(type) });

/** DD/MM/YYYY → YYYY-MM-DD */
function fhirDate(born: string): string {
  const [d, m, y] = born.split('/');
  return `${y}-${m}-${d}`;
}

export function buildDemoFhirRequest(o: DemoFhirRequestInput): FhirJson & { resourceType: 'Bundle' } {
  const { request: r, requester, at } = o;
  const when = at.toISOString();
  const person = r.requester;
  const doc = r.attachment;
  const resources: Record<(typeof RESOURCES)[number], FhirJson> = {
    ServiceRequest: {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      priority: 'routine',
      subject: ref('Patient'),
      authoredOn: when,
      requester: ref('PractitionerRole'),
      performerType: { coding: [{ system: o.specialty.system, code: o.specialty.code }] },
      supportingInfo: [ref('Consent'), ref('DocumentReference')],
    },
    Task: {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      priority: 'routine',
      code: { coding: [{ system: TASK_CODE_SYSTEM, code: 'fulfill' }] },
      description: r.question,
      focus: ref('ServiceRequest'),
      for: ref('Patient'),
      authoredOn: when,
      requester: ref('PractitionerRole'),
    },
    Patient: {
      resourceType: 'Patient',
      identifier: [{ system: r.patientSystem, value: r.patient.identifier }],
      name: [{ family: r.patient.family, given: [r.patient.given], text: r.patient.name }],
      gender: r.patient.gender,
      birthDate: fhirDate(r.patient.born),
    },
    PractitionerRole: {
      resourceType: 'PractitionerRole',
      practitioner: ref('Practitioner'),
      organization: ref('Organization'),
      ...(requester.profession ? { code: [{ coding: [{ system: requester.profession.system, code: requester.profession.code }] }] } : {}),
      telecom: [{ system: 'email', value: person.address }],
    },
    Practitioner: {
      resourceType: 'Practitioner',
      identifier: requester.identifiers.map((i) => ({ system: i.system, value: i.value })),
      name: [{ family: requester.name?.family ?? person.cn, given: requester.name?.given ?? [] }],
      telecom: [{ system: 'email', value: person.address }],
    },
    Organization: { resourceType: 'Organization', name: person.organization },
    Consent: {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
      patient: ref('Patient'),
      dateTime: when,
      organization: [ref('Organization')],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        purpose: [...Object.values(CONSENT_COVERAGE_CODES).map((code) => ({ system: CONSENT_COVERAGE_SYSTEM, code })), { system: MODE_OF_RETURN_SYSTEM, code: r.modeOfReturn }],
      },
    },
    DocumentReference: {
      resourceType: 'DocumentReference',
      status: 'current',
      type: { coding: [{ system: 'http://loinc.org', code: doc.loinc.code, display: doc.loinc.display }] },
      subject: ref('Patient'),
      date: when,
      content: [
        {
          attachment: {
            contentType: doc.contentType,
            url: urlOf('Binary'),
            size: doc.data.length,
            hash: createHash('sha1').update(doc.data).digest('base64'),
            title: doc.name,
          },
        },
      ],
    },
    Binary: { resourceType: 'Binary', contentType: doc.contentType, data: doc.data.toString('base64') },
  };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: RESOURCES.map((type) => ({ fullUrl: urlOf(type), resource: resources[type], request: { method: 'POST', url: type } })),
  };
}
