/**
 * Whether one expert may take a request now: present today (local day of the pack), under capacity, not excluded
 * (declined or let the deadline pass), not the requester, with a certificate to encrypt for, and an eligible pair
 * under the pack's matrix. An expert with several specialties is eligible when one of them makes the pair eligible
 * and, for a pool, matches the pool. Every reason an expert is not eligible is listed.
 */
import type { Coding } from '../domain/canonical-request.ts';
import { findEntryId, findPairRule, type Party } from '../policy/check-pair.ts';
import { ANY, type RulePack } from '../policy/rule-pack-schema.ts';

export interface ExpertCandidate {
  /** directory id */
  id: string;
  /** secure-mail address */
  address: string;
  profession?: Coding;
  specialties: Coding[];
  /** open requests at once (undefined: no limit) */
  capacity?: number;
  openRequests: number;
  /** YYYY-MM-DD, both days included */
  absences: { firstDay: string; lastDay: string }[];
  /** ids of the spoke practitioners this hub serves */
  hubFor: string[];
  /** a certificate to encrypt for, valid today */
  hasCertificate: boolean;
}

export type Unavailability = 'absent' | 'full' | 'excluded' | 'requester' | 'no-certificate' | 'pair-not-eligible' | 'not-in-pool';

export const UNAVAILABILITY_TEXT: Record<Unavailability, string> = {
  absent: 'absent today',
  full: 'at capacity',
  excluded: 'declined or let the deadline pass',
  requester: 'is the requester',
  'no-certificate': 'no valid certificate',
  'pair-not-eligible': 'not an eligible pair',
  'not-in-pool': 'not of the pool specialty',
};

export interface EligibilityContext {
  pack: RulePack;
  /** the requester as the pack sees it (resolveParties) */
  requester: Party;
  requesterId?: string;
  /** the local day (YYYY-MM-DD) in the pack's time zone */
  today: string;
  excluded: ReadonlySet<string>;
}

export interface Eligibility {
  /** empty when eligible */
  unavailable: Unavailability[];
  /** the pair rule that allows it (undefined when the pack has no pair matrix, or not eligible) */
  pairRule?: string;
}

export function isAbsent(candidate: ExpertCandidate, today: string): boolean {
  return candidate.absences.some((a) => a.firstDay <= today && today <= a.lastDay);
}

export function isFull(candidate: ExpertCandidate): boolean {
  return candidate.capacity !== undefined && candidate.openRequests >= candidate.capacity;
}

/** The requested sides an expert can be: one per specialty (only the pool's, for a pool), or one without specialty. */
function requestedParties(pack: RulePack, candidate: ExpertCandidate, pool: string | undefined): Party[] {
  const base: Party = { professionFrom: 'directory' };
  if (candidate.profession) {
    base.profession = candidate.profession;
    const id = findEntryId(pack.professions, candidate.profession);
    if (id !== undefined) base.professionId = id;
  }
  const withSpecialty = candidate.specialties.map((specialty): Party => {
    const id = findEntryId(pack.specialties, specialty);
    return id === undefined ? { ...base, specialty } : { ...base, specialty, specialtyId: id };
  });
  if (pool !== undefined && pool !== ANY) return withSpecialty.filter((p) => p.specialtyId === pool);
  return withSpecialty.length > 0 ? withSpecialty : [base];
}

/**
 * Why a candidate may not take the request (empty: eligible). `pool` is the pool's specialty id or "any" when the
 * candidate is chosen from a pool, undefined when it is named (the named expert, the earlier expert, a hub).
 */
export function checkEligibility(candidate: ExpertCandidate, ctx: EligibilityContext, pool?: string): Eligibility {
  const unavailable: Unavailability[] = [];
  if (isAbsent(candidate, ctx.today)) unavailable.push('absent');
  if (isFull(candidate)) unavailable.push('full');
  if (ctx.excluded.has(candidate.id)) unavailable.push('excluded');
  if (ctx.requesterId !== undefined && candidate.id === ctx.requesterId) unavailable.push('requester');
  if (!candidate.hasCertificate) unavailable.push('no-certificate');
  const parties = requestedParties(ctx.pack, candidate, pool);
  if (parties.length === 0) return { unavailable: [...unavailable, 'not-in-pool'] };
  if (!ctx.pack.pairs) return { unavailable };
  for (const requested of parties) {
    const rule = findPairRule({ requester: ctx.requester, requested }, ctx.pack);
    if (rule) return unavailable.length === 0 ? { unavailable, pairRule: rule.name } : { unavailable };
  }
  return { unavailable: [...unavailable, 'pair-not-eligible'] };
}
