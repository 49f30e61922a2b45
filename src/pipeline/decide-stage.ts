/**
 * The decide stage: the programme's rule pack (src/policy) admits or refuses the parsed request.
 * - admitted: state `admitted`, with the verdict (deadline, billable acts) on the request; when the pack has a
 *   quota, the place is taken in the step's own transaction, and if the last place went to another request
 *   meanwhile, the message stays `parsed` and is decided again at once (then refused for the quota, or
 *   admitted if a place came free);
 * - refused: state `refused`, and the requester gets, signed and encrypted, the notice in the pack's language
 *   (every reason with its code) and the decline in the request's dialect.
 * Pure apart from the injected context.
 */
import type { Answer } from '../domain/answer.ts';
import type { CanonicalRequest, Practitioner } from '../domain/canonical-request.ts';
import { decideRequest } from '../policy/decide-request.ts';
import { localDate } from '../policy/local-date.ts';
import { buildRefusalNotice, type NoticeLanguage } from '../policy/notice-texts.ts';
import { quotaKey } from '../policy/quota-key.ts';
import { quotaWindow } from '../policy/quota-window.ts';
import type { RulePack } from '../policy/rule-pack-schema.ts';
import { poolSpecialtyOf } from '../routing/pool-specialty.ts';
import { codingsOfSpecialty } from './assign-request.ts';
import type { DecisionFacts, Verdict } from '../policy/verdict.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import type { RequestRow } from '../store/requests.ts';
import { buildAnswerOutbox } from './build-answer-outbox.ts';
import type { ReplyContext } from './parse-stage.ts';
import type { PipelineContext } from './pipeline-context.ts';

export const DECIDE_FROM_STATE = 'parsed';

/** What the parse stage stored as the request's `canonical`. */
export interface StoredRequest {
  request: CanonicalRequest;
  reply: ReplyContext;
}

const REFUSED_SUBJECT: Record<NoticeLanguage, string> = {
  fr: 'Demande de téléexpertise non recevable',
  'pt-BR': 'Pedido de teleconsultoria não admitido',
  ru: 'Запрос на телеконсультацию не принят',
  vi: 'Yêu cầu hội chẩn từ xa không được chấp nhận',
  en: 'Tele-expertise request refused',
};

export function runDecideStage(msg: MessageWork, ctx: PipelineContext): StepResult {
  const row = ctx.findRequestByMessage(msg.id);
  if (!row) throw new Error('a parsed message without its request');
  if (row.state !== 'parsed') return { state: row.state === 'cancelled' ? 'cancelled' : 'status', detail: `request ${row.id} is ${row.state}: not decided` };
  const { request: stored, reply } = row.canonical as StoredRequest;
  const pack = ctx.pack;
  const request = withRequestedSide(stored, pack, (p) => ctx.practitioner(p) !== undefined);
  const at = msg.receivedAt;
  const requested = request.requested.expert ?? (request.requested.specialty || !request.requested.address ? undefined : { identifiers: [], address: request.requested.address });
  const facts: DecisionFacts = {
    at,
    ...withFacts('requester', ctx.practitionerFacts(request.requester)),
    ...withFacts('requested', requested ? ctx.practitionerFacts(requested) : undefined),
    quotaUsed: 0,
  };
  const key = pack.quota ? quotaKey(request, pack) : undefined;
  if (pack.quota && key) facts.quotaUsed = ctx.countQuotaPlaces({ pack: pack.name, key, ...quotaWindow(localDate(at, pack.timeZone), pack.quota.window) });
  const verdict = decideRequest(request, pack, facts);
  if (!verdict.admitted) return refused(msg, row, request, reply, verdict, ctx);
  const admitted: StepResult = {
    state: 'admitted',
    detail: `request ${row.id} admitted under ${pack.name} ${pack.version}${verdict.deadline ? `, answer due ${verdict.deadline}` : ''}${verdict.quota ? `, quota place taken` : ''}`,
    requestUpdate: { id: row.id, state: 'admitted', verdict, deadline: verdict.deadline, fromStates: ['parsed'] },
  };
  if (!verdict.quota) return admitted;
  const { pack: packName, key: quota, day, firstDay, lastDay, limit } = verdict.quota;
  const lost: StepResult = { state: DECIDE_FROM_STATE, detail: `request ${row.id}: the last quota place went to another request meanwhile; decided again` };
  return { ...admitted, claim: { pack: packName, key: quota, day, firstDay, lastDay, limit, request: row.id, lost } };
}

/**
 * The requested side as the rules see it: a request sent to a pool address (cardiologie@…) without a specialty of
 * its own asks for the pool's specialty; one naming an expert the directory does not know asks the pool.
 */
export function withRequestedSide(request: CanonicalRequest, pack: RulePack, known: (p: Practitioner) => boolean): CanonicalRequest {
  const { expert, specialty, address } = request.requested;
  const pool = address ? poolSpecialtyOf(address, pack) : undefined;
  // a named expert the directory does not know, in a request sent to a pool: the pool answers (routing does the same)
  if (expert && pool && !known(expert)) {
    const { expert: _unknown, ...rest } = request.requested;
    return withRequestedSide({ ...request, requested: rest }, pack, known);
  }
  if (expert || specialty || !pool) return request;
  const coding = codingsOfSpecialty(pack, pool)[0];
  return coding ? { ...request, requested: { ...request.requested, specialty: coding } } : request;
}

function withFacts<K extends 'requester' | 'requested'>(key: K, facts: DecisionFacts[K]): Partial<DecisionFacts> {
  return facts ? { [key]: facts } : {};
}

function refused(msg: MessageWork, row: RequestRow, request: CanonicalRequest, reply: ReplyContext, verdict: Verdict, ctx: PipelineContext): StepResult {
  const codes = verdict.reasons.map((r) => r.code);
  const text = buildRefusalNotice(verdict.language, verdict.reasons.map((r) => ({ code: r.code, ...(r.params ? { params: r.params } : {}) })), request.ids.sender?.value);
  const answer: Answer = {
    kind: 'declined',
    at: ctx.now().toISOString(),
    expert: { identifiers: [], name: { family: 'txgate', given: [], prefix: [] }, address: ctx.gatewayAddress },
    reason: codes.join(' '),
    id: `refusal-${row.id}`,
  };
  const notice = buildAnswerOutbox(ctx, {
    request,
    reply,
    sourceMessage: msg.id,
    answer,
    subject: REFUSED_SUBJECT[verdict.language],
    text,
    kind: 'notice-refused',
    idempotencyKey: `notice:refused:${row.id}`,
  });
  return {
    state: 'refused',
    refusalCode: codes[0] ?? 'POLICY_REFUSED',
    detail: `request ${row.id} refused under ${verdict.pack.name} ${verdict.pack.version}: ${codes.join(', ')}; ${notice ? 'notice sent' : 'no certificate for the requester: no notice sent'}`,
    requestUpdate: { id: row.id, state: 'refused', verdict, refusalCodes: codes, deadline: verdict.deadline, fromStates: ['parsed'] },
    outbox: notice ? [notice] : [],
  };
}
