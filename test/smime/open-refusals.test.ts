/** A refusal for every code, built from the committed test PKI (certs/), and the cases that must open. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { loadTrustStore } from '../../src/pki/trust-store.ts';
import { SMIME_REFUSALS } from '../../src/smime/refusal.ts';
import { encryptEntity, sealMessage, signEntity, type SealOptions } from '../../src/smime/seal-message.ts';
import { openMessage, type OpenOptions } from '../../src/smime/open-message.ts';
import { CA_FILE, CRL_FILE, INTERMEDIATE_CRL_FILE, cert, gatewayKey, party, sampleInner, testTrust, type Party } from '../helpers/test-pki.ts';
import { CERTS } from '../helpers/paths.ts';
import { join } from 'node:path';

const AT = new Date('2026-06-01T00:00:00Z');
const gateway = cert('gateway');
const keys = [gatewayKey()];
const opts: OpenOptions = { keys, trust: testTrust(), at: AT };

function sealAs(p: Party, o: Partial<SealOptions> = {}, from = p.cert.sanEmails[0] ?? 'someone@hopital-a.test'): Buffer {
  return sealMessage(sampleInner(from), { signerKey: p.key, signerCert: p.cert, recipients: [gateway], now: AT, ...o });
}

function code(message: Buffer, o: OpenOptions = opts): string {
  try {
    openMessage(message, o);
  } catch (err) {
    if (err instanceof GatewayError) {
      expect(err.message).toBe(SMIME_REFUSALS[err.code as keyof typeof SMIME_REFUSALS]);
      expect(err.message).not.toMatch(/Martin|Dupont|hopital/);
      return err.code;
    }
    throw err;
  }
  return 'OPENED';
}

function withHeaders(entity: Buffer, from = 'dr.martin@hopital-a.test'): Buffer {
  return Buffer.concat([Buffer.from(`From: ${from}\r\nTo: gateway@txgate.localhost\r\nSubject: x\r\nMIME-Version: 1.0\r\n`), entity]);
}

const doctor = party('doctor');

describe('refusals: one negative case (at least) for every code', () => {
  const table: [string, string, () => Buffer, OpenOptions?][] = [
    ['SMIME_NOT_ENCRYPTED', 'a plain message', () => sampleInner()],
    ['SMIME_NOT_ENCRYPTED', 'a signed but not encrypted message', () => withHeaders(signEntity(Buffer.from('Content-Type: text/plain\r\n\r\nhello\r\n'), { signerKey: doctor.key, signerCert: doctor.cert, now: AT }))],
    ['SMIME_NOT_SIGNED', 'an encrypted but unsigned message', () => withHeaders(encryptEntity(Buffer.from('Content-Type: text/plain\r\n\r\nhello\r\n'), { recipients: [gateway] }))],
    ['SMIME_DECRYPT_FAILED', 'a message encrypted for someone else', () => sealAs(doctor, { recipients: [cert('specialist')] })],
    ['SMIME_DECRYPT_FAILED', 'a tampered CBC ciphertext', () => tamperBody(sealAs(doctor, { cipher: 'aes-256-cbc' }), -40)],
    ['SMIME_DECRYPT_FAILED', 'a tampered GCM ciphertext', () => tamperBody(sealAs(doctor, { cipher: 'aes-128-gcm' }), -40)],
    ['SMIME_DECRYPT_FAILED', 'a tampered PKCS#1 v1.5 encrypted key', () => tamperKey(sealAs(doctor, { keyTransport: 'rsa-pkcs1' }))],
    ['SMIME_BAD_SIGNATURE', 'content changed after signing', () => tamperedSignedContent()],
    ['SMIME_BAD_SIGNATURE', 'a signature value altered', () => alteredSignature()],
    ['SMIME_WEAK_ALGORITHM', 'a SHA-1 message digest', () => sealAs(party('sha1-signer'), { digest: 'sha1' })],
    ['SMIME_WEAK_ALGORITHM', 'a 1024-bit signer key', () => sealAs(party('weak-1024'))],
    ['SMIME_WEAK_ALGORITHM', '3DES content encryption (openssl -des3)', () => des3Message()],
    ['SMIME_UNTRUSTED_SIGNER', 'a signer from an unknown root', () => sealAs(party('untrusted'))],
    ['SMIME_UNTRUSTED_SIGNER', 'an intermediate missing from the message', () => sealAs(party('via-intermediate'))],
    ['SMIME_CERT_EXPIRED', 'an expired signer', () => sealAs(party('expired'))],
    ['SMIME_CERT_EXPIRED', 'a signer not yet valid', () => sealAs(party('not-yet-valid'))],
    ['SMIME_CERT_REVOKED', 'a revoked signer', () => sealAs(party('revoked'))],
    ['SMIME_CERT_USAGE', 'a certificate without digitalSignature nor emailProtection', () => sealAs(party('wrong-usage'))],
    ['SMIME_ADDRESS_MISMATCH', "a From address not in the signer's certificate", () => sealAs(doctor, {}, 'dr.other@hopital-a.test')],
    ['SMIME_ADDRESS_MISMATCH', 'an outer From that differs from the wrapped From', () => sealAs(doctor, { headers: { From: 'dr.spoof@hopital-a.test' } })],
    ['SMIME_ADDRESS_MISMATCH', 'a domain-bound certificate used for another domain', () => sealAs(party('domain'), {}, 'dr.x@clinique-z.test')],
    ['SMIME_MALFORMED', 'garbage in an enveloped-data body', () => withHeaders(Buffer.from('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIBAgMEBQ==\r\n'))],
    ['SMIME_MALFORMED', 'invalid base64', () => withHeaders(Buffer.from('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\n***\r\n'))],
    ['SMIME_MALFORMED', 'a multipart/signed with one part', () => withHeaders(Buffer.from('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n'))],
  ];

  it('covers every refusal code', () => {
    expect(new Set(table.map(([c]) => c))).toEqual(new Set(Object.keys(SMIME_REFUSALS)));
  });

  it.each(table)('%s: %s', (expected, _name, make, o) => {
    expect(code(make(), o)).toBe(expected);
  });

  it('refuses a signer when a CRL is required and its issuer has none', () => {
    const noIntermediateCrl = loadTrustStore([{ path: CA_FILE }], [CRL_FILE]);
    const chain = [cert('intermediate')];
    const message = sealAs(party('via-intermediate'), { chain });
    expect(code(message, { keys, trust: noIntermediateCrl, at: AT })).toBe('OPENED');
    expect(code(message, { keys, trust: noIntermediateCrl, at: AT, requireCrl: true })).toBe('SMIME_UNTRUSTED_SIGNER');
    expect(code(message, { keys, trust: testTrust(), at: AT, requireCrl: true })).toBe('OPENED');
  });

  it('refuses the revoked signer only when the CRL is loaded', () => {
    const message = sealAs(party('revoked'));
    expect(code(message, { keys, trust: testTrust(false), at: AT })).toBe('OPENED');
    expect(code(message)).toBe('SMIME_CERT_REVOKED');
  });
});

describe('what must open', () => {
  it('a signer issued through an intermediate, with the chain in the message', () => {
    const r = openMessage(sealAs(party('via-intermediate'), { chain: [cert('intermediate')] }), opts);
    expect(r.signer.email).toBe('dr.inter@hopital-a.test');
  });

  it('a domain-bound certificate for any address of its domain', () => {
    const r = openMessage(sealAs(party('domain'), {}, 'secretariat@hopital-a.test'), opts);
    expect(r.signer).toMatchObject({ email: 'hopital-a.test', domainBound: true });
  });

  it('a message for the next gateway key during a rollover, with both keys loaded', () => {
    const message = sealAs(doctor, { recipients: [cert('gateway-next')] });
    expect(code(message)).toBe('SMIME_DECRYPT_FAILED');
    expect(openMessage(message, { ...opts, keys: [gatewayKey(), gatewayKey('gateway-next')] }).encryption.recipientSerial).toBe(cert('gateway-next').serialHex);
  });

  it('a message without Direct wrapping: the content is the signed MIME entity', () => {
    const r = openMessage(sealAs(doctor, { wrap: false }), opts);
    expect(r.wrapped).toBe(false);
    expect(r.content.toString('utf8')).toMatch(/^Content-Type: text\/plain; charset=utf-8\r\n/);
    expect(r.headers.from).toBe('dr.martin@hopital-a.test');
  });

  it('the same refusal codes from the CLI, exit 1 and {"ok":false,"code"}', () => {
    const { BIN } = { BIN: join(CERTS, '..', 'bin', 'txgate') };
    const r = spawnSync(process.execPath, [BIN, 'smime', 'open', '--key', join(CERTS, 'gateway.key.pem'), '--cert', join(CERTS, 'gateway.crt.pem'), '--trust', CA_FILE, '--crl', CRL_FILE, '--crl', INTERMEDIATE_CRL_FILE, '--at', AT.toISOString()], { input: sealAs(party('revoked')) });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.toString())).toEqual({ ok: false, code: 'SMIME_CERT_REVOKED', message: SMIME_REFUSALS.SMIME_CERT_REVOKED });
  });

  it('exits 2 on a usage error', () => {
    const BIN = join(CERTS, '..', 'bin', 'txgate');
    const r = spawnSync(process.execPath, [BIN, 'smime', 'open', '--key', 'k.pem'], { input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/--cert/);
  });
});

/** Flips one byte of the decoded CMS inside the outer base64 body, at `offset` from the end. */
function tamperBody(message: Buffer, offset: number): Buffer {
  const text = message.toString('latin1');
  const split = text.indexOf('\r\n\r\n') + 4;
  const der = Buffer.from(text.slice(split).replace(/\s+/g, ''), 'base64');
  der[der.length + offset] = der[der.length + offset]! ^ 0x5a;
  return Buffer.from(text.slice(0, split) + der.toString('base64').replace(/(.{76})/g, '$1\r\n') + '\r\n', 'latin1');
}

/** Flips a byte inside the first RSA-encrypted key (found after the rsaEncryption OID and NULL). */
function tamperKey(message: Buffer): Buffer {
  const text = message.toString('latin1');
  const split = text.indexOf('\r\n\r\n') + 4;
  const der = Buffer.from(text.slice(split).replace(/\s+/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('06092a864886f70d0101010500', 'hex'));
  expect(at).toBeGreaterThan(0);
  der[at + 13 + 4 + 50] = der[at + 13 + 4 + 50]! ^ 0x01;
  return Buffer.from(text.slice(0, split) + der.toString('base64').replace(/(.{76})/g, '$1\r\n') + '\r\n', 'latin1');
}

function tamperedSignedContent(): Buffer {
  const wrapped = Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), sampleInner()]);
  const signed = signEntity(wrapped, { signerKey: doctor.key, signerCert: doctor.cert, now: AT }).toString('latin1').replace('souffle systolique', 'souffle diastolique');
  return withHeaders(encryptEntity(Buffer.from(signed, 'latin1'), { recipients: [gateway] }));
}

function alteredSignature(): Buffer {
  const wrapped = Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), sampleInner()]);
  const signed = signEntity(wrapped, { signerKey: doctor.key, signerCert: doctor.cert, now: AT }).toString('latin1');
  // the SignerInfo's signature value ends the SignedData: flip a byte near the end of the smime.p7s part
  const start = signed.indexOf('\r\n\r\n', signed.indexOf('name=smime.p7s')) + 4;
  const end = signed.indexOf('\r\n--', start);
  const der = Buffer.from(signed.slice(start, end).replace(/\s+/g, ''), 'base64');
  der[der.length - 10] = der[der.length - 10]! ^ 0x01;
  const altered = signed.slice(0, start) + der.toString('base64').replace(/(.{76})/g, '$1\r\n') + signed.slice(end);
  return withHeaders(encryptEntity(Buffer.from(altered, 'latin1'), { recipients: [gateway] }));
}

function des3Message(): Buffer {
  const wrapped = Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), sampleInner()]);
  const signed = signEntity(wrapped, { signerKey: doctor.key, signerCert: doctor.cert, now: AT });
  const r = spawnSync('openssl', ['cms', '-encrypt', '-binary', '-des3', '-from', 'dr.martin@hopital-a.test', '-to', 'gateway@txgate.localhost', '-recip', join(CERTS, 'gateway.crt.pem')], { input: signed });
  expect(r.status).toBe(0);
  return r.stdout;
}
