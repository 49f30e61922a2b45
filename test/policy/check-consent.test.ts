import { describe, expect, it } from 'vitest';
import { checkConsent, consentDay } from '../../src/policy/check-consent.ts';
import { brRequest, FULL_CONSENT, type ConsentInput, frRequest, genericRequest, pack, ruRequest, vnRequest } from './policy-fixtures.ts';

const fr = pack('fr-teleexpertise');
/** the Paris day of the fixtures' AT */
const DAY = '2026-01-10';
const covers = (over: ConsentInput['covers']): ConsentInput => ({ ...FULL_CONSENT, covers: { ...FULL_CONSENT.covers, ...over } });

describe('checkConsent', () => {
  it.each([
    ['fr-teleexpertise: a consent covering reason, identity, specialty and mode of return, dated that day', FULL_CONSENT],
    ['fr-teleexpertise: dated the day before', { ...FULL_CONSENT, date: '2026-01-09' }],
    ['fr-teleexpertise: dated that day with a time, in Paris', { ...FULL_CONSENT, date: '2026-01-10T23:30:00+01:00' }],
    ['fr-teleexpertise: no date given (nothing to compare)', { ...FULL_CONSENT, date: undefined }],
    ['fr-teleexpertise: no mode named (covered, not named)', { ...FULL_CONSENT, modeOfReturn: undefined }],
    ...(['synthesis-consultation', 'phone-call', 'mon-espace-sante', 'paper-letter'] as const).map(
      (mode): [string, ConsentInput] => [`fr-teleexpertise: mode of return ${mode}`, { ...FULL_CONSENT, modeOfReturn: mode }],
    ),
  ] as [string, ConsentInput][])('passes %s', (_rule, consent) => {
    expect(checkConsent(frRequest({ consent }), fr, DAY)).toEqual([]);
  });

  it.each([
    ['fr-teleexpertise: no consent', undefined, 'POLICY_CONSENT_MISSING', 'consent', undefined],
    ['fr-teleexpertise: consent not granted', { ...FULL_CONSENT, granted: false }, 'POLICY_CONSENT_MISSING', 'consent.granted', undefined],
    ['fr-teleexpertise: the reason not covered', covers({ reason: false }), 'POLICY_CONSENT_INCOMPLETE', 'consent.covers', ['reason']],
    ['fr-teleexpertise: the identity of the requested not covered', covers({ requestedIdentity: false }), 'POLICY_CONSENT_INCOMPLETE', 'consent.covers', ['requestedIdentity']],
    ['fr-teleexpertise: the specialty of the requested not covered', covers({ requestedSpecialty: false }), 'POLICY_CONSENT_INCOMPLETE', 'consent.covers', ['requestedSpecialty']],
    ['fr-teleexpertise: the mode of return not covered', covers({ modeOfReturn: false }), 'POLICY_CONSENT_INCOMPLETE', 'consent.covers', ['modeOfReturn']],
    ['fr-teleexpertise: nothing covered (a CDA consent)', { ...FULL_CONSENT, covers: {} }, 'POLICY_CONSENT_INCOMPLETE', 'consent.covers', ['reason', 'requestedIdentity', 'requestedSpecialty', 'modeOfReturn']],
    ['fr-teleexpertise: dated the day after the request', { ...FULL_CONSENT, date: '2026-01-11' }, 'POLICY_CONSENT_INCOMPLETE', 'consent.date', ['date']],
    ['fr-teleexpertise: dated at 00:30 the next day in Paris (23:30 UTC)', { ...FULL_CONSENT, date: '2026-01-10T23:30:00Z' }, 'POLICY_CONSENT_INCOMPLETE', 'consent.date', ['date']],
    ['fr-teleexpertise: a date that does not exist', { ...FULL_CONSENT, date: '2026-02-30' }, 'POLICY_CONSENT_INCOMPLETE', 'consent.date', ['date']],
    ['fr-teleexpertise: a mode of return the programme does not accept', { ...FULL_CONSENT, modeOfReturn: 'secure-mail' }, 'POLICY_CONSENT_INCOMPLETE', 'consent.modeOfReturn', ['modeOfReturn']],
    ['fr-teleexpertise: a cover missing and dated after: both listed', { ...covers({ reason: false }), date: '2026-02-01' }, 'POLICY_CONSENT_INCOMPLETE', 'consent.covers', ['reason', 'date']],
  ] as const)('refuses %s', (_rule, consent, code, path, missing) => {
    const reasons = checkConsent(frRequest({ consent }), fr, DAY);
    expect(reasons).toEqual([expect.objectContaining({ code, path })]);
    expect(reasons[0]!.params?.missing).toEqual(missing);
  });

  it.each([
    ['br-telessaude', brRequest, '2026-02-12'],
    ['ru-federal-centres', ruRequest, DAY],
    ['vn-hub-spoke', vnRequest, DAY],
    ['generic', genericRequest, DAY],
  ] as const)('%s: requires a granted consent, nothing covered needed', (name, make, at) => {
    const p = pack(name);
    expect(checkConsent(make(), p, at)).toEqual([]);
    expect(checkConsent(make({ consent: undefined }), p, at)).toEqual([expect.objectContaining({ code: 'POLICY_CONSENT_MISSING' })]);
    expect(checkConsent(make({ consent: { granted: false, covers: {}, source: 'form' } }), p, at)).toEqual([expect.objectContaining({ code: 'POLICY_CONSENT_MISSING' })]);
  });

  it('checks nothing when the pack does not require consent', () => {
    expect(checkConsent(frRequest({ consent: undefined }), { ...fr, consent: { ...fr.consent, required: false } }, DAY)).toEqual([]);
  });
});

describe('consentDay', () => {
  it.each([
    ['2026-01-10', '2026-01-10'],
    ['2026-01-10T23:30:00Z', '2026-01-11'],
    ['2026-01-10T23:30:00+01:00', '2026-01-10'],
    ['2026-01-10T23:30:00', '2026-01-10'],
    ['2026-13-01', undefined],
    ['2026-01-10Tgarbage', undefined],
  ])('%s is the Paris day %s', (date, day) => {
    expect(consentDay(date, 'Europe/Paris')).toBe(day);
  });
});
