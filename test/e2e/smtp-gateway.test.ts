/**
 * The daemon over real loopback SMTP: a sealed request in, a signed and encrypted processed MDN out to a
 * loopback mailbox; refusals, notifications and the SMTP replies peers see.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { parseNotification } from '../../src/notify/parse-notification.ts';
import { loadTrustStore } from '../../src/pki/trust-store.ts';
import { SMTP_REPLIES } from '../../src/ingress/smtp/smtp-replies.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { getMessage } from '../../src/store/messages.ts';
import { listOutbox } from '../../src/store/outbox.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { CERTS } from '../helpers/paths.ts';
import { eventually } from '../helpers/eventually.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { CA_FILE, gatewayKey, party, sampleInner, type Party } from '../helpers/test-pki.ts';

let sink: SmtpSink;
let gw: Gateway;
const gateway = party('gateway');
const doctor = party('doctor');
const GW = 'gateway@txgate.localhost';

function seal(p: Party, inner = sampleInner(p.cert.sanEmails[0])): Buffer {
  return sealMessage(inner, { signerKey: p.key, signerCert: p.cert, recipients: [gateway.cert] });
}

/** Opens what the gateway sent as its recipient would, and reads the notification in it. */
function openAs(p: Party, raw: Buffer) {
  const opened = openMessage(raw, { keys: [gatewayKey(p.name)], trust: loadTrustStore([{ path: CA_FILE }]) });
  return { opened, notification: parseNotification(opened.content) };
}

function idOf(response: string): string {
  return /queued as (\S+)/.exec(response)![1]!;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  const { config, dir } = testGatewayConfig(sink.port);
  // the revoked doctor's certificate is in the directory, so a failed MDN can be encrypted for them
  copyFileSync(join(CERTS, 'revoked.crt.pem'), join(dir, 'certificates', 'revoked.crt.pem'));
  gw = await startGateway(config, { log: silentLogger });
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('secure mail in, delivery notifications out', () => {
  it('accepts a sealed request with 250 only once stored, and answers a signed, encrypted processed MDN', async () => {
    const inner = sampleInner();
    const r = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, seal(doctor, inner));
    expect(r.ok).toBe(true);
    const id = idOf(r.response);
    const before = sink.messages.length;
    await gw.drain();
    const m = getMessage(gw.db, id)!;
    // opened, read as a request (a form), refused under the default French pack (no consent, no INS)
    expect(m.state).toBe('refused');
    expect(m.history.map((h) => h.toState)).toEqual(['accepted', 'received', 'parsed', 'refused']);
    await sink.waitFor(before + 1);
    const mdn = sink.messages[before]!;
    expect(mdn.tls).toBe(true);
    expect(mdn.envelope.to).toEqual(['dr.martin@hopital-a.test']);
    const { opened, notification } = openAs(doctor, mdn.raw);
    expect(opened.signer.email).toBe(GW);
    expect(notification).toMatchObject({ kind: 'mdn', disposition: 'processed', originalMessageId: /^<req-/ });
    await eventually(() => expect(listOutbox(gw.db, { sourceMessage: id })).toMatchObject([{ kind: 'mdn-processed', state: 'sent' }]));
  });

  it('answers the same message sent twice with 250 and processes it once', async () => {
    const sealed = seal(doctor);
    const a = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, sealed);
    const b = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, sealed);
    expect(a.ok && b.ok).toBe(true);
    expect(idOf(b.response)).toBe(idOf(a.response));
    await gw.drain();
    expect(listOutbox(gw.db, { sourceMessage: idOf(a.response) })).toHaveLength(1);
  });

  it('refuses a revoked signer: state rejected with its code, and a failed MDN carrying the code', async () => {
    const revoked = party('revoked');
    const r = await sendSmtp(gw.smtpPort!, { from: 'dr.revoked@hopital-a.test', to: [GW] }, seal(revoked));
    expect(r.ok).toBe(true);
    const before = sink.messages.length;
    await gw.drain();
    const m = getMessage(gw.db, idOf(r.response))!;
    expect(m).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_CERT_REVOKED' });
    await sink.waitFor(before + 1);
    const { notification } = openAs(revoked, sink.messages[before]!.raw);
    expect(notification).toMatchObject({ kind: 'mdn', disposition: 'failed' });
    expect(notification.kind === 'mdn' && notification.failure).toContain('SMIME_CERT_REVOKED');
  });

  it('records a refusal without an MDN when it has no certificate for the sender', async () => {
    const r = await sendSmtp(gw.smtpPort!, { from: 'dr.untrusted@hopital-a.test', to: [GW] }, seal(party('untrusted')));
    const before = sink.messages.length;
    await gw.drain();
    expect(getMessage(gw.db, idOf(r.response))).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_UNTRUSTED_SIGNER' });
    expect(listOutbox(gw.db, { sourceMessage: idOf(r.response) })).toHaveLength(0);
    expect(sink.messages.length).toBe(before);
  });

  it('records an MDN about what it sent, correlates it, and never answers it', async () => {
    const first = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, seal(doctor));
    await gw.drain();
    const ourMdn = listOutbox(gw.db, { sourceMessage: idOf(first.response) })[0]!;
    // the doctor's system answers our MDN with its own processed MDN (it should not, but peers do)
    const { buildMdn } = await import('../../src/notify/build-mdn.ts');
    const theirs = buildMdn({ disposition: 'processed', from: 'dr.martin@hopital-a.test', to: GW, originalMessageId: ourMdn.messageId, originalRecipient: 'dr.martin@hopital-a.test', reportingUa: 'hopital-a.test; test', messageId: '<their-mdn@hopital-a.test>', date: new Date() });
    const r = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, seal(doctor, theirs));
    const before = sink.messages.length;
    await gw.drain();
    const m = getMessage(gw.db, idOf(r.response))!;
    expect(m.state).toBe('notification');
    expect(m.history.at(-1)?.detail).toContain(ourMdn.id);
    expect(listOutbox(gw.db, { sourceMessage: m.id })).toHaveLength(0);
    expect(sink.messages.length).toBe(before);
  });

  it('records an unencrypted DSN from an MTA about what it sent', async () => {
    const first = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, seal(doctor));
    await gw.drain();
    const ours = listOutbox(gw.db, { sourceMessage: idOf(first.response) })[0]!;
    const dsn = Buffer.from(
      [
        'From: postmaster@hopital-a.test', `To: ${GW}`, 'Subject: Delivery Status Notification (Failure)', 'Message-ID: <dsn-1@hopital-a.test>', 'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Delivery failed.', '--b',
        'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.hopital-a.test', `X-Original-Message-Id: ${ours.messageId}`, '',
        'Final-Recipient: rfc822; dr.martin@hopital-a.test', 'Action: failed', 'Status: 5.1.1', '', '--b--', '',
      ].join('\r\n'),
    );
    const r = await sendSmtp(gw.smtpPort!, { from: '', to: [GW] }, dsn);
    expect(r.ok).toBe(true);
    await gw.drain();
    const m = getMessage(gw.db, idOf(r.response))!;
    expect(m.state).toBe('notification');
    expect(m.history.at(-1)?.detail).toMatch(/dsn failed \(unprotected\) about/);
  });
});

describe('what peers see at the SMTP level', () => {
  const sealed = () => seal(doctor);
  it.each([
    ['a relay attempt to another domain', 'RELAY_DENIED', { from: 'dr.martin@hopital-a.test', to: ['someone@elsewhere.test'] }, sealed],
    ['an unknown local recipient', 'UNKNOWN_USER', { from: 'dr.martin@hopital-a.test', to: ['nobody@txgate.localhost'] }, sealed],
    ['an unencrypted message', 'NOT_SECURE_MAIL', { from: 'dr.martin@hopital-a.test', to: [GW] }, () => sampleInner()],
    ['an oversized message', 'TOO_LARGE', { from: 'dr.martin@hopital-a.test', to: [GW] }, () => Buffer.concat([sealed(), Buffer.alloc(300_000, 0x41)])],
  ] as const)('%s gets %s', async (_name, reply, envelope, make) => {
    const r = await sendSmtp(gw.smtpPort!, { from: envelope.from, to: [...envelope.to] }, make());
    expect(r.ok).toBe(false);
    const [code, text] = SMTP_REPLIES[reply];
    expect(r.code).toBe(code);
    expect(r.response).toContain(text);
  });

  it('refuses mail before STARTTLS', async () => {
    const r = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, sealed(), { tls: false });
    expect(r.code).toBe(530);
    expect(r.response).toContain(SMTP_REPLIES.TLS_REQUIRED[1]);
  });
});
