/**
 * The SMTP intake's limits and refusals as a peer sees them, over real loopback SMTP against an in-process
 * gateway: mutual TLS, implicit TLS, per-client connection and message-rate limits, the recipients limit, and
 * only the fixed texts of SMTP_REPLIES ever reaching a peer (never an internal error text).
 */
import { createPrivateKey } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/config-schema.ts';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { SMTP_REPLIES, type SmtpReplyName } from '../../src/ingress/smtp/smtp-replies.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { buildCertificate, generateRsaKey } from '../../src/pki/build-certificate.ts';
import { parseCertificates, toPem } from '../../src/pki/certificate.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { getMessage } from '../../src/store/messages.ts';
import { eventually } from '../helpers/eventually.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { CERTS } from '../helpers/paths.ts';
import { dataOf, RawSmtp } from '../helpers/raw-smtp-client.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { CA_FILE, party, sampleInner } from '../helpers/test-pki.ts';

const GW = 'gateway@txgate.localhost';
const DOCTOR = 'dr.martin@hopital-a.test';
const CA = readFileSync(CA_FILE);
const doctor = party('doctor');
const gatewayCert = party('gateway').cert;

/** A fresh sealed request from the doctor (new Message-ID each time, so never a duplicate). */
function sealed(): Buffer {
  return sealMessage(sampleInner(), { signerKey: doctor.key, signerCert: doctor.cert, recipients: [gatewayCert] });
}

function reply(name: SmtpReplyName): string {
  const [code, text] = SMTP_REPLIES[name];
  return `${code} ${text}`;
}

function idOf(response: string): string {
  return /queued as (\S+)/.exec(response)![1]!;
}

function pemPair(name: string): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(join(CERTS, `${name}.crt.pem`)), key: readFileSync(join(CERTS, `${name}.key.pem`)) };
}

let sink: SmtpSink;
let gw: Gateway | undefined;
const sockets: RawSmtp[] = [];

async function gatewayWith(smtp: NonNullable<ConfigInput['smtp']>, more: Partial<ConfigInput> = {}): Promise<Gateway> {
  const { config } = testGatewayConfig(sink.port, { smtp: { port: 0, maxMessageBytes: 200_000, ...smtp }, ...more });
  gw = await startGateway(config, { log: silentLogger });
  return gw;
}

async function raw(port: number, tls?: ConnectionOptions): Promise<RawSmtp> {
  const c = await RawSmtp.open(port, tls);
  sockets.push(c);
  return c;
}

beforeAll(async () => {
  sink = await startSmtpSink();
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await gw?.stop();
  gw = undefined;
});

afterAll(async () => {
  await sink?.close();
});

describe('mutual TLS (smtp.requireClientCert)', () => {
  it('refuses a client without a certificate (530 5.7.0), one from an untrusted CA or not for TLS clients; accepts a client certificate of the trusted CA', async () => {
    const g = await gatewayWith({ requireClientCert: true });

    const none = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed());
    expect(none.ok).toBe(false);
    expect(none.code).toBe(530);
    expect(none.response).toContain(SMTP_REPLIES.CLIENT_CERT_REQUIRED[1]);

    // a client certificate issued by "Untrusted Root", which is neither a TLS CA nor an S/MIME anchor
    const foreign = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed(), { clientCert: pemPair('untrusted') });
    expect(foreign).toMatchObject({ ok: false, code: 530 });
    expect(foreign.response).toContain(SMTP_REPLIES.CLIENT_CERT_REQUIRED[1]);

    // certs/doctor.crt.pem: from the trusted root, but an S/MIME certificate (extendedKeyUsage emailProtection
    // only); OpenSSL's TLS client purpose check refuses it
    const smimeOnly = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed(), { clientCert: pemPair('doctor') });
    expect(smimeOnly).toMatchObject({ ok: false, code: 530 });

    // certs/gateway.crt.pem: issued by the trusted test root, extendedKeyUsage clientAuth
    const good = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed(), { clientCert: pemPair('gateway') });
    expect(good.ok).toBe(true);
    const id = idOf(good.response);
    const row = g.db.prepare('SELECT tls, client_cert FROM messages WHERE id = ?').get(id) as { tls: number; client_cert: string | null };
    expect(row).toEqual({ tls: 1, client_cert: 'txgate gateway' });
  });

  it('says 530 at once after STARTTLS to a raw client without a certificate, and closes', async () => {
    const g = await gatewayWith({ requireClientCert: true });
    const c = await raw(g.smtpPort!);
    expect(await c.read()).toMatch(/^220 /);
    expect(await c.cmd('EHLO client.hopital-a.test')).toContain('STARTTLS');
    expect(await c.starttls()).toBe(reply('CLIENT_CERT_REQUIRED'));
    await c.whenClosed();
  });
});

/** smime.trust: a fresh folder holding `files` (copied from certs/); returns the folder and the smime settings. */
function trustFolder(...files: string[]) {
  const trustDir = mkdtempSync(join(tmpdir(), 'txgate-trust-'));
  for (const f of files) copyFileSync(join(CERTS, f), join(trustDir, f));
  const smime = {
    keys: [{ key: join(CERTS, 'gateway.key.pem'), cert: join(CERTS, 'gateway.crt.pem') }],
    trust: [{ path: trustDir }],
  };
  return { trustDir, smime };
}

/** A TLS client certificate (clientAuth) for dr.untrusted, issued now by certs/untrusted-ca. */
function untrustedTlsClient(): { cert: Buffer; key: Buffer } {
  const ca = pemPair('untrusted-ca');
  const caCert = parseCertificates(ca.cert)[0]!;
  const key = generateRsaKey(2048);
  const der = buildCertificate({
    subject: { cn: 'Dr Untrusted (TLS)', o: 'Hopital A', c: 'FR' },
    publicKey: key.publicKey,
    issuerKey: createPrivateKey(ca.key),
    issuerCert: caCert,
    profile: 'smime-person',
    email: 'dr.untrusted@hopital-a.test',
    tlsClient: true,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  return { cert: Buffer.from(toPem(der)), key: Buffer.from(key.privateKey.export({ type: 'pkcs8', format: 'pem' })) };
}

describe('mutual TLS and reload', () => {
  it('stops accepting TLS client certificates of an anchor removed from the trust folder, after reload()', async () => {
    const { trustDir, smime } = trustFolder('ca.crt.pem');
    const g = await gatewayWith({ requireClientCert: true }, { smime });
    const before = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed(), { clientCert: pemPair('gateway') });
    expect(before.ok).toBe(true);

    // the operator replaces the test root by another anchor and reloads
    unlinkSync(join(trustDir, 'ca.crt.pem'));
    copyFileSync(join(CERTS, 'untrusted-ca.crt.pem'), join(trustDir, 'untrusted-ca.crt.pem'));
    g.reload();

    const after = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed(), { clientCert: pemPair('gateway') });
    expect(after).toMatchObject({ ok: false, code: 530 });
  });

  it('accepts TLS client certificates of an anchor added to the trust folder, after reload(), on both ports', async () => {
    const { trustDir, smime } = trustFolder('ca.crt.pem');
    const g = await gatewayWith({ requireClientCert: true, implicitTlsPort: 0 }, { smime });
    const client = untrustedTlsClient();
    const before = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed(), { clientCert: client });
    expect(before).toMatchObject({ ok: false, code: 530 });

    copyFileSync(join(CERTS, 'untrusted-ca.crt.pem'), join(trustDir, 'untrusted-ca.crt.pem'));
    g.reload();

    const after = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed(), { clientCert: client });
    expect(after.ok).toBe(true);
    const implicit = await raw(g.implicitTlsPort!, client);
    expect(await implicit.read()).toMatch(/^220 /);
    expect(await implicit.cmd('EHLO client.hopital-a.test')).toMatch(/^250/);
    expect(await implicit.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
  });
});

describe('TLS certificate renewal (reload)', () => {
  /** tls.cert and tls.key: copies of the gateway's, in a folder of their own */
  function tlsFiles() {
    const dir = mkdtempSync(join(tmpdir(), 'txgate-tls-'));
    const files = { cert: join(dir, 'tls.crt.pem'), key: join(dir, 'tls.key.pem') };
    copyFileSync(join(CERTS, 'gateway.crt.pem'), files.cert);
    copyFileSync(join(CERTS, 'gateway.key.pem'), files.key);
    return files;
  }

  async function presented(port: number, implicit: boolean): Promise<string | undefined> {
    const c = await raw(port, implicit ? {} : undefined);
    if (!implicit) await c.hello();
    const cn = c.peerCertificate()?.subject.CN;
    c.close();
    return Array.isArray(cn) ? cn.join(',') : cn;
  }

  it('presents the renewed certificate of the same files after reload(), on STARTTLS and implicit TLS; a session already in TLS goes on', async () => {
    const files = tlsFiles();
    const g = await gatewayWith({ implicitTlsPort: 0 }, { tls: files });
    expect(await presented(g.smtpPort!, false)).toBe('txgate gateway');
    expect(await presented(g.implicitTlsPort!, true)).toBe('txgate gateway');
    const open = await raw(g.smtpPort!);
    await open.hello();

    copyFileSync(join(CERTS, 'gateway-next.crt.pem'), files.cert);
    copyFileSync(join(CERTS, 'gateway-next.key.pem'), files.key);
    g.reload();

    expect(await presented(g.smtpPort!, false)).toBe('txgate gateway (next key)');
    expect(await presented(g.implicitTlsPort!, true)).toBe('txgate gateway (next key)');
    expect(await open.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
    expect(await open.cmd(`RCPT TO:<${GW}>`)).toMatch(/^250 /);
    expect(await open.cmd('DATA')).toMatch(/^354 /);
    open.write(dataOf(sealed()));
    expect(await open.read()).toMatch(/^250 2\.0\.0 Ok: queued as /);
  });

  it('keeps the previous certificate when the renewed files do not go together (reload() throws)', async () => {
    const files = tlsFiles();
    const g = await gatewayWith({ implicitTlsPort: 0 }, { tls: files });
    // the operator has copied the new certificate, not yet its key
    copyFileSync(join(CERTS, 'gateway-next.crt.pem'), files.cert);
    expect(() => g.reload()).toThrow();
    expect(await presented(g.smtpPort!, false)).toBe('txgate gateway');
    expect(await presented(g.implicitTlsPort!, true)).toBe('txgate gateway');
    // a key file that is not PEM at all: the same
    writeFileSync(files.key, 'half-written');
    copyFileSync(join(CERTS, 'gateway.crt.pem'), files.cert);
    expect(() => g.reload()).toThrow();
    expect(await presented(g.smtpPort!, false)).toBe('txgate gateway');
  });
});

describe('implicit TLS (smtp.implicitTlsPort)', () => {
  it('accepts a sealed message on a port that speaks TLS from the first byte', async () => {
    const g = await gatewayWith({ implicitTlsPort: 0 });
    expect(g.implicitTlsPort).toBeGreaterThan(0);
    expect(g.implicitTlsPort).not.toBe(g.smtpPort);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: g.implicitTlsPort!,
      secure: true,
      tls: { ca: [CA], servername: 'localhost', minVersion: 'TLSv1.2' },
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 10_000,
    });
    let info;
    try {
      info = await transport.sendMail({ envelope: { from: DOCTOR, to: [GW] }, raw: sealed() });
    } finally {
      transport.close();
    }
    expect(info.response).toMatch(/^250 /);
    const id = idOf(info.response);
    await g.drain();
    const m = getMessage(g.db, id)!;
    expect(m.tls).toBe(true);
    expect(m.history.map((h) => [h.fromState, h.toState])).toContainEqual(['accepted', 'received']);
  });

  it('speaks nothing but TLS there: a plain-text client gets no SMTP greeting', async () => {
    const g = await gatewayWith({ implicitTlsPort: 0 });
    const c = await raw(g.implicitTlsPort!);
    c.write('EHLO client.hopital-a.test\r\n');
    // the TLS server cannot parse the plain text: the connection ends without a 220
    const first = await c.read().catch(() => 'TIMEOUT');
    expect(first).not.toMatch(/^220/);
  });
});

describe('limits per client address', () => {
  it('refuses a third simultaneous connection (maxConnectionsPerClient 2) with 421 4.7.0, and admits one again once a slot is free', async () => {
    const g = await gatewayWith({ maxConnectionsPerClient: 2 });
    const a = await raw(g.smtpPort!);
    const b = await raw(g.smtpPort!);
    expect(await a.read()).toMatch(/^220 /);
    expect(await b.read()).toMatch(/^220 /);

    const c = await raw(g.smtpPort!);
    expect(await c.read()).toBe(reply('TOO_MANY_CONNECTIONS'));
    await c.whenClosed();

    a.close();
    const d = await eventually(async () => {
      const d = await raw(g.smtpPort!);
      const greeting = await d.read();
      d.close();
      expect(greeting).toMatch(/^220 /);
      return greeting;
    });
    expect(d).toMatch(/^220 /);
  });

  // Regression: smtp-server calls onClose for every connection, also for one that onConnect refused. onClose used
  // to decrement the per-client count for those too, so each 421 freed a slot that was still taken and the next
  // connection got in (fixed in src/ingress/smtp/smtp-intake.ts: onClose only counts sessions onConnect admitted).
  it('keeps refusing while the two connections are still open, however many were refused before', async () => {
    const g = await gatewayWith({ maxConnectionsPerClient: 2 });
    const a = await raw(g.smtpPort!);
    const b = await raw(g.smtpPort!);
    expect(await a.read()).toMatch(/^220 /);
    expect(await b.read()).toMatch(/^220 /);
    for (let i = 0; i < 3; i++) {
      const c = await raw(g.smtpPort!);
      expect(await c.read()).toBe(reply('TOO_MANY_CONNECTIONS'));
      await c.whenClosed();
      // onClose runs at the next setImmediate after the socket closed
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('defers a MAIL once two messages were accepted in the minute (maxMessagesPerClientPerMinute 2) with 451 4.7.1', async () => {
    const g = await gatewayWith({ maxMessagesPerClientPerMinute: 2 });
    const first = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed());
    const second = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed());
    expect(first.ok && second.ok).toBe(true);
    const third = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed());
    expect(third).toMatchObject({ ok: false, code: 451 });
    expect(third.response).toContain(SMTP_REPLIES.RATE_LIMITED[1]);

    // the allowance is the client address's, whatever the session
    const c = await raw(g.smtpPort!);
    await c.read();
    await c.cmd('EHLO client.hopital-a.test');
    await c.starttls();
    expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toBe(reply('RATE_LIMITED'));
    expect(g.db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 2 });
  });

  // Regression: the limit used to count MAIL commands, so a client whose transactions were refused (an unknown
  // recipient, a message not S/MIME) or abandoned (RSET) used up its allowance without any message accepted.
  it('counts accepted messages only: transactions refused at RCPT or DATA, or abandoned, use up nothing (maxMessagesPerClientPerMinute 2)', async () => {
    const g = await gatewayWith({ maxMessagesPerClientPerMinute: 2 });
    const c = await raw(g.smtpPort!);
    await c.hello();
    for (let i = 0; i < 3; i++) {
      expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
      expect(await c.cmd('RCPT TO:<nobody@txgate.localhost>')).toBe(reply('UNKNOWN_USER'));
      expect(await c.cmd('RSET')).toMatch(/^250 /);
    }
    expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
    expect(await c.cmd(`RCPT TO:<${GW}>`)).toMatch(/^250 /);
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    c.write(dataOf(sampleInner()));
    expect(await c.read()).toBe(reply('NOT_SECURE_MAIL'));

    // five MAIL commands so far, no message: the two of the allowance are still there, and no more
    expect((await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed())).ok).toBe(true);
    expect((await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW] }, sealed())).ok).toBe(true);
    expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toBe(reply('RATE_LIMITED'));
    expect(g.db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 2 });
  });

  it('refuses the second RCPT of a transaction (maxRecipients 1) with 452 4.5.3, and takes the message for the first', async () => {
    const g = await gatewayWith({ maxRecipients: 1 }, { addresses: [GW, 'second@txgate.localhost'] });
    const c = await raw(g.smtpPort!);
    await c.read();
    await c.cmd('EHLO client.hopital-a.test');
    await c.starttls();
    expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
    expect(await c.cmd(`RCPT TO:<${GW}>`)).toMatch(/^250 /);
    expect(await c.cmd('RCPT TO:<second@txgate.localhost>')).toBe(reply('TOO_MANY_RECIPIENTS'));
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    c.write(dataOf(sealed()));
    const done = await c.read();
    expect(done).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(getMessage(g.db, idOf(done))!.envelopeTo).toEqual([GW]);

    // with nodemailer too: the refused recipient is reported, the message goes to the other
    const r = await sendSmtp(g.smtpPort!, { from: DOCTOR, to: [GW, 'second@txgate.localhost'] }, sealed());
    expect(r.ok).toBe(true);
    expect(getMessage(g.db, idOf(r.response))!.envelopeTo).toEqual([GW]);
  });
});

describe('what a peer is told', () => {
  const FIXED = new Set(Object.keys(SMTP_REPLIES).map((k) => reply(k as SmtpReplyName)));

  it('only the fixed texts of SMTP_REPLIES, never an internal error text, an address or patient data', async () => {
    const g = await gatewayWith({});
    const secret = 'SQLITE disk /var/lib/txgate/secret.db failed for Jeanne Dupont';
    const refusals: string[] = [];
    const note = (r: string) => {
      if (/^[45]/.test(r)) refusals.push(r);
      return r;
    };

    // before STARTTLS
    const plain = await raw(g.smtpPort!);
    await plain.read();
    await plain.cmd('EHLO client.hopital-a.test');
    expect(note(await plain.cmd(`MAIL FROM:<${DOCTOR}>`))).toBe(reply('TLS_REQUIRED'));

    const c = await raw(g.smtpPort!);
    await c.read();
    await c.cmd('EHLO client.hopital-a.test');
    await c.starttls();
    expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
    expect(note(await c.cmd('RCPT TO:<someone@elsewhere.test>'))).toBe(reply('RELAY_DENIED'));
    expect(note(await c.cmd('RCPT TO:<nobody@txgate.localhost>'))).toBe(reply('UNKNOWN_USER'));
    expect(await c.cmd(`RCPT TO:<${GW}>`)).toMatch(/^250 /);
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    c.write(dataOf(sampleInner()));
    expect(note(await c.read())).toBe(reply('NOT_SECURE_MAIL'));

    // the store fails with a message naming a file and a patient: the peer is told to try later, nothing more
    g.db.exec(`CREATE TRIGGER fail_intake BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, '${secret}'); END`);
    try {
      expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
      expect(await c.cmd(`RCPT TO:<${GW}>`)).toMatch(/^250 /);
      expect(await c.cmd('DATA')).toMatch(/^354 /);
      c.write(dataOf(sealed()));
      expect(note(await c.read())).toBe(reply('TEMPORARY'));
    } finally {
      g.db.exec('DROP TRIGGER fail_intake');
    }
    // the session is still usable and the next message goes through
    expect(await c.cmd(`MAIL FROM:<${DOCTOR}>`)).toMatch(/^250 /);
    expect(await c.cmd(`RCPT TO:<${GW}>`)).toMatch(/^250 /);
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    c.write(dataOf(sealed()));
    expect(await c.read()).toMatch(/^250 2\.0\.0 Ok: queued as msg/);
    expect(await c.cmd('QUIT')).toMatch(/^221 /);

    expect(refusals).toHaveLength(5);
    for (const r of refusals) expect(FIXED).toContain(r);
    const everything = [...plain.transcript, ...c.transcript].join('\n');
    expect(everything).not.toContain('SQLITE');
    expect(everything).not.toContain('secret.db');
    expect(everything).not.toContain('Jeanne');
    expect(everything).not.toContain('elsewhere.test');
    expect(everything).not.toContain('nobody@');
  });
});
