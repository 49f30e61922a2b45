/**
 * What the development insurer was sent for one request, as a billing step reads it: each claim's act with its
 * ClaimResponse outcome (`RQD complete, TE2 complete`, in act order), or, when the gateway wrote no claim for it,
 * whether the insurer received anything at all (`no claim, nothing sent`). Each claim is also told on a line.
 */
import { listClaims } from '../store/claims.ts';
import type { DemoContext } from './demo-scene.ts';

export function readRequestClaims(ctx: Pick<DemoContext, 'gateway' | 'insurer' | 'pack' | 'log'>, requestId: string): string {
  const claims = listClaims(ctx.gateway.db, { request: requestId });
  for (const c of claims) ctx.log(`    ${c.actCode}: ${c.state}, ClaimResponse outcome ${c.outcome ?? '-'} (${c.id})`);
  if (claims.length > 0) {
    return claims
      .map((c) => `${c.actCode} ${c.state === 'submitted' ? (c.outcome ?? '?') : c.state}`)
      .sort()
      .join(', ');
  }
  const sent = ctx.insurer.received.submits + ctx.insurer.received.transactions;
  ctx.log(`    ${ctx.pack.name} bills no act for this request: no claim written, the insurer received ${ctx.insurer.received.requests} request(s)`);
  return `no claim, ${sent === 0 ? 'nothing sent' : `${sent} sent`}`;
}
