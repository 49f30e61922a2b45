/** Requests, codings and facts for the policy tests: one admissible request per shipped pack, and helpers to vary them. */
import { CanonicalRequestSchema, type CanonicalRequest, type CanonicalRequestInput, type Coding } from '../../src/domain/canonical-request.ts';
import { loadRulePack } from '../../src/policy/load-rule-pack.ts';
import type { RulePack } from '../../src/policy/rule-pack-schema.ts';
import type { DecisionFacts } from '../../src/policy/verdict.ts';

export function pack(name: string): RulePack {
  const r = loadRulePack(name);
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.problems)}`);
  return r.value;
}

export const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
export const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
export const CBO = 'http://www.saude.gov.br/fhir/r4/CodeSystem/BRCBO';
export const INS = 'urn:oid:1.2.250.1.213.1.4.8';
export const NIR = 'urn:oid:1.2.250.1.213.1.4.2';

export const frProfession = (code: string): Coding => ({ system: G15, code });
export const frSpecialty = (code: string): Coding => ({ system: R38, code });
export const cbo = (code: string): Coding => ({ system: CBO, code });
export const ruProfession = (code: string): Coding => ({ system: 'urn:txgate:ru:profession', code });
export const vnProfession = (code: string): Coding => ({ system: 'urn:txgate:vn:profession', code });

/** French professionals by what they are: profession code and, for doctors, an ordinal specialty. */
export const FR = {
  gp: { profession: frProfession('10'), specialty: frSpecialty('SM54') },
  cardiologist: { profession: frProfession('10'), specialty: frSpecialty('SM04') },
  cardiologist2023: { profession: frProfession('10'), specialty: frSpecialty('SM73') },
  dermatologist: { profession: frProfession('10'), specialty: frSpecialty('SM15') },
  radiologist: { profession: frProfession('10'), specialty: frSpecialty('SM44') },
  midwife: { profession: frProfession('50') },
  nurse: { profession: frProfession('60') },
  physiotherapist: { profession: frProfession('70') },
  podiatrist: { profession: frProfession('80') },
  speechTherapist: { profession: frProfession('91') },
  orthoptist: { profession: frProfession('92') },
  pharmacist: { profession: frProfession('21') },
  dentist: { profession: frProfession('40') },
} as const;

export type Professional = { profession?: Coding; specialty?: Coding };

export type ConsentInput = NonNullable<CanonicalRequestInput['consent']>;

export const FULL_CONSENT: ConsentInput = {
  granted: true,
  date: '2026-01-10',
  covers: { reason: true, requestedIdentity: true, requestedSpecialty: true, modeOfReturn: true },
  modeOfReturn: 'phone-call',
  source: 'form',
};

/** 10 January 2026, 10:00 in Paris */
export const AT = new Date('2026-01-10T09:00:00Z');

export function facts(over: Partial<DecisionFacts> = {}): DecisionFacts {
  return { at: AT, quotaUsed: 0, ...over };
}

function build(input: CanonicalRequestInput): CanonicalRequest {
  return CanonicalRequestSchema.parse(input);
}

/** An admissible French request: a GP asks a named cardiologist, the patient identified by INS, full consent. */
export function frRequest(over: Partial<CanonicalRequestInput> = {}, requester: Professional = FR.gp, expert: Professional | null = FR.cardiologist): CanonicalRequest {
  return build({
    ids: {},
    channel: 'smtp',
    dialect: 'form',
    requester: { identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810001234567' }], address: 'gp@medecin.mssante.fr', ...requester },
    requested: expert ? { expert: { identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810009876543' }], address: 'cardio@chu.mssante.fr', ...expert } } : {},
    patient: { identifiers: [{ system: INS, value: '276012A12345678' }] },
    reason: { text: 'Palpitations' },
    consent: FULL_CONSENT,
    ...over,
  });
}

/** An admissible Brazilian request: a family doctor of Campo Grande asks a cardiologist pool. */
export function brRequest(over: Partial<CanonicalRequestInput> = {}): CanonicalRequest {
  return build({
    ids: {},
    channel: 'fhir',
    dialect: 'fhir',
    requester: { profession: cbo('225142'), specialty: cbo('225142'), council: { name: 'CRM', number: '12345', state: 'MS' } },
    requested: { specialty: cbo('225120') },
    patient: { identifiers: [{ system: 'urn:oid:2.16.840.1.113883.13.236', value: '898001160660003' }] },
    reason: { text: 'Dor torácica' },
    consent: { granted: true, date: '2026-02-12', covers: {}, source: 'fhir-consent' },
    ...over,
  });
}

export const BR_FACTS = { requester: { municipality: '5002704' } };

/** An admissible Russian request: a treating doctor asks a federal centre's cardiologist about a cardiac case. */
export function ruRequest(over: Partial<CanonicalRequestInput> = {}): CanonicalRequest {
  const doc = (name: string, kind?: string) => ({ contentType: 'application/pdf', name, size: 1000, sha256: 'a'.repeat(64), ...(kind ? { kind } : {}) });
  return build({
    ids: {},
    channel: 'smtp',
    dialect: 'form',
    requester: { profession: ruProfession('doctor') },
    requested: { expert: { profession: ruProfession('doctor'), specialty: { system: 'urn:txgate:ru:specialty', code: 'cardiology' } } },
    patient: { identifiers: [] },
    reason: {},
    category: 'cardiac',
    consent: { granted: true, covers: {}, source: 'form' },
    attachments: [doc('vypiska.pdf', 'discharge-summary'), doc('ECG 12 leads.pdf'), doc('EchoCG-report.pdf')],
    ...over,
  });
}

export function attachment(name: string | undefined, kind?: string): NonNullable<CanonicalRequestInput['attachments']>[number] {
  return { contentType: 'application/pdf', ...(name ? { name } : {}), size: 1000, sha256: 'b'.repeat(64), ...(kind ? { kind } : {}) };
}

/** An admissible Vietnamese request: a provincial doctor asks an upper-level doctor. */
export function vnRequest(over: Partial<CanonicalRequestInput> = {}): CanonicalRequest {
  return build({
    ids: {},
    channel: 'smtp',
    dialect: 'form',
    requester: { profession: vnProfession('doctor') },
    requested: { expert: { profession: vnProfession('doctor') } },
    patient: {},
    reason: {},
    consent: { granted: true, covers: {}, source: 'form' },
    ...over,
  });
}

/** The smallest request the generic pack admits: consent granted, nothing else. */
export function genericRequest(over: Partial<CanonicalRequestInput> = {}): CanonicalRequest {
  return build({ ids: {}, channel: 'smtp', dialect: 'form', requester: {}, requested: {}, patient: {}, reason: {}, consent: { granted: true, covers: {}, source: 'form' }, ...over });
}
