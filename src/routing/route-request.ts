/**
 * Routing: which expert an admitted request goes to. Pure: the clock (`at`) and the randomness that breaks ties
 * (`random`) are inputs, the candidates come from the directory. In order:
 *
 * 1. a named expert: eligible → assigned; otherwise refused, or rerouted to the pool, as the pack says;
 * 2. a follow-up on the same case within the pack's followUpDays → the earlier expert, if eligible;
 * 3. hubFirst → the requester's hub (a candidate whose hubFor holds the requester's id), if eligible;
 * 4. the pool: the eligible experts of the pool specialty, least load first, ties drawn with `random`.
 *
 * Load is openRequests / capacity when every eligible expert of the choice has a capacity, else openRequests
 * (one measure per choice, so the order is total; see docs/decisions/0017-routing.md). Nobody eligible: waiting
 * (ROUTE_NO_EXPERT; the caller keeps the request and alerts the operator). No pool to fall back on: refused
 * (ROUTE_NO_POOL). Every reason is English and names experts by directory id, never the patient.
 */
import type { CanonicalRequest, Coding } from '../domain/canonical-request.ts';
import { findEntryId, resolveParties } from '../policy/check-pair.ts';
import { dayNumber, localDate } from '../policy/local-date.ts';
import { ANY, type RulePack } from '../policy/rule-pack-schema.ts';
import { checkEligibility, UNAVAILABILITY_TEXT, type EligibilityContext, type ExpertCandidate, type Unavailability } from './check-eligibility.ts';

export type { ExpertCandidate, Unavailability } from './check-eligibility.ts';
export { poolSpecialtyOf, resolvePoolSpecialty } from './pool-specialty.ts';

export interface RoutingInput {
  request: CanonicalRequest;
  /** the directory's view of the requester */
  requester?: { id?: string; profession?: Coding; specialty?: Coding };
  /** the expert the request names, resolved by the caller (identifiers / address) */
  namedExpertId?: string;
  /** the pack specialty id (or "any") of the pool: resolvePoolSpecialty(request, pack) */
  poolSpecialty?: string;
  /** the named expert, the pool's experts, the requester's hubs */
  candidates: ExpertCandidate[];
  /** experts who declined or let the deadline pass for this request */
  excluded: string[];
  /** the expert of an earlier request on the same case */
  previous?: { expertId: string; at: Date };
  pack: RulePack;
  /** now */
  at: Date;
  /** [0, 1), for ties */
  random: () => number;
}

export type RouteRule = 'named' | 'follow-up' | 'hub' | 'pool';

export type RouteDecision =
  | { outcome: 'assigned'; expertId: string; rule: RouteRule; reason: string }
  | { outcome: 'waiting'; code: 'ROUTE_NO_EXPERT'; reason: string }
  | { outcome: 'refused'; code: 'ROUTE_EXPERT_UNAVAILABLE' | 'ROUTE_NO_POOL'; reason: string };

interface Evaluated {
  candidate: ExpertCandidate;
  unavailable: Unavailability[];
  pairRule?: string;
}

function loadText(c: ExpertCandidate): string {
  return c.capacity === undefined ? `${c.openRequests} open` : `${c.openRequests}/${c.capacity}`;
}

function whyText(unavailable: readonly Unavailability[]): string {
  return unavailable.map((u) => UNAVAILABILITY_TEXT[u]).join(', ');
}

function eligibleText(e: Evaluated): string {
  return e.pairRule === undefined ? `${e.candidate.id}` : `${e.candidate.id} (pair ${e.pairRule})`;
}

/** "2 absent, 1 at capacity": how many candidates each reason put aside. */
function skippedText(evaluated: readonly Evaluated[]): string {
  const counts = new Map<Unavailability, number>();
  for (const e of evaluated) for (const u of e.unavailable) counts.set(u, (counts.get(u) ?? 0) + 1);
  return [...counts].map(([u, n]) => `${n} ${UNAVAILABILITY_TEXT[u]}`).join(', ');
}

/** Negative when a carries less load than b. */
function compareLoad(a: ExpertCandidate, b: ExpertCandidate, byRatio: boolean): number {
  // Both capacities are > 0 here: an eligible expert is under its capacity. Cross-multiplied: exact on integers.
  if (byRatio) return a.openRequests * b.capacity! - b.openRequests * a.capacity!;
  return a.openRequests - b.openRequests;
}

/** The least-loaded of the eligible (at least one), ties drawn with `random`; with the text that says how. */
function pickLeastLoaded(eligible: readonly Evaluated[], random: () => number): { chosen: Evaluated; text: string } {
  const byRatio = eligible.every((e) => e.candidate.capacity !== undefined);
  const sorted = [...eligible].sort((a, b) => compareLoad(a.candidate, b.candidate, byRatio) || (a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0));
  const first = sorted[0]!;
  const tied = sorted.filter((e) => compareLoad(e.candidate, first.candidate, byRatio) === 0);
  let chosen = first;
  if (tied.length > 1) {
    const r = random();
    const index = Number.isFinite(r) ? Math.min(tied.length - 1, Math.max(0, Math.floor(r * tied.length))) : 0;
    chosen = tied[index]!;
  }
  const draw = tied.length > 1 ? `, drawn among ${tied.length} tied` : '';
  return { chosen, text: `least load ${loadText(chosen.candidate)}${draw}: ${eligibleText(chosen)}` };
}

function joinReason(notes: readonly string[], last: string): string {
  return [...notes, last].join('; ');
}

/** The pack specialty id of the first of an expert's specialties the pack knows. */
function firstKnownSpecialty(pack: RulePack, expert: ExpertCandidate | undefined): string | undefined {
  for (const s of expert?.specialties ?? []) {
    const id = findEntryId(pack.specialties, s);
    if (id !== undefined) return id;
  }
  return undefined;
}

export function routeRequest(input: RoutingInput): RouteDecision {
  const { pack, request } = input;
  const routing = pack.routing;
  const today = localDate(input.at, pack.timeZone);
  const byId = new Map<string, ExpertCandidate>();
  for (const c of input.candidates) if (!byId.has(c.id)) byId.set(c.id, c);
  const candidates = [...byId.values()];

  const requesterFacts = input.requester ? { profession: input.requester.profession, specialty: input.requester.specialty } : undefined;
  const ctx: EligibilityContext = {
    pack,
    requester: resolveParties(request, pack, { at: input.at, quotaUsed: 0, requester: requesterFacts }).requester,
    requesterId: input.requester?.id,
    today,
    excluded: new Set(input.excluded),
  };
  const evaluate = (c: ExpertCandidate, pool?: string): Evaluated => ({ candidate: c, ...checkEligibility(c, ctx, pool) });
  const notes: string[] = [];
  let pool = input.poolSpecialty;

  // 1. The named expert.
  if (input.namedExpertId !== undefined) {
    const id = input.namedExpertId;
    const named = byId.get(id);
    const e = named ? evaluate(named) : undefined;
    if (e && e.unavailable.length === 0) {
      return { outcome: 'assigned', expertId: id, rule: 'named', reason: `named expert ${eligibleText(e)}: eligible, load ${loadText(e.candidate)}` };
    }
    const why = e ? whyText(e.unavailable) : 'not among the candidates';
    if (routing.namedExpertUnavailable === 'refuse') {
      return { outcome: 'refused', code: 'ROUTE_EXPERT_UNAVAILABLE', reason: `named expert ${id} unavailable (${why}); the pack refuses rather than reroutes` };
    }
    pool ??= firstKnownSpecialty(pack, named);
    notes.push(`named expert ${id} unavailable (${why}), rerouted`);
  }

  // 2. A follow-up on the same case.
  if (routing.followUpDays !== undefined && input.previous) {
    // An earlier request dated after now (clock skew between instances) counts as the same day.
    const days = Math.max(0, dayNumber(today) - dayNumber(localDate(input.previous.at, pack.timeZone)));
    const id = input.previous.expertId;
    if (days <= routing.followUpDays) {
      const earlier = byId.get(id);
      const e = earlier ? evaluate(earlier) : undefined;
      const since = `${days} day${days === 1 ? '' : 's'} after the earlier request, within ${routing.followUpDays}`;
      if (e && e.unavailable.length === 0) {
        return { outcome: 'assigned', expertId: id, rule: 'follow-up', reason: joinReason(notes, `follow-up ${since}: earlier expert ${eligibleText(e)}, load ${loadText(e.candidate)}`) };
      }
      notes.push(`follow-up ${since}: earlier expert ${id} unavailable (${e ? whyText(e.unavailable) : 'not among the candidates'})`);
    } else {
      notes.push(`earlier request ${days} days ago, beyond the ${routing.followUpDays}-day follow-up window`);
    }
  }

  // 3. The requester's hub.
  if (routing.hubFirst) {
    const spoke = input.requester?.id;
    const hubs = spoke === undefined ? [] : candidates.filter((c) => c.hubFor.includes(spoke)).map((c) => evaluate(c));
    const eligible = hubs.filter((e) => e.unavailable.length === 0);
    if (eligible.length > 0) {
      const choice = pickLeastLoaded(eligible, input.random);
      return { outcome: 'assigned', expertId: choice.chosen.candidate.id, rule: 'hub', reason: joinReason(notes, `hub of the requester (${hubs.length} hub${hubs.length === 1 ? '' : 's'}), ${choice.text}`) };
    }
    notes.push(hubs.length === 0 ? 'no hub serves the requester' : `hub unavailable (${hubs.map((e) => `${e.candidate.id}: ${whyText(e.unavailable)}`).join('; ')})`);
  }

  // 4. The pool.
  if (pool === undefined) {
    const last = input.namedExpertId === undefined ? 'no named expert and no pool specialty' : 'no pool specialty to reroute to';
    return { outcome: 'refused', code: 'ROUTE_NO_POOL', reason: joinReason(notes, last) };
  }
  if (pool !== ANY && !pack.specialties.entries.some((e) => e.id === pool)) {
    return { outcome: 'refused', code: 'ROUTE_NO_POOL', reason: joinReason(notes, `pool ${pool} is not a specialty of the pack`) };
  }
  const members = candidates.map((c) => evaluate(c, pool)).filter((e) => !e.unavailable.includes('not-in-pool'));
  const eligible = members.filter((e) => e.unavailable.length === 0);
  const skipped = skippedText(members);
  const counts = `${eligible.length} eligible of ${members.length}${skipped ? ` (skipped: ${skipped})` : ''}`;
  if (eligible.length === 0) {
    return { outcome: 'waiting', code: 'ROUTE_NO_EXPERT', reason: joinReason(notes, `pool ${pool}: ${counts}`) };
  }
  const choice = pickLeastLoaded(eligible, input.random);
  return { outcome: 'assigned', expertId: choice.chosen.candidate.id, rule: 'pool', reason: joinReason(notes, `pool ${pool}: ${counts}, ${choice.text}`) };
}
