/**
 * The relay stage: a reply about a request under way (src/relay reads it).
 * - from the assigned expert: accept → `accepted` (the requester told); decline → reassigned to the next eligible
 *   expert (the requester told); ask → `information-requested`, the question to the requester, the clock paused;
 *   opinion → `answered`, the opinion and the record for the patient file to the requester in the request's
 *   dialect; correction → a new version of the opinion, relayed, the earlier one kept;
 * - from the requester, while the expert waits for information: the answer to the expert, the clock running again;
 *   over the FHIR API, before an expert accepted: the cancellation (cancel-request.ts);
 * - from anyone else, or a move the request's state does not allow: refused and recorded (`reply-refused`).
 * Pure apart from the injected context.
 */
import { buildOpinionClaims } from '../billing/build-opinion-claims.ts';
import type { Answer } from '../domain/answer.ts';
import type { Practitioner } from '../domain/canonical-request.ts';
import type { MailAttachment } from '../mime/build-mail.ts';
import { readMail } from '../payload/mime/find-payload.ts';
import type { Verdict } from '../policy/verdict.ts';
import { buildPatientRecord } from '../relay/build-patient-record.ts';
import { buildReplyHelp, parseExpertReply, parseFhirApiReply, type ExpertReply } from '../relay/parse-expert-reply.ts';
import { getObject, getObjects, getString, isObject } from '../payload/fhir/fhir-json.ts';
import { decodeStrictBase64 } from '../payload/strict-base64.ts';
import { buildPayloadDocument, type PayloadDocument } from '../payload/mime/payload-document.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import type { RequestRow } from '../store/requests.ts';
import { assignRequest, replyAddressOf } from './assign-request.ts';
import { buildAnswerOutbox } from './build-answer-outbox.ts';
import { buildExpertNote } from './build-expert-note.ts';
import { cancelRequest, CANCELLABLE_STATES } from './cancel-request.ts';
import type { StoredRequest } from './decide-stage.ts';
import { loopText } from './loop-texts.ts';
import { REPLY_STATE, type OpenedSummary } from './parse-stage.ts';
import type { DirectoryPerson, PipelineContext } from './pipeline-context.ts';

export const RELAY_FROM_STATE = REPLY_STATE;

/** The request states in which the expert holds the request. */
export const ASSIGNED_STATES = ['routed', 'accepted', 'information-requested'];

/** The request states each of the expert's moves is allowed from. */
export const ALLOWED_REPLIES: Readonly<Record<ExpertReply['verb'], string[]>> = {
  accept: ['routed'],
  decline: ['routed', 'accepted', 'information-requested'],
  ask: ['routed', 'accepted'],
  opinion: ['routed', 'accepted', 'information-requested'],
  correction: ['answered'],
};

export function runRelayStage(msg: MessageWork, ctx: PipelineContext): StepResult {
  const summary = (msg.summary ?? {}) as OpenedSummary & { replyTo?: string };
  const row = summary.replyTo ? ctx.findRequest(summary.replyTo) : undefined;
  if (!row) return refused('RELAY_UNKNOWN_REQUEST', `no request ${summary.replyTo ?? '?'}`);
  const signer = (summary.signer ?? '').toLowerCase();
  const expertAddresses = row.expert ? [...ctx.addressesOf(row.expert), row.expertAddress ?? ''].map((a) => a.toLowerCase()) : [];
  if (signer && expertAddresses.includes(signer)) return fromExpert(msg, row, ctx);
  if (signer && signer === row.requester?.toLowerCase()) return fromRequester(msg, row, ctx);
  return refused('RELAY_NOT_ASSIGNED', `a reply about ${row.id} signed by someone who is neither its expert nor its requester`);
}

function refused(code: string, detail: string, outbox: StepResult['outbox'] = []): StepResult {
  return { state: 'reply-refused', refusalCode: code, detail: `${code}: ${detail}`, outbox };
}

/** A note to the expert (help, refusal, the requester's answer), signed and encrypted, when a certificate is at hand. */
function mailToExpert(ctx: PipelineContext, row: RequestRow, msg: MessageWork, kind: string, subject: string, text: string, attachments: MailAttachment[] = []) {
  return buildExpertNote(ctx, row, msg.id, { kind, subject, text, attachments });
}

function expertOf(ctx: PipelineContext, row: RequestRow): Practitioner {
  const person: DirectoryPerson | undefined = row.expertAddress ? ctx.practitioner({ identifiers: [], address: row.expertAddress }) : undefined;
  return {
    identifiers: person?.identifiers ?? [],
    ...(person?.name ? { name: person.name } : {}),
    ...(person?.profession ? { profession: person.profession } : {}),
    ...(person?.specialties[0] ? { specialty: person.specialties[0] } : {}),
    ...(row.expertAddress ? { address: row.expertAddress } : {}),
  };
}

/** The expert as billed: the directory's view (its identifiers are the billing numbers), else what the request said of them. */
function billedExpert(expert: Practitioner, row: RequestRow, request: StoredRequest['request']): Practitioner {
  const named = request.requested.expert;
  const same = named?.address !== undefined && named.address.toLowerCase() === row.expertAddress?.toLowerCase();
  return same && expert.identifiers.length === 0 ? { ...named, ...expert, identifiers: named.identifiers } : expert;
}

/** The resources of a reply made over the FHIR API (the message's content, as the API stored it). */
function apiResources(msg: MessageWork): unknown[] {
  try {
    const r = (JSON.parse((msg.content ?? msg.raw).toString('utf8')) as { resources?: unknown }).resources;
    return Array.isArray(r) ? r : [];
  } catch {
    return [];
  }
}

function fromExpert(msg: MessageWork, row: RequestRow, ctx: PipelineContext): StepResult {
  const language = ctx.pack.language;
  // over the FHIR API the expert hears of a refusal in the HTTP answer: no mail
  const api = msg.channel === 'fhir';
  const parsed = api ? parseFhirApiReply(apiResources(msg)) : parseExpertReply(msg.content!);
  if (!parsed.ok) {
    const codes = parsed.problems.map((p) => p.code);
    return refused(codes[0] ?? 'REPLY_UNREADABLE', `expert reply about ${row.id} not understood (${codes.join(', ')})${api ? '' : '; help sent'}`, [
      ...(api ? [] : mailToExpert(ctx, row, msg, 'reply-help', loopText(language, 'replyRefusedSubject', { id: row.id }), `${loopText(language, 'replyRefused', { id: row.id, code: codes.join(', ') })}\n\n${buildReplyHelp(language)}`)),
    ]);
  }
  const reply = parsed.value;
  if (!ALLOWED_REPLIES[reply.verb].includes(row.state)) {
    return refused('RELAY_INVALID_TRANSITION', `${reply.verb} on request ${row.id} in state ${row.state}`, [
      ...(api ? [] : mailToExpert(ctx, row, msg, 'reply-refused', loopText(language, 'replyRefusedSubject', { id: row.id }), loopText(language, 'replyRefused', { id: row.id, code: `RELAY_INVALID_TRANSITION: ${reply.verb} / ${row.state}` }))),
    ]);
  }
  const { request, reply: replyContext } = row.canonical as StoredRequest;
  const ref = request.ids.sender?.value ?? row.id;
  const at = ctx.now();
  // the expert as the directory knows them, read once for everything this reply sends
  const expert = expertOf(ctx, row);
  const answer = (kind: Answer['kind'], extra: Partial<Answer> = {}): Answer => ({ kind, at: at.toISOString(), expert, id: `${kind}-${row.id}-${msg.id}`, ...extra });
  const toRequester = (kind: string, subject: string, text: string, a: Answer, attachments: MailAttachment[] = []) => {
    const o = buildAnswerOutbox(ctx, { request, reply: replyContext, sourceMessage: msg.id, answer: a, subject, text, kind, idempotencyKey: `${kind}:${row.id}:${msg.id}`, attachments, replyTo: replyAddressOf(ctx, row.id) });
    return o ? [o] : [];
  };
  switch (reply.verb) {
    case 'accept':
      return {
        state: 'relayed',
        detail: `request ${row.id} accepted by ${row.expert}`,
        requestUpdate: { id: row.id, state: 'accepted', fromStates: ALLOWED_REPLIES.accept },
        outbox: toRequester('relay-accepted', loopText(language, 'acceptedSubject', { id: row.id }), loopText(language, 'accepted', { ref }), answer('accepted')),
      };
    case 'ask':
      // the question's documents are the Communication's (Binary/<sha256> on the FHIR API)
      for (const d of reply.documents) {
        const stored = ctx.storeDocument(d.bytes);
        if (!stored.ok) return refused(stored.problems[0]!.code, `a document of the question about ${row.id} could not be stored`);
      }
      return {
        state: 'relayed',
        detail: `request ${row.id}: the expert asks for information; the clock is paused`,
        requestUpdate: { id: row.id, state: 'information-requested', fromStates: ALLOWED_REPLIES.ask, set: { pausedAt: at } },
        communications: [
          {
            id: `com-${msg.id}`,
            request: row.id,
            message: msg.id,
            sender: row.expertAddress!,
            recipient: row.requester ?? replyContext.from,
            text: reply.text ?? '-',
            documents: reply.documents.map((d) => ({ contentType: d.attachment.contentType, name: d.attachment.name, sha256: d.attachment.sha256 })),
          },
        ],
        outbox: toRequester(
          'relay-question',
          loopText(language, 'questionSubject', { id: row.id }),
          `${loopText(language, 'question', { ref })}\n\n${reply.text ?? ''}`,
          answer('information-requested', { reason: reply.text ?? '-' }),
        ),
      };
    case 'decline': {
      const a = assignRequest(ctx, row, request, {
        sourceMessage: msg.id,
        excluded: [...ctx.excludedExperts(row.id), row.expert!],
        fromStates: ALLOWED_REPLIES.decline,
        note: loopText(language, 'reassigned', { ref, why: 'declined' }),
      });
      const told = toRequester(
        'relay-reassigned',
        loopText(language, 'reassignedSubject', { id: row.id }),
        a.decision.outcome === 'assigned' ? loopText(language, 'reassigned', { ref, why: 'declined' }) : loopText(language, 'waiting', { ref, why: 'declined' }),
        answer('accepted'),
      );
      return {
        state: 'relayed',
        detail: `request ${row.id} declined by ${row.expert}; ${a.detail}`,
        requestUpdate: a.requestUpdate,
        routingDecisions: [{ request: row.id, outcome: 'declined', expert: row.expert, reason: 'declined by the expert' }, ...a.routingDecisions],
        outbox: [...a.outbox, ...told],
        ...(a.decision.outcome === 'assigned' ? {} : { alert: `request ${row.id} declined and no other expert available: ${a.detail}` }),
      };
    }
    case 'opinion':
    case 'correction': {
      const version = reply.verb === 'opinion' ? 1 : ctx.latestOpinionVersion(row.id) + 1;
      const documents = reply.documents.map((d) => ({ contentType: d.attachment.contentType, name: d.attachment.name ?? 'document', data: d.bytes }));
      for (const d of reply.documents) {
        const stored = ctx.storeDocument(d.bytes);
        if (!stored.ok) return refused(stored.problems[0]!.code, `an opinion document of ${row.id} could not be stored`);
      }
      const verdict = row.verdict as Verdict | undefined;
      const record = buildPatientRecord({
        language,
        requestId: row.id,
        ...(request.ids.sender ? { senderRef: request.ids.sender.value } : {}),
        requestedAt: row.createdAt,
        opinionAt: at,
        opinionVersion: version,
        requester: request.requester,
        expert,
        patient: request.patient,
        opinion: reply.text ?? '',
        acts: (verdict?.acts ?? []).map((x) => ({ code: x.code, system: x.system, amount: x.amount, billedBy: x.billedBy })),
        timeZone: ctx.pack.timeZone,
        incidents: ctx
          .routingDecisions(row.id)
          .filter((d) => d.outcome !== 'assigned')
          .map((d) => ({ at: d.at, text: `${d.outcome}${d.expert ? ` (${d.expert})` : ''}: ${d.reason}` })),
      });
      const kind = reply.verb === 'opinion' ? 'finalized' : 'corrected';
      const textKey = reply.verb === 'opinion' ? 'opinion' : 'correction';
      // billing: the claims of the first opinion (not of corrections), written with the request's move to answered
      const claims =
        version === 1 && ctx.billing && verdict?.acts.length
          ? buildOpinionClaims({
              requestId: row.id,
              request,
              requestedAt: row.createdAt,
              acts: verdict.acts,
              expert: billedExpert(expert, row, request),
              insurer: ctx.billing.insurer,
              at,
              timeZone: ctx.pack.timeZone,
              newId: (prefix) => ctx.newId(prefix),
            })
          : [];
      return {
        state: 'relayed',
        detail: `request ${row.id}: opinion version ${version} from ${row.expert} relayed`,
        requestUpdate: { id: row.id, state: 'answered', fromStates: ALLOWED_REPLIES[reply.verb], set: { pausedAt: null } },
        opinion: { request: row.id, version, expert: row.expert, message: msg.id, text: reply.text, documents: reply.documents.map((d) => d.attachment) },
        ...(claims.length ? { claims } : {}),
        outbox: toRequester(
          `relay-${kind}`,
          loopText(language, textKey === 'opinion' ? 'opinionSubject' : 'correctionSubject', { id: row.id, version }),
          `${loopText(language, textKey, { ref, version })}\n\n${reply.text ?? ''}\n\n--\n${record.text}`,
          answer(kind, { opinion: { text: reply.text ?? '-', documents: documents.map((d) => ({ contentType: d.contentType, name: d.name, data: d.data.toString('base64') })), version } }),
          [...documents, { contentType: 'application/json', name: 'patient-record.json', data: Buffer.from(JSON.stringify(record.json, null, 2)) }],
        ),
      };
    }
  }
}

function fromRequester(msg: MessageWork, row: RequestRow, ctx: PipelineContext): StepResult {
  // the requester cancels over the FHIR API (their Task set to cancelled), before an expert accepted
  if (msg.channel === 'fhir' && (msg.summary as { fhir?: string } | undefined)?.fhir === 'cancel') {
    if (!CANCELLABLE_STATES.includes(row.state)) return refused('RELAY_INVALID_TRANSITION', `cancellation of ${row.id} in state ${row.state}: too late`);
    const { told, ...cancelled } = cancelRequest(ctx, row, msg.id);
    return { state: 'relayed', detail: `request ${row.id} cancelled by its requester; its quota place is given back${told ? '; the expert told' : ''}`, ...cancelled };
  }
  const language = ctx.pack.language;
  if (row.state !== 'information-requested' || !row.expertAddress) {
    return refused('RELAY_INVALID_TRANSITION', `a message from the requester about ${row.id} in state ${row.state}: recorded, not relayed`);
  }
  const said = msg.channel === 'fhir' ? readApiCommunication(msg) : readMailAnswer(msg);
  for (const d of said.documents) {
    const stored = ctx.storeDocument(d.bytes);
    if (!stored.ok) return refused(stored.problems[0]!.code, `a document of the requester's answer about ${row.id} could not be stored`);
  }
  const { text } = said;
  const attachments = said.documents.map((d) => ({ contentType: d.attachment.contentType, name: d.attachment.name ?? 'document', data: d.bytes }));
  const at = ctx.now();
  // the clock runs again: the deadline moves by the time it was paused
  const paused = row.pausedAt ? at.getTime() - row.pausedAt.getTime() : 0;
  const outbox = mailToExpert(ctx, row, msg, 'relay-answer', loopText(language, 'answerSubject', { id: row.id }), `${loopText(language, 'answer', { id: row.id })}\n\n${text}`, attachments);
  return {
    state: 'relayed',
    detail: `request ${row.id}: the requester's answer relayed to ${row.expert}; the clock runs again`,
    requestUpdate: {
      id: row.id,
      state: 'accepted',
      fromStates: ['information-requested'],
      set: { pausedAt: null, ...(row.dueAt ? { dueAt: new Date(row.dueAt.getTime() + paused) } : {}) },
    },
    communications: [
      {
        id: `com-${msg.id}`,
        request: row.id,
        message: msg.id,
        sender: row.requester ?? msg.envelopeFrom,
        recipient: row.expertAddress,
        text: text || '-',
        documents: said.documents.map((d) => ({ contentType: d.attachment.contentType, name: d.attachment.name, sha256: d.attachment.sha256 })),
      },
    ],
    outbox,
  };
}

interface Said {
  text: string;
  documents: PayloadDocument[];
}

function readMailAnswer(msg: MessageWork): Said {
  const mail = readMail(msg.content!);
  return mail.ok ? { text: mail.value.text ?? '', documents: mail.value.documents } : { text: '', documents: [] };
}

/** The requester's answer over the FHIR API: a Communication's text and attached documents. */
function readApiCommunication(msg: MessageWork): Said {
  const said: Said = { text: '', documents: [] };
  for (const r of apiResources(msg)) {
    if (!isObject(r) || r.resourceType !== 'Communication') continue;
    const texts: string[] = [];
    for (const { value } of getObjects(r, 'payload')) {
      const t = getString(value, 'contentString');
      if (t) texts.push(t);
      const a = getObject(value, 'contentAttachment');
      const bytes = a ? decodeStrictBase64(getString(a, 'data') ?? '') : undefined;
      if (a && bytes) {
        const contentType = getString(a, 'contentType');
        const name = getString(a, 'title');
        said.documents.push(buildPayloadDocument(bytes, { ...(contentType ? { contentType } : {}), ...(name ? { name } : {}) }));
      }
    }
    said.text = texts.join('\n\n');
  }
  return said;
}

