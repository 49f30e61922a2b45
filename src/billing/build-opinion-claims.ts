/**
 * The claims written with the step that delivers a request's first opinion: a bundle per act of the verdict billed
 * when the opinion is delivered, each validated now (an invalid one is stored `invalid` with its problems, for the
 * operator, and never sent). Pure: the clock and the id generator are passed in.
 */
import type { CanonicalRequest, Practitioner } from '../domain/canonical-request.ts';
import { localDate } from '../policy/local-date.ts';
import type { BillableAct } from '../policy/verdict.ts';
import type { ClaimInsert } from '../store/claims.ts';
import { buildClaimBundles, type InsurerParty } from './build-claim-bundle.ts';
import { validateClaimBundle } from './validate-claim-bundle.ts';

export interface OpinionClaimsInput {
  requestId: string;
  request: CanonicalRequest;
  requestedAt: Date;
  acts: BillableAct[];
  expert: Practitioner;
  insurer: InsurerParty;
  /** when the opinion was delivered */
  at: Date;
  /** the programme's time zone (the act's day) */
  timeZone: string;
  newId: (prefix: string) => string;
}

export function buildOpinionClaims(input: OpinionClaimsInput): ClaimInsert[] {
  const acts = input.acts.filter((a) => a.when === 'opinion-delivered');
  const bundles = buildClaimBundles({
    requestId: input.requestId,
    request: input.request,
    requestedAt: input.requestedAt,
    acts,
    actDate: localDate(input.at, input.timeZone),
    expert: input.expert,
    insurer: input.insurer,
    now: input.at,
  });
  return bundles.map((b) => {
    const problems = validateClaimBundle(b.bundle);
    return {
      id: input.newId('clm'),
      request: input.requestId,
      actCode: b.act.code,
      idempotencyKey: b.idempotencyKey,
      bundle: b.bundle,
      state: problems.length ? ('invalid' as const) : ('pending' as const),
      ...(problems.length ? { lastError: problems.map((p) => `${p.code} ${p.path}: ${p.message}`).join('\n') } : {}),
    };
  });
}
