/**
 * The timer stage: the events of the expert's clock (src/pipeline/assignment-clock.ts finds them, the sweep
 * stores them as messages).
 * - remind: the expert is reminded of the deadline;
 * - expire: the deadline passed without an opinion: the request is withdrawn from the expert and reassigned to
 *   the next eligible one (or waits), the requester and the expert told;
 * - undeliverable: the forward to the expert failed for good or was never confirmed (no processed MDN): the
 *   originator of the forward, the gateway, acts on it: reassigned, the requester told, the operator alerted.
 * An event about an assignment that has ended meanwhile (answered, reassigned) changes nothing.
 */
import { localDate } from '../policy/local-date.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import { TIMER_STATE } from '../store/timer-events.ts';
import type { TimerEvent } from './assignment-clock.ts';
import { assignRequest } from './assign-request.ts';
import { buildAnswerOutbox } from './build-answer-outbox.ts';
import { buildExpertNote } from './build-expert-note.ts';
import type { StoredRequest } from './decide-stage.ts';
import { loopText } from './loop-texts.ts';
import type { PipelineContext } from './pipeline-context.ts';
import { ASSIGNED_STATES } from './relay-stage.ts';
import { gatewayAsExpert } from './route-stage.ts';

export const TIMER_FROM_STATE = TIMER_STATE;

export function runTimerStage(msg: MessageWork, ctx: PipelineContext): StepResult {
  const event = JSON.parse(msg.raw.toString('utf8')) as TimerEvent;
  const row = ctx.findRequest(event.request);
  const running = row && ASSIGNED_STATES.includes(row.state) && (event.event === 'undeliverable' || row.state !== 'information-requested') && row.assignedAt?.getTime() === event.assignedAt;
  if (!row || !running) return { state: 'timer-done', detail: `${event.event} for ${event.request}: the assignment has ended, nothing to do` };
  const language = ctx.pack.language;
  const due = row.dueAt ? localDate(row.dueAt, ctx.pack.timeZone) : '?';
  const mailExpert = (kind: string, subject: string, text: string) => buildExpertNote(ctx, row, msg.id, { kind, subject, text });
  if (event.event === 'remind') {
    return {
      state: 'timer-done',
      detail: `request ${row.id}: reminder ${(event.reminder ?? 0) + 1} to ${row.expert} (due ${due})`,
      requestUpdate: { id: row.id, state: row.state, fromStates: [row.state], set: { remindersSent: (event.reminder ?? 0) + 1 } },
      outbox: mailExpert('reminder', loopText(language, 'reminderSubject', { id: row.id, due }), loopText(language, 'reminder', { id: row.id, due })),
    };
  }
  const { request, reply } = row.canonical as StoredRequest;
  const ref = request.ids.sender?.value ?? row.id;
  // the deadline passed, or the forward never reached the expert: the request goes to another expert
  const why = event.event === 'undeliverable' ? 'unreachable' : 'deadline';
  const a = assignRequest(ctx, row, request, {
    sourceMessage: msg.id,
    excluded: [...ctx.excludedExperts(row.id), row.expert!],
    fromStates: [row.state],
    note: loopText(language, 'reassigned', { ref, why }),
  });
  const told = buildAnswerOutbox(ctx, {
    request,
    reply,
    sourceMessage: msg.id,
    answer: { kind: 'accepted', at: ctx.now().toISOString(), expert: gatewayAsExpert(ctx), id: `reassigned-${row.id}-${msg.id}` },
    subject: loopText(language, 'reassignedSubject', { id: row.id }),
    text: a.decision.outcome === 'assigned' ? loopText(language, 'reassigned', { ref, why }) : loopText(language, 'waiting', { ref, why }),
    kind: 'notice-reassigned',
    idempotencyKey: `notice:reassigned:${row.id}:${msg.id}`,
    dialectAnswer: false,
  });
  return {
    state: 'timer-done',
    detail: `request ${row.id}: ${why === 'deadline' ? 'deadline passed' : 'the forward was not delivered'} for ${row.expert}; ${a.detail}`,
    requestUpdate: a.requestUpdate,
    routingDecisions: [
      why === 'deadline'
        ? { request: row.id, outcome: 'expired', expert: row.expert, reason: `no opinion by ${due}` }
        : { request: row.id, outcome: 'unreachable', expert: row.expert, reason: 'the forward could not be delivered, or no processed MDN came in time' },
      ...a.routingDecisions,
    ],
    outbox: [
      ...(why === 'deadline' ? mailExpert('withdrawn', loopText(language, 'withdrawnSubject', { id: row.id }), loopText(language, 'withdrawn', { id: row.id, why: `deadline ${due}` })) : []),
      ...a.outbox,
      ...(told ? [told] : []),
    ],
    ...(a.decision.outcome === 'assigned' ? {} : { alert: `request ${row.id}: deadline passed and no other expert available` }),
  };
}
