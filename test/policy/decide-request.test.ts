import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalRequestSchema, type CanonicalRequest } from '../../src/domain/canonical-request.ts';
import { computeDeadline } from '../../src/policy/compute-deadline.ts';
import { decideRequest, refuseForQuota } from '../../src/policy/decide-request.ts';
import { dayNumber } from '../../src/policy/local-date.ts';
import { SHIPPED_PACKS } from '../../src/policy/load-rule-pack.ts';
import {
  BR_FACTS,
  brRequest,
  cbo,
  facts,
  FR,
  FULL_CONSENT,
  frProfession,
  frRequest,
  frSpecialty,
  genericRequest,
  INS,
  pack,
  ruProfession,
  ruRequest,
  vnRequest,
} from './policy-fixtures.ts';

const fr = pack('fr-teleexpertise');
const codes = (v: { reasons: { code: string }[] }) => v.reasons.map((r) => r.code);

describe('decideRequest: each shipped pack admits its admissible request', () => {
  it.each([
    ['fr-teleexpertise', frRequest(), facts(), '2026-01-17', ['TE2', 'RQD']],
    ['br-telessaude', brRequest(), facts({ at: new Date('2026-02-12T15:00:00Z'), ...BR_FACTS }), '2026-02-19', []],
    ['ru-federal-centres', ruRequest(), facts(), '2026-01-13', []],
    ['vn-hub-spoke', vnRequest(), facts(), '2026-01-14', []],
    ['generic', genericRequest(), facts(), '2026-01-17', []],
  ] as const)('%s', (name, request, f, deadline, acts) => {
    const p = pack(name);
    const verdict = decideRequest(request, p, f);
    expect(verdict.reasons).toEqual([]);
    expect(verdict).toMatchObject({ admitted: true, pack: { name, version: p.version }, language: p.language, deadline });
    expect(verdict.acts.map((a) => a.code)).toEqual(acts);
  });
});

describe('decideRequest — fr-teleexpertise quota (quota.limit 4, quota.window calendar-year, quota.key patient)', () => {
  it.each([
    [0, true],
    [3, true], // the fourth request of the year: admitted
    [4, false], // the fifth: refused
    [9, false],
  ])('with %i places taken: admitted %s', (quotaUsed, admitted) => {
    const verdict = decideRequest(frRequest(), fr, facts({ quotaUsed }));
    expect(verdict.admitted).toBe(admitted);
    expect(verdict.reasons).toEqual(
      admitted
        ? []
        : [{ code: 'POLICY_QUOTA_EXCEEDED', path: 'patient.identifiers', message: 'the quota of 4 admitted requests per calendar year is reached for this patient', params: { limit: 4, window: 'calendar-year' } }],
    );
  });

  it('gives the place the request takes: the key and the calendar year of the Paris date', () => {
    const verdict = decideRequest(frRequest({ consent: { ...FULL_CONSENT, date: '2025-12-01' } }), fr, facts({ at: new Date('2025-12-31T23:30:00Z'), quotaUsed: 3 }));
    expect(verdict.quota).toEqual({
      pack: 'fr-teleexpertise',
      key: `${INS}|276012A12345678`,
      day: dayNumber('2026-01-01'),
      firstDay: dayNumber('2026-01-01'),
      lastDay: dayNumber('2026-12-31'),
      limit: 4,
      window: 'calendar-year',
    });
  });

  it('refuses, failing closed, a patient without an identifier of the programme (the limit cannot be checked)', () => {
    const verdict = decideRequest(frRequest({ patient: { identifiers: [{ system: 'urn:oid:1.2.3', value: 'MRN42' }] } }), fr, facts());
    expect(verdict.reasons).toEqual([
      { code: 'POLICY_PATIENT_UNIDENTIFIED', path: 'patient.identifiers', message: expect.stringContaining('urn:oid:1.2.250.1.213.1.4.8, urn:oid:1.2.250.1.213.1.4.2') },
    ]);
    expect(verdict.quota).toBeUndefined();
  });

  it('has no quota claim in packs without a quota', () => {
    const verdict = decideRequest(ruRequest(), pack('ru-federal-centres'), facts({ quotaUsed: 1000 }));
    expect(verdict.admitted).toBe(true);
    expect(Object.hasOwn(verdict, 'quota')).toBe(false);
  });
});

describe('decideRequest — every failing check is reported', () => {
  it('fr-teleexpertise: no consent, urgent, quota reached and an ineligible pair, in that order', () => {
    const request = frRequest({ consent: undefined, priority: 'stat' }, FR.cardiologist, FR.dermatologist);
    const verdict = decideRequest(request, fr, facts({ quotaUsed: 4 }));
    expect(codes(verdict)).toEqual(['POLICY_CONSENT_MISSING', 'POLICY_URGENT_NOT_ALLOWED', 'POLICY_QUOTA_EXCEEDED', 'POLICY_PAIR_NOT_ELIGIBLE']);
    expect(verdict.admitted).toBe(false);
    expect(verdict.acts).toEqual([]); // refused: nothing billable
    expect(verdict.deadline).toBe('2026-01-17'); // the deadline is computed all the same
  });

  it('ru-federal-centres: a nurse with a cardiac case and no documents: pair, documents and requester', () => {
    const verdict = decideRequest(ruRequest({ requester: { profession: ruProfession('nurse') }, attachments: [] }), pack('ru-federal-centres'), facts());
    expect(codes(verdict)).toEqual(['POLICY_PAIR_NOT_ELIGIBLE', 'POLICY_DOCUMENTS_MISSING', 'POLICY_REQUESTER_NOT_ELIGIBLE']);
    expect(verdict.reasons[1]!.params).toEqual({ documents: ['выписка (эпикриз)', 'ЭКГ', 'протокол ЭхоКГ'] });
  });

  it('br-telessaude: urgent, from outside the state, without council', () => {
    const verdict = decideRequest(brRequest({ priority: 'urgent', requester: { profession: cbo('225142') } }), pack('br-telessaude'), facts({ at: new Date('2026-02-12T15:00:00Z'), requester: { municipality: '3550308' } }));
    expect(codes(verdict)).toEqual(['POLICY_URGENT_NOT_ALLOWED', 'POLICY_REQUESTER_NOT_ELIGIBLE', 'POLICY_REQUESTER_NOT_ELIGIBLE']);
  });

  it('no message quotes the patient', () => {
    const request = frRequest({ consent: undefined, priority: 'urgent', patient: { identifiers: [{ system: 'x', value: 'SECRET-ID' }], names: [{ family: 'DUPONT', given: ['Marie'] }] } }, {}, {});
    const verdict = decideRequest(request, fr, facts());
    expect(verdict.reasons.length).toBeGreaterThan(2);
    for (const r of verdict.reasons) expect(r.message).not.toMatch(/SECRET|DUPONT|Marie/);
  });
});

describe('decideRequest — deadline, tariffs, professions from the directory', () => {
  it('br-telessaude: the deadline is 3 business days in the pack calendar (Carnival and the weekend skipped)', () => {
    const br = pack('br-telessaude');
    const at = new Date('2026-02-12T15:00:00Z'); // Thursday before Carnival
    const verdict = decideRequest(brRequest(), br, facts({ at, ...BR_FACTS }));
    expect(verdict.deadline).toBe(computeDeadline(at, { days: 3, business: true }, { ...br.calendar!, timeZone: br.timeZone }));
    expect(verdict.deadline).toBe('2026-02-19'); // Fri 13, (weekend, Carnival Mon 16 and Tue 17), Wed 18, Thu 19
  });

  it.each([
    ['2025-12-31T22:30:00Z', 20], // 23:30 in Paris
    ['2025-12-31T23:30:00Z', 23], // already 1 January in Paris
  ])('fr-teleexpertise: TE2 at %s is €%i', (at, amount) => {
    const verdict = decideRequest(frRequest({ consent: { ...FULL_CONSENT, date: '2025-12-01' } }), fr, facts({ at: new Date(at) }));
    expect(verdict.acts.find((a) => a.code === 'TE2')?.amount).toEqual({ value: amount, currency: 'EUR' });
  });

  it('fr-teleexpertise: RQD only when the requester may bill it (an orthoptist asks a GP: TE2 only)', () => {
    expect(decideRequest(frRequest({}, FR.orthoptist, FR.gp), fr, facts()).acts.map((a) => a.code)).toEqual(['TE2']);
    expect(decideRequest(frRequest({}, FR.nurse, FR.gp), fr, facts()).acts.map((a) => a.code)).toEqual(['TE2', 'RQD']);
  });

  it('fr-teleexpertise: a pool request (no expert) is a doctor of the pool specialty', () => {
    const request = frRequest({ requested: { specialty: frSpecialty('SM04'), address: 'cardiologie@chu.mssante.fr' } }, FR.gp, null);
    expect(decideRequest(request, fr, facts())).toMatchObject({ admitted: true, acts: [{ code: 'TE2' }, { code: 'RQD' }] });
  });

  it('fr-teleexpertise: professions from the directory when the request lacks them; unknown: refused', () => {
    const request = frRequest({}, {}, {});
    const directory = facts({ requester: { profession: frProfession('10'), specialty: frSpecialty('SM54') }, requested: { profession: frProfession('10'), specialty: frSpecialty('SM15') } });
    expect(decideRequest(request, fr, directory)).toMatchObject({ admitted: true, reasons: [] });
    expect(codes(decideRequest(request, fr, facts()))).toEqual(['POLICY_PAIR_NOT_ELIGIBLE', 'POLICY_PAIR_NOT_ELIGIBLE']);
  });
});

describe('refuseForQuota', () => {
  it('turns an admitted verdict into a quota refusal: no acts, the claim kept for the log', () => {
    const admitted = decideRequest(frRequest(), fr, facts({ quotaUsed: 3 }));
    const refused = refuseForQuota(admitted);
    expect(refused).toMatchObject({ admitted: false, acts: [], quota: admitted.quota, deadline: admitted.deadline });
    expect(refused.reasons).toEqual([expect.objectContaining({ code: 'POLICY_QUOTA_EXCEEDED', params: { limit: 4, window: 'calendar-year' } })]);
    expect(refuseForQuota(refused).reasons).toHaveLength(1);
  });
});

describe('decideRequest — property', () => {
  const PACKS = SHIPPED_PACKS.map(pack);
  const codings = fc.oneof(
    fc.constantFrom(frProfession('10'), frProfession('60'), frProfession('50'), frSpecialty('SM54'), frSpecialty('SM04'), cbo('225142'), cbo('2235'), ruProfession('doctor')),
    fc.record({ system: fc.string({ minLength: 1, maxLength: 12 }), code: fc.string({ minLength: 1, maxLength: 8 }) }),
  );
  const date = fc.oneof(
    fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.string({ maxLength: 10 })).map(
      ([y, m, d, rest]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${rest}`,
    ),
  );
  const practitioner = fc.record(
    {
      identifiers: fc.array(fc.record({ system: fc.constantFrom('urn:oid:1.2.250.1.71.4.2.1', 'x'), value: fc.string({ minLength: 1, maxLength: 6 }) }), { maxLength: 2 }),
      profession: codings,
      specialty: codings,
      council: fc.record({ name: fc.constantFrom('CRM', 'COREN', 'X'), number: fc.string({ minLength: 1, maxLength: 4 }), state: fc.constantFrom('MS', 'SP') }, { requiredKeys: ['name', 'number'] }),
      address: fc.constant('someone@example.org'),
    },
    { requiredKeys: [] },
  );
  const request = fc.record({
    ids: fc.constant({}),
    channel: fc.constantFrom('smtp', 'fhir'),
    dialect: fc.constantFrom('form', 'fhir', 'xdm', 'hl7v2-360x'),
    requester: practitioner,
    requested: fc.record({ expert: practitioner, specialty: codings, address: fc.constant('pool@example.org') }, { requiredKeys: [] }),
    patient: fc.record({ identifiers: fc.array(fc.record({ system: fc.constantFrom(INS, 'urn:oid:1.2.250.1.213.1.4.2', '1.2.250.1.213.1.4.8', 'mrn'), value: fc.string({ minLength: 1, maxLength: 15 }) }), { maxLength: 3 }) }),
    reason: fc.constant({}),
    category: fc.option(fc.constantFrom('cardiac', 'fetal', 'gynaecological', 'Cardiac', '*', 'other'), { nil: undefined }),
    priority: fc.constantFrom('routine', 'urgent', 'asap', 'stat'),
    consent: fc.option(
      fc.record(
        {
          granted: fc.boolean(),
          date,
          covers: fc.record({ reason: fc.boolean(), requestedIdentity: fc.boolean(), requestedSpecialty: fc.boolean(), modeOfReturn: fc.boolean() }, { requiredKeys: [] }),
          modeOfReturn: fc.constantFrom('synthesis-consultation', 'phone-call', 'mon-espace-sante', 'paper-letter', 'secure-mail', 'other'),
          source: fc.constant('form'),
        },
        { requiredKeys: ['granted', 'covers', 'source'] },
      ),
      { nil: undefined },
    ),
    attachments: fc.array(
      fc.record(
        { contentType: fc.constant('application/pdf'), name: fc.string({ minLength: 1, maxLength: 20 }), size: fc.nat(), sha256: fc.constant('d'.repeat(64)), kind: fc.constantFrom('ecg', 'echocardiography', 'ultrasound', 'Échographie') },
        { requiredKeys: ['contentType', 'size', 'sha256'] },
      ),
      { maxLength: 3 },
    ),
  });
  const factsArb = fc.record({
    at: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
    quotaUsed: fc.nat({ max: 10 }),
    requester: fc.option(fc.record({ profession: codings, specialty: codings, municipality: fc.constantFrom('5002704', '3550308', '') }, { requiredKeys: [] }), { nil: undefined }),
    requested: fc.option(fc.record({ profession: codings, specialty: codings }, { requiredKeys: [] }), { nil: undefined }),
  });

  it('never throws on a schema-valid request, and admits exactly when there is no reason', () => {
    fc.assert(
      fc.property(request, factsArb, fc.integer({ min: 0, max: PACKS.length - 1 }), (input, f, i) => {
        const parsed = CanonicalRequestSchema.safeParse(input);
        fc.pre(parsed.success);
        const verdict = decideRequest(parsed.data as CanonicalRequest, PACKS[i]!, f);
        expect(verdict.admitted).toBe(verdict.reasons.length === 0);
        if (!verdict.admitted) expect(verdict.acts).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });
});
