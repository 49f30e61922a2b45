import { describe, expect, it } from 'vitest';
import { resolveParties } from '../../src/policy/check-pair.ts';
import { checkEligibility, type EligibilityContext, type ExpertCandidate } from '../../src/routing/check-eligibility.ts';
import { AT, FR, frProfession, frRequest, frSpecialty, pack } from '../policy/policy-fixtures.ts';

const fr = pack('fr-teleexpertise');
const generic = pack('generic');

function context(over: Partial<EligibilityContext> = {}): EligibilityContext {
  return { pack: fr, requester: resolveParties(frRequest(), fr, { at: AT, quotaUsed: 0 }).requester, requesterId: 'gp-1', today: '2026-01-10', excluded: new Set(), ...over };
}

const cardiologist: ExpertCandidate = {
  id: 'c1',
  address: 'c1@chu.mssante.fr',
  profession: frProfession('10'),
  specialties: [frSpecialty('SM04')],
  openRequests: 1,
  capacity: 2,
  absences: [],
  hubFor: [],
  hasCertificate: true,
};

describe('checkEligibility', () => {
  it.each([
    ['eligible, with the pair rule that allows it', cardiologist, context(), undefined, { unavailable: [], pairRule: 'general-practice-and-organ-specialist' }],
    ['absent on the first day of the absence', { ...cardiologist, absences: [{ firstDay: '2026-01-10', lastDay: '2026-01-12' }] }, context(), undefined, { unavailable: ['absent'] }],
    ['absent on the last day of the absence', { ...cardiologist, absences: [{ firstDay: '2026-01-01', lastDay: '2026-01-10' }] }, context(), undefined, { unavailable: ['absent'] }],
    ['every reason listed', { ...cardiologist, openRequests: 2, hasCertificate: false, absences: [{ firstDay: '2026-01-10', lastDay: '2026-01-10' }] }, context({ excluded: new Set(['c1']) }), undefined, { unavailable: ['absent', 'full', 'excluded', 'no-certificate'] }],
    ['the requester is never their own expert', cardiologist, context({ requesterId: 'c1' }), undefined, { unavailable: ['requester'] }],
    ['a pool of another specialty', cardiologist, context(), 'dermatology', { unavailable: ['not-in-pool'] }],
    ['the "any" pool takes every specialty', cardiologist, context(), 'any', { unavailable: [], pairRule: 'general-practice-and-organ-specialist' }],
    ['an unknown profession is not an eligible pair (fail closed)', { ...cardiologist, profession: undefined }, context(), undefined, { unavailable: ['pair-not-eligible'] }],
    ['a nurse asking a GP: auxiliary to doctor', { ...cardiologist, specialties: [frSpecialty('SM54')] }, context({ requester: resolveParties(frRequest({}, FR.nurse), fr, { at: AT, quotaUsed: 0 }).requester }), undefined, { unavailable: [], pairRule: 'auxiliary-or-midwife-to-doctor' }],
    ['no pair matrix: any pair', { ...cardiologist, profession: undefined, specialties: [] }, context({ pack: generic }), undefined, { unavailable: [] }],
  ])('%s', (_name, candidate, ctx, pool, expected) => {
    expect(checkEligibility(candidate as ExpertCandidate, ctx, pool)).toEqual(expected);
  });
});
