import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCertificate, generateRsaKey } from '../../src/pki/build-certificate.ts';
import { parseCertificate, pemBlocks, toPem, type Certificate } from '../../src/pki/certificate.ts';
import { exportPkcs12, importPkcs12 } from '../../src/pki/pkcs12.ts';
import { openssl, tempDir } from './run-openssl.ts';

const FROM = new Date('2025-01-01T00:00:00Z');
const TO = new Date('2045-01-01T00:00:00Z');

let dir: string;
let ca: Certificate;
let leaf: Certificate;
let leafKey: KeyObject;
let keyPem: string;
let files: { key: string; cert: string; ca: string };

beforeAll(() => {
  dir = tempDir();
  const caKey = generateRsaKey(2048);
  ca = parseCertificate(buildCertificate({ subject: { cn: 'P12 Test Root' }, publicKey: caKey.publicKey, issuerKey: caKey.privateKey, profile: 'ca', notBefore: FROM, notAfter: TO }));
  const k = generateRsaKey(2048);
  leafKey = k.privateKey;
  keyPem = leafKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  leaf = parseCertificate(
    buildCertificate({ subject: { cn: 'Dr Claire Martin' }, publicKey: k.publicKey, issuerKey: caKey.privateKey, issuerCert: ca, profile: 'smime-person', email: 'dr.martin@hopital-a.test', notBefore: FROM, notAfter: TO }),
  );
  files = { key: join(dir, 'key.pem'), cert: join(dir, 'cert.pem'), ca: join(dir, 'ca.pem') };
  writeFileSync(files.key, keyPem);
  writeFileSync(files.cert, toPem(leaf.der));
  writeFileSync(files.ca, toPem(ca.der));
});

function ours(password = 'correct horse'): Buffer {
  return exportPkcs12({ key: keyPem, cert: leaf.der, chain: [ca.der], password, friendlyName: 'Dr Claire Martin' });
}

describe('exportPkcs12 then importPkcs12', () => {
  it('gives back the same key, certificate bytes, chain and friendly name', () => {
    const back = importPkcs12(ours(), 'correct horse');
    expect(back.keyPem).toBe(keyPem);
    expect(back.cert.equals(leaf.der)).toBe(true);
    expect(back.chain.map((c) => c.toString('hex'))).toEqual([ca.der.toString('hex')]);
    expect(back.friendlyName).toBe('Dr Claire Martin');
  });

  it('accepts a KeyObject and a non-ASCII password, and no chain', () => {
    const p12 = exportPkcs12({ key: leafKey, cert: leaf.der, password: 'mot de passe é€' });
    const back = importPkcs12(p12, 'mot de passe é€');
    expect(back.keyPem).toBe(keyPem);
    expect(back.chain).toEqual([]);
    expect(back.friendlyName).toBeUndefined();
  });

  it('refuses a wrong password and a damaged file', () => {
    const p12 = ours();
    expect(() => importPkcs12(p12, 'wrong')).toThrow(/wrong password/);
    const damaged = Buffer.from(p12);
    damaged[200] = damaged[200]! ^ 0xff;
    expect(() => importPkcs12(damaged, 'correct horse')).toThrow();
  });

  it('refuses a certificate that is not the key’s', () => {
    expect(() => exportPkcs12({ key: keyPem, cert: ca.der, password: 'x' })).toThrow(/does not match/);
  });
});

describe('PKCS#12 and openssl', () => {
  it('openssl reads ours: AES-256-CBC, SHA-256 MAC, key and certificates', () => {
    const file = join(dir, 'ours.p12');
    writeFileSync(file, ours());
    const info = openssl(['pkcs12', '-info', '-nodes', '-in', file, '-passin', 'pass:correct horse']);
    expect(info.status, info.out).toBe(0);
    expect(info.out).toContain('MAC: sha256');
    expect(info.out).toContain('AES-256-CBC');
    expect(info.out).toContain('BEGIN PRIVATE KEY');
    expect(info.out).toContain('friendlyName: Dr Claire Martin');
    expect(info.out).toContain('subject=CN = Dr Claire Martin');
    expect(info.out).toContain('subject=CN = P12 Test Root');

    const keyOut = openssl(['pkcs12', '-in', file, '-passin', 'pass:correct horse', '-nocerts', '-nodes']).stdout;
    const k = createPrivateKey(keyOut);
    expect(k.export({ type: 'pkcs8', format: 'pem' }).toString()).toBe(keyPem);
    const certOut = openssl(['pkcs12', '-in', file, '-passin', 'pass:correct horse', '-nokeys', '-clcerts']).stdout;
    expect(pemBlocks(certOut)[0]!.equals(leaf.der)).toBe(true);

    const wrong = openssl(['pkcs12', '-info', '-nodes', '-in', file, '-passin', 'pass:nope']);
    expect(wrong.status).not.toBe(0);
  });

  const variants: [string, string[]][] = [
    ['OpenSSL 3 defaults (PBES2 AES-256, SHA-256 MAC)', []],
    ['3DES and a SHA-1 MAC', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ['unencrypted certificates and no MAC', ['-certpbe', 'NONE', '-nomac']],
  ];
  for (const [what, args] of variants) {
    it(`imports a file made by openssl pkcs12 -export: ${what}`, () => {
      const out = join(dir, `openssl-${args.length}.p12`);
      const r = openssl(['pkcs12', '-export', '-inkey', files.key, '-in', files.cert, '-certfile', files.ca, '-name', 'from openssl', '-passout', 'pass:s3cret', '-out', out, ...args]);
      expect(r.status, r.out).toBe(0);
      const back = importPkcs12(readFileSync(out), 's3cret');
      expect(back.keyPem).toBe(keyPem);
      expect(back.cert.equals(leaf.der)).toBe(true);
      expect(back.chain).toHaveLength(1);
      expect(back.chain[0]!.equals(ca.der)).toBe(true);
      expect(back.friendlyName).toBe('from openssl');
    });
  }

  it('imports an openssl -legacy file (RC2-40 certificates) when openssl can still write one', (ctx) => {
    const out = join(dir, 'legacy.p12');
    const r = openssl(['pkcs12', '-export', '-legacy', '-inkey', files.key, '-in', files.cert, '-passout', 'pass:s3cret', '-out', out]);
    if (r.status !== 0) ctx.skip(); // no legacy provider in this openssl build
    const back = importPkcs12(readFileSync(out), 's3cret');
    expect(back.keyPem).toBe(keyPem);
    expect(back.cert.equals(leaf.der)).toBe(true);
  });
});
