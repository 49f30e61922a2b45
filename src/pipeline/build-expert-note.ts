/**
 * A note from the gateway to the expert a request is assigned to (help with a reply, a refusal, the requester's
 * answer, a reminder, a withdrawal, a cancellation): signed and encrypted, Reply-To the request's own address, one
 * outbox row per request and source message and kind. None when no certificate is at hand to encrypt it.
 */
import { buildMail, type MailAttachment } from '../mime/build-mail.ts';
import type { OutboxInsert } from '../store/outbox.ts';
import type { RequestRow } from '../store/requests.ts';
import { replyAddressOf } from './assign-request.ts';
import { buildSealedOutbox } from './build-sealed-outbox.ts';
import type { PipelineContext } from './pipeline-context.ts';

export function buildExpertNote(
  ctx: PipelineContext,
  row: Pick<RequestRow, 'id' | 'expertAddress'>,
  sourceMessage: string,
  note: { kind: string; subject: string; text: string; attachments?: MailAttachment[] },
): OutboxInsert[] {
  const to = row.expertAddress;
  const cert = to ? ctx.encryptionCert(to, ctx.now()) : undefined;
  if (!to || !cert) return [];
  const { kind } = note;
  const messageId = `<${kind}-${row.id}-${sourceMessage}@${ctx.domain}>`;
  const inner = buildMail({
    from: ctx.gatewayAddress,
    to,
    subject: note.subject,
    messageId,
    date: ctx.now(),
    headers: { 'Reply-To': replyAddressOf(ctx, row.id) },
    text: note.text,
    attachments: note.attachments ?? [],
  });
  return [buildSealedOutbox(ctx, { kind, idempotencyKey: `${kind}:${row.id}:${sourceMessage}`, sourceMessage, messageId, to, recipientCert: cert, inner })];
}
