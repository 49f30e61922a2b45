/**
 * The policy decision on one request: every check of the pack (consent, urgency, quota, eligible pair, required
 * documents, requester), all failing ones reported; the answer deadline; the billable acts; the quota place the
 * request takes. Pure: the clock (facts.at) and the quota count (facts.quotaUsed) are given.
 */
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import { checkConsent } from './check-consent.ts';
import { checkDocuments } from './check-documents.ts';
import { checkPair, resolveParties } from './check-pair.ts';
import { checkRequester } from './check-requester.ts';
import { checkUrgency } from './check-urgency.ts';
import { computeDeadline } from './compute-deadline.ts';
import { findBillableActs } from './find-billable-acts.ts';
import { dayNumber, localDate } from './local-date.ts';
import { patientKey, quotaKey } from './quota-key.ts';
import { quotaWindow } from './quota-window.ts';
import type { RulePack } from './rule-pack-schema.ts';
import type { DecisionFacts, QuotaClaim, Verdict, VerdictReason } from './verdict.ts';

const WINDOW_WORDS = { 'calendar-year': 'calendar year', 'rolling-365-days': '365 days' } as const;

function quotaExceeded(limit: number, window: QuotaClaim['window']): VerdictReason {
  return {
    code: 'POLICY_QUOTA_EXCEEDED',
    path: 'patient.identifiers',
    message: `the quota of ${limit} admitted requests per ${WINDOW_WORDS[window]} is reached for this patient`,
    params: { limit, window },
  };
}

/** The quota place of the request and, when it cannot be taken, why. */
function checkQuota(request: CanonicalRequest, pack: RulePack, facts: DecisionFacts, day: string): { claim?: QuotaClaim; reasons: VerdictReason[] } {
  const quota = pack.quota;
  if (!quota) return { reasons: [] };
  const key = quotaKey(request, pack);
  if (key === undefined) {
    const systems = quota.patientIdentifierSystems.join(', ');
    const reason: VerdictReason =
      patientKey(request, pack) === undefined
        ? { code: 'POLICY_PATIENT_UNIDENTIFIED', path: 'patient.identifiers', message: `the patient has no identifier of ${systems}: the quota cannot be counted` }
        : { code: 'POLICY_PATIENT_UNIDENTIFIED', path: 'requested', message: 'the requested professional is not identified: the quota cannot be counted' };
    return { reasons: [reason] };
  }
  const { firstDay, lastDay } = quotaWindow(day, quota.window);
  const claim: QuotaClaim = { pack: pack.name, key, day: dayNumber(day), firstDay, lastDay, limit: quota.limit, window: quota.window };
  return { claim, reasons: facts.quotaUsed >= quota.limit ? [quotaExceeded(quota.limit, quota.window)] : [] };
}

export function decideRequest(request: CanonicalRequest, pack: RulePack, facts: DecisionFacts): Verdict {
  const day = localDate(facts.at, pack.timeZone);
  const parties = resolveParties(request, pack, facts);
  const quota = checkQuota(request, pack, facts, day);
  const reasons = [
    ...checkConsent(request, pack, day),
    ...checkUrgency(request, pack),
    ...quota.reasons,
    ...checkPair(request, pack, facts, parties),
    ...checkDocuments(request, pack),
    ...checkRequester(request, pack, facts, parties),
  ];
  const admitted = reasons.length === 0;
  const verdict: Verdict = {
    admitted,
    pack: { name: pack.name, version: pack.version },
    language: pack.language,
    reasons,
    // refused requests bill nothing: no act is ever derived from a refusal
    acts: admitted ? findBillableActs(pack, parties, day) : [],
  };
  if (pack.deadline) {
    // calendar days need no calendar: the schema asks for one only with business days
    const calendar = pack.calendar ?? { country: 'ZZ', holidayTypes: [] };
    verdict.deadline = computeDeadline(facts.at, pack.deadline, { ...calendar, timeZone: pack.timeZone });
  }
  if (quota.claim) verdict.quota = quota.claim;
  return verdict;
}

/** The same verdict, refused because the last place was taken meanwhile (the store's atomic claim lost the race). */
export function refuseForQuota(verdict: Verdict): Verdict {
  const already = verdict.reasons.some((r) => r.code === 'POLICY_QUOTA_EXCEEDED');
  const reason = verdict.quota
    ? quotaExceeded(verdict.quota.limit, verdict.quota.window)
    : { code: 'POLICY_QUOTA_EXCEEDED', path: 'patient.identifiers', message: 'the quota is reached for this patient' };
  return { ...verdict, admitted: false, reasons: already ? verdict.reasons : [...verdict.reasons, reason], acts: [] };
}
