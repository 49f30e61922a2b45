/**
 * An answer to a request, as a signed and encrypted mail to the requester: a human text, and the answer in the
 * request's dialect attached (360X OSU^O51, RRI^I12 for REF, the FHIR Task and the opinion's document Bundle;
 * a form or XDM request gets the text only). Used for refusals now and for the experts' answers (relay).
 */
import type { Answer } from '../domain/answer.ts';
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import { buildMail, type MailAttachment } from '../mime/build-mail.ts';
import { buildFhirAnswer, buildTaskUpdateBundle } from '../payload/fhir/build-fhir-answer.ts';
import { buildOsuO51 } from '../payload/hl7v2/build-osu-o51.ts';
import { buildRriI12 } from '../payload/hl7v2/build-rri-i12.ts';
import type { OutboxInsert } from '../store/outbox.ts';
import { buildSealedOutbox } from './build-sealed-outbox.ts';
import { signAsGateway } from '../fhir-signature/sign-as-gateway.ts';
import type { Bundle } from '../fhir-signature/sign-bundle.ts';
import type { ReplyContext } from './parse-stage.ts';
import type { PipelineContext } from './pipeline-context.ts';

export interface AnswerMail {
  request: CanonicalRequest;
  reply: ReplyContext;
  /** the message the answer comes from (the outbox row's source) */
  sourceMessage: string;
  answer: Answer;
  subject: string;
  text: string;
  /** outbox kind and idempotency key */
  kind: string;
  idempotencyKey: string;
  /** attach the answer in the request's dialect (default true) */
  dialectAnswer?: boolean;
  /** more attachments (the opinion's documents, the record for the patient file) */
  attachments?: MailAttachment[];
  /** the address replies go to (the request's own) */
  replyTo?: string;
}

/**
 * The answer in the request's dialect, as attachments (none for a form or an XDM request). For a FHIR request, the
 * Task update in a collection Bundle and the opinion's document Bundle, each signed by the gateway (Da Vinci CDex)
 * when a signer is given.
 */
export function buildDialectAttachments(request: CanonicalRequest, reply: ReplyContext, answer: Answer, signer?: PipelineContext['signer'], gatewayAddress?: string): MailAttachment[] {
  switch (request.dialect) {
    case 'hl7v2-360x':
      if (!reply.hl7Header || !request.ids.sender) return [];
      return [{ contentType: 'application/hl7-v2', name: 'answer.hl7', data: buildOsuO51(request, answer, reply.hl7Header) }];
    case 'hl7v2-ref':
      if (!reply.hl7Header || !request.ids.sender) return [];
      return [{ contentType: 'application/hl7-v2', name: 'answer.hl7', data: buildRriI12(request, answer, reply.hl7Header) }];
    case 'fhir': {
      const fhir = buildFhirAnswer(request, answer);
      const sign = (b: Bundle): Bundle => (signer && gatewayAddress ? signAsGateway(b, signer, gatewayAddress, new Date(answer.at)) : b);
      const json = (b: Bundle) => Buffer.from(JSON.stringify(sign(b), null, 2));
      return [
        { contentType: 'application/fhir+json', name: 'task-update.json', data: json(buildTaskUpdateBundle(fhir.task, answer)) },
        ...(fhir.document ? [{ contentType: 'application/fhir+json', name: 'opinion.json', data: json(fhir.document as Bundle) }] : []),
      ];
    }
    default:
      return [];
  }
}

/**
 * The answer mail as an outbox row; undefined when there is no certificate to encrypt it for the requester, and for
 * a request received over the FHIR API (its Task is the answer: the client reads it).
 */
export function buildAnswerOutbox(ctx: PipelineContext, a: AnswerMail): OutboxInsert | undefined {
  if (a.request.channel === 'fhir') return undefined;
  const to = a.reply.from;
  const cert = ctx.encryptionCert(to, ctx.now());
  if (!cert) return undefined;
  const messageId = `<${a.idempotencyKey.replace(/[^A-Za-z0-9.-]/g, '-')}@${ctx.domain}>`;
  const inner = buildMail({
    from: ctx.gatewayAddress,
    to,
    subject: a.subject,
    messageId,
    date: ctx.now(),
    inReplyTo: a.reply.messageId,
    // the requester's software says when it has processed it (the delivery is tracked)
    headers: { 'Disposition-Notification-To': ctx.gatewayAddress, ...(a.replyTo ? { 'Reply-To': a.replyTo } : {}) },
    text: a.text,
    attachments: [...(a.dialectAnswer === false ? [] : buildDialectAttachments(a.request, a.reply, a.answer, ctx.signer, ctx.gatewayAddress)), ...(a.attachments ?? [])],
  });
  return buildSealedOutbox(ctx, { kind: a.kind, idempotencyKey: a.idempotencyKey, sourceMessage: a.sourceMessage, messageId, to, recipientCert: cert, inner, expectsMdn: true });
}
