import { describe, expect, it } from 'vitest';
import { attachmentIsKind, checkDocuments, foldName } from '../../src/policy/check-documents.ts';
import { parseRulePack } from '../../src/policy/load-rule-pack.ts';
import { attachment, brRequest, frRequest, genericRequest, pack, ruRequest, vnRequest } from './policy-fixtures.ts';

const ru = pack('ru-federal-centres');
const SUMMARY = attachment('vypiska.pdf', 'discharge-summary');

describe('checkDocuments — ru-federal-centres', () => {
  it.each([
    ['cardiac: discharge summary, ECG and echocardiography named by their files', 'cardiac', [SUMMARY, attachment('ECG 12 leads.pdf'), attachment('EchoCG-report.pdf')]],
    ['cardiac: the documents carry their kinds, names say nothing', 'cardiac', [SUMMARY, attachment('scan1.pdf', 'ecg'), attachment(undefined, 'echocardiography')]],
    ['cardiac: Russian file names', 'cardiac', [attachment('Выписной эпикриз.pdf'), attachment('ЭКГ.pdf'), attachment('Протокол ЭхоКГ.pdf')]],
    ['fetal: an ultrasound named "echo-foetale.pdf" matched by pattern', 'fetal', [SUMMARY, attachment('echo-foetale.pdf')]],
    ['fetal: an "Échographie" (accents folded)', 'FETAL', [SUMMARY, attachment('Échographie T2.pdf')]],
    ['gynaecological: an ultrasound', 'gynaecological', [SUMMARY, attachment('УЗИ малого таза.pdf')]],
    ['another category: only the discharge summary', 'oncology', [SUMMARY]],
  ])('passes %s', (_rule, category, attachments) => {
    expect(checkDocuments(ruRequest({ category, attachments }), ru)).toEqual([]);
  });

  it.each([
    ['cardiac without the echocardiography report', 'cardiac', [SUMMARY, attachment('ecg.pdf')], ['протокол ЭхоКГ']],
    ['cardiac without ECG nor echocardiography', 'cardiac', [SUMMARY, attachment('letter.pdf', 'report')], ['ЭКГ', 'протокол ЭхоКГ']],
    ['cardiac with nothing: the discharge summary first', 'cardiac', [], ['выписка (эпикриз)', 'ЭКГ', 'протокол ЭхоКГ']],
    ['fetal with only an ECG', 'fetal', [SUMMARY, attachment('ecg.pdf')], ['протокол УЗИ плода']],
    ['every request needs the discharge summary', undefined, [attachment('ecg.pdf')], ['выписка (эпикриз)']],
  ])('refuses %s, naming what is missing', (_rule, category, attachments, documents) => {
    expect(checkDocuments(ruRequest({ category, attachments }), ru)).toEqual([
      { code: 'POLICY_DOCUMENTS_MISSING', path: 'attachments', message: expect.stringContaining(documents.join(', ')), params: { documents } },
    ]);
  });

  it('does not take "electrocardiogram" for an echocardiography, nor a file "recg.pdf" for an ECG', () => {
    expect(attachmentIsKind({ contentType: 'application/pdf', name: 'electrocardiogram.pdf', size: 1, sha256: 'c'.repeat(64) }, 'echocardiography', ru)).toBe(false);
    expect(attachmentIsKind({ contentType: 'application/pdf', name: 'recg.pdf', size: 1, sha256: 'c'.repeat(64) }, 'ecg', ru)).toBe(false);
    expect(attachmentIsKind({ contentType: 'application/pdf', name: 'ecg_2026.pdf', size: 1, sha256: 'c'.repeat(64) }, 'ecg', ru)).toBe(true);
  });

  it('the message names the pack category, never the request text', () => {
    const [reason] = checkDocuments(ruRequest({ category: 'Cardiac', attachments: [] }), ru);
    expect(reason?.message).toMatch(/^a cardiac case needs: /);
    const [other] = checkDocuments(ruRequest({ category: 'Иванов, 45 лет', attachments: [] }), ru);
    expect(other?.message).toMatch(/^every request needs: /);
  });
});

describe('checkDocuments — the other packs', () => {
  it.each([
    ['fr-teleexpertise', frRequest({ category: 'cardiac' })],
    ['br-telessaude', brRequest({ category: 'caso-clinico' })],
    ['vn-hub-spoke', vnRequest({ category: 'trauma' })],
    ['generic', genericRequest({ category: 'cardiac' })],
  ])('%s requires no document', (name, request) => {
    expect(checkDocuments(request, pack(name))).toEqual([]);
  });

  it('vn-hub-spoke recognises CT, ultrasound and X-ray files by name', () => {
    const vn = pack('vn-hub-spoke');
    const is = (name: string, kind: string) => attachmentIsKind({ contentType: 'image/jpeg', name, size: 1, sha256: 'c'.repeat(64) }, kind, vn);
    expect([is('CT-scan-nao.dcm', 'ct'), is('Chụp cắt lớp.jpg', 'ct'), is('siêu âm bụng.jpg', 'ultrasound'), is('X-quang ngực.jpg', 'xray'), is('Xray chest.png', 'xray')]).toEqual([true, true, true, true, true]);
    expect(is('report.pdf', 'ct')).toBe(false);
  });

  it('an operator pack: a document required for every request with "*"', () => {
    const r = parseRulePack({
      name: 'p',
      version: '1',
      title: 'P',
      language: 'en',
      timeZone: 'UTC',
      documents: { required: { '*': [{ kind: 'photo', label: 'a photo' }] }, namePatterns: { photo: ['\\.jpe?g$'] } },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(checkDocuments(genericRequest({ attachments: [attachment('IMG_001.JPG')] }), r.value)).toEqual([]);
    expect(checkDocuments(genericRequest(), r.value)).toEqual([expect.objectContaining({ params: { documents: ['a photo'] } })]);
  });
});

describe('foldName', () => {
  it.each([
    ['Échographie', 'echographie'],
    ['Siêu Âm', 'sieu am'],
    ['ЭхоКГ', 'эхокг'],
  ])('%s → %s', (name, folded) => expect(foldName(name)).toBe(folded));
});
