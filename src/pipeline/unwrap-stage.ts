/**
 * The unwrap stage: open the S/MIME message (decrypt, verify, check the signer), then
 * - a request: state `received`, a processed MDN to the sender;
 * - a notification (MDN, or a DSN, which MTAs send unprotected) about something we sent: recorded and
 *   correlated, state `notification`, never answered;
 * - a refusal: state `rejected` with its code, a failed MDN when we hold a certificate to encrypt it;
 * - a request received over the FHIR API: its Bundle's signature verified (open-fhir-request.ts), no MDN (the
 *   client follows its Task).
 * Pure apart from the injected context: the caller writes the result in one transaction.
 */
import { GatewayError } from '../errors/gateway-error.ts';
import { parseAddressList } from '../mime/addresses.ts';
import { headerValue, parseEntity, type Header } from '../mime/parse-entity.ts';
import { isNotification, notificationAddress, parseNotification, wantsFinalDeliveryNotification } from '../notify/parse-notification.ts';
import { openMessage, type OpenedMessage } from '../smime/open-message.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import type { OutboxRow } from '../store/outbox.ts';
import { buildMdnOutbox } from './build-mdn-outbox.ts';
import { openFhirRequest } from './open-fhir-request.ts';
import type { PipelineContext } from './pipeline-context.ts';

export const UNWRAP_FROM_STATE = 'accepted';

function headersOf(raw: Buffer): Header[] {
  try {
    return parseEntity(raw).headers;
  } catch {
    return [];
  }
}

export function runUnwrapStage(msg: MessageWork, ctx: PipelineContext): StepResult {
  if (msg.channel === 'fhir') return openFhirRequest(msg, ctx);
  const at = ctx.now();
  let opened: OpenedMessage;
  try {
    opened = openMessage(msg.raw, { keys: ctx.keys, trust: ctx.trust, at, ...ctx.open });
  } catch (err) {
    if (!(err instanceof GatewayError) || err.disposition === 'tempfail') throw err;
    return refused(msg, err, ctx);
  }
  const notification = parseNotification(opened.content);
  if (notification.kind !== 'none') return correlate(notification, opened.headers.from, ctx, 'signed');

  const innerHeaders = headersOf(opened.content);
  const replyTo = notificationAddress(innerHeaders) ?? opened.headers.from!;
  const cert = ctx.encryptionCert(replyTo, at) ?? (replyTo.toLowerCase() === opened.headers.from?.toLowerCase() ? opened.signerCert : undefined);
  const summary = {
    signer: opened.signer.email,
    signerSerial: opened.signer.serial,
    from: opened.headers.from,
    to: opened.headers.to,
    messageId: opened.headers.messageId,
    encryption: opened.encryption,
    signature: opened.signature,
    wrapped: opened.wrapped,
    wantsDispatched: wantsFinalDeliveryNotification(innerHeaders),
  };
  const outbox = cert
    ? [
        buildMdnOutbox(ctx, {
          disposition: 'processed',
          sourceMessage: msg.id,
          to: replyTo,
          recipientCert: cert,
          originalMessageId: opened.headers.messageId ?? msg.messageId ?? '',
          originalRecipient: opened.headers.to[0] ?? msg.envelopeTo[0] ?? ctx.gatewayAddress,
        }),
      ]
    : [];
  return {
    state: 'received',
    detail: `opened: signed by ${opened.signer.email}, ${opened.encryption.contentCipher}/${opened.encryption.keyTransport}${cert ? '; processed MDN queued' : '; no certificate to send an MDN'}`,
    summary,
    content: opened.content,
    outbox,
  };
}

/** A refused message: a failed MDN to the sender when we can encrypt one, never in answer to a notification. */
function refused(msg: MessageWork, err: GatewayError, ctx: PipelineContext): StepResult {
  // delivery status notifications come from MTAs, unprotected: they are read, not opened
  const dsn = parseNotification(msg.raw);
  if (dsn.kind === 'dsn') return correlate(dsn, undefined, ctx, 'unprotected');
  const headers = headersOf(msg.raw);
  if (dsn.kind !== 'none' || isNotification(headers)) {
    return { state: 'rejected', refusalCode: err.code, detail: `${err.code}: a notification that could not be opened; not answered` };
  }
  const sender = parseAddressList(headerValue(headers, 'from'))[0] ?? msg.envelopeFrom;
  const cert = sender ? ctx.encryptionCert(sender, ctx.now()) : undefined;
  const outbox =
    cert && sender
      ? [
          buildMdnOutbox(ctx, {
            disposition: 'failed',
            sourceMessage: msg.id,
            to: sender,
            recipientCert: cert,
            originalMessageId: msg.messageId ?? '',
            originalRecipient: msg.envelopeTo[0] ?? ctx.gatewayAddress,
            failure: { code: err.code, text: err.message },
          }),
        ]
      : [];
  return {
    state: 'rejected',
    refusalCode: err.code,
    detail: `${err.code}${err.detail ? ` (${err.detail})` : ''}; ${cert ? 'failed MDN queued' : 'no certificate for the sender: no failed MDN'}`,
    outbox,
  };
}

/** How a notification moves the delivery tracking of the outbound message it is about. */
export function trackingAfter(row: OutboxRow, kind: 'mdn' | 'dsn', disposition: string, wantsDispatched: boolean): string | undefined {
  if (kind === 'dsn') return disposition === 'failed' ? 'failed' : undefined;
  if (disposition === 'failed' || disposition === 'denied') return 'failed';
  if (disposition === 'dispatched') return 'delivered';
  if (disposition === 'processed') return wantsDispatched ? (row.tracking === 'delivered' ? 'delivered' : 'processed') : 'delivered';
  return undefined;
}

function correlate(n: ReturnType<typeof parseNotification>, signedBy: string | undefined, ctx: PipelineContext, protection: 'signed' | 'unprotected'): StepResult {
  if (n.kind === 'invalid') {
    return { state: 'rejected', refusalCode: 'NOTIFY_MALFORMED', detail: `malformed notification: ${n.problems.map((p) => p.path).join(', ')}; not answered` };
  }
  if (n.kind === 'none') throw new Error('not a notification');
  const kind = n.kind;
  const disposition = kind === 'mdn' ? n.disposition : (n.recipients.find((r) => r.action === 'failed')?.action ?? n.recipients[0]?.action ?? 'unknown');
  const originalMessageId = n.originalMessageId ?? n.inReplyTo;
  const row = originalMessageId ? ctx.findOutboxByMessageId(originalMessageId) : undefined;
  // an MDN counts only when signed by (an address of the domain of) one of the recipients of what we sent
  const fromRecipient =
    !row || kind === 'dsn' || (signedBy !== undefined && row.envelopeTo.some((t) => t.toLowerCase() === signedBy.toLowerCase() || t.split('@')[1]?.toLowerCase() === signedBy.split('@')[1]?.toLowerCase()));
  const tracking = row && fromRecipient ? trackingAfter(row, kind, disposition, row.wantsDispatched) : undefined;
  const detail = row
    ? `${kind} ${disposition} (${protection}) about ${row.id}${fromRecipient ? '' : ' from a non-recipient: ignored'}`
    : `${kind} ${disposition} (${protection}) about nothing we sent`;
  // the request reached the specialist: the requester who asked for it gets a dispatched MDN (Direct final delivery)
  const dispatched = row && (tracking === 'processed' || tracking === 'delivered') ? dispatchedMdnFor(row, ctx) : undefined;
  return {
    state: 'notification',
    detail: `${detail}${dispatched ? '; dispatched MDN queued to the requester' : ''}`,
    notification: {
      outbox: row?.id,
      kind,
      disposition,
      originalMessageId,
      ...(tracking ? { tracking } : {}),
    },
    ...(dispatched ? { outbox: [dispatched] } : {}),
  };
}

/**
 * A `dispatched` MDN with X-DIRECT-FINAL-DESTINATION-DELIVERY for the request a forward carried, when its sender
 * asked for one (Disposition-Notification-Options) and the expert's side confirmed the forward: once per request
 * message (its idempotency key), whichever expert it reached.
 */
function dispatchedMdnFor(row: OutboxRow, ctx: PipelineContext) {
  if (row.kind !== 'forward') return undefined;
  const requestId = /^<fwd-(req-[0-9a-z]+)-/.exec(row.messageId)?.[1];
  const request = requestId ? ctx.findRequest(requestId) : undefined;
  const source = request ? ctx.messageSummary(request.message) : undefined;
  if (!request || !source?.summary?.wantsDispatched) return undefined;
  const to = (source.summary.from as string | undefined) ?? source.envelopeFrom;
  const cert = ctx.encryptionCert(to, ctx.now());
  if (!cert) return undefined;
  return buildMdnOutbox(ctx, {
    disposition: 'dispatched',
    sourceMessage: request.message,
    to,
    recipientCert: cert,
    originalMessageId: (source.summary.messageId as string | undefined) ?? source.messageId ?? '',
    originalRecipient: source.envelopeTo[0] ?? ctx.gatewayAddress,
    finalDestinationDelivery: true,
  });
}
