/**
 * The parse stage: the opened mail to the canonical request (src/payload), its documents to the blob store.
 * - a request: stored in `requests`, state `parsed`;
 * - a status message about a request (360X OSU^O51): its cancellation by the requester gives the request's
 *   quota place back; state `status`;
 * - anything else: state `unreadable`, and the sender gets, signed and encrypted, the blank form in the
 *   programme's language with what was wrong (codes and paths: no values).
 * Pure apart from the injected context (the blob store writes content-addressed files: doing it twice is harmless).
 */
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import { fail, ok, type Problem, type Result } from '../errors/result.ts';
import { buildMail } from '../mime/build-mail.ts';
import { headerValue, parseEntity } from '../mime/parse-entity.ts';
import { buildBlankForm } from '../payload/form/build-blank-form.ts';
import type { FormLanguage } from '../payload/form/form-labels.ts';
import { parseHl7v2Message, type Hl7v2Payload } from '../payload/hl7v2/parse-hl7v2-message.ts';
import { readMessageHeader, type Hl7MessageHeader } from '../payload/hl7v2/read-message-header.ts';
import { readObservationDocuments } from '../payload/hl7v2/read-observations.ts';
import type { ParsedRequest } from '../payload/mime/parsed-request.ts';
import { parseMimeRequest } from '../payload/mime/parse-mime-request.ts';
import { parseFhirPayload } from '../payload/fhir/parse-fhir-request.ts';
import { noticeText, type NoticeLanguage } from '../policy/notice-texts.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import { requestIdOfAddress } from './assign-request.ts';
import { buildSealedOutbox } from './build-sealed-outbox.ts';
import { cancelRequest, CANCELLABLE_STATES } from './cancel-request.ts';
import type { PipelineContext } from './pipeline-context.ts';

export const PARSE_FROM_STATE = 'received';
/** A message about a request already under way (an expert's reply, a requester's answer): the relay stage's. */
export const REPLY_STATE = 'reply';

/** What the opened mail said about itself (written by the unwrap stage). */
export interface OpenedSummary {
  signer?: string;
  from?: string;
  to?: string[];
  messageId?: string;
}

/** What an answer to the request needs later, besides the canonical request. */
export interface ReplyContext {
  /** the request mail's Message-ID, From and Subject */
  messageId?: string | undefined;
  from: string;
  subject?: string | undefined;
  /** the HL7 v2 request's MSH, to build OSU^O51 / RRI^I12 from */
  hl7Header?: Hl7MessageHeader;
}

const FORM_LANGUAGE: Record<NoticeLanguage, FormLanguage> = { fr: 'fr', 'pt-BR': 'pt', ru: 'ru', vi: 'vi', en: 'en' };

export function senderRefOf(request: CanonicalRequest): string | undefined {
  const s = request.ids.sender;
  return s ? `${s.system}|${s.value}` : undefined;
}

/** The request a message answers: sent to its reply address, or in reply to a mail the gateway sent about it. */
export function replyTargetOf(msg: MessageWork, summary: OpenedSummary, ctx: PipelineContext): string | undefined {
  for (const to of [...msg.envelopeTo, ...(summary.to ?? [])]) {
    const id = requestIdOfAddress(ctx, to);
    if (id) return id;
  }
  const headers = (() => {
    try {
      return parseEntity(msg.content!).headers;
    } catch {
      return [];
    }
  })();
  const refs = `${headerValue(headers, 'in-reply-to') ?? ''} ${headerValue(headers, 'references') ?? ''}`;
  const domain = ctx.domain.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`<[^<>]*?(req-[0-9a-z]+)[^<>]*@${domain}>`, 'i').exec(refs);
  return m?.[1]?.toLowerCase();
}

export function runParseStage(msg: MessageWork, ctx: PipelineContext): StepResult {
  if (!msg.content) throw new Error('an opened message without its content');
  const summary = (msg.summary ?? {}) as OpenedSummary;
  const from = summary.from ?? msg.envelopeFrom;
  if (msg.channel === 'fhir') return parseFhirApiRequest(msg, from, ctx);
  const target = replyTargetOf(msg, summary, ctx);
  if (target) return { state: REPLY_STATE, detail: `a reply about request ${target}`, summary: { ...(msg.summary ?? {}), replyTo: target } };
  let hl7: Hl7v2Payload | undefined;
  const parsed = parseMimeRequest(msg.content, {
    hl7v2: (bytes): Result<ParsedRequest> => {
      const r = parseHl7v2Message(bytes);
      if (!r.ok) return r;
      hl7 = r.value;
      // the documents of its OBX ED segments go to the blob store like those of every other dialect
      return r.value.kind === 'request' ? ok({ request: r.value.request, documents: readObservationDocuments(r.value.message) }) : fail({ code: 'PAYLOAD_NOT_A_REQUEST', path: 'MSH-9', message: `an HL7 v2 ${r.value.kind} message` });
    },
  });
  if (hl7 && hl7.kind !== 'request') return status(msg, hl7, from, ctx);
  if (!parsed.ok) return unreadable(msg, from, parsed.problems, ctx);

  // the documents first: a request in the database always finds its documents in the store
  for (const doc of parsed.value.documents) {
    const stored = ctx.storeDocument(doc.bytes);
    if (!stored.ok) return unreadable(msg, from, stored.problems, ctx);
  }
  const id = ctx.newId('req');
  const request: CanonicalRequest = { ...parsed.value.request, ids: { ...parsed.value.request.ids, txgate: id } };
  const reply: ReplyContext = {
    messageId: summary.messageId ?? msg.messageId,
    from,
    subject: parsed.value.found.subject,
    ...(hl7?.kind === 'request' ? { hl7Header: readMessageHeader(hl7.message, []) } : {}),
  };
  return {
    state: 'parsed',
    detail: `request ${id} read (${request.dialect}, ${parsed.value.documents.length} document(s))`,
    request: {
      id,
      message: msg.id,
      channel: request.channel,
      dialect: request.dialect,
      senderRef: senderRefOf(request),
      requester: from,
      state: 'parsed',
      canonical: { request, reply },
    },
  };
}

/**
 * A request received over the FHIR API: its Bundle read (src/payload/fhir), stored under the id its Task has had
 * since the POST. Unreadable: state `unreadable`, the Task rejected with the problems' codes (no mail: the client
 * follows the Task).
 */
function parseFhirApiRequest(msg: MessageWork, from: string, ctx: PipelineContext): StepResult {
  const id = (msg.summary as { requestId?: string } | undefined)?.requestId;
  if (!id) throw new Error('a FHIR API request without its Task id');
  const parsed = parseFhirPayload(msg.content!, { channel: 'fhir' });
  const problems = parsed.ok ? parsed.value.documents.flatMap((d) => { const s = ctx.storeDocument(d.bytes); return s.ok ? [] : s.problems; }) : parsed.problems;
  if (!parsed.ok || problems.length > 0) {
    const codes = [...new Set(problems.map((p) => p.code))];
    return {
      state: 'unreadable',
      refusalCode: codes[0] ?? 'PAYLOAD_UNREADABLE',
      detail: `not a request: ${codes.join(', ')}${problems.length ? ` at ${problems.slice(0, 5).map((p) => p.path).join(', ')}` : ''}; the Task says so`,
      summary: { ...(msg.summary ?? {}), problems: problems.map((p) => ({ code: p.code, path: p.path })) },
    };
  }
  const request: CanonicalRequest = { ...parsed.value.request, ids: { ...parsed.value.request.ids, txgate: id } };
  return {
    state: 'parsed',
    detail: `request ${id} read (FHIR API, ${parsed.value.documents.length} document(s))`,
    request: {
      id,
      message: msg.id,
      channel: 'fhir',
      dialect: request.dialect,
      senderRef: senderRefOf(request),
      requester: from,
      state: 'parsed',
      canonical: { request, reply: { from } satisfies ReplyContext },
    },
  };
}

/** A status message: a cancellation by the requester gives its request's quota place back. */
function status(msg: MessageWork, payload: Exclude<Hl7v2Payload, { kind: 'request' }>, from: string, ctx: PipelineContext): StepResult {
  const referral = payload.kind === 'order-status' ? payload.update.referral : payload.kind === 'referral-response' ? payload.response.referral : undefined;
  // an expert's answer in HL7 v2 sent to the gateway's address: a reply about the request it names
  if (referral && !(payload.kind === 'order-status' && (payload.update.event === 'cancel-requested' || payload.update.event === 'cancelled'))) {
    const assigned = ctx
      .findRequestsBySenderRef(`${referral.system}|${referral.value}`)
      .find((r) => r.expert !== undefined && ctx.addressesOf(r.expert).some((a) => a.toLowerCase() === from.toLowerCase()));
    if (assigned) return { state: REPLY_STATE, detail: `an HL7 v2 reply about request ${assigned.id}`, summary: { ...(msg.summary ?? {}), replyTo: assigned.id } };
  }
  if (payload.kind !== 'order-status' || (payload.update.event !== 'cancel-requested' && payload.update.event !== 'cancelled')) {
    return { state: 'status', detail: `HL7 v2 ${payload.kind} recorded` };
  }
  const ref = `${payload.update.referral.system}|${payload.update.referral.value}`;
  // only the requester who sent it may cancel a request, and only before an expert accepted it
  const mine = ctx.findRequestsBySenderRef(ref).filter((r) => r.requester !== undefined && r.requester.toLowerCase() === from.toLowerCase());
  const target = mine.find((r) => CANCELLABLE_STATES.includes(r.state));
  if (!target) {
    return { state: 'status', detail: mine.length ? `cancellation of ${mine[0]!.id} in state ${mine[0]!.state}: too late, ignored` : 'cancellation of no request of this sender: ignored' };
  }
  const { told, ...cancelled } = cancelRequest(ctx, target, msg.id);
  return { state: 'status', detail: `request ${target.id} cancelled by its requester; its quota place is given back${told ? '; the expert told' : ''}`, ...cancelled };
}


function unreadable(msg: MessageWork, from: string, problems: Problem[], ctx: PipelineContext): StepResult {
  const codes = [...new Set(problems.map((p) => p.code))];
  const language = FORM_LANGUAGE[ctx.pack.language];
  const form = buildBlankForm(language);
  const cert = from ? ctx.encryptionCert(from, ctx.now()) : undefined;
  const where = problems
    .slice(0, 20)
    .map((p) => `- ${p.code} (${p.path})`)
    .join('\n');
  const outbox = cert
    ? [
        buildSealedOutbox(ctx, {
          kind: 'notice-unreadable',
          idempotencyKey: `notice:unreadable:${msg.id}`,
          sourceMessage: msg.id,
          messageId: `<unreadable-${msg.id}@${ctx.domain}>`,
          to: from,
          recipientCert: cert,
          inner: buildMail({
            from: ctx.gatewayAddress,
            to: from,
            subject: form.subject,
            messageId: `<unreadable-${msg.id}@${ctx.domain}>`,
            date: ctx.now(),
            inReplyTo: msg.messageId,
            text: `${noticeText('PAYLOAD_UNREADABLE', ctx.pack.language)}\n\n${where}\n\n${form.text}`,
          }),
        }),
      ]
    : [];
  return {
    state: 'unreadable',
    refusalCode: codes[0] ?? 'PAYLOAD_UNREADABLE',
    detail: `not a request: ${codes.join(', ')}${problems.length ? ` at ${problems.slice(0, 5).map((p) => p.path).join(', ')}` : ''}; ${cert ? 'blank form sent' : 'no certificate for the sender: no form sent'}`,
    summary: { ...(msg.summary ?? {}), problems: problems.map((p) => ({ code: p.code, path: p.path })) },
    outbox,
  };
}
