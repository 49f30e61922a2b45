import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { parseCertificate } from '../../src/pki/certificate.ts';
import { loadTrustStore } from '../../src/pki/trust-store.ts';
import { loadGatewayKey, makeGatewayKey } from '../../src/smime/gateway-key.ts';
import { openMessage, type OpenOptions } from '../../src/smime/open-message.ts';
import { DIRECT, RFC4134 } from '../helpers/paths.ts';

const ryan = loadGatewayKey(join(DIRECT, 'keys/ryan.key.pem'), join(DIRECT, 'keys/ryan.der'));
const trust = loadTrustStore([{ path: join(DIRECT, 'keys/SimpleInterop-CA.crt.pem') }]);
const message = readFileSync(join(DIRECT, 'EncryptedMessage2.eml'));
const expectedSigned = readFileSync(join(DIRECT, 'expected/EncryptedMessage2.signed-content.mime'));
const WRAP_HEADER = 'content-type: message/rfc822\r\n\r\n';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

function asPkcs7Mime(der: Buffer, smimeType: string): Buffer {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\r\n');
  return Buffer.from(
    `From: alice@example.com\r\nTo: bob@example.com\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`,
  );
}

describe('the real Direct Project message (Direct RI EncryptedMessage2)', () => {
  const opts: OpenOptions = { keys: [ryan], trust };

  it('opens: signer gm2552, AES-128-CBC with PKCS#1 v1.5 key transport, wrapped, inner bytes as signed', () => {
    const r = openMessage(message, opts);
    expect(r.signer.email).toBe('gm2552@securehealthemail.com');
    expect(r.signer.serial).toBe('24891677AF35099A');
    expect(r.signer.issuer).toContain('CN=SimpleInterop');
    expect(r.encryption).toMatchObject({ contentCipher: 'aes-128-cbc', keyTransport: 'rsa-pkcs1' });
    expect(r.signature).toEqual({ digest: 'sha256', algorithm: 'rsa-pkcs1' });
    expect(r.wrapped).toBe(true);
    expect(expectedSigned.subarray(0, WRAP_HEADER.length).toString()).toBe(WRAP_HEADER);
    expect(r.content.equals(expectedSigned.subarray(WRAP_HEADER.length))).toBe(true);
    expect(r.headers).toEqual({ from: 'gm2552@securehealthemail.com', to: ['ryan@securehealthemail.com'], messageId: '<4C07A6B7.6020205@securehealthemail.com>' });
    expect(r.innerHeaders?.from).toBe('gm2552@securehealthemail.com');
    expect(r.outerHeaders.to).toEqual(['ryan@securehealthemail.com']);
  });

  it('opens the same message with CRLF line ends and with base64 re-wrapped to other line lengths', () => {
    const crlf = Buffer.from(message.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    expect(openMessage(crlf, opts).signer.email).toBe('gm2552@securehealthemail.com');
    const text = message.toString('latin1');
    const split = text.search(/\n\n/);
    const head = text.slice(0, split + 2);
    const b64 = text.slice(split + 2).replace(/\s+/g, '');
    for (const width of [40, 76, 1000, 100000]) {
      const rewrapped = head + b64.replace(new RegExp(`(.{${width}})`, 'g'), '$1\n') + '\n';
      expect(openMessage(Buffer.from(rewrapped, 'latin1'), opts).wrapped).toBe(true);
    }
  });

  it('refuses it when the anchor is another (a Direct trust bundle holding an unrelated root)', () => {
    const bundle = loadTrustStore([{ path: join(DIRECT, 'trust-bundle/testBundle.p7b') }]);
    expect(bundle.anchors.length).toBe(1);
    expect(refusal(() => openMessage(message, { keys: [ryan], trust: bundle }))).toBe('SMIME_UNTRUSTED_SIGNER');
  });

  it('applies anchors scoped to sender domains', () => {
    const anchor = join(DIRECT, 'keys/SimpleInterop-CA.crt.pem');
    const scopedOk = loadTrustStore([{ path: anchor, domains: ['securehealthemail.com'] }]);
    expect(openMessage(message, { keys: [ryan], trust: scopedOk }).signer.email).toBe('gm2552@securehealthemail.com');
    const scopedElsewhere = loadTrustStore([{ path: anchor, domains: ['hopital-a.test'] }]);
    expect(refusal(() => openMessage(message, { keys: [ryan], trust: scopedElsewhere }))).toBe('SMIME_UNTRUSTED_SIGNER');
  });

  it('takes anchors from a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'txgate-anchors-'));
    copyFileSync(join(DIRECT, 'keys/secureHealthEmailCACert.der'), join(dir, 'simple-interop.der'));
    copyFileSync(join(RFC4134, 'CarlRSASelf.crt.pem'), join(dir, 'carl.pem'));
    const folder = loadTrustStore([{ path: dir }]);
    expect(folder.anchors.length).toBe(2);
    expect(openMessage(message, { keys: [ryan], trust: folder }).signer.email).toBe('gm2552@securehealthemail.com');
  });

  it('picks the right key among several (key rollover)', () => {
    const other = makeGatewayKey(createPrivateKey(readFileSync(join(DIRECT, 'keys/gm2552.key.pem'))), parseCertificate(readFileSync(join(DIRECT, 'keys/gm2552.der'))));
    expect(openMessage(message, { keys: [other, ryan], trust }).encryption.recipientSerial).toBe('3E48B9D9835A9F8D');
  });

  it('refuses with SMIME_DECRYPT_FAILED when the key is not the one the message was encrypted for', () => {
    const wrong = makeGatewayKey(createPrivateKey(readFileSync(join(DIRECT, 'keys/gm2552.key.pem'))), parseCertificate(readFileSync(join(DIRECT, 'keys/ryan.der'))));
    expect(refusal(() => openMessage(message, { keys: [wrong], trust }))).toBe('SMIME_DECRYPT_FAILED');
  });

  it('refuses it after the certificates expired (--at 2049)', () => {
    expect(refusal(() => openMessage(message, { keys: [ryan], trust, at: new Date('2049-01-01T00:00:00Z') }))).toBe('SMIME_CERT_EXPIRED');
  });

  it('refuses SHA-1 certificate signatures only when the policy says so', () => {
    expect(refusal(() => openMessage(message, { keys: [ryan], trust, refuseSha1Certificates: true }))).toBe('SMIME_WEAK_ALGORITHM');
  });

  it('refuses when a CRL is required and none is loaded', () => {
    expect(refusal(() => openMessage(message, { keys: [ryan], trust, requireCrl: true }))).toBe('SMIME_UNTRUSTED_SIGNER');
  });
});

describe('the RFC 4134 legacy vectors are refused with SMIME_WEAK_ALGORITHM', () => {
  const bob = loadGatewayKey(join(RFC4134, 'BobPrivRSAEncrypt.key.pem'), join(RFC4134, 'BobRSASignByCarl.crt.pem'));
  const carl = loadTrustStore([{ path: join(RFC4134, 'CarlRSASelf.crt.pem') }]);
  const opts: OpenOptions = { keys: [bob], trust: carl };

  it.each([
    ['5.3.eml: 3DES EnvelopedData to Bob', () => readFileSync(join(RFC4134, '5.3.eml'))],
    ['5.1.bin: the same EnvelopedData as DER', () => asPkcs7Mime(readFileSync(join(RFC4134, '5.1.bin')), 'enveloped-data')],
    ['4.8.eml: multipart/signed with DSA and SHA-1', () => readFileSync(join(RFC4134, '4.8.eml'))],
    ['4.9.eml: opaque signed-data with DSA and SHA-1', () => readFileSync(join(RFC4134, '4.9.eml'))],
    ['4.2.bin: RSA SHA-1 SignedData', () => asPkcs7Mime(readFileSync(join(RFC4134, '4.2.bin')), 'signed-data')],
  ])('%s', (_name, make) => {
    expect(refusal(() => openMessage(make(), opts))).toBe('SMIME_WEAK_ALGORITHM');
  });
});
