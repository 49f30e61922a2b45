import type { KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Asn1Error } from '../../src/asn1/der-reader.ts';
import { buildCertificate, generateRsaKey } from '../../src/pki/build-certificate.ts';
import { parseCertificate, pemBlocks, toPem, type Certificate } from '../../src/pki/certificate.ts';
import { buildCrl, CRL_PEM_LABEL, CrlReason, parseCrl, parseSerialHex, verifyCrl } from '../../src/pki/crl.ts';
import { openssl, tempDir } from './run-openssl.ts';

const FROM = new Date('2025-01-01T00:00:00Z');
const TO = new Date('2045-01-01T00:00:00Z');

let dir: string;
let caKey: KeyObject;
let ca: Certificate;
let caFile: string;
let caKeyFile: string;
let revoked: Certificate;
let good: Certificate;
let otherKey: KeyObject;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = tempDir();
  const k = generateRsaKey(2048);
  caKey = k.privateKey;
  ca = parseCertificate(buildCertificate({ subject: { cn: 'CRL Test Root', o: 'txgate test' }, publicKey: k.publicKey, issuerKey: caKey, profile: 'ca', notBefore: FROM, notAfter: TO }));
  caFile = write('ca.pem', toPem(ca.der));
  caKeyFile = write('ca.key', caKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const leaf = generateRsaKey(2048);
  otherKey = leaf.privateKey;
  const issue = (email: string): Certificate =>
    parseCertificate(buildCertificate({ subject: { cn: email }, publicKey: leaf.publicKey, issuerKey: caKey, issuerCert: ca, profile: 'smime-person', email, notBefore: FROM, notAfter: TO }));
  revoked = issue('dr.revoked@hopital-a.test');
  good = issue('dr.martin@hopital-a.test');
  write('revoked.pem', toPem(revoked.der));
  write('good.pem', toPem(good.der));
});

function rootCrl(): Buffer {
  return buildCrl({
    issuerCert: ca,
    issuerKey: caKey,
    revoked: [{ serial: revoked.serial, date: new Date('2025-03-01T10:00:00Z'), reason: CrlReason.keyCompromise }],
    thisUpdate: FROM,
    nextUpdate: TO,
    crlNumber: 42,
  });
}

describe('buildCrl and parseCrl', () => {
  it('round-trips a v2 CRL: issuer, dates, revoked serials, CRL number and AKI', () => {
    const crl = parseCrl(rootCrl());
    expect(crl.version).toBe(2);
    expect(crl.issuerDer.equals(ca.subjectDer)).toBe(true);
    expect(crl.issuer).toBe('O=txgate test, CN=CRL Test Root');
    expect(crl.thisUpdate).toEqual(FROM);
    expect(crl.nextUpdate).toEqual(TO);
    expect([...crl.revoked]).toEqual([revoked.serialHex]);
    expect(crl.revoked.has(good.serialHex)).toBe(false);
    expect(crl.entries).toEqual([{ serialHex: revoked.serialHex, revocationDate: new Date('2025-03-01T10:00:00Z'), reason: CrlReason.keyCompromise }]);
    expect(crl.crlNumber).toBe(42n);
    expect(crl.authorityKeyId).toEqual(ca.subjectKeyId);
    expect(crl.signatureAlgorithm).toMatchObject({ kind: 'rsa-pkcs1', hash: 'sha256' });
    expect(crl.unknownCritical).toEqual([]);
  });

  it('writes an empty CRL without a revokedCertificates list', () => {
    const der = buildCrl({ issuerCert: ca, issuerKey: caKey, revoked: [], thisUpdate: FROM, nextUpdate: TO, crlNumber: 1 });
    const crl = parseCrl(der);
    expect(crl.revoked.size).toBe(0);
    expect(crl.entries).toEqual([]);
    expect(verifyCrl(crl, ca)).toBe(true);
    const r = openssl(['crl', '-in', write('empty.pem', toPem(der, CRL_PEM_LABEL)), '-CAfile', caFile, '-noout', '-text']);
    expect(r.out).toContain('verify OK');
    expect(r.out).toContain('No Revoked Certificates');
  });

  it('takes serials as hex text and keeps one entry per serial', () => {
    const der = buildCrl({
      issuerCert: ca,
      issuerKey: caKey,
      revoked: [
        { serial: '0a:0B', date: FROM },
        { serial: Buffer.from([0x0a, 0x0b]), date: TO },
        { serial: '00ff', date: FROM },
      ],
      thisUpdate: FROM,
      nextUpdate: TO,
      crlNumber: 2,
    });
    const crl = parseCrl(der);
    expect(crl.entries.map((e) => e.serialHex)).toEqual(['0A0B', 'FF']);
    expect(crl.entries[0]!.revocationDate).toEqual(FROM);
  });

  it('refuses nextUpdate before thisUpdate', () => {
    expect(() => buildCrl({ issuerCert: ca, issuerKey: caKey, revoked: [], thisUpdate: TO, nextUpdate: FROM, crlNumber: 1 })).toThrow(/nextUpdate/);
  });

  it('refuses malformed input with Asn1Error', () => {
    const der = rootCrl();
    expect(() => parseCrl(der.subarray(0, der.length - 3))).toThrow(Asn1Error);
    expect(() => parseCrl(ca.der)).toThrow(Asn1Error);
  });
});

describe('verifyCrl', () => {
  it('accepts the issuer and refuses another key, another name or altered content', () => {
    const der = rootCrl();
    expect(verifyCrl(parseCrl(der), ca)).toBe(true);
    expect(verifyCrl(parseCrl(der), good)).toBe(false);
    // same name, other key
    const impostor = parseCertificate(buildCertificate({ subject: { cn: 'CRL Test Root', o: 'txgate test' }, publicKey: good.publicKey(), issuerKey: otherKey, profile: 'ca', notBefore: FROM, notAfter: TO }));
    expect(impostor.subjectDer.equals(ca.subjectDer)).toBe(true);
    expect(verifyCrl(parseCrl(der), impostor)).toBe(false);
    // flip one byte of the revoked serial inside the signed part
    const tampered = Buffer.from(der);
    const at = tampered.indexOf(revoked.serial);
    tampered[at + 3] = tampered[at + 3]! ^ 0x01;
    expect(verifyCrl(parseCrl(tampered), ca)).toBe(false);
  });
});

describe('CRLs and openssl', () => {
  it('openssl verifies our CRL signature and reads its number, entry and reason', () => {
    const file = write('crl.pem', toPem(rootCrl(), CRL_PEM_LABEL));
    const r = openssl(['crl', '-in', file, '-CAfile', caFile, '-noout', '-text']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('verify OK');
    expect(r.out).toMatch(/CRL Number:\s+42/);
    expect(r.out).toContain(`Serial Number: ${revoked.serialHex}`);
    expect(r.out).toContain('Key Compromise');
  });

  it('openssl verify -crl_check says revoked for the revoked certificate only', () => {
    const file = write('crl-check.pem', toPem(rootCrl(), CRL_PEM_LABEL));
    const bad = openssl(['verify', '-crl_check', '-CRLfile', file, '-CAfile', caFile, join(dir, 'revoked.pem')]);
    expect(bad.status).not.toBe(0);
    expect(bad.out).toContain('certificate revoked');
    const ok = openssl(['verify', '-crl_check', '-CRLfile', file, '-CAfile', caFile, join(dir, 'good.pem')]);
    expect(ok.out).toContain('OK');
    expect(ok.status).toBe(0);
  });

  it('parses and verifies a CRL made by openssl ca -gencrl', () => {
    const expiry = '450101000000Z';
    writeFileSync(join(dir, 'index.txt'), `R\t${expiry}\t250301100000Z,keyCompromise\t${revoked.serialHex}\tunknown\t/CN=revoked\n`);
    writeFileSync(join(dir, 'crlnumber'), '1000\n');
    const cnf = write(
      'ca.cnf',
      ['[ ca ]', 'default_ca = CA_default', '[ CA_default ]', `database = ${join(dir, 'index.txt')}`, `crlnumber = ${join(dir, 'crlnumber')}`, 'default_md = sha256', 'default_crl_days = 30', ''].join('\n'),
    );
    const out = join(dir, 'openssl-crl.pem');
    const r = openssl(['ca', '-config', cnf, '-gencrl', '-keyfile', caKeyFile, '-cert', caFile, '-out', out]);
    expect(r.status, r.out).toBe(0);
    const der = pemBlocks(readFileSync(out, 'latin1'), [CRL_PEM_LABEL])[0]!;
    const crl = parseCrl(der);
    expect(verifyCrl(crl, ca)).toBe(true);
    expect(crl.revoked.has(revoked.serialHex)).toBe(true);
    expect(crl.crlNumber).toBe(0x1000n);
    expect(crl.entries[0]).toMatchObject({ revocationDate: new Date('2025-03-01T10:00:00Z'), reason: CrlReason.keyCompromise });
    expect(crl.nextUpdate!.getTime() - crl.thisUpdate.getTime()).toBe(30 * 86_400_000);
  });
});

describe('parseSerialHex', () => {
  it('reads hex in any case, with colons, and drops leading zero bytes', () => {
    expect(parseSerialHex('0a:bc').toString('hex')).toBe('0abc');
    expect(parseSerialHex('ABC').toString('hex')).toBe('0abc');
    expect(parseSerialHex('0x00FF').toString('hex')).toBe('ff');
    expect(parseSerialHex('00').toString('hex')).toBe('00');
    expect(() => parseSerialHex('xyz')).toThrow(/serial/);
    expect(() => parseSerialHex('')).toThrow(/serial/);
  });
});
