import { describe, expect, it } from 'vitest';
import { buildPatientRecord, PATIENT_RECORD_FORMAT, type PatientRecordInput } from '../../src/relay/build-patient-record.ts';
import type { ReplyLanguage } from '../../src/relay/reply-verbs.ts';

const LANGUAGES: ReplyLanguage[] = ['fr', 'pt-BR', 'ru', 'vi', 'en'];

function input(language: ReplyLanguage, over: Partial<PatientRecordInput> = {}): PatientRecordInput {
  return {
    language,
    requestId: 'REQ-2026-0042',
    senderRef: '889342',
    requestedAt: new Date('2026-01-14T08:05:00Z'),
    opinionAt: new Date('2026-01-16T16:40:00Z'),
    opinionVersion: 2,
    requester: {
      identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810001234567', type: 'IDNPS' }],
      name: { family: 'Martin', given: ['Jean'], prefix: ['Dr'] },
      profession: { system: 'urn:oid:1.2.250.1.213.1.1.4.5', code: '10', display: 'Médecin' },
      address: 'jean.martin@medecin.mssante.fr',
      organization: { name: 'Cabinet du Parc', identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.2', value: '750000001' }] },
    },
    expert: {
      identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1#rpps', value: '10003123456', type: 'RPPS' }],
      name: { family: 'Dupré', given: ['Élise'], prefix: ['Dr'] },
      specialty: { system: 'urn:oid:1.2.250.1.213.1.1.4.5', code: 'SM04', display: 'Cardiologie' },
      council: { name: 'CNOM', number: '75-12345' },
      address: 'elise.dupre@chu.mssante.fr',
    },
    patient: {
      identifiers: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '284037512345640', type: 'INS' }],
      names: [{ family: 'DUPONT', given: ['Marie'], prefix: [] }],
      birthDate: '1984-03-07',
      sex: 'female',
    },
    opinion: 'Souffle fonctionnel.\nPas d’échographie nécessaire.',
    acts: [
      { code: 'TE2', system: 'urn:txgate:ngap', amount: { value: 23, currency: 'EUR' }, billedBy: 'requested' },
      { code: 'RQD', system: 'urn:txgate:ngap', amount: { value: 10, currency: 'EUR' }, billedBy: 'requester' },
    ],
    incidents: [
      { at: new Date('2026-01-15T09:00:00Z'), text: 'reassigned from expert-17 (deadline passed)' },
      { at: new Date('2026-01-16T16:45:00Z'), text: 'delivery retried: 421 from medecin.mssante.fr' },
    ],
    ...over,
  };
}

/** Labels each language must show (one per part of the record), written here apart from the builder. */
const LABELS: Record<ReplyLanguage, string[]> = {
  fr: ['dossier du patient', 'Date et heure de la demande', "Date et heure de l'avis", 'Professionnel requérant', 'Professionnel requis', 'Actes', 'Incidents techniques', 'féminin', '23,00\u00a0€'],
  'pt-BR': ['prontuário do paciente', 'Data e hora da solicitação', 'Data e hora do parecer', 'Profissional solicitante', 'Teleconsultor', 'Procedimentos', 'Incidentes técnicos', 'feminino', '€\u00a023,00'],
  ru: ['медицинской карты пациента', 'Дата и время запроса', 'Дата и время заключения', 'Направивший врач', 'Консультант', 'Услуги', 'Технические инциденты', 'женский', '23,00\u00a0€'],
  vi: ['hồ sơ bệnh án', 'Ngày giờ yêu cầu', 'Ngày giờ ý kiến', 'Người yêu cầu', 'Chuyên gia', 'Dịch vụ', 'Sự cố kỹ thuật', 'nữ', '23,00\u00a0€'],
  en: ['patient file', 'Date and time of the request', 'Date and time of the opinion', 'Requesting professional', 'Expert', 'Acts', 'Technical incidents', 'female', '€23.00'],
};

describe('buildPatientRecord', () => {
  it.each(LANGUAGES)('%s: the text shows every field of the input, with the labels of the language', (language) => {
    const i = input(language);
    const { text } = buildPatientRecord(i);
    for (const label of LABELS[language]) expect(text).toContain(label);
    const values = [
      i.requestId,
      i.senderRef!,
      '2026-01-14T08:05:00.000Z',
      '2026-01-16T16:40:00.000Z',
      // participants: names, identifiers (with their systems), addresses, organisation, profession, specialty, council
      'Dr Jean Martin',
      '810001234567',
      'urn:oid:1.2.250.1.71.4.2.1',
      'jean.martin@medecin.mssante.fr',
      'Cabinet du Parc',
      '750000001',
      'Médecin',
      'Dr Élise Dupré',
      '10003123456',
      'elise.dupre@chu.mssante.fr',
      'Cardiologie',
      'CNOM 75-12345',
      'Marie DUPONT',
      '284037512345640',
      '1984-03-07',
      // the report, as written
      'Souffle fonctionnel.\nPas d’échographie nécessaire.',
      // acts and incidents
      'TE2 (urn:txgate:ngap)',
      'RQD (urn:txgate:ngap)',
      '2026-01-15T09:00:00.000Z',
      'reassigned from expert-17 (deadline passed)',
      'delivery retried: 421 from medecin.mssante.fr',
    ];
    for (const v of values) expect(text, v).toContain(v);
    expect(text).toMatch(/: 2$/m);
  });

  it.each(LANGUAGES)('%s: the JSON is the input, dates as ISO 8601 instants', (language) => {
    const i = input(language);
    const { json } = buildPatientRecord(i);
    expect(json).toEqual({
      format: PATIENT_RECORD_FORMAT,
      language,
      requestId: i.requestId,
      senderRef: i.senderRef,
      requestedAt: '2026-01-14T08:05:00.000Z',
      opinionAt: '2026-01-16T16:40:00.000Z',
      opinionVersion: 2,
      requester: i.requester,
      expert: i.expert,
      patient: i.patient,
      opinion: i.opinion,
      acts: i.acts,
      incidents: [
        { at: '2026-01-15T09:00:00.000Z', text: i.incidents[0]!.text },
        { at: '2026-01-16T16:45:00.000Z', text: i.incidents[1]!.text },
      ],
      timeZone: 'UTC',
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('shows the times in the programme\'s time zone, named, with the instant', () => {
    const { text, json } = buildPatientRecord(input('fr', { timeZone: 'Europe/Paris' }));
    expect(text).toContain('14 janvier 2026 à 09:05 (Europe/Paris; 2026-01-14T08:05:00.000Z)');
    expect(json.timeZone).toBe('Europe/Paris');
  });

  it.each(LANGUAGES)('%s: no acts, no incidents, no sender reference and unknown fields are said so, not left out', (language) => {
    const { text, json } = buildPatientRecord(
      input(language, { acts: [], incidents: [], senderRef: undefined, patient: { identifiers: [], names: [] }, opinion: '' }),
    );
    const none = { fr: 'aucun', 'pt-BR': 'nenhum', ru: 'нет', vi: 'không có', en: 'none' }[language];
    const unknown = { fr: 'non renseigné', 'pt-BR': 'não informado', ru: 'не указано', vi: 'không rõ', en: 'not given' }[language];
    expect(text.split('\n').filter((l) => l.trim() === none)).toHaveLength(3);
    expect(text).toContain(unknown);
    expect(json).not.toHaveProperty('senderRef');
    expect(json.acts).toEqual([]);
    expect(json.incidents).toEqual([]);
  });

  it('does not alias the input: changing the input afterwards leaves the JSON as built', () => {
    const i = input('en');
    const { json } = buildPatientRecord(i);
    i.acts[0]!.amount.value = 99;
    expect(json.acts[0]!.amount.value).toBe(23);
  });
});
