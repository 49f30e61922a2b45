/**
 * A tele-expertise request Bundle assembled from the official R4 examples in fixtures/fhir (ServiceRequest
 * myringotomy, Task example1, a Patient of the transaction Bundle example, Consent basic, Coverage 9876B1,
 * Communication example), their references rewritten to the Bundle's urn:uuid fullUrls, and the few resources the
 * examples do not carry (the requester's PractitionerRole, the practitioners, organisations, a DocumentReference
 * with its Binary) written here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../../helpers/paths.ts';
import { SAMPLE_PDF } from '../xdm/sample-xdm.ts';

export type Json = Record<string, unknown>;

export const PATIENT_INS = '174127512345645';
export const REQUESTER_ID = '810001234567';
export const CONSENT_COVERAGE = 'urn:txgate:fhir:consent-coverage';
export const MODE_OF_RETURN = 'urn:txgate:fhir:mode-of-return';

/** The fullUrl of entry i. */
export function entryUrl(i: number): string {
  return `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

function readExample(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, 'fhir', name), 'utf8')) as Json;
}

export function buildRequestBundle(): Json {
  const ref = (i: number) => ({ reference: entryUrl(i) });

  const sr = readExample('r4-ServiceRequest-myringotomy.json');
  Object.assign(sr, { subject: ref(2), requester: ref(3), performer: [ref(5)], insurance: [ref(8)], supportingInfo: [ref(9), ref(7)] });

  const task = readExample('r4-Task-example1.json');
  delete task.encounter;
  Object.assign(task, {
    status: 'requested',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    description: 'Would grommets help, or should we wait another season?',
    focus: ref(0),
    for: ref(2),
    requester: ref(3),
    owner: ref(5),
  });

  const transaction = readExample('r4-Bundle-bundle-transaction.json') as { entry: Array<{ resource: Json }> };
  const patient = structuredClone(transaction.entry[1]!.resource);
  patient.identifier = [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: PATIENT_INS }, ...(patient.identifier as unknown[])];

  const role: Json = {
    resourceType: 'PractitionerRole',
    practitioner: ref(4),
    organization: ref(6),
    code: [{ coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante', code: '10', display: 'Médecin' }] }],
    specialty: [{ coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale', code: 'SM54', display: 'Médecine générale' }] }],
    telecom: [{ system: 'email', value: 'serena.shrink@cabinet.mssante.fr' }],
  };
  const requester: Json = {
    resourceType: 'Practitioner',
    identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: REQUESTER_ID }],
    name: [{ family: 'Shrink', given: ['Serena'] }],
  };
  const expert: Json = { resourceType: 'Practitioner', name: [{ text: 'Dr Dave' }], telecom: [{ system: 'email', value: 'mailto:dave@ent.example' }] };
  const organization: Json = { resourceType: 'Organization', name: 'Cabinet du Parc', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.2', value: '750000001' }] };

  const consent = readExample('r4-Consent-consent-example-basic.json');
  Object.assign(consent, {
    patient: ref(2),
    organization: [ref(6)],
    provision: {
      type: 'permit',
      purpose: [
        { system: CONSENT_COVERAGE, code: 'reason' },
        { system: CONSENT_COVERAGE, code: 'requested-identity' },
        { system: CONSENT_COVERAGE, code: 'requested-specialty' },
        { system: CONSENT_COVERAGE, code: 'mode-of-return' },
        { system: MODE_OF_RETURN, code: 'phone-call' },
      ],
    },
  });

  const coverage = readExample('r4-Coverage-9876B1.json');
  coverage.payor = [ref(10)];

  const documentReference: Json = {
    resourceType: 'DocumentReference',
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: '11524-6', display: 'EKG study' }] },
    subject: ref(2),
    content: [
      {
        attachment: {
          contentType: 'application/pdf',
          url: entryUrl(11),
          size: SAMPLE_PDF.length,
          hash: createHash('sha1').update(SAMPLE_PDF).digest('base64'),
          title: 'ECG.pdf',
        },
      },
    ],
  };
  const insurer: Json = { resourceType: 'Organization', name: 'Benefits Inc.', identifier: [{ system: 'http://benefitsinc.com/ids', value: 'CBI' }] };
  const binary: Json = { resourceType: 'Binary', contentType: 'application/pdf', data: SAMPLE_PDF.toString('base64') };

  const communication = readExample('r4-Communication-example.json');
  delete communication.encounter;
  Object.assign(communication, { subject: ref(2), recipient: [ref(5)], sender: ref(3), about: [ref(0)] });

  const resources = [sr, task, patient, role, requester, expert, organization, consent, coverage, documentReference, insurer, binary, communication];
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource, i) => ({ fullUrl: entryUrl(i), resource, request: { method: 'POST', url: String(resource.resourceType) } })),
  };
}

export function requestBundleBytes(bundle: Json = buildRequestBundle()): Buffer {
  return Buffer.from(JSON.stringify(bundle, null, 2));
}
