/** A mail the gateway sends, as an outbox row: signed by the gateway, encrypted for its one recipient. */
import type { Certificate } from '../pki/certificate.ts';
import { sealMessage } from '../smime/seal-message.ts';
import type { OutboxInsert } from '../store/outbox.ts';
import type { PipelineContext } from './pipeline-context.ts';

export interface SealedMail {
  kind: string;
  /** the same key is never sent twice */
  idempotencyKey: string;
  sourceMessage: string;
  messageId: string;
  to: string;
  recipientCert: Certificate;
  /** the mail before sealing (its Message-ID header equal to messageId) */
  inner: Buffer;
  /** the envelope sender: the gateway's address unless given ('' for the null return path of notifications) */
  envelopeFrom?: string;
  expectsMdn?: boolean;
  wantsDispatched?: boolean;
}

export function buildSealedOutbox(ctx: PipelineContext, m: SealedMail): OutboxInsert {
  const sealed = sealMessage(m.inner, {
    signerKey: ctx.signer.key,
    signerCert: ctx.signer.cert,
    chain: ctx.signer.chain,
    recipients: [m.recipientCert],
    ...ctx.sealFor(m.to),
    now: ctx.now(),
  });
  return {
    id: ctx.newId('out'),
    idempotencyKey: m.idempotencyKey,
    kind: m.kind,
    sourceMessage: m.sourceMessage,
    messageId: m.messageId,
    envelopeFrom: m.envelopeFrom ?? ctx.gatewayAddress,
    envelopeTo: [m.to],
    raw: sealed,
    ...(m.expectsMdn ? { expectsMdn: true } : {}),
    ...(m.wantsDispatched ? { wantsDispatched: true } : {}),
  };
}
