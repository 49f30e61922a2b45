/** An MDN as an outbox row: built, signed by the gateway, encrypted for its recipient; fixed Message-ID and key. */
import type { Certificate } from '../pki/certificate.ts';
import { buildMdn } from '../notify/build-mdn.ts';
import type { OutboxInsert } from '../store/outbox.ts';
import { buildSealedOutbox } from './build-sealed-outbox.ts';
import type { PipelineContext } from './pipeline-context.ts';

export interface MdnRequest {
  disposition: 'processed' | 'dispatched' | 'failed';
  /** the message this MDN is about (its txgate id) */
  sourceMessage: string;
  to: string;
  recipientCert: Certificate;
  originalMessageId: string;
  originalRecipient: string;
  originalSubject?: string;
  failure?: { code: string; text: string };
  finalDestinationDelivery?: boolean;
}

export function buildMdnOutbox(ctx: PipelineContext, m: MdnRequest): OutboxInsert {
  const now = ctx.now();
  const messageId = `<mdn-${m.disposition}-${m.sourceMessage}@${ctx.domain}>`;
  const mdn = buildMdn({
    disposition: m.disposition,
    from: ctx.gatewayAddress,
    to: m.to,
    originalMessageId: m.originalMessageId,
    originalRecipient: m.originalRecipient,
    ...(m.originalSubject !== undefined ? { originalSubject: m.originalSubject } : {}),
    reportingUa: `${ctx.domain}; txgate`,
    ...(m.failure ? { failure: m.failure } : {}),
    ...(m.finalDestinationDelivery ? { finalDestinationDelivery: true } : {}),
    messageId,
    date: now,
  });
  return buildSealedOutbox(ctx, {
    kind: `mdn-${m.disposition}`,
    idempotencyKey: `mdn:${m.disposition}:${m.sourceMessage}`,
    sourceMessage: m.sourceMessage,
    messageId,
    to: m.to,
    recipientCert: m.recipientCert,
    inner: mdn,
    // RFC 8098 §2.1: an MDN goes out with a null return path, so that nothing ever answers it
    envelopeFrom: '',
  });
}
