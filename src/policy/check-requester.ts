/**
 * The requester-eligibility check, where the pack restricts who may request: the municipality they work in
 * (from the directory), a professional council registration (from the request, else the directory), their
 * profession. Each failing restriction is its own reason; what is unknown fails (fail closed).
 */
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import { expandNames, resolveParties, type Parties } from './check-pair.ts';
import type { RulePack } from './rule-pack-schema.ts';
import type { DecisionFacts, VerdictReason } from './verdict.ts';

const CODE = 'POLICY_REQUESTER_NOT_ELIGIBLE';

export function checkRequester(request: CanonicalRequest, pack: RulePack, facts: DecisionFacts, parties: Parties = resolveParties(request, pack, facts)): VerdictReason[] {
  const rule = pack.requester;
  const reasons: VerdictReason[] = [];

  if (rule.municipalities) {
    const municipality = facts.requester?.municipality?.trim();
    if (municipality === undefined || municipality === '') {
      reasons.push({ code: CODE, path: 'requester', message: "the requester's municipality is unknown (the directory gives none)" });
    } else if (!rule.municipalities.includes(municipality)) {
      reasons.push({ code: CODE, path: 'requester', message: "the requester does not work in one of the programme's municipalities" });
    }
  }

  if (rule.council) {
    const council = request.requester.council ?? facts.requester?.council;
    if (!council) {
      reasons.push({ code: CODE, path: 'requester.council', message: 'the requester gives no professional council registration' });
    } else {
      const accepted = rule.council.names;
      if (accepted && !accepted.some((n) => n.toUpperCase() === council.name.trim().toUpperCase())) {
        reasons.push({ code: CODE, path: 'requester.council.name', message: `the council is not one of ${accepted.join(', ')}` });
      }
      if (rule.council.stateRequired && !council.state?.trim()) {
        reasons.push({ code: CODE, path: 'requester.council.state', message: 'the council registration names no state' });
      }
    }
  }

  const allowed = expandNames(pack.professions, rule.professions);
  if (allowed) {
    const id = parties.requester.professionId;
    if (id === undefined) {
      reasons.push({ code: CODE, path: 'requester.profession', message: 'unknown profession of the requester: this programme restricts who may request' });
    } else if (!allowed.has(id)) {
      const label = pack.professions.entries.find((e) => e.id === id)?.label ?? id;
      reasons.push({ code: CODE, path: 'requester.profession', message: `a ${label} may not request in this programme` });
    }
  }
  return reasons;
}
