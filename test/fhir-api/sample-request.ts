/** A canonical request with every field the FHIR views write, a minimal one, an expert and a TaskSource: for the src/fhir-api tests. */
import { createHash } from 'node:crypto';
import { CanonicalRequestSchema, IDENTIFIER_SYSTEMS, type CanonicalRequest, type Practitioner } from '../../src/domain/canonical-request.ts';
import type { TaskSource } from '../../src/fhir-api/task-source.ts';

const PROFESSION = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const SPECIALTY = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

export const PATIENT_FAMILY = 'Dupont';
export const PATIENT_INS = '279035121518989';
export const ECG = Buffer.from('%PDF-1.4\n% an ECG trace\n%%EOF\n');
export const ECG_SHA256 = createHash('sha256').update(ECG).digest('hex');
export const REQUESTER_ADDRESS = 'dr.martin@hopital-a.test';
export const EXPERT_ADDRESS = 'cardio.durand@chu-b.test';

export const EXPERT: Practitioner = {
  identifiers: [{ system: IDENTIFIER_SYSTEMS.PS_NATIONAL, value: '810009876543', type: 'RPPS' }],
  name: { family: 'Durand', given: ['Paul'], prefix: ['Dr'] },
  profession: { system: PROFESSION, code: '10', display: 'Médecin' },
  specialty: { system: SPECIALTY, code: 'SM04', display: 'Cardiologie' },
  address: EXPERT_ADDRESS,
  organization: { name: 'CHU B', identifiers: [{ system: IDENTIFIER_SYSTEMS.FINESS, value: '330781196' }] },
};

export const FULL_REQUEST: CanonicalRequest = CanonicalRequestSchema.parse({
  ids: { sender: { system: 'urn:oid:1.2.250.1.999.1', value: 'DEM-2025-0042', assigner: 'Hôpital A' } },
  channel: 'fhir',
  dialect: 'fhir',
  requester: {
    identifiers: [{ system: IDENTIFIER_SYSTEMS.PS_NATIONAL, value: '810001234567', type: 'RPPS' }],
    name: { family: 'Martin', given: ['Claire'], prefix: ['Dr'] },
    profession: { system: PROFESSION, code: '10', display: 'Médecin' },
    address: REQUESTER_ADDRESS,
  },
  requested: { expert: EXPERT, specialty: { system: SPECIALTY, code: 'SM04', display: 'Cardiologie' } },
  patient: {
    identifiers: [
      { system: IDENTIFIER_SYSTEMS.INS_NIR, value: PATIENT_INS, type: 'INS' },
      { system: 'urn:oid:1.2.250.1.999.2', value: 'MRN-77' },
    ],
    names: [{ family: PATIENT_FAMILY, given: ['Marie'] }],
    birthDate: '1979-03-12',
    sex: 'female',
  },
  reason: { codes: [{ system: 'http://snomed.info/sct', code: '88610006', display: 'Heart murmur' }], text: 'Souffle cardiaque à l’auscultation' },
  question: 'Faut-il une échographie cardiaque ?',
  category: 'cardiac',
  priority: 'urgent',
  attachments: [{ contentType: 'application/pdf', name: 'ecg.pdf', size: ECG.length, sha256: ECG_SHA256, kind: 'ecg' }],
  notes: ['Patiente sous bêtabloquants.'],
});

/** What the schema requires and nothing else: no referral id, no patient identifier, no names, no expert, no documents. */
export const MINIMAL_REQUEST: CanonicalRequest = CanonicalRequestSchema.parse({
  ids: {},
  channel: 'smtp',
  dialect: 'form',
  requester: {},
  requested: {},
  patient: {},
  reason: {},
});

export const RECEIVED_AT = new Date('2026-01-15T08:30:00Z');
export const UPDATED_AT = new Date('2026-01-15T09:45:00Z');
export const DUE_AT = new Date('2026-01-22T08:30:00Z');

/** A request received and read, in `state`, assigned to the expert (override what a case needs). */
export function taskSource(state: string, over: Partial<NonNullable<TaskSource['request']>> = {}, opinions: TaskSource['opinions'] = []): TaskSource {
  return {
    id: 'rq-000mabc12de34f56',
    requester: REQUESTER_ADDRESS,
    receivedAt: RECEIVED_AT,
    updatedAt: UPDATED_AT,
    messageState: 'parsed',
    request: { state, canonical: FULL_REQUEST, refusalCodes: [], expertAddress: EXPERT_ADDRESS, expert: EXPERT, dueAt: DUE_AT, ...over },
    opinions,
  };
}

/** A message not read as a request yet, in `messageState`. */
export function messageSource(messageState: string, messageRefusal?: string): TaskSource {
  return { id: 'rq-000mabc12de34f56', requester: REQUESTER_ADDRESS, receivedAt: RECEIVED_AT, updatedAt: RECEIVED_AT, messageState, messageRefusal, opinions: [] };
}
