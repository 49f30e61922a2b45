/** sendRaw over real loopback SMTP (the test sink, smtp-server) and the error classification table. */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifySendError, sendRaw, type SendOutcome } from '../../src/delivery/send-raw.ts';
import type { SmtpRoute } from '../../src/delivery/smtp-route.ts';
import { CERTS } from '../helpers/paths.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../helpers/smtp-sink.ts';

const CA = readFileSync(join(CERTS, 'ca.crt.pem'), 'utf8');
const GATEWAY = {
  cert: readFileSync(join(CERTS, 'gateway.crt.pem'), 'utf8'),
  key: readFileSync(join(CERTS, 'gateway.key.pem'), 'utf8'),
};
const ENVELOPE = { from: 'gateway@txgate.localhost', to: ['cardio.durand@chu-b.test'] };
const OPTS = { timeoutMs: 3_000, name: 'txgate.localhost' };

/** CRLF throughout, lines that need dot-stuffing (a lone "." would end DATA), 8-bit bytes. */
const RAW = Buffer.concat([
  Buffer.from(
    'From: gateway@txgate.localhost\r\nTo: cardio.durand@chu-b.test\r\nSubject: Avis\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n' +
      'Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\r\n.\r\n..two dots\r\n.leading\r\n',
  ),
  Buffer.from([0xc3, 0xa9, 0x0d, 0x0a]),
]);

const sinks: SmtpSink[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function sink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(opts);
  sinks.push(s);
  return s;
}

/** The route to a sink: 127.0.0.1, certificate checked against the name localhost and certs/ca.crt.pem. */
function routeTo(port: number, over: Partial<SmtpRoute> = {}): SmtpRoute {
  return { host: '127.0.0.1', port, secure: false, requireTls: true, ca: [CA], clientCert: null, servername: 'localhost', ...over };
}

/** A bare TCP server playing a misbehaving peer. */
async function scriptedServer(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function failure(outcome: SendOutcome): { status: string; code: string; smtpCode?: number } {
  if (outcome.status === 'sent') throw new Error(`expected a failure, got sent: ${outcome.response}`);
  return { status: outcome.status, code: outcome.code, ...(outcome.smtpCode !== undefined ? { smtpCode: outcome.smtpCode } : {}) };
}

describe('sendRaw over loopback SMTP', () => {
  it('delivers once over STARTTLS, the exact bytes', async () => {
    const s = await sink();
    const outcome = await sendRaw(routeTo(s.port), ENVELOPE, RAW, OPTS);
    expect(outcome).toMatchObject({ status: 'sent', accepted: ENVELOPE.to, rejected: [], rejections: [] });
    expect(outcome.status === 'sent' && outcome.response).toMatch(/^250 /);
    expect(s.messages).toHaveLength(1);
    const m = s.messages[0]!;
    expect(m.tls).toBe(true);
    expect(m.clientCert).toBeUndefined();
    expect(m.envelope).toEqual(ENVELOPE);
    expect(m.raw.equals(RAW)).toBe(true);
  });

  it('delivers over implicit TLS (secure route)', async () => {
    const s = await sink({ implicitTls: true });
    const outcome = await sendRaw(routeTo(s.port, { secure: true }), ENVELOPE, RAW, OPTS);
    expect(outcome.status).toBe('sent');
    expect(s.messages.map((m) => m.tls)).toEqual([true]);
  });

  it('451 is temporary; the same message accepted on the next attempt arrives once', async () => {
    const s = await sink({ behaviour: ({ attempt }) => (attempt === 1 ? { code: 451, message: '4.3.0 Try again later' } : 'accept') });
    const first = await sendRaw(routeTo(s.port), ENVELOPE, RAW, OPTS);
    expect(failure(first)).toEqual({ status: 'temporary', code: 'SMTP_4XX', smtpCode: 451 });
    expect(first.response).toBe('451 4.3.0 Try again later');
    expect(s.messages).toHaveLength(0);
    const second = await sendRaw(routeTo(s.port), ENVELOPE, RAW, OPTS);
    expect(second.status).toBe('sent');
    await s.waitFor(1);
    expect(s.messages).toHaveLength(1);
    expect(s.attempts).toBe(2);
  });

  it('550 is permanent', async () => {
    const s = await sink({ behaviour: () => ({ code: 550, message: '5.7.1 Refused' }) });
    const outcome = await sendRaw(routeTo(s.port), ENVELOPE, RAW, OPTS);
    expect(failure(outcome)).toEqual({ status: 'permanent', code: 'SMTP_5XX', smtpCode: 550 });
    expect(outcome.response).toBe('550 5.7.1 Refused');
    expect(s.messages).toHaveLength(0);
    expect(s.attempts).toBe(1);
  });

  it('a peer without STARTTLS gets nothing when TLS is required', async () => {
    const s = await sink({ noStarttls: true });
    const outcome = await sendRaw(routeTo(s.port), ENVELOPE, RAW, OPTS);
    expect(failure(outcome)).toMatchObject({ status: 'temporary', code: 'SMTP_TLS_REQUIRED' });
    expect(s.attempts).toBe(0);
    expect(s.messages).toHaveLength(0);
  });

  it('a peer without STARTTLS gets the message in clear when TLS is not required', async () => {
    const s = await sink({ noStarttls: true });
    const outcome = await sendRaw(routeTo(s.port, { requireTls: false }), ENVELOPE, RAW, OPTS);
    expect(outcome.status).toBe('sent');
    expect(s.messages.map((m) => m.tls)).toEqual([false]);
  });

  it.each([
    ['untrusted (no CA given: public roots only)', { ca: [] }],
    ['another name than the certificate', { servername: 'mail.chu-b.test' }],
  ])('a server certificate that does not verify: %s', async (_label, over: Partial<SmtpRoute>) => {
    const s = await sink();
    const outcome = await sendRaw(routeTo(s.port, over), ENVELOPE, RAW, OPTS);
    expect(failure(outcome)).toEqual({ status: 'temporary', code: 'SMTP_TLS_FAILED' });
    expect(s.attempts).toBe(0);
  });

  it('a closed port is a temporary connection failure', async () => {
    const outcome = await sendRaw(routeTo(await closedPort()), ENVELOPE, RAW, OPTS);
    expect(failure(outcome)).toEqual({ status: 'temporary', code: 'SMTP_CONNECTION' });
    expect(outcome.response).toMatch(/ECONNREFUSED|refused/i);
  });

  it('mutual TLS: the client certificate is presented and seen; without it the handshake fails', async () => {
    const s = await sink({ requireClientCert: true });
    const withCert = await sendRaw(routeTo(s.port, { clientCert: GATEWAY }), ENVELOPE, RAW, OPTS);
    expect(withCert.status).toBe('sent');
    expect(s.messages.map((m) => [m.tls, m.clientCert])).toEqual([[true, 'txgate gateway']]);
    const without = await sendRaw(routeTo(s.port), ENVELOPE, RAW, OPTS);
    expect(failure(without)).toEqual({ status: 'temporary', code: 'SMTP_TLS_FAILED' });
    expect(s.messages).toHaveLength(1);
    expect(s.errors.length).toBeGreaterThan(0); // the refused handshake, caught by the sink
  });

  it('one recipient refused with 550, another accepted: sent, with the refusal listed', async () => {
    const s = await sink({ rcptBehaviour: (a) => (a === 'nobody@chu-b.test' ? { code: 550, message: '5.1.1 No such user' } : 'accept') });
    const to = ['cardio.durand@chu-b.test', 'nobody@chu-b.test'];
    const outcome = await sendRaw(routeTo(s.port), { from: ENVELOPE.from, to }, RAW, OPTS);
    expect(outcome).toMatchObject({
      status: 'sent',
      accepted: ['cardio.durand@chu-b.test'],
      rejected: ['nobody@chu-b.test'],
      rejections: [{ recipient: 'nobody@chu-b.test', status: 'permanent', smtpCode: 550, response: '550 5.1.1 No such user' }],
    });
    expect(s.messages.map((m) => m.envelope.to)).toEqual([['cardio.durand@chu-b.test']]);
  });

  it('every recipient refused: a failure, temporary when one refusal was 4xx, each listed', async () => {
    const s = await sink({ rcptBehaviour: (a) => (a.startsWith('busy') ? { code: 450, message: 'Mailbox busy' } : { code: 550, message: 'No such user' }) });
    const permanent = await sendRaw(routeTo(s.port), { from: ENVELOPE.from, to: ['nobody@chu-b.test'] }, RAW, OPTS);
    expect(failure(permanent)).toEqual({ status: 'permanent', code: 'SMTP_5XX', smtpCode: 550 });
    const mixed = await sendRaw(routeTo(s.port), { from: ENVELOPE.from, to: ['nobody@chu-b.test', 'busy@chu-b.test'] }, RAW, OPTS);
    expect(failure(mixed)).toEqual({ status: 'temporary', code: 'SMTP_4XX', smtpCode: 450 });
    expect(mixed.status !== 'sent' && mixed.rejections?.map((r) => [r.recipient, r.status])).toEqual([
      ['nobody@chu-b.test', 'permanent'],
      ['busy@chu-b.test', 'temporary'],
    ]);
    expect(s.attempts).toBe(0);
  });

  it.each([
    ['421 greeting', '421 4.3.2 Service shutting down\r\n', { status: 'temporary', code: 'SMTP_4XX', smtpCode: 421 }],
    ['554 greeting', '554 5.7.1 No service for you\r\n', { status: 'permanent', code: 'SMTP_5XX', smtpCode: 554 }],
  ])('a %s', async (_label, greeting, expected) => {
    const port = await scriptedServer((socket) => socket.end(greeting));
    expect(failure(await sendRaw(routeTo(port), ENVELOPE, RAW, OPTS))).toEqual(expected);
  });

  it('a silent peer times out', async () => {
    const port = await scriptedServer(() => undefined);
    const started = Date.now();
    const outcome = await sendRaw(routeTo(port), ENVELOPE, RAW, { timeoutMs: 300 });
    expect(failure(outcome)).toEqual({ status: 'temporary', code: 'SMTP_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('deadlineMs ends the whole attempt', async () => {
    // trickles a greeting that never ends, one byte every 100 ms: never silent
    const port = await scriptedServer((socket) => {
      const timer = setInterval(() => socket.write(' '), 100);
      socket.on('close', () => clearInterval(timer));
    });
    const outcome = await sendRaw(routeTo(port), ENVELOPE, RAW, { timeoutMs: 2_000, deadlineMs: 400 });
    expect(failure(outcome)).toEqual({ status: 'temporary', code: 'SMTP_TIMEOUT' });
    expect(outcome.response).toMatch(/exceeded 400 ms/);
  });

  it.each([
    ['no recipient', { from: ENVELOPE.from, to: [] }, RAW],
    ['an empty message', ENVELOPE, Buffer.alloc(0)],
  ])('%s is refused before connecting', async (_label, envelope, raw) => {
    const outcome = await sendRaw(routeTo(await closedPort()), envelope, raw, OPTS);
    expect(failure(outcome)).toEqual({ status: 'permanent', code: 'SMTP_INVALID' });
  });

  it('a message larger than the SIZE the peer announced is permanent (552), and not sent', async () => {
    const s = await sink({ size: 100 });
    const outcome = await sendRaw(routeTo(s.port), ENVELOPE, RAW, OPTS);
    expect(failure(outcome)).toEqual({ status: 'permanent', code: 'SMTP_5XX', smtpCode: 552 });
    expect(s.attempts).toBe(0);
    const small = Buffer.from('Subject: x\r\n\r\nshort\r\n');
    expect((await sendRaw(routeTo(s.port), ENVELOPE, small, OPTS)).status).toBe('sent');
  });

  it.each([
    ['command injection', { to: ['a@chu-b.test>\r\nRCPT TO:<c@elsewhere.test'] }],
    ['two addresses in one', { to: ['a@chu-b.test, c@elsewhere.test'] }],
    ['display name', { to: ['Dr Durand <cardio.durand@chu-b.test>'] }],
    ['no domain', { to: ['root'] }],
    ['dots to quote', { to: ['a..b@chu-b.test'] }],
    ['quoted local part', { to: ['"a,b"@chu-b.test'] }],
    ['two senders', { from: 'a@txgate.localhost, b@txgate.localhost' }],
  ])('refuses an envelope nodemailer would rewrite: %s', async (_label, over: Partial<typeof ENVELOPE>) => {
    const s = await sink();
    const outcome = await sendRaw(routeTo(s.port), { ...ENVELOPE, ...over }, RAW, OPTS);
    expect(failure(outcome)).toEqual({ status: 'permanent', code: 'SMTP_INVALID' });
    expect(s.attempts).toBe(0);
  });

  it('reports addresses as the caller spelled them; the null sender goes out as <>', async () => {
    const s = await sink({ rcptBehaviour: (a) => (a.startsWith('nobody') ? { code: 550, message: 'No such user' } : 'accept') });
    const to = ['Cardio.Durand@CHU-B.test', 'nobody@CHU-B.TEST'];
    const outcome = await sendRaw(routeTo(s.port), { from: '', to }, RAW, OPTS);
    expect(outcome).toMatchObject({ status: 'sent', accepted: [to[0]], rejected: [to[1]], rejections: [{ recipient: to[1] }] });
    expect(s.messages.map((m) => m.envelope)).toEqual([{ from: '', to: ['Cardio.Durand@chu-b.test'] }]);
  });
});

describe('classifySendError', () => {
  const err = (fields: Record<string, unknown>): Error => Object.assign(new Error(String(fields['message'] ?? 'x')), fields);
  it.each<[string, unknown, boolean, { status: string; code: string; smtpCode?: number }]>([
    ['socket timeout', err({ code: 'ETIMEDOUT', command: 'CONN' }), true, { status: 'temporary', code: 'SMTP_TIMEOUT' }],
    ['STARTTLS answered 502', err({ code: 'ETLS', command: 'STARTTLS', responseCode: 502, response: '502 no' }), true, { status: 'temporary', code: 'SMTP_TLS_REQUIRED', smtpCode: 502 }],
    ['STARTTLS answered 454', err({ code: 'ETLS', command: 'STARTTLS', responseCode: 454, response: '454 TLS not available' }), true, { status: 'temporary', code: 'SMTP_TLS_REQUIRED', smtpCode: 454 }],
    ['handshake closed', err({ code: 'ETLS', command: 'CONN' }), true, { status: 'temporary', code: 'SMTP_TLS_FAILED' }],
    ['EHLO refused, TLS required', err({ code: 'ECONNECTION', command: 'EHLO', responseCode: 502, response: '502 EHLO' }), true, { status: 'temporary', code: 'SMTP_TLS_REQUIRED', smtpCode: 502 }],
    ['EHLO 421', err({ code: 'ECONNECTION', command: 'EHLO', responseCode: 421, response: '421 bye' }), true, { status: 'temporary', code: 'SMTP_4XX', smtpCode: 421 }],
    ['expired server certificate', err({ code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }), true, { status: 'temporary', code: 'SMTP_TLS_FAILED' }],
    ['name mismatch', err({ code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }), true, { status: 'temporary', code: 'SMTP_TLS_FAILED' }],
    ['TLS alert', err({ code: 'ESOCKET', originalCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }), true, { status: 'temporary', code: 'SMTP_TLS_FAILED' }],
    ['bad client key PEM', err({ code: 'ECONNECTION', originalCode: 'ERR_OSSL_PEM_NO_START_LINE' }), true, { status: 'temporary', code: 'SMTP_TLS_FAILED' }],
    ['connection refused', err({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), true, { status: 'temporary', code: 'SMTP_CONNECTION' }],
    ['connection reset', err({ code: 'ESOCKET', originalCode: 'ECONNRESET' }), true, { status: 'temporary', code: 'SMTP_CONNECTION' }],
    ['DNS', err({ code: 'EDNS', originalCode: 'ENOTFOUND' }), true, { status: 'temporary', code: 'SMTP_CONNECTION' }],
    ['closed unexpectedly', err({ code: 'ECONNECTION', command: 'CONN' }), true, { status: 'temporary', code: 'SMTP_CONNECTION' }],
    ['452 at DATA', err({ code: 'EMESSAGE', command: 'DATA', responseCode: 452, response: '452 full' }), true, { status: 'temporary', code: 'SMTP_4XX', smtpCode: 452 }],
    ['552 at DATA', err({ code: 'EMESSAGE', command: 'DATA', responseCode: 552, response: '552 too big' }), true, { status: 'permanent', code: 'SMTP_5XX', smtpCode: 552 }],
    ['553 at MAIL FROM', err({ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553, response: '553 no' }), true, { status: 'permanent', code: 'SMTP_5XX', smtpCode: 553 }],
    ['503 bad sequence', err({ code: 'EENVELOPE', command: 'DATA', responseCode: 503, response: '503 bad sequence' }), true, { status: 'temporary', code: 'SMTP_5XX', smtpCode: 503 }],
    ['unexpected 250', err({ code: 'EPROTOCOL', command: 'CONN', responseCode: 250, response: '250 what' }), true, { status: 'temporary', code: 'SMTP_CONNECTION', smtpCode: 250 }],
    ['invalid recipient (API)', err({ code: 'EENVELOPE', command: 'API' }), true, { status: 'permanent', code: 'SMTP_INVALID' }],
    ['larger than SIZE', err({ code: 'EMESSAGE', command: 'MAIL FROM', message: 'Message size larger than allowed 100' }), true, { status: 'permanent', code: 'SMTP_5XX', smtpCode: 552 }],
    ['plain Error', new Error('boom'), true, { status: 'temporary', code: 'SMTP_CONNECTION' }],
    ['a string', 'boom', false, { status: 'temporary', code: 'SMTP_CONNECTION' }],
    ['null', null, false, { status: 'temporary', code: 'SMTP_CONNECTION' }],
  ])('%s', (_label, error, requireTls, expected) => {
    const outcome = classifySendError(error, requireTls);
    expect({ status: outcome.status, code: outcome.code, ...(outcome.smtpCode !== undefined ? { smtpCode: outcome.smtpCode } : {}) }).toEqual(expected);
    expect(typeof outcome.response).toBe('string');
  });
});
