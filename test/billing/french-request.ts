/** A French tele-expertise request (a GP asks a cardiologist), its billable acts on a day, and the insurer: for the billing tests. */
import { CanonicalRequestSchema, IDENTIFIER_SYSTEMS, type CanonicalRequest, type Practitioner } from '../../src/domain/canonical-request.ts';
import { tariffOn } from '../../src/policy/find-billable-acts.ts';
import { loadRulePack } from '../../src/policy/load-rule-pack.ts';
import type { BillableAct } from '../../src/policy/verdict.ts';

const PROFESSION = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const SPECIALTY = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

export const INSURER = { name: 'CPAM de la Gironde', identifier: { system: 'urn:oid:1.2.250.1.71.4.2.2', value: '330781196' } };

export const FRENCH_REQUEST: CanonicalRequest = CanonicalRequestSchema.parse({
  ids: { sender: { system: 'urn:oid:1.2.250.1.999.1', value: 'DEM-2025-0042' } },
  channel: 'smtp',
  dialect: 'form',
  requester: {
    identifiers: [{ system: IDENTIFIER_SYSTEMS.PS_NATIONAL, value: '810001234567', type: 'RPPS' }],
    name: { family: 'Martin', given: ['Claire'], prefix: ['Dr'] },
    profession: { system: PROFESSION, code: '10', display: 'Médecin' },
    specialty: { system: SPECIALTY, code: 'SM54', display: 'Médecine générale' },
    address: 'dr.martin@hopital-a.test',
  },
  requested: { specialty: { system: SPECIALTY, code: 'SM04' } },
  patient: {
    identifiers: [{ system: IDENTIFIER_SYSTEMS.INS_NIR, value: '279035121518989', type: 'INS' }],
    names: [{ family: 'Dupont', given: ['Marie'] }],
    birthDate: '1979-03-12',
    sex: 'female',
  },
  coverage: { memberId: '2790351215189' },
  reason: { text: 'Souffle cardiaque à l’auscultation' },
});

export const EXPERT: Practitioner = {
  identifiers: [{ system: IDENTIFIER_SYSTEMS.PS_NATIONAL, value: '810009876543', type: 'RPPS' }],
  name: { family: 'Durand', given: ['Paul'], prefix: ['Dr'] },
  profession: { system: PROFESSION, code: '10', display: 'Médecin' },
  specialty: { system: SPECIALTY, code: 'SM04', display: 'Cardiologie' },
  address: 'cardio.durand@chu-b.test',
};

/** The French pack's acts with the tariff in force on `day` (TE2 for the expert, RQD for the requester). */
export function frenchActs(day: string): BillableAct[] {
  const pack = loadRulePack('fr-teleexpertise');
  if (!pack.ok) throw new Error('no fr pack');
  return pack.value.acts.flatMap((a) => {
    const t = tariffOn(a, day);
    return t ? [{ code: a.code, system: a.system, ...(a.display ? { display: a.display } : {}), billedBy: a.billedBy, when: a.when, amount: { value: t.amount, currency: t.currency } }] : [];
  });
}
