/**
 * The French programme (fr-teleexpertise): a GP in a hospital asks the cardiology pool of a university hospital,
 * by the plain form in French with the patient's INS; the Assurance Maladie pays TE2 (the expert) and RQD (the GP);
 * a home-care nurse (infirmière libérale, TRE_G15 profession 60) asks the same pool by FHIR — the pack's rule
 * `auxiliary-or-midwife-to-doctor` admits a nurse asking a doctor, and RQD lists nurses among the requesters who
 * bill it, so her request is billed TE2 and RQD too; a fifth request for the same patient in the year is over the
 * quota, a cardiologist asking the dermatology pool is not an eligible pair (two organ specialties).
 */
import { IDENTIFIER_SYSTEMS } from '../../domain/canonical-request.ts';
import type { DemoForm, DemoProgramme } from '../demo-programme.ts';
import { nirWithKey } from '../synthetic-identifiers.ts';

function frenchDate(d: Date): string {
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

/** The plain form a GP writes from a webmail (src/payload/form): patient, INS, question, consent, mode of return. */
export function buildFrenchForm(f: DemoForm): string {
  return [
    'Bonjour,',
    '',
    `Patient: ${f.patient.name}`,
    `INS: ${f.patient.identifier}`,
    `Né le: ${f.patient.born}`,
    `Question: ${f.question}`,
    `Consentement: oui, le ${frenchDate(f.at)} — motif, identité et spécialité du médecin requis, mode de retour`,
    'Retour: téléphone',
    ...(f.urgent ? ['Urgent: oui'] : []),
    '',
    'Bien confraternellement,',
  ].join('\n');
}

/** Profession 10 (doctor) of TRE_G15; SM54 general practice, SM04 cardiology of TRE_R38 (the CSV's default systems). */
const doctor = (rpps: string, family: string, given: string, specialty: string, organization: string, capacity?: number) => ({
  identifiers: `RPPS|${rpps}`,
  family,
  given,
  prefix: 'Dr',
  profession: '10',
  specialties: specialty,
  organization,
  ...(capacity ? { capacity: String(capacity) } : {}),
  programmes: 'fr-teleexpertise',
});

export const FR_TELEEXPERTISE: DemoProgramme = {
  pack: 'fr-teleexpertise',
  languageName: 'French',
  subject: 'Demande de téléexpertise',
  insurerName: 'Assurance Maladie (development insurer)',
  directoryDescription: '3 doctors and a nurse',
  requester: {
    name: 'dr-martin',
    short: 'Dr Martin',
    role: 'GP',
    cn: 'Dr Claire Martin',
    organization: 'Hopital A',
    address: 'dr.martin@hopital-a.test',
    directory: doctor('10100000011', 'Martin', 'Claire', 'SM54', 'Hopital A'),
  },
  pool: 'cardiologie',
  experts: [
    { name: 'dr-durand', short: 'Dr Durand', role: 'cardiologist', cn: 'Dr Paul Durand', organization: 'CHU B', address: 'cardio.durand@chu-b.test', directory: doctor('10100000029', 'Durand', 'Paul', 'SM04', 'CHU B', 5) },
    { name: 'dr-leroy', short: 'Dr Leroy', role: 'cardiologist', cn: 'Dr Marie Leroy', organization: 'CHU B', address: 'dr.leroy@chu-b.test', directory: doctor('10100000045', 'Leroy', 'Marie', 'SM04', 'CHU B', 5) },
  ],
  expertRole: 'cardiologist',
  others: [],
  fhir: {
    requester: {
      name: 'ide-bernard',
      short: 'Mme Bernard',
      role: 'nurse, home care',
      cn: 'Sophie Bernard',
      organization: 'Cabinet infirmier du Parc',
      address: 'sophie.bernard@cabinet-infirmier-du-parc.test',
      // profession 60 of TRE_G15: infirmier; no specialty
      directory: { identifiers: 'RPPS|10100000078', family: 'Bernard', given: 'Sophie', profession: '60', organization: 'Cabinet infirmier du Parc', programmes: 'fr-teleexpertise' },
    },
    patient: { name: 'Louise Exemple (synthétique)', family: 'Exemple', given: 'Louise', gender: 'female', identifier: nirWithKey('2480175123789'), born: '21/01/1948' },
    patientSystem: IDENTIFIER_SYSTEMS.INS_NIR,
    question: 'Patiente suivie à domicile : œdèmes des membres inférieurs en augmentation, +3 kg en une semaine, ECG joint. Faut-il adapter le diurétique ?',
    attachment: { contentType: 'application/pdf', name: 'ecg-domicile.pdf', data: Buffer.from('%PDF-1.4\n% ECG à domicile (synthétique)\n%%EOF\n'), loinc: { code: '11524-6', display: 'EKG study' } },
    modeOfReturn: 'phone-call',
    opinion: 'AVIS : décompensation cardiaque débutante probable. Augmenter le furosémide à 40 mg/j, kaliémie et créatinine à J3, consultation sous 15 jours.',
    opinionText: 'décompensation cardiaque débutante probable',
    acts: ['TE2', 'RQD'],
  },
  outsider: { name: 'outsider', cn: 'Dr Outsider', address: 'dr.outsider@elsewhere.test' },
  patients: {
    main: { name: 'Jeanne Exemple (synthétique)', identifier: nirWithKey('2560475123456'), born: '12/04/1956' },
    other: { name: 'Paul Autre (synthétique)', identifier: nirWithKey('1640375123456'), born: '03/04/1964' },
  },
  buildForm: buildFrenchForm,
  request: {
    question: 'Souffle systolique 2/6 découvert ce jour, asymptomatique. Échographie nécessaire ?',
    attachment: { contentType: 'application/pdf', name: 'ecg.pdf', data: Buffer.from('%PDF-1.4\n% ECG de démonstration (synthétique)\n%%EOF\n') },
  },
  expert: {
    accept: 'ACCEPTE',
    opinion: 'AVIS : souffle fonctionnel probable. Échographie cardiaque dans les 3 mois, pas d’urgence.',
    opinionText: 'souffle fonctionnel probable',
    report: { contentType: 'application/pdf', name: 'compte-rendu.pdf', data: Buffer.from('%PDF-1.4\n% compte rendu de démonstration\n%%EOF\n') },
  },
  acceptedText: 'acceptée',
  billing: { step: 'the insurer receives the TE2 and RQD claims (FHIR Claim/$submit)', acts: ['TE2', 'RQD'] },
  refusedCases: [
    { name: 'three more requests for the same patient this year are admitted', expected: 'routed routed routed', from: 'dr-martin', to: 'cardiologie', patient: 'main', questions: ['Contrôle 2.', 'Contrôle 3.', 'Contrôle 4.'] },
    { name: 'a fifth request for the same patient in the year', expected: 'POLICY_QUOTA_EXCEEDED', from: 'dr-martin', to: 'cardiologie', patient: 'main', questions: ['Cinquième demande.'] },
    { name: 'a cardiologist asking the dermatology pool (two organ specialties)', expected: 'POLICY_PAIR_NOT_ELIGIBLE', from: 'dr-leroy', to: 'dermatologie', patient: 'other', questions: ['Lésion cutanée ?'] },
    { name: 'a request signed under an unknown authority', expected: 'SMIME_UNTRUSTED_SIGNER', from: 'outsider', to: 'cardiologie', patient: 'main', questions: ['Test.'] },
  ],
};
