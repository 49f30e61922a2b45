import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalRequestSchema } from '../../../src/domain/canonical-request.ts';
import { buildBlankForm } from '../../../src/payload/form/build-blank-form.ts';
import { FORM_LANGUAGES } from '../../../src/payload/form/form-labels.ts';
import { detectFormLanguage, parseForm, readFormLines } from '../../../src/payload/form/parse-form.ts';
import { buildPayloadDocument } from '../../../src/payload/mime/payload-document.ts';

const INS = '284037512345640';
const CNS = '898001160660001';
const ALL_COVERED = { reason: true, requestedIdentity: true, requestedSpecialty: true, modeOfReturn: true };

const cases = [
  {
    language: 'fr',
    text: `Bonjour,

Patiente: DUPONT Marie
INS: 2 84 03 75 123 456 40
Née le: 12/03/1984
Question: Palpitations depuis 3 semaines.
ECG joint, qu'en pensez-vous ?
Spécialité: Cardiologie
Consentement: oui, le 10/01/2026 — motif, identité et spécialité du médecin requis, mode de retour
Retour: téléphone
Urgent: non
Échéance: 30/01/2026

Dr Jean Martin`,
    expected: {
      patient: { identifiers: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: INS, type: 'INS' }], names: [{ family: 'DUPONT', given: ['Marie'], prefix: [] }], birthDate: '1984-03-12', sex: 'female' },
      question: "Palpitations depuis 3 semaines.\nECG joint, qu'en pensez-vous ?",
      specialty: 'Cardiologie',
      consent: { granted: true, date: '2026-01-10', covers: ALL_COVERED, modeOfReturn: 'phone-call', source: 'form' },
      priority: 'routine',
      neededBy: '2026-01-30',
    },
  },
  {
    language: 'pt',
    text: `Paciente: Maria da Silva Santos
CNS: ${CNS}
Nascimento: 1975-06-02
Pergunta: Lesão de pele há 2 meses, foto anexa. Conduta?
Especialidade: Dermatologia
Consentimento: sim, todos
Retorno: consulta
Urgente: sim
Prazo: 15/02/2026`,
    expected: {
      patient: { identifiers: [{ system: 'urn:oid:2.16.840.1.113883.13.236', value: CNS, type: 'CNS' }], names: [{ family: 'Santos', given: ['Maria', 'da', 'Silva'], prefix: [] }], birthDate: '1975-06-02' },
      question: 'Lesão de pele há 2 meses, foto anexa. Conduta?',
      specialty: 'Dermatologia',
      consent: { granted: true, covers: ALL_COVERED, modeOfReturn: 'synthesis-consultation', source: 'form' },
      priority: 'urgent',
      neededBy: '2026-02-15',
    },
  },
  {
    language: 'ru',
    text: `Пациентка: Иванова Анна Петровна
Дата рождения: 03.04.1990
Вопрос: Беременность 22 недели, УЗИ плода прилагается. Нужна консультация.
Специальность: Акушерство
Согласие: да — причина, ФИО и специальность консультанта, возврат
Возврат: письмо
Срок: 20.01.2026`,
    expected: {
      patient: { identifiers: [], names: [{ family: 'Иванова', given: ['Анна', 'Петровна'], prefix: [] }], birthDate: '1990-04-03', sex: 'female' },
      question: 'Беременность 22 недели, УЗИ плода прилагается. Нужна консультация.',
      specialty: 'Акушерство',
      consent: { granted: true, covers: ALL_COVERED, modeOfReturn: 'paper-letter', source: 'form' },
      priority: 'routine',
      neededBy: '2026-01-20',
    },
  },
  {
    language: 'vi',
    text: `Bệnh nhân: Nguyễn Văn An
Ngày sinh: 1960
Câu hỏi: Ho kéo dài, phim X-quang đính kèm. Xin ý kiến.
Chuyên khoa: Hô hấp
Đồng ý: có, tất cả
Phản hồi: điện thoại
Khẩn cấp: có`,
    expected: {
      patient: { identifiers: [], names: [{ family: 'Nguyễn', given: ['Văn', 'An'], prefix: [] }], birthDate: '1960' },
      question: 'Ho kéo dài, phim X-quang đính kèm. Xin ý kiến.',
      specialty: 'Hô hấp',
      consent: { granted: true, covers: ALL_COVERED, modeOfReturn: 'phone-call', source: 'form' },
      priority: 'urgent',
    },
  },
  {
    language: 'en',
    text: `Patient: John SMITH
INS: ${INS.replace('2840', '1840').slice(0, 13)}${'00'}
Born: 1950-01-31
Question: Chronic knee pain, X-ray attached. Surgery?
Specialty: Orthopaedics
Consent: no
Deadline: 2026-03-01`,
    expected: null,
  },
] as const;

describe('the plain mail form in five languages', () => {
  for (const c of cases.filter((k) => k.expected)) {
    it(`reads the ${c.language} form`, () => {
      const pdf = buildPayloadDocument(Buffer.from('%PDF-1.4 x'), { contentType: 'application/pdf', name: 'ecg.pdf' });
      const r = parseForm(c.text, { from: 'dr@cabinet.mssante.fr', to: 'pool@chu.mssante.fr', documents: [pdf] });
      expect(r.ok ? [] : r.problems).toEqual([]);
      if (!r.ok) return;
      const e = c.expected!;
      expect(detectFormLanguage(c.text)).toBe(c.language);
      expect(r.value).toMatchObject({ dialect: 'form', channel: 'smtp', requester: { address: 'dr@cabinet.mssante.fr' }, requested: { address: 'pool@chu.mssante.fr' } });
      expect(r.value.patient).toEqual(e.patient);
      expect(r.value.question).toBe(e.question);
      expect(r.value.requested.specialty?.display).toBe(e.specialty);
      expect(r.value.consent).toEqual(e.consent);
      expect(r.value.priority).toBe(e.priority);
      expect(r.value.neededBy).toBe('neededBy' in e ? e.neededBy : undefined);
      expect(r.value.attachments).toEqual([pdf.attachment]);
      expect(CanonicalRequestSchema.parse(r.value)).toEqual(r.value);
    });
  }

  it('reads the English form, and finds a bad INS key', () => {
    const c = cases[4];
    expect(detectFormLanguage(c.text)).toBe('en');
    const r = parseForm(c.text);
    expect(r).toEqual({ ok: false, problems: [{ code: 'FORM_IDENTIFIER_INVALID', path: 'form.line[2]', message: 'NIR key does not match' }] });
    const fixed = parseForm(c.text.replace(/^INS:.*$/m, 'INS: 184017512378916'));
    expect(fixed.ok && fixed.value).toMatchObject({
      patient: { names: [{ family: 'SMITH', given: ['John'] }], birthDate: '1950-01-31' },
      consent: { granted: false, covers: { reason: false, requestedIdentity: false, requestedSpecialty: false, modeOfReturn: false } },
      neededBy: '2026-03-01',
    });
  });

  it('gives FORM_UNREADABLE for a mail without the form, and FORM_MISSING for a form without patient or question', () => {
    expect(parseForm('Hello, could you have a look at my patient? Thanks')).toEqual({ ok: false, problems: [{ code: 'FORM_UNREADABLE', path: 'form', message: expect.any(String) }] });
    const r = parseForm('Spécialité: Cardiologie\nUrgent: non');
    expect(r.ok ? [] : r.problems.map((p) => [p.code, p.path])).toEqual([
      ['FORM_MISSING', 'form.patient'],
      ['FORM_MISSING', 'form.question'],
    ]);
    expect(parseForm('Patient: X Y\nQuestion: ?\nNé le: 31/02/2001').ok).toBe(false);
  });

  it('ignores quoted text and the signature', () => {
    const r = parseForm('> Patient: OLD Quoted\nPatient: NEW Person\nQuestion: yes?\n-- \nPatient: SIGNATURE Line');
    expect(r.ok && r.value.patient.names).toEqual([{ family: 'NEW', given: ['Person'], prefix: [] }]);
  });

  for (const language of FORM_LANGUAGES) {
    it(`builds the blank ${language} form: it explains, and sent back blank it reads as missing patient and question`, () => {
      const blank = buildBlankForm(language);
      expect(blank.language).toBe(language);
      expect(blank.subject.length).toBeGreaterThan(5);
      const [intro] = blank.text.split('\n\n');
      expect(readFormLines(intro!)).toEqual([]);
      expect(detectFormLanguage(blank.text)).toBe(language === 'en' ? 'en' : language);
      const r = parseForm(blank.text);
      expect(r.ok ? [] : r.problems.map((p) => p.code)).toEqual(['FORM_MISSING', 'FORM_MISSING']);
    });
  }

  it('reads a blank form filled in', () => {
    const filled = buildBlankForm('fr')
      .text.replace(/^Patient: $/m, 'Patient: DURAND Paul')
      .replace(/^Question: $/m, 'Question: Avis sur ce grain de beauté ?')
      .replace(/^INS: $/m, 'INS: 184017512378916');
    const r = parseForm(filled);
    expect(r.ok && r.value).toMatchObject({ patient: { names: [{ family: 'DURAND', given: ['Paul'] }] }, question: 'Avis sur ce grain de beauté ?' });
  });

  it('gives problems or a request, never an exception, for any text', () => {
    const labels = ['Patient: ', 'INS: ', 'Né le: ', 'Question: ', 'Consentement: ', 'Retour: ', 'Urgent: ', 'Échéance: ', 'Пациент: ', 'Câu hỏi: ', '\n', '> '];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...labels), fc.string({ maxLength: 30 })), { maxLength: 30 }), (parts) => {
        const r = parseForm(parts.join(''));
        if (r.ok) expect(CanonicalRequestSchema.safeParse(r.value).success).toBe(true);
        else for (const p of r.problems) expect(p.code).toMatch(/^FORM_[A-Z_]+$/);
      }),
      { numRuns: 500 },
    );
  });
});
