import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, Coding } from '../../src/domain/canonical-request.ts';
import { findEntryId, findPairRule, resolveParties, type Party } from '../../src/policy/check-pair.ts';
import type { RulePack } from '../../src/policy/rule-pack-schema.ts';
import { routeRequest, type ExpertCandidate, type RouteDecision, type RoutingInput } from '../../src/routing/route-request.ts';
import { AT, brRequest, cbo, FR, frProfession, frRequest, frSpecialty, pack, ruProfession, ruRequest, vnProfession, vnRequest } from '../policy/policy-fixtures.ts';

const fr = pack('fr-teleexpertise');
const frRefuse: RulePack = { ...fr, routing: { ...fr.routing, namedExpertUnavailable: 'refuse' } };
const br = pack('br-telessaude');
const ru = pack('ru-federal-centres');
const vn = pack('vn-hub-spoke');

const DAY = 86_400_000;
/** AT is 10 January 2026 in Paris; an absence over it */
const ABSENT_TODAY = [{ firstDay: '2026-01-05', lastDay: '2026-01-10' }];
const ABSENT_BEFORE = [{ firstDay: '2026-01-01', lastDay: '2026-01-09' }];

const CARDIO = frSpecialty('SM04');
const DERMATO = frSpecialty('SM15');

function expert(id: string, over: Partial<ExpertCandidate> = {}): ExpertCandidate {
  return {
    id,
    address: `${id}@chu.mssante.fr`,
    profession: frProfession('10'),
    specialties: [CARDIO],
    openRequests: 0,
    absences: [],
    hubFor: [],
    hasCertificate: true,
    ...over,
  };
}

/** A French GP's request to the cardiology pool (cardiologie@…). */
const frPoolRequest = frRequest({ requested: { specialty: CARDIO, address: 'cardiologie@chu.mssante.fr' } }, FR.gp, null);

function frInput(over: Partial<RoutingInput> = {}): RoutingInput {
  return {
    request: frPoolRequest,
    requester: { id: 'gp-1' },
    poolSpecialty: 'cardiology',
    candidates: [],
    excluded: [],
    pack: fr,
    at: AT,
    random: () => 0,
    ...over,
  };
}

const frNamed = (over: Partial<RoutingInput> = {}) => frInput({ request: frRequest(), namedExpertId: 'named', poolSpecialty: undefined, ...over });

const ruDoctor = (id: string, over: Partial<ExpertCandidate> = {}) =>
  expert(id, { address: `${id}@centre.ru`, profession: ruProfession('doctor'), specialties: [{ system: 'urn:txgate:ru:specialty', code: 'cardiology' }], ...over });
const brCardiologist = (id: string, over: Partial<ExpertCandidate> = {}) => expert(id, { address: `${id}@telessaude.br`, profession: cbo('225120'), specialties: [cbo('225120')], ...over });
const vnDoctor = (id: string, over: Partial<ExpertCandidate> = {}) => expert(id, { address: `${id}@benhvien.vn`, profession: vnProfession('doctor'), specialties: [], ...over });

const brInput = (over: Partial<RoutingInput> = {}): RoutingInput =>
  frInput({ request: brRequest(), requester: { id: 'family-1' }, poolSpecialty: 'cardiology', pack: br, at: new Date('2026-03-10T13:00:00Z'), ...over });
const vnInput = (over: Partial<RoutingInput> = {}): RoutingInput =>
  frInput({ request: vnRequest({ requested: { address: 'hoichan@benhvien.vn' } }), requester: { id: 'spoke-1' }, poolSpecialty: 'any', pack: vn, ...over });

type Expected =
  | { outcome: 'assigned'; expertId: string; rule: string; reason?: string[] }
  | { outcome: 'waiting' | 'refused'; code: string; reason?: string[] };

interface Row {
  rule: string;
  name: string;
  input: RoutingInput;
  expected: Expected;
}

const rows: Row[] = [
  // a named expert
  {
    rule: 'named',
    name: 'the named expert, present and eligible, is assigned',
    input: frNamed({ candidates: [expert('named', { openRequests: 4 }), expert('idle')] }),
    expected: { outcome: 'assigned', expertId: 'named', rule: 'named', reason: ['named expert named', 'general-practice-and-organ-specialist'] },
  },
  {
    rule: 'named, unavailable → refuse',
    name: 'a named expert absent today is refused in a pack that refuses (ru-federal-centres)',
    input: frInput({ request: ruRequest(), pack: ru, namedExpertId: 'named', poolSpecialty: 'cardiology', candidates: [ruDoctor('named', { absences: ABSENT_TODAY }), ruDoctor('other')] }),
    expected: { outcome: 'refused', code: 'ROUTE_EXPERT_UNAVAILABLE', reason: ['named expert named unavailable (absent today)', 'refuses'] },
  },
  {
    rule: 'named, unavailable → reroute',
    name: 'a named expert absent today is rerouted to the pool of the expert’s specialty (fr-teleexpertise)',
    input: frNamed({ candidates: [expert('named', { absences: ABSENT_TODAY }), expert('other', { openRequests: 2 })] }),
    expected: { outcome: 'assigned', expertId: 'other', rule: 'pool', reason: ['named expert named unavailable (absent today), rerouted', 'pool cardiology: 1 eligible of 2'] },
  },
  {
    rule: 'named, unavailable → reroute',
    name: 'a named expert whose absence ended yesterday is assigned',
    input: frNamed({ candidates: [expert('named', { absences: ABSENT_BEFORE }), expert('other')] }),
    expected: { outcome: 'assigned', expertId: 'named', rule: 'named' },
  },
  {
    rule: 'named, unavailable → reroute',
    name: 'a named expert at capacity is rerouted to the pool the request names',
    input: frNamed({
      request: frRequest({ requested: { expert: { profession: FR.dermatologist.profession, specialty: DERMATO }, specialty: DERMATO } }),
      poolSpecialty: 'dermatology',
      candidates: [expert('named', { specialties: [DERMATO], capacity: 3, openRequests: 3 }), expert('derm', { specialties: [DERMATO] }), expert('cardio')],
    }),
    expected: { outcome: 'assigned', expertId: 'derm', rule: 'pool', reason: ['at capacity', 'pool dermatology'] },
  },
  {
    rule: 'named, unavailable → refuse',
    name: 'a named expert at capacity is refused when the pack refuses',
    input: frNamed({ pack: frRefuse, candidates: [expert('named', { capacity: 3, openRequests: 3 }), expert('other')] }),
    expected: { outcome: 'refused', code: 'ROUTE_EXPERT_UNAVAILABLE', reason: ['at capacity'] },
  },
  {
    rule: 'named, pair not eligible',
    name: 'a GP naming a radiologist (not an organ specialty) is refused: not an eligible pair',
    input: frNamed({ pack: frRefuse, candidates: [expert('named', { specialties: [frSpecialty('SM44')] })] }),
    expected: { outcome: 'refused', code: 'ROUTE_EXPERT_UNAVAILABLE', reason: ['not an eligible pair'] },
  },
  {
    rule: 'named, pair not eligible',
    name: 'a named expert with two specialties is eligible through the one that makes the pair',
    input: frNamed({ pack: frRefuse, candidates: [expert('named', { specialties: [frSpecialty('SM44'), CARDIO] })] }),
    expected: { outcome: 'assigned', expertId: 'named', rule: 'named' },
  },
  {
    rule: 'named, excluded',
    name: 'a named expert who declined is not assigned again: refused where the pack refuses',
    input: frNamed({ pack: frRefuse, excluded: ['named'], candidates: [expert('named'), expert('other')] }),
    expected: { outcome: 'refused', code: 'ROUTE_EXPERT_UNAVAILABLE', reason: ['declined or let the deadline pass'] },
  },
  {
    rule: 'named, excluded',
    name: 'a named expert who declined: rerouted to the pool where the pack reroutes',
    input: frNamed({ excluded: ['named'], candidates: [expert('named'), expert('other', { openRequests: 5 })] }),
    expected: { outcome: 'assigned', expertId: 'other', rule: 'pool' },
  },
  {
    rule: 'named, not in the directory',
    name: 'a named expert who is not among the candidates is unavailable',
    input: frNamed({ pack: frRefuse, candidates: [expert('other')] }),
    expected: { outcome: 'refused', code: 'ROUTE_EXPERT_UNAVAILABLE', reason: ['not among the candidates'] },
  },
  {
    rule: 'named, no pool to reroute to',
    name: 'a named expert unavailable with no known specialty and no pool: refused ROUTE_NO_POOL',
    input: frNamed({ candidates: [expert('named', { specialties: [], profession: frProfession('60'), hasCertificate: false })] }),
    expected: { outcome: 'refused', code: 'ROUTE_NO_POOL', reason: ['no valid certificate', 'no pool specialty to reroute to'] },
  },
  // the pool
  {
    rule: 'pool, least load',
    name: 'the expert with the fewest open requests is chosen',
    input: frInput({ candidates: [expert('a', { openRequests: 3 }), expert('b', { openRequests: 1 }), expert('c', { openRequests: 2 })] }),
    expected: { outcome: 'assigned', expertId: 'b', rule: 'pool', reason: ['pool cardiology: 3 eligible of 3, least load 1 open: b'] },
  },
  {
    rule: 'pool, least load (ratio)',
    name: 'when every eligible expert has a capacity, load is the ratio: 2/10 before 1/2',
    input: frInput({ candidates: [expert('a', { openRequests: 1, capacity: 2 }), expert('b', { openRequests: 2, capacity: 10 })] }),
    expected: { outcome: 'assigned', expertId: 'b', rule: 'pool', reason: ['least load 2/10: b'] },
  },
  {
    rule: 'pool, least load (count)',
    name: 'when one eligible expert has no capacity, load is the count of open requests',
    input: frInput({ candidates: [expert('a', { openRequests: 1, capacity: 2 }), expert('b', { openRequests: 2, capacity: 10 }), expert('c', { openRequests: 3 })] }),
    expected: { outcome: 'assigned', expertId: 'a', rule: 'pool' },
  },
  {
    rule: 'pool, capacity',
    name: 'an expert at capacity is skipped, however light the others',
    input: frInput({ candidates: [expert('full', { openRequests: 0, capacity: 0 }), expert('busy', { openRequests: 7 })] }),
    expected: { outcome: 'assigned', expertId: 'busy', rule: 'pool', reason: ['1 eligible of 2 (skipped: 1 at capacity)'] },
  },
  {
    rule: 'pool, absence',
    name: 'an expert absent today is skipped',
    input: frInput({ candidates: [expert('away', { absences: ABSENT_TODAY }), expert('here', { openRequests: 4 })] }),
    expected: { outcome: 'assigned', expertId: 'here', rule: 'pool', reason: ['skipped: 1 absent today'] },
  },
  {
    rule: 'pool, absence',
    name: 'the absence is read on the local day: 23:30 UTC on 9 January is already 10 January in Paris',
    input: frInput({ at: new Date('2026-01-09T23:30:00Z'), candidates: [expert('away', { absences: [{ firstDay: '2026-01-10', lastDay: '2026-01-10' }] }), expert('here', { openRequests: 4 })] }),
    expected: { outcome: 'assigned', expertId: 'here', rule: 'pool' },
  },
  {
    rule: 'pool, certificate',
    name: 'an expert without a valid certificate is skipped',
    input: frInput({ candidates: [expert('nocert', { hasCertificate: false }), expert('cert', { openRequests: 4 })] }),
    expected: { outcome: 'assigned', expertId: 'cert', rule: 'pool', reason: ['skipped: 1 no valid certificate'] },
  },
  {
    rule: 'pool, excluded',
    name: 'an expert who declined this request is skipped on reassignment',
    input: frInput({ excluded: ['first'], candidates: [expert('first'), expert('second', { openRequests: 4 })] }),
    expected: { outcome: 'assigned', expertId: 'second', rule: 'pool' },
  },
  {
    rule: 'pool, requester',
    name: 'a cardiologist asking the cardiology pool is not given their own request',
    input: frInput({ request: frRequest({ requested: { specialty: CARDIO } }, FR.cardiologist, null), requester: { id: 'me' }, candidates: [expert('me'), expert('colleague', { openRequests: 9 })] }),
    expected: { outcome: 'assigned', expertId: 'colleague', rule: 'pool', reason: ['doctors-of-the-same-specialty'] },
  },
  {
    rule: 'pool, specialty',
    name: 'an expert of another specialty is not a member of the pool',
    input: frInput({ candidates: [expert('derm', { specialties: [DERMATO] }), expert('cardio', { specialties: [DERMATO, CARDIO], openRequests: 6 })] }),
    expected: { outcome: 'assigned', expertId: 'cardio', rule: 'pool', reason: ['1 eligible of 1'] },
  },
  {
    rule: 'pool, pair not eligible',
    name: 'a pool expert whose profession the pack does not know is skipped (fail closed)',
    input: frInput({ candidates: [expert('unknown', { profession: undefined }), expert('known', { openRequests: 3 })] }),
    expected: { outcome: 'assigned', expertId: 'known', rule: 'pool', reason: ['skipped: 1 not an eligible pair'] },
  },
  {
    rule: 'pool, tie',
    name: 'a tie is broken by the injected random: 0 draws the first by id',
    input: frInput({ random: () => 0, candidates: [expert('y'), expert('x'), expert('z', { openRequests: 1 })] }),
    expected: { outcome: 'assigned', expertId: 'x', rule: 'pool', reason: ['drawn among 2 tied'] },
  },
  {
    rule: 'pool, tie',
    name: 'a tie is broken by the injected random: 0.99 draws the last by id',
    input: frInput({ random: () => 0.99, candidates: [expert('y'), expert('x'), expert('z', { openRequests: 1 })] }),
    expected: { outcome: 'assigned', expertId: 'y', rule: 'pool' },
  },
  {
    rule: 'pool, tie',
    name: 'the same load ratio is a tie: 1/2 and 2/4',
    input: frInput({ random: () => 0.5, candidates: [expert('a', { openRequests: 1, capacity: 2 }), expert('b', { openRequests: 2, capacity: 4 })] }),
    expected: { outcome: 'assigned', expertId: 'b', rule: 'pool', reason: ['drawn among 2 tied'] },
  },
  {
    rule: 'pool, from the specialty',
    name: 'Brazil: a family doctor’s request to the cardiology pool',
    input: brInput({ candidates: [brCardiologist('c1', { openRequests: 2 }), brCardiologist('c2', { openRequests: 1 })] }),
    expected: { outcome: 'assigned', expertId: 'c2', rule: 'pool' },
  },
  // hub and spoke
  {
    rule: 'hub',
    name: 'Vietnam: a spoke’s request goes to its hub, even with a lighter doctor in the pool',
    input: vnInput({ candidates: [vnDoctor('hub', { hubFor: ['spoke-1', 'spoke-2', 'spoke-3', 'spoke-4'], openRequests: 3 }), vnDoctor('idle')] }),
    expected: { outcome: 'assigned', expertId: 'hub', rule: 'hub', reason: ['hub of the requester (1 hub), least load 3 open: hub'] },
  },
  {
    rule: 'hub → pool',
    name: 'Vietnam: the hub absent, the request goes to the pool',
    input: vnInput({ candidates: [vnDoctor('hub', { hubFor: ['spoke-1'], absences: ABSENT_TODAY }), vnDoctor('other', { openRequests: 2 })] }),
    expected: { outcome: 'assigned', expertId: 'other', rule: 'pool', reason: ['hub unavailable (hub: absent today)', 'pool any: 1 eligible of 2'] },
  },
  {
    rule: 'hub → pool',
    name: 'Vietnam: a requester no hub serves goes to the pool',
    input: vnInput({ requester: { id: 'elsewhere' }, candidates: [vnDoctor('hub', { hubFor: ['spoke-1'] }), vnDoctor('other', { openRequests: 2 })] }),
    expected: { outcome: 'assigned', expertId: 'hub', rule: 'pool', reason: ['no hub serves the requester'] },
  },
  {
    rule: 'hub, not in the pack',
    name: 'without hubFirst a hub is just a member of the pool',
    input: frInput({ candidates: [expert('hub', { hubFor: ['gp-1'], openRequests: 3 }), expert('idle')] }),
    expected: { outcome: 'assigned', expertId: 'idle', rule: 'pool' },
  },
  // follow-up
  {
    rule: 'follow-up',
    name: 'Brazil: a follow-up 60 days later goes to the same expert',
    input: brInput({
      previous: { expertId: 'before', at: new Date(new Date('2026-03-10T13:00:00Z').getTime() - 60 * DAY) },
      candidates: [brCardiologist('before', { openRequests: 5 }), brCardiologist('idle')],
    }),
    expected: { outcome: 'assigned', expertId: 'before', rule: 'follow-up', reason: ['follow-up 60 days after the earlier request, within 60'] },
  },
  {
    rule: 'follow-up window passed',
    name: 'Brazil: a follow-up 61 days later goes to the pool',
    input: brInput({
      previous: { expertId: 'before', at: new Date(new Date('2026-03-10T13:00:00Z').getTime() - 61 * DAY) },
      candidates: [brCardiologist('before', { openRequests: 5 }), brCardiologist('idle')],
    }),
    expected: { outcome: 'assigned', expertId: 'idle', rule: 'pool', reason: ['beyond the 60-day follow-up window'] },
  },
  {
    rule: 'follow-up, expert unavailable',
    name: 'Brazil: the earlier expert absent, the follow-up goes to the pool',
    input: brInput({
      previous: { expertId: 'before', at: new Date(new Date('2026-03-10T13:00:00Z').getTime() - 10 * DAY) },
      candidates: [brCardiologist('before', { absences: [{ firstDay: '2026-03-01', lastDay: '2026-03-31' }] }), brCardiologist('idle', { openRequests: 3 })],
    }),
    expected: { outcome: 'assigned', expertId: 'idle', rule: 'pool', reason: ['earlier expert before unavailable (absent today)'] },
  },
  {
    rule: 'follow-up, not in the pack',
    name: 'France has no follow-up window: an earlier expert is not preferred',
    input: frInput({ previous: { expertId: 'before', at: AT }, candidates: [expert('before', { openRequests: 5 }), expert('idle')] }),
    expected: { outcome: 'assigned', expertId: 'idle', rule: 'pool' },
  },
  // nobody, no pool
  {
    rule: 'nobody available',
    name: 'every pool member absent, full or without certificate: the request waits',
    input: frInput({
      candidates: [expert('a', { absences: ABSENT_TODAY }), expert('b', { capacity: 1, openRequests: 1 }), expert('c', { hasCertificate: false }), expert('d', { specialties: [DERMATO] })],
    }),
    expected: { outcome: 'waiting', code: 'ROUTE_NO_EXPERT', reason: ['pool cardiology: 0 eligible of 3 (skipped: 1 absent today, 1 at capacity, 1 no valid certificate)'] },
  },
  {
    rule: 'nobody available',
    name: 'no candidate at all: the request waits',
    input: frInput({ candidates: [] }),
    expected: { outcome: 'waiting', code: 'ROUTE_NO_EXPERT', reason: ['pool cardiology: 0 eligible of 0'] },
  },
  {
    rule: 'no pool',
    name: 'no named expert and no pool specialty: refused',
    input: frInput({ request: frRequest({ requested: {} }, FR.gp, null), poolSpecialty: undefined, candidates: [expert('a')] }),
    expected: { outcome: 'refused', code: 'ROUTE_NO_POOL', reason: ['no named expert and no pool specialty'] },
  },
  {
    rule: 'no pool',
    name: 'a pool specialty the pack does not know: refused',
    input: frInput({ poolSpecialty: 'astrology', candidates: [expert('a')] }),
    expected: { outcome: 'refused', code: 'ROUTE_NO_POOL', reason: ['pool astrology is not a specialty of the pack'] },
  },
];

function shape(d: RouteDecision) {
  return d.outcome === 'assigned' ? { outcome: d.outcome, expertId: d.expertId, rule: d.rule } : { outcome: d.outcome, code: d.code };
}

describe('routeRequest', () => {
  it.each(rows)('$rule: $name', ({ input, expected }) => {
    const decision = routeRequest(input);
    const { reason: fragments = [], ...rest } = expected;
    expect(shape(decision)).toEqual(rest);
    for (const fragment of fragments) expect(decision.reason).toContain(fragment);
  });

  it.each(rows)('reasons name no patient data: $name', ({ input }) => {
    const { reason } = routeRequest(input);
    const patient = input.request.patient;
    for (const id of patient.identifiers) expect(reason).not.toContain(id.value);
    if (input.request.reason.text) expect(reason).not.toContain(input.request.reason.text);
    expect(reason).toMatch(/^[\x20-\x7e]+$/);
  });

  it('a candidate listed twice (named and in the pool) counts once', () => {
    const decision = routeRequest(frInput({ candidates: [expert('a', { openRequests: 1 }), expert('a', { openRequests: 1 }), expert('b', { openRequests: 2 })] }));
    expect(decision).toMatchObject({ outcome: 'assigned', expertId: 'a' });
    expect(decision.reason).toContain('2 eligible of 2');
  });

  it('calls random only to break a tie, and never with a tie of one', () => {
    let calls = 0;
    const random = () => {
      calls += 1;
      return 0.5;
    };
    routeRequest(frInput({ random, candidates: [expert('a'), expert('b', { openRequests: 1 })] }));
    expect(calls).toBe(0);
    routeRequest(frInput({ random, candidates: [expert('a'), expert('b')] }));
    expect(calls).toBe(1);
  });

  it('the injected random spreads a tie over every tied expert', () => {
    const chosen = new Set<string>();
    for (const r of [0, 0.2, 0.4, 0.6, 0.8, 0.999]) {
      const d = routeRequest(frInput({ random: () => r, candidates: [expert('a'), expert('b'), expert('c')] }));
      if (d.outcome === 'assigned') chosen.add(d.expertId);
    }
    expect([...chosen].sort()).toEqual(['a', 'b', 'c']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The property: an assigned expert satisfies every eligibility rule; waiting or refused only when the rule that
// applies has nobody eligible.

const TODAY = '2026-01-10';
const SPECIALTY_CODES = ['SM54', 'SM04', 'SM15', 'SM44'] as const;
const PROFESSION_CODES = ['10', '60', '50', '21'] as const;
const IDS = ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'] as const;

const candidateArb = (id: string) =>
  fc.record({
    profession: fc.option(fc.constantFrom(...PROFESSION_CODES), { nil: undefined }),
    specialties: fc.subarray([...SPECIALTY_CODES]),
    capacity: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    openRequests: fc.integer({ min: 0, max: 4 }),
    absence: fc.constantFrom('none', 'today', 'only-today', 'before'),
    hub: fc.boolean(),
    hasCertificate: fc.boolean(),
  }).map(
    (c): ExpertCandidate => ({
      id,
      address: `${id}@chu.mssante.fr`,
      ...(c.profession ? { profession: frProfession(c.profession) } : {}),
      specialties: c.specialties.map((s) => frSpecialty(s)),
      ...(c.capacity === undefined ? {} : { capacity: c.capacity }),
      openRequests: c.openRequests,
      absences: c.absence === 'today' ? ABSENT_TODAY : c.absence === 'only-today' ? [{ firstDay: TODAY, lastDay: TODAY }] : c.absence === 'before' ? ABSENT_BEFORE : [],
      hubFor: c.hub ? ['req'] : [],
      hasCertificate: c.hasCertificate,
    }),
  );

const inputArb = fc
  .record({
    count: fc.integer({ min: 0, max: IDS.length }),
    candidates: fc.tuple(...IDS.map((id) => candidateArb(id))),
    excluded: fc.subarray([...IDS]),
    named: fc.option(fc.constantFrom(...IDS, 'ghost'), { nil: undefined }),
    previous: fc.option(fc.record({ expertId: fc.constantFrom(...IDS), daysAgo: fc.integer({ min: 0, max: 90 }) }), { nil: undefined }),
    pool: fc.option(fc.constantFrom('cardiology', 'dermatology', 'general-practice', 'radiology', 'any'), { nil: undefined }),
    requesterId: fc.constantFrom('req', 'e0'),
    requesterProfession: fc.constantFrom(...PROFESSION_CODES),
    requesterSpecialty: fc.option(fc.constantFrom(...SPECIALTY_CODES), { nil: undefined }),
    namedExpertUnavailable: fc.constantFrom('refuse' as const, 'reroute' as const),
    followUpDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    hubFirst: fc.boolean(),
    random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  })
  .map((g): RoutingInput => {
    const routing = { ...fr.routing, namedExpertUnavailable: g.namedExpertUnavailable, hubFirst: g.hubFirst, followUpDays: g.followUpDays };
    const request: CanonicalRequest = frRequest(
      { requested: g.named ? { expert: {} } : {} },
      { profession: frProfession(g.requesterProfession), ...(g.requesterSpecialty ? { specialty: frSpecialty(g.requesterSpecialty) } : {}) },
      null,
    );
    return {
      request,
      requester: { id: g.requesterId },
      ...(g.named ? { namedExpertId: g.named } : {}),
      ...(g.pool ? { poolSpecialty: g.pool } : {}),
      candidates: g.candidates.slice(0, g.count),
      excluded: g.excluded,
      ...(g.previous ? { previous: { expertId: g.previous.expertId, at: new Date(AT.getTime() - g.previous.daysAgo * DAY) } } : {}),
      pack: { ...fr, routing },
      at: AT,
      random: () => g.random,
    };
  });

/** The eligibility rules, written again from the policy's pair logic: present, under capacity, not excluded… */
function isEligible(input: RoutingInput, c: ExpertCandidate, pool?: string): boolean {
  const { pack: p } = input;
  if (c.absences.some((a) => a.firstDay <= TODAY && TODAY <= a.lastDay)) return false;
  if (c.capacity !== undefined && c.openRequests >= c.capacity) return false;
  if (input.excluded.includes(c.id) || c.id === input.requester?.id || !c.hasCertificate) return false;
  const requester = resolveParties(input.request, p, { at: input.at, quotaUsed: 0 }).requester;
  const professionId = findEntryId(p.professions, c.profession);
  const sides: (Coding | undefined)[] = c.specialties.length > 0 ? c.specialties : [undefined];
  return sides.some((s) => {
    const specialtyId = findEntryId(p.specialties, s);
    if (pool !== undefined && pool !== 'any' && specialtyId !== pool) return false;
    const requested: Party = { ...(professionId ? { professionId } : {}), ...(specialtyId ? { specialtyId } : {}) };
    return findPairRule({ requester, requested }, p) !== undefined;
  });
}

function load(c: ExpertCandidate, byRatio: boolean): number {
  return byRatio ? c.openRequests / c.capacity! : c.openRequests;
}

describe('routeRequest — property', () => {
  it('assigns only an expert that satisfies every eligibility rule, and waits or refuses only when the rule that applies has none', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decision = routeRequest(input);
        expect(routeRequest(input)).toEqual(decision); // deterministic
        const unique = input.candidates;
        const routing = input.pack.routing;
        if (decision.outcome === 'assigned') {
          const c = unique.find((x) => x.id === decision.expertId);
          expect(c).toBeDefined();
          expect(isEligible(input, c!)).toBe(true);
          if (decision.rule === 'named') expect(c!.id).toBe(input.namedExpertId);
          if (decision.rule === 'follow-up') expect(c!.id).toBe(input.previous?.expertId);
          if (decision.rule === 'hub') expect(routing.hubFirst && c!.hubFor.includes(input.requester!.id!)).toBe(true);
          if (decision.rule === 'pool' && input.poolSpecialty !== undefined) {
            expect(isEligible(input, c!, input.poolSpecialty)).toBe(true);
            const eligible = unique.filter((x) => isEligible(input, x, input.poolSpecialty));
            const byRatio = eligible.every((x) => x.capacity !== undefined);
            for (const other of eligible) expect(load(other, byRatio)).toBeGreaterThanOrEqual(load(c!, byRatio));
          }
        } else {
          if (!unique.some((x) => isEligible(input, x))) return; // nobody eligible at all: not assigned, as it must be
          if (decision.outcome === 'waiting') {
            expect(input.poolSpecialty === undefined || !unique.some((x) => isEligible(input, x, input.poolSpecialty))).toBe(true);
          } else if (decision.code === 'ROUTE_EXPERT_UNAVAILABLE') {
            const named = unique.find((x) => x.id === input.namedExpertId);
            expect(routing.namedExpertUnavailable).toBe('refuse');
            expect(named === undefined || !isEligible(input, named)).toBe(true);
          } else {
            expect(input.poolSpecialty).toBeUndefined();
            expect(input.namedExpertId === undefined || routing.namedExpertUnavailable === 'reroute').toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never assigns when no candidate is eligible', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decision = routeRequest(input);
        if (!input.candidates.some((x) => isEligible(input, x))) expect(decision.outcome).not.toBe('assigned');
      }),
      { numRuns: 300 },
    );
  });
});
