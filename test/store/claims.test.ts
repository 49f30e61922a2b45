import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimPendingClaims, getClaim, insertClaim, listClaims, markClaimRetry, markClaimSubmitted, releaseStaleClaimLeases, resendClaim } from '../../src/store/claims.ts';
import { openDatabase } from '../../src/store/open-database.ts';

const db = () => openDatabase(join(mkdtempSync(join(tmpdir(), 'txgate-store-claims-')), 'txgate.db'));
const claim = (id: string, key: string) => ({ id, request: 'req-1', actCode: 'TE2', idempotencyKey: key, bundle: { resourceType: 'Bundle' }, state: 'pending' as const });
const T = new Date('2026-02-03T10:00:00Z');

describe('claims store', () => {
  it('a claim with an idempotency key already stored is not written again', () => {
    const d = db();
    expect(insertClaim(d, claim('clm-1', 'req-1/TE2'), T)).toBe(true);
    expect(insertClaim(d, claim('clm-2', 'req-1/TE2'), T)).toBe(false);
    expect(listClaims(d).map((c) => c.id)).toEqual(['clm-1']);
  });

  it('a leased claim is not taken by another worker until its lease ends or the process restarts', () => {
    const d = db();
    insertClaim(d, claim('clm-1', 'k1'), T);
    expect(claimPendingClaims(d, T, 60_000, 'a', 8).map((c) => c.id)).toEqual(['clm-1']);
    expect(claimPendingClaims(d, T, 60_000, 'b', 8)).toEqual([]);
    expect(claimPendingClaims(d, new Date(T.getTime() + 61_000), 60_000, 'b', 8).map((c) => c.attempts)).toEqual([2]);
    releaseStaleClaimLeases(d);
    expect(claimPendingClaims(d, T, 60_000, 'c', 8)).toHaveLength(1);
  });

  it('only the lease holder records the outcome; a retry waits until its time', () => {
    const d = db();
    insertClaim(d, claim('clm-1', 'k1'), T);
    claimPendingClaims(d, T, 60_000, 'a', 8);
    expect(markClaimSubmitted(d, 'clm-1', 'b', {}, 'complete', T)).toBe(false);
    expect(markClaimRetry(d, 'clm-1', 'a', 'BILLING_UNREACHABLE', new Date(T.getTime() + 5000), T)).toBe(true);
    expect(claimPendingClaims(d, T, 60_000, 'a', 8)).toEqual([]);
    expect(claimPendingClaims(d, new Date(T.getTime() + 5000), 60_000, 'a', 8)).toHaveLength(1);
    expect(markClaimSubmitted(d, 'clm-1', 'a', { resourceType: 'ClaimResponse' }, 'complete', T)).toBe(true);
    expect(getClaim(d, 'clm-1')).toMatchObject({ state: 'submitted', outcome: 'complete', response: { resourceType: 'ClaimResponse' }, lastError: undefined });
  });

  it.each([
    ['error is resent', 'error', 'resent'],
    ['invalid is resent (validated again before sending)', 'invalid', 'resent'],
    ['pending is left alone', 'pending', { state: 'pending' }],
    ['submitted is left alone (the insurer holds it)', 'submitted', { state: 'submitted' }],
  ])('resend: %s', (_rule, state, expected) => {
    const d = db();
    insertClaim(d, claim('clm-1', 'k1'), T);
    d.prepare('UPDATE claims SET state = ?, attempts = 3 WHERE id = ?').run(state, 'clm-1');
    expect(resendClaim(d, 'clm-1', T)).toEqual(expected);
    if (expected === 'resent') expect(getClaim(d, 'clm-1')).toMatchObject({ state: 'pending', attempts: 0 });
  });
});
