import { describe, expect, it } from 'vitest';
import { resolveParties } from '../../src/policy/check-pair.ts';
import { findBillableActs, tariffOn } from '../../src/policy/find-billable-acts.ts';
import { localDate } from '../../src/policy/local-date.ts';
import { brRequest, facts, FR, frRequest, pack, ruRequest, vnRequest, type Professional } from './policy-fixtures.ts';

const fr = pack('fr-teleexpertise');

function actsOn(day: string, requester: Professional = FR.gp, expert: Professional = FR.cardiologist) {
  const request = frRequest({}, requester, expert);
  return findBillableActs(fr, resolveParties(request, fr, facts()), day).map((a) => `${a.code} ${a.billedBy} ${a.amount.value} ${a.amount.currency}`);
}

describe('findBillableActs — fr-teleexpertise', () => {
  it.each([
    ['2022-03-31', 'before TE2 and RQD (as encoded)', []],
    ['2022-04-01', 'TE2 €20 from 2022-04-01', ['TE2 requested 20 EUR', 'RQD requester 10 EUR']],
    ['2025-12-31', 'TE2 still €20 on 31 December 2025', ['TE2 requested 20 EUR', 'RQD requester 10 EUR']],
    ['2026-01-01', 'TE2 €23 from 1 January 2026', ['TE2 requested 23 EUR', 'RQD requester 10 EUR']],
  ])('%s: %s', (day, _rule, acts) => {
    expect(actsOn(day)).toEqual(acts);
  });

  it('takes the tariff of the local date in Paris: 2025-12-31T23:30:00Z is already 2026-01-01 there', () => {
    const at = new Date('2025-12-31T23:30:00Z');
    expect(localDate(at, fr.timeZone)).toBe('2026-01-01');
    expect(actsOn(localDate(at, fr.timeZone))).toContain('TE2 requested 23 EUR');
    expect(actsOn(localDate(new Date('2025-12-31T22:59:59Z'), fr.timeZone))).toContain('TE2 requested 20 EUR');
  });

  it.each([
    ['acts.1 RQD: a doctor requester bills it', FR.gp, FR.cardiologist, ['TE2', 'RQD']],
    ['acts.1 RQD: a midwife requester bills it', FR.midwife, FR.gp, ['TE2', 'RQD']],
    ['acts.1 RQD: a nurse requester bills it', FR.nurse, FR.gp, ['TE2', 'RQD']],
    ['acts.1 RQD: a physiotherapist requester bills it', FR.physiotherapist, FR.gp, ['TE2', 'RQD']],
    ['acts.1 RQD: a speech therapist requester bills it', FR.speechTherapist, FR.gp, ['TE2', 'RQD']],
    ['acts.1 RQD: a podiatrist requester bills it', FR.podiatrist, FR.gp, ['TE2', 'RQD']],
    ['acts.1 RQD: an orthoptist requester may not (not in the list)', FR.orthoptist, FR.gp, ['TE2']],
    ['acts.0 TE2: a midwife requested bills it', FR.gp, FR.midwife, ['TE2', 'RQD']],
    ['acts.0 TE2: a nurse requested may not', FR.physiotherapist, FR.nurse, ['RQD']],
    ['both: unknown professions bill nothing', {}, {}, []],
  ])('%s', (_rule, requester, expert, codes) => {
    expect(actsOn('2026-03-02', requester, expert).map((a) => a.split(' ')[0])).toEqual(codes);
  });

  it('gives the act its system and display', () => {
    const request = frRequest();
    expect(findBillableActs(fr, resolveParties(request, fr, facts()), '2026-03-02')[0]).toEqual({
      code: 'TE2',
      system: 'urn:txgate:ngap',
      display: 'Téléexpertise — acte du professionnel requis',
      billedBy: 'requested',
      when: 'opinion-delivered',
      amount: { value: 23, currency: 'EUR' },
    });
  });

  it('tariffOn: `to` is the last day the amount applies', () => {
    const te2 = fr.acts[0]!;
    expect(tariffOn(te2, '2025-12-31')?.amount).toBe(20);
    expect(tariffOn(te2, '2026-01-01')?.amount).toBe(23);
    expect(tariffOn(te2, '2022-03-31')).toBeUndefined();
  });
});

describe('findBillableActs — the packs without acts', () => {
  it.each([
    ['br-telessaude', brRequest()],
    ['ru-federal-centres', ruRequest()],
    ['vn-hub-spoke', vnRequest()],
  ])('%s bills nothing', (name, request) => {
    const p = pack(name);
    expect(findBillableActs(p, resolveParties(request, p, facts()), '2026-03-02')).toEqual([]);
  });
});
