import { describe, expect, it } from 'vitest';
import {
  NOTICE_LANGUAGES,
  POLICY_REFUSAL_CODES,
  buildRefusalNotice,
  noticeText,
  type NoticeLanguage,
  type NoticeParams,
} from '../../src/policy/notice-texts.ts';

const ALL_PARAMS: NoticeParams = {
  limit: 4,
  window: 'calendar-year',
  documents: ['ECG', 'echocardiography report'],
  missing: ['reason', 'requestedIdentity', 'requestedSpecialty', 'modeOfReturn', 'date'],
};

const everyCodeInEveryLanguage = NOTICE_LANGUAGES.flatMap((language) => POLICY_REFUSAL_CODES.map((code) => [language, code] as const));

describe('noticeText', () => {
  it.each(everyCodeInEveryLanguage)('%s: %s has its own text, not the generic one', (language, code) => {
    for (const params of [undefined, ALL_PARAMS]) {
      const text = noticeText(code, language, params);
      expect(text.trim().length).toBeGreaterThan(20);
      expect(text).not.toBe(noticeText('SOME_UNKNOWN_CODE', language).replace('SOME_UNKNOWN_CODE', code));
      expect(text).not.toContain(code);
      expect(text).not.toMatch(/[{}]|undefined|NaN|\$/);
      expect(text).toMatch(/[.!]$/);
    }
  });

  it.each(POLICY_REFUSAL_CODES)('%s reads differently in each language', (code) => {
    const texts = new Set(NOTICE_LANGUAGES.map((language) => noticeText(code, language, ALL_PARAMS)));
    expect(texts.size).toBe(NOTICE_LANGUAGES.length);
  });

  it.each(NOTICE_LANGUAGES)('%s: every code has a distinct text', (language) => {
    const texts = new Set(POLICY_REFUSAL_CODES.map((code) => noticeText(code, language, ALL_PARAMS)));
    expect(texts.size).toBe(POLICY_REFUSAL_CODES.length);
  });

  it.each([
    ['fr', /[éèàç]/],
    ['pt-BR', /[ãçéõá]/],
    ['ru', /[а-яё]/],
    ['vi', /[ươăđâêô]/],
  ] as const)('%s texts are written in their own script and diacritics', (language, pattern) => {
    for (const code of POLICY_REFUSAL_CODES) expect(noticeText(code, language, ALL_PARAMS).toLowerCase()).toMatch(pattern);
  });

  it.each([
    ['quota: the limit and the calendar-year window, fr', 'POLICY_QUOTA_EXCEEDED', 'fr', { limit: 4, window: 'calendar-year' }, ['4 demandes', 'année civile']],
    ['quota: the limit and the rolling window, fr', 'POLICY_QUOTA_EXCEEDED', 'fr', { limit: 4, window: 'rolling-365-days' }, ['4 demandes', '365 jours glissants']],
    ['quota: a limit of one is singular, fr', 'POLICY_QUOTA_EXCEEDED', 'fr', { limit: 1, window: 'calendar-year' }, ['1 demande de']],
    ['quota: pt-BR calendar year', 'POLICY_QUOTA_EXCEEDED', 'pt-BR', { limit: 4, window: 'calendar-year' }, ['4 solicitações', 'ano civil']],
    ['quota: pt-BR rolling window', 'POLICY_QUOTA_EXCEEDED', 'pt-BR', { limit: 12, window: 'rolling-365-days' }, ['12 solicitações', '365 dias']],
    ['quota: ru, 4 takes the "few" form', 'POLICY_QUOTA_EXCEEDED', 'ru', { limit: 4, window: 'calendar-year' }, ['4 запроса', 'календарный год']],
    ['quota: ru, 5 takes the "many" form', 'POLICY_QUOTA_EXCEEDED', 'ru', { limit: 5, window: 'rolling-365-days' }, ['5 запросов', '365 дней']],
    ['quota: ru, 21 takes the "one" form', 'POLICY_QUOTA_EXCEEDED', 'ru', { limit: 21 }, ['21 запрос)']],
    ['quota: ru, 11 takes the "many" form', 'POLICY_QUOTA_EXCEEDED', 'ru', { limit: 11 }, ['11 запросов']],
    ['quota: vi', 'POLICY_QUOTA_EXCEEDED', 'vi', { limit: 4, window: 'calendar-year' }, ['4 yêu cầu', 'năm dương lịch']],
    ['quota: en calendar year', 'POLICY_QUOTA_EXCEEDED', 'en', { limit: 4, window: 'calendar-year' }, ['4 tele-expertise requests', 'per calendar year']],
    ['quota: en rolling window', 'POLICY_QUOTA_EXCEEDED', 'en', { limit: 4, window: 'rolling-365-days' }, ['4 tele-expertise requests', '365 days']],
    ['documents: the pack labels as given, en', 'POLICY_DOCUMENTS_MISSING', 'en', { documents: ['ECG', 'echocardiography report'] }, ['ECG, echocardiography report']],
    ['documents: the pack labels as given, ru', 'POLICY_DOCUMENTS_MISSING', 'ru', { documents: ['ЭКГ', 'протокол ЭхоКГ'] }, ['ЭКГ, протокол ЭхоКГ']],
    ['documents: the pack labels as given, vi', 'POLICY_DOCUMENTS_MISSING', 'vi', { documents: ['CT', 'siêu âm'] }, ['CT, siêu âm']],
    ['consent incomplete: one item translated, fr', 'POLICY_CONSENT_INCOMPLETE', 'fr', { missing: ['modeOfReturn'] }, ['le mode de retour de la réponse']],
    ['consent incomplete: items joined as a list, fr', 'POLICY_CONSENT_INCOMPLETE', 'fr', { missing: ['reason', 'requestedIdentity', 'requestedSpecialty'] }, ['le motif de la demande, l\'identité du professionnel sollicité et la spécialité du professionnel sollicité']],
    ['consent incomplete: dated after the request, fr', 'POLICY_CONSENT_INCOMPLETE', 'fr', { missing: ['date'] }, ['postérieur à la demande']],
    ['consent incomplete: items and date, en', 'POLICY_CONSENT_INCOMPLETE', 'en', { missing: ['reason', 'modeOfReturn', 'date'] }, ['does not cover the reason for the request and the mode of return of the answer', 'dated after the request']],
    ['consent incomplete: pt-BR', 'POLICY_CONSENT_INCOMPLETE', 'pt-BR', { missing: ['requestedSpecialty', 'date'] }, ['a especialidade do profissional solicitado', 'data posterior']],
    ['consent incomplete: ru', 'POLICY_CONSENT_INCOMPLETE', 'ru', { missing: ['reason', 'requestedIdentity'] }, ['цель запроса и личность врача-консультанта']],
    ['consent incomplete: vi', 'POLICY_CONSENT_INCOMPLETE', 'vi', { missing: ['reason', 'modeOfReturn', 'date'] }, ['lý do yêu cầu và hình thức phản hồi kết quả', 'sau ngày gửi yêu cầu']],
  ] as const)('%s', (_rule, code, language, params, expected) => {
    const text = noticeText(code, language, params as NoticeParams);
    for (const fragment of expected) expect(text).toContain(fragment);
  });

  it.each(NOTICE_LANGUAGES)('%s: consent incomplete does not mention the date unless it is missing', (language) => {
    const withDate = noticeText('POLICY_CONSENT_INCOMPLETE', language, { missing: ['reason', 'date'] });
    const withoutDate = noticeText('POLICY_CONSENT_INCOMPLETE', language, { missing: ['reason'] });
    expect(withDate.length).toBeGreaterThan(withoutDate.length);
    expect(withDate.startsWith(withoutDate.slice(0, -1))).toBe(true);
  });

  it.each(NOTICE_LANGUAGES)('%s: the window changes the quota text', (language) => {
    const calendar = noticeText('POLICY_QUOTA_EXCEEDED', language, { limit: 4, window: 'calendar-year' });
    const rolling = noticeText('POLICY_QUOTA_EXCEEDED', language, { limit: 4, window: 'rolling-365-days' });
    expect(calendar).not.toBe(rolling);
    expect(calendar).toContain('4');
  });

  it('flattens a document label to one line', () => {
    const text = noticeText('POLICY_DOCUMENTS_MISSING', 'en', { documents: ['ECG\r\nBcc: someone'] });
    expect(text).toContain('ECG Bcc: someone');
    expect(text).not.toMatch(/[\r\n]/);
  });

  it.each(NOTICE_LANGUAGES)('%s: an unknown code gets the generic text naming the code', (language) => {
    const text = noticeText('POLICY_SOMETHING_NEW', language);
    expect(text).toContain('(POLICY_SOMETHING_NEW)');
    expect(text.length).toBeGreaterThan('(POLICY_SOMETHING_NEW)'.length + 10);
  });
});

describe('buildRefusalNotice', () => {
  const reasons = [
    { code: 'POLICY_CONSENT_INCOMPLETE', params: { missing: ['modeOfReturn'] } },
    { code: 'POLICY_QUOTA_EXCEEDED', params: { limit: 4, window: 'calendar-year' as const } },
    { code: 'POLICY_DOCUMENTS_MISSING', params: { documents: ['ECG'] } },
    { code: 'POLICY_FUTURE_RULE' },
  ];

  it.each(NOTICE_LANGUAGES)('%s: opening line, one line per reason ending with its code, closing line', (language: NoticeLanguage) => {
    const lines = buildRefusalNotice(language, reasons, 'REF-2026-0042').split('\n');
    expect(lines).toHaveLength(reasons.length + 2);
    expect(lines[0]).toContain('REF-2026-0042');
    reasons.forEach((reason, i) => {
      const line = lines[i + 1] ?? '';
      expect(line.endsWith(`[${reason.code}]`)).toBe(true);
    });
    expect(lines[1]).toContain(noticeText('POLICY_CONSENT_INCOMPLETE', language, { missing: ['modeOfReturn'] }));
    expect(lines[2]).toContain(noticeText('POLICY_QUOTA_EXCEEDED', language, { limit: 4, window: 'calendar-year' }));
    expect(lines[3]).toContain('ECG');
    expect(lines[4]?.match(/POLICY_FUTURE_RULE/g)).toHaveLength(1);
    const closing = lines[lines.length - 1] ?? '';
    expect(closing).not.toMatch(/\[|REF-2026-0042/);
    expect(buildRefusalNotice(language, reasons, 'REF-2026-0042')).not.toMatch(/[{}]|undefined/);
  });

  it.each([
    ['fr', 'spécialiste'],
    ['pt-BR', 'especialista'],
    ['ru', 'специалисту'],
    ['vi', 'chuyên gia'],
    ['en', 'specialist'],
  ] as const)('%s: the closing line says nothing was forwarded to a specialist', (language, word) => {
    const lines = buildRefusalNotice(language, [{ code: 'POLICY_URGENT_NOT_ALLOWED' }]).split('\n');
    expect(lines[lines.length - 1]).toContain(word);
  });

  it.each(NOTICE_LANGUAGES)('%s: without a reference the opening line has no empty brackets', (language) => {
    const opening = buildRefusalNotice(language, [{ code: 'POLICY_URGENT_NOT_ALLOWED' }]).split('\n')[0] ?? '';
    expect(opening).not.toMatch(/\(|\)/);
    const withBlank = buildRefusalNotice(language, [{ code: 'POLICY_URGENT_NOT_ALLOWED' }], '   ').split('\n')[0];
    expect(withBlank).toBe(opening);
  });

  it('keeps a reference with line breaks on the opening line', () => {
    const notice = buildRefusalNotice('en', [{ code: 'POLICY_URGENT_NOT_ALLOWED' }], 'A-1\r\nInjected: line');
    expect(notice.split('\n')).toHaveLength(3);
    expect(notice.split('\n')[0]).toContain('A-1 Injected: line');
  });

  it('refuses to build a notice without a reason', () => {
    expect(() => buildRefusalNotice('fr', [])).toThrow(RangeError);
  });
});
