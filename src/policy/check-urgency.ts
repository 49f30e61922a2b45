/** The urgency check: programmes whose tele-expertise is not for urgent cases refuse urgent, asap and stat requests. */
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import type { RulePack } from './rule-pack-schema.ts';
import type { VerdictReason } from './verdict.ts';

const URGENT: ReadonlySet<string> = new Set(['urgent', 'asap', 'stat']);

export function checkUrgency(request: CanonicalRequest, pack: RulePack): VerdictReason[] {
  if (!pack.urgency.refuse || !URGENT.has(request.priority)) return [];
  return [{ code: 'POLICY_URGENT_NOT_ALLOWED', path: 'priority', message: `this programme does not take urgent requests (priority ${request.priority})` }];
}
