/** Outbound delivery against a loopback server: temporary failures retried until accepted (delivered once), permanent ones stopped. */
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { listOutbox } from '../../src/store/outbox.ts';
import { eventually } from '../helpers/eventually.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink, type SinkDecision } from '../helpers/smtp-sink.ts';
import { party, sampleInner } from '../helpers/test-pki.ts';

let sink: SmtpSink | undefined;
let gw: Gateway | undefined;

afterEach(async () => {
  await gw?.stop();
  await sink?.close();
  gw = undefined;
  sink = undefined;
});

async function run(behaviour: (attempt: number) => SinkDecision) {
  sink = await startSmtpSink({ behaviour: ({ attempt }) => behaviour(attempt) });
  gw = await startGateway(testGatewayConfig(sink.port).config, { log: silentLogger });
  const doctor = party('doctor');
  const sealed = sealMessage(sampleInner(), { signerKey: doctor.key, signerCert: doctor.cert, recipients: [party('gateway').cert] });
  const r = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: ['gateway@txgate.localhost'] }, sealed);
  expect(r.ok).toBe(true);
  return /queued as (\S+)/.exec(r.response)![1]!;
}

describe('outbound delivery', () => {
  it('retries a temporary refusal (451 twice) with backoff, then delivers the MDN exactly once', async () => {
    const id = await run((attempt) => (attempt <= 2 ? { code: 451, message: '4.3.0 Try again later' } : 'accept'));
    const row = await eventually(() => {
      const [o] = listOutbox(gw!.db, { sourceMessage: id });
      expect(o?.state).toBe('sent');
      return o!;
    });
    expect(row.attempts).toBe(3);
    expect(sink!.attempts).toBe(3);
    expect(sink!.messages).toHaveLength(1);
    // the same bytes and Message-ID on every attempt
    expect(sink!.messages[0]!.raw.toString('latin1')).toContain(row.messageId);
  });

  it('stops at a permanent refusal (550) and records it for the operator', async () => {
    const id = await run(() => ({ code: 550, message: '5.1.1 No such user' }));
    const row = await eventually(() => {
      const [o] = listOutbox(gw!.db, { sourceMessage: id });
      expect(o?.state).toBe('failed');
      return o!;
    });
    expect(row).toMatchObject({ attempts: 1, lastErrorCode: 'SMTP_5XX' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sink!.attempts).toBe(1);
  });
});
