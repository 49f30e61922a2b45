/**
 * The requester's cancellation of a request before an expert accepted it (a 360X OSU^O51 CA by mail, a Task
 * cancelled over the FHIR API): the request `cancelled`, its quota place given back, and the expert who held it told
 * they need not answer. Pure apart from the injected context; the step writes it all in one transaction.
 */
import type { StepResult } from '../store/messages.ts';
import type { RequestRow } from '../store/requests.ts';
import { buildExpertNote } from './build-expert-note.ts';
import { loopText } from './loop-texts.ts';
import type { PipelineContext } from './pipeline-context.ts';

/** The states in which the requester may still cancel (before an expert accepted). */
export const CANCELLABLE_STATES = ['parsed', 'admitted', 'routed'];

export function cancelRequest(ctx: PipelineContext, target: RequestRow, sourceMessage: string): Required<Pick<StepResult, 'requestUpdate' | 'releaseQuotaOf' | 'outbox'>> & { told: boolean } {
  const language = ctx.pack.language;
  const outbox =
    target.state === 'routed'
      ? buildExpertNote(ctx, target, sourceMessage, { kind: 'cancelled', subject: loopText(language, 'cancelledSubject', { id: target.id }), text: loopText(language, 'cancelled', { id: target.id }) })
      : [];
  return { requestUpdate: { id: target.id, state: 'cancelled', fromStates: CANCELLABLE_STATES }, releaseQuotaOf: target.id, outbox, told: outbox.length > 0 };
}
