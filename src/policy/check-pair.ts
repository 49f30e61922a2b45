/**
 * The eligible-pair check: the requester's and the requested professional's profession and specialty (from the
 * request, else from the directory facts; a specialty pool implies the pack's pool profession) must match one
 * rule of the pack's matrix. An unknown profession is never eligible (fail closed).
 */
import { normalizeSystem } from '../domain/identifier-systems.ts';
import type { CanonicalRequest, Coding } from '../domain/canonical-request.ts';
import { ANY, type PairRule, type PairSide, type RulePack, type Vocabulary } from './rule-pack-schema.ts';
import type { DecisionFacts, VerdictReason } from './verdict.ts';

/** One side of the request as the pack sees it. */
export interface Party {
  profession?: Coding;
  specialty?: Coding;
  /** the pack's profession id, when the profession is known to the pack */
  professionId?: string;
  specialtyId?: string;
  /** where the profession comes from */
  professionFrom?: 'request' | 'directory' | 'pool';
}

export interface Parties {
  requester: Party;
  requested: Party;
}

/** The id of the vocabulary entry a coding means, or undefined (no coding, another system, an unknown code). */
export function findEntryId(vocab: Vocabulary, coding: Coding | undefined): string | undefined {
  if (!coding) return undefined;
  const system = normalizeSystem(coding.system);
  if (!vocab.systems.some((s) => normalizeSystem(s) === system)) return undefined;
  const code = coding.code.trim();
  return vocab.entries.find((e) => e.codes.includes(code) || e.codePrefixes.some((p) => code.startsWith(p)))?.id;
}

/** Expansions of the pack's own name lists, by list (packs are never changed once parsed). */
const expanded = new WeakMap<readonly string[], Set<string>>();

/** The entry ids a list of ids and group names stands for; undefined for "any" (or no list). */
export function expandNames(vocab: Vocabulary, names: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (names === undefined || names.includes(ANY)) return undefined;
  let out = expanded.get(names);
  if (!out) {
    out = new Set<string>();
    for (const name of names) {
      const members = Object.hasOwn(vocab.groups, name) ? vocab.groups[name]! : [name];
      for (const m of members) out.add(m);
    }
    expanded.set(names, out);
  }
  return out;
}

function party(pack: RulePack, profession: Coding | undefined, specialty: Coding | undefined, from: Party['professionFrom']): Party {
  const p: Party = {};
  if (profession) {
    p.profession = profession;
    p.professionFrom = from;
    const id = findEntryId(pack.professions, profession);
    if (id !== undefined) p.professionId = id;
  }
  if (specialty) {
    p.specialty = specialty;
    const id = findEntryId(pack.specialties, specialty);
    if (id !== undefined) p.specialtyId = id;
  }
  return p;
}

/** The requester and the requested side, the request's values first, the directory's where it has none. */
export function resolveParties(request: CanonicalRequest, pack: RulePack, facts: DecisionFacts): Parties {
  const r = request.requester;
  const requesterProfession = r.profession ?? facts.requester?.profession;
  const requester = party(pack, requesterProfession, r.specialty ?? facts.requester?.specialty, r.profession ? 'request' : 'directory');

  const { expert, specialty: poolSpecialty } = request.requested;
  let requested: Party;
  if (expert) {
    const profession = expert.profession ?? facts.requested?.profession;
    requested = party(pack, profession, expert.specialty ?? poolSpecialty ?? facts.requested?.specialty, expert.profession ? 'request' : 'directory');
  } else if (poolSpecialty && pack.pairs?.poolProfession !== undefined) {
    requested = { ...party(pack, undefined, poolSpecialty, undefined), professionId: pack.pairs.poolProfession, professionFrom: 'pool' };
  } else {
    requested = party(pack, facts.requested?.profession, poolSpecialty ?? facts.requested?.specialty, 'directory');
  }
  return { requester, requested };
}

function sideMatches(pack: RulePack, side: PairSide, p: Party): boolean {
  if (p.professionId === undefined) return false;
  const professions = expandNames(pack.professions, side.professions);
  if (professions && !professions.has(p.professionId)) return false;
  const specialties = expandNames(pack.specialties, side.specialties);
  if (specialties && (p.specialtyId === undefined || !specialties.has(p.specialtyId))) return false;
  return true;
}

function allows(pack: RulePack, rule: PairRule, requester: Party, requested: Party): boolean {
  const oneWay = (a: Party, b: Party) =>
    sideMatches(pack, rule.requester, a) && sideMatches(pack, rule.requested, b) && (!rule.sameSpecialty || (a.specialtyId !== undefined && a.specialtyId === b.specialtyId));
  return oneWay(requester, requested) || (rule.bothDirections && oneWay(requested, requester));
}

/** The first rule of the pack that allows the pair, or undefined. */
export function findPairRule(parties: Parties, pack: RulePack): PairRule | undefined {
  return pack.pairs?.rules.find((rule) => allows(pack, rule, parties.requester, parties.requested));
}

function labelOf(vocab: Vocabulary, id: string | undefined): string | undefined {
  return id === undefined ? undefined : (vocab.entries.find((e) => e.id === id)?.label ?? id);
}

function describe(pack: RulePack, p: Party): string {
  const profession = labelOf(pack.professions, p.professionId) ?? 'unknown profession';
  const specialty = labelOf(pack.specialties, p.specialtyId);
  return specialty ? `${profession} (${specialty})` : profession;
}

function unknownProfession(p: Party, who: string, path: string): VerdictReason {
  const detail = p.profession
    ? `code ${p.profession.code} of ${p.profession.system} is not a profession of this programme`
    : 'neither the request nor the directory gives it';
  return { code: 'POLICY_PAIR_NOT_ELIGIBLE', path, message: `unknown profession of the ${who}: ${detail}` };
}

export function checkPair(request: CanonicalRequest, pack: RulePack, facts: DecisionFacts, parties = resolveParties(request, pack, facts)): VerdictReason[] {
  if (!pack.pairs) return [];
  const { requester, requested } = parties;
  const reasons: VerdictReason[] = [];
  if (requester.professionId === undefined) reasons.push(unknownProfession(requester, 'requester', 'requester.profession'));
  if (requested.professionId === undefined) {
    reasons.push(unknownProfession(requested, 'requested professional', request.requested.expert ? 'requested.expert.profession' : 'requested'));
  }
  if (reasons.length > 0) return reasons;
  if (findPairRule(parties, pack)) return [];
  return [
    {
      code: 'POLICY_PAIR_NOT_ELIGIBLE',
      path: 'requested',
      message: `no eligible pair of this programme lets a ${describe(pack, requester)} ask a ${describe(pack, requested)}`,
    },
  ];
}
