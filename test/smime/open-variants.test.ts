/** Variants real peers produce that the main matrices do not: x-pkcs7 types, subjectKeyIdentifier recipients, trust bundles, long chains. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { buildCertificate, generateRsaKey } from '../../src/pki/build-certificate.ts';
import { parseCertificate, type Certificate } from '../../src/pki/certificate.ts';
import { buildTrustStore, loadTrustStore } from '../../src/pki/trust-store.ts';
import { validateSigner } from '../../src/pki/validate-signer.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { CA_FILE, cert, gatewayKey, party, sampleInner, testTrust } from '../helpers/test-pki.ts';

const AT = new Date('2026-06-01T00:00:00Z');
const doctor = party('doctor');
const gateway = party('gateway');
const keys = [gatewayKey()];

function openssl(args: string[], input?: Buffer): Buffer {
  const r = spawnSync('openssl', args, { input });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout;
}

describe('variants of what peers send', () => {
  it('opens the legacy application/x-pkcs7-signature and x-pkcs7-mime types', () => {
    const sealed = sealMessage(sampleInner(), { signerKey: doctor.key, signerCert: doctor.cert, recipients: [gateway.cert], now: AT });
    // decrypt with openssl, relabel the signature types as old clients do, encrypt again with openssl
    const signed = openssl(['cms', '-decrypt', '-recip', gateway.certFile, '-inkey', gateway.keyFile], sealed)
      .toString('latin1')
      .replace('protocol="application/pkcs7-signature"', 'protocol="application/x-pkcs7-signature"')
      .replace('Content-Type: application/pkcs7-signature', 'Content-Type: application/x-pkcs7-signature');
    const again = openssl(['cms', '-encrypt', '-binary', '-aes-256-cbc', '-from', 'dr.martin@hopital-a.test', '-to', 'gateway@txgate.localhost', '-recip', gateway.certFile], Buffer.from(signed, 'latin1'))
      .toString('latin1')
      .replace('application/pkcs7-mime', 'application/x-pkcs7-mime');
    expect(again).toContain('application/x-pkcs7-mime');
    expect(openMessage(Buffer.from(again, 'latin1'), { keys, trust: testTrust(), at: AT }).signer.email).toBe('dr.martin@hopital-a.test');
  });

  it('finds the gateway key by subjectKeyIdentifier (openssl cms -keyid)', () => {
    const wrapped = Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), sampleInner()]);
    const signed = openssl(['cms', '-sign', '-binary', '-signer', doctor.certFile, '-inkey', doctor.keyFile, '-keyid'], wrapped);
    const enc = openssl(['cms', '-encrypt', '-binary', '-keyid', '-aes-128-cbc', '-from', 'dr.martin@hopital-a.test', '-to', 'gateway@txgate.localhost', '-recip', gateway.certFile], signed);
    const r = openMessage(enc, { keys: [gatewayKey('gateway-next'), ...keys], trust: testTrust(), at: AT });
    expect(r.encryption.recipientSerial).toBe(gateway.cert.serialHex);
    expect(r.signer.email).toBe('dr.martin@hopital-a.test');
  });

  it('takes anchors from a certs-only PKCS#7 bundle (openssl crl2pkcs7), PEM or DER', () => {
    const dir = mkdtempSync(join(tmpdir(), 'txgate-p7b-'));
    const pem = openssl(['crl2pkcs7', '-nocrl', '-certfile', CA_FILE, '-certfile', join(CA_FILE, '..', 'intermediate.crt.pem')]);
    writeFileSync(join(dir, 'bundle.p7b'), pem);
    writeFileSync(join(dir, 'bundle.der.p7b'), openssl(['pkcs7', '-outform', 'DER'], pem));
    for (const f of ['bundle.p7b', 'bundle.der.p7b']) {
      const store = loadTrustStore([{ path: join(dir, f) }]);
      expect(store.anchors.map((a) => a.cert.subject)).toEqual([cert('ca').subject, cert('intermediate').subject]);
      const sealed = sealMessage(sampleInner(), { signerKey: doctor.key, signerCert: doctor.cert, recipients: [gateway.cert], now: AT });
      expect(openMessage(sealed, { keys, trust: store, at: AT }).signer.email).toBe('dr.martin@hopital-a.test');
    }
  });
});

describe('chain depth', () => {
  // a root and `depth - 1` intermediates, then a leaf: depth certificates from leaf to anchor, both included
  function chainOf(depth: number): { leaf: Certificate; pool: Certificate[]; root: Certificate } {
    const from = new Date('2025-01-01T00:00:00Z');
    const to = new Date('2030-01-01T00:00:00Z');
    const rootKey = generateRsaKey(2048);
    let issuerKey = rootKey.privateKey;
    let issuer = parseCertificate(buildCertificate({ subject: { cn: 'Deep Root' }, publicKey: rootKey.publicKey, issuerKey, profile: 'ca', notBefore: from, notAfter: to }));
    const root = issuer;
    const pool: Certificate[] = [];
    for (let i = 1; i < depth - 1; i++) {
      const k = generateRsaKey(2048);
      issuer = parseCertificate(buildCertificate({ subject: { cn: `Deep CA ${i}` }, publicKey: k.publicKey, issuerKey, issuerCert: issuer, profile: 'ca', notBefore: from, notAfter: to }));
      issuerKey = k.privateKey;
      pool.push(issuer);
    }
    const k = generateRsaKey(2048);
    const leaf = parseCertificate(buildCertificate({ subject: { cn: 'Dr Deep' }, publicKey: k.publicKey, issuerKey, issuerCert: issuer, profile: 'smime-person', email: 'dr.deep@hopital-a.test', notBefore: from, notAfter: to }));
    return { leaf, pool, root };
  }

  it.each([
    [5, 'OPENED'],
    [6, 'SMIME_UNTRUSTED_SIGNER'],
  ])('a path of %i certificates: %s', (depth, expected) => {
    const { leaf, pool, root } = chainOf(depth);
    let got = 'OPENED';
    try {
      validateSigner(leaf, pool, buildTrustStore([{ cert: root }]), { at: AT, address: 'dr.deep@hopital-a.test' });
    } catch (err) {
      got = (err as GatewayError).code;
    }
    expect(got).toBe(expected);
  }, 30_000);
});
