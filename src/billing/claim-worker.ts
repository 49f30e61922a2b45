/**
 * Sends the claims to the insurer, like the delivery worker sends the outbox: takes due claims (as many as free
 * slots, in one claim with a lease), validates each bundle again (an invalid one is held, never sent), submits it,
 * records the answer. Temporary failures come back with exponential backoff until `giveUpAfterMs` (then `error`);
 * refusals stop at once (`error`). Exactly once at the insurer: a claim is sent again only with the same bundle, so
 * the same Claim.identifier, which the insurer deduplicates by (conditional create in transaction mode; for
 * $submit, the insurer's own deduplication, as the development insurer does). The insurer's words are kept with the
 * claim for the operator; log lines carry codes only (they may quote the claim, patient included).
 */
import type { Logger } from '../log/logger.ts';
import { startRowWorker } from '../workers/start-row-worker.ts';
import { nextAttemptDelay, shouldGiveUp, type RetryPolicy } from '../delivery/retry-policy.ts';
import type { Db } from '../store/open-database.ts';
import { claimPendingClaims, markClaimError, markClaimInvalid, markClaimRetry, markClaimSubmitted, type ClaimWork } from '../store/claims.ts';
import { submitClaimBundle, type InsurerConnection, type SubmitOutcome } from './submit-claim.ts';
import { validateClaimBundle } from './validate-claim-bundle.ts';

export interface ClaimWorkerOptions {
  db: Db;
  insurer: InsurerConnection;
  retry: RetryPolicy;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  owner: string;
  now: () => Date;
  log: Logger;
  /** the submit function (default submitClaimBundle) */
  submit?: (conn: InsurerConnection, bundle: unknown) => Promise<SubmitOutcome>;
  /** [0, 1] for the backoff's jitter (default Math.random) */
  random?: () => number;
}

export interface ClaimWorker {
  wake(): void;
  stop(): Promise<void>;
  /** send everything due now, then return */
  drain(): Promise<void>;
}

/** One submission of a claimed claim, its outcome recorded. */
export async function submitClaimRow(o: ClaimWorkerOptions, row: ClaimWork): Promise<void> {
  const problems = validateClaimBundle(row.bundle);
  if (problems.length) {
    markClaimInvalid(o.db, row.id, o.owner, problems.map((p) => `${p.code} ${p.path}: ${p.message}`).join('\n'), o.now());
    o.log.warn('billing: invalid claim held', { claim: row.id, request: row.request, problems: problems.length });
    return;
  }
  const outcome = await (o.submit ?? submitClaimBundle)(o.insurer, row.bundle);
  const now = o.now();
  if (outcome.status === 'submitted') {
    if (outcome.outcome === 'error') {
      markClaimError(o.db, row.id, o.owner, `BILLING_CLAIM_ERROR: ${outcome.errors.join('; ') || 'the insurer answered outcome error'}`, now, { response: outcome.response, outcome: 'error' });
      o.log.warn('billing: the insurer answered error', { claim: row.id, request: row.request, errorCodes: outcome.errorCodes });
    } else {
      markClaimSubmitted(o.db, row.id, o.owner, outcome.response, outcome.outcome, now);
      o.log.info('billing: claim submitted', { claim: row.id, request: row.request, act: row.actCode, outcome: outcome.outcome, attempt: row.attempts });
    }
    return;
  }
  if (outcome.status === 'permanent') {
    markClaimError(o.db, row.id, o.owner, outcome.error, now, outcome.response === undefined ? undefined : { response: outcome.response });
    o.log.warn('billing: claim refused', { claim: row.id, request: row.request, code: outcome.code, httpStatus: outcome.httpStatus });
    return;
  }
  if (shouldGiveUp(row.firstAttemptAt ?? now, now, o.retry)) {
    markClaimError(o.db, row.id, o.owner, `BILLING_EXPIRED: ${outcome.error}`, now);
    o.log.warn('billing: claim given up', { claim: row.id, request: row.request, code: outcome.code, httpStatus: outcome.httpStatus, attempt: row.attempts });
    return;
  }
  const delay = nextAttemptDelay(row.attempts, o.retry, o.random ?? Math.random);
  markClaimRetry(o.db, row.id, o.owner, outcome.error, new Date(now.getTime() + delay), now);
  o.log.info('billing: will retry', { claim: row.id, request: row.request, code: outcome.code, httpStatus: outcome.httpStatus, attempt: row.attempts, inMs: Math.round(delay) });
}

export function startClaimWorker(o: ClaimWorkerOptions): ClaimWorker {
  return startRowWorker<ClaimWork>({
    claim: (limit) => claimPendingClaims(o.db, o.now(), o.leaseMs, o.owner, limit),
    handle: (row) => submitClaimRow(o, row),
    concurrency: o.concurrency,
    pollMs: o.pollMs,
    log: o.log,
    name: 'claim worker',
  });
}
