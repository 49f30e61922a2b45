/**
 * The route stage: an admitted request goes to an expert (src/routing), forwarded to them signed and encrypted.
 * - `routed`: forwarded; the expert's clock runs (reminders and expiry: the timer stage);
 * - `waiting`: nobody eligible now (absent, full, no certificate): the request waits, visible, the operator
 *   alerted, and routing is tried again later (every minute at first, then less often, at most every 30 minutes);
 * - `refused`: a named expert unavailable where the pack says refuse, or no pool: the requester is told, the quota
 *   place given back.
 * Pure apart from the injected context.
 */
import { buildRefusalNotice } from '../policy/notice-texts.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import { assignRequest } from './assign-request.ts';
import { buildAnswerOutbox } from './build-answer-outbox.ts';
import type { StoredRequest } from './decide-stage.ts';
import { loopText } from './loop-texts.ts';
import type { PipelineContext } from './pipeline-context.ts';

export const ROUTE_FROM_STATE = 'admitted';
export const WAITING_STATE = 'waiting';

/** Routing tried again after `waits` tries: 1, 2, 4 … minutes, at most 30. */
export function waitingRetryMs(waits: number): number {
  return Math.min(30, 2 ** Math.max(0, waits)) * 60_000;
}

export function runRouteStage(msg: MessageWork, ctx: PipelineContext): StepResult {
  const row = ctx.findRequestByMessage(msg.id);
  if (!row) throw new Error('an admitted message without its request');
  if (row.state !== 'admitted' && row.state !== 'waiting') return { state: 'status', detail: `request ${row.id} is ${row.state}: not routed` };
  const { request, reply } = row.canonical as StoredRequest;
  const a = assignRequest(ctx, row, request, { sourceMessage: msg.id, excluded: ctx.excludedExperts(row.id), fromStates: ['admitted', 'waiting'] });
  const base = { requestUpdate: a.requestUpdate, routingDecisions: a.routingDecisions, detail: a.detail };
  if (a.decision.outcome === 'assigned') return { ...base, state: 'routed', outbox: a.outbox };
  if (a.decision.outcome === 'waiting') {
    const waits = Number((msg.summary as { waits?: number } | undefined)?.waits ?? 0);
    const first = msg.state !== WAITING_STATE;
    // the requester is told once that the request waits
    const notice = first
      ? buildAnswerOutbox(ctx, {
          request,
          reply,
          sourceMessage: msg.id,
          answer: { kind: 'accepted', at: ctx.now().toISOString(), expert: gatewayAsExpert(ctx), id: `waiting-${row.id}` },
          subject: loopText(ctx.pack.language, 'reassignedSubject', { id: row.id }),
          text: loopText(ctx.pack.language, 'waiting', { ref: request.ids.sender?.value ?? row.id, why: a.decision.code }),
          kind: 'notice-waiting',
          idempotencyKey: `notice:waiting:${row.id}`,
          dialectAnswer: false,
        })
      : undefined;
    return {
      ...base,
      state: WAITING_STATE,
      summary: { ...(msg.summary ?? {}), waits: waits + 1 },
      nextAttemptAt: new Date(ctx.now().getTime() + waitingRetryMs(waits)),
      quiet: !first,
      alert: `request ${row.id} waits for an expert: ${a.decision.reason}`,
      outbox: notice ? [notice] : [],
    };
  }
  const notice = buildAnswerOutbox(ctx, {
    request,
    reply,
    sourceMessage: msg.id,
    answer: { kind: 'declined', at: ctx.now().toISOString(), expert: gatewayAsExpert(ctx), reason: a.decision.code, id: `refusal-${row.id}` },
    subject: loopText(ctx.pack.language, 'reassignedSubject', { id: row.id }),
    text: buildRefusalNotice(ctx.pack.language, [{ code: a.decision.code }], request.ids.sender?.value),
    kind: 'notice-refused',
    idempotencyKey: `notice:refused:${row.id}`,
  });
  return { ...base, state: 'refused', refusalCode: a.decision.code, releaseQuotaOf: row.id, outbox: notice ? [notice] : [] };
}

/** The gateway itself, as the "expert" of the answers it gives on its own (refusals, waiting). */
export function gatewayAsExpert(ctx: PipelineContext) {
  return { identifiers: [], name: { family: 'txgate', given: [], prefix: [] }, address: ctx.gatewayAddress };
}
