import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.ts';
import { buildCertificate, generateRsaKey, randomSerial, type BuildCertificateOptions } from '../../src/pki/build-certificate.ts';
import { buildName } from '../../src/pki/build-name.ts';
import { KeyUsageBit, parseCertificate, toPem, type Certificate } from '../../src/pki/certificate.ts';
import { buildKeyIdentifier } from '../../src/pki/key-identifier.ts';
import { verifySignature } from '../../src/pki/signature-algorithm.ts';
import { openssl, tempDir } from './run-openssl.ts';

const FROM = new Date('2025-01-01T00:00:00Z');
const TO = new Date('2045-01-01T00:00:00Z');

let dir: string;
let caKey: { privateKey: KeyObject; publicKey: KeyObject };
let leafKey: { privateKey: KeyObject; publicKey: KeyObject };
let interKey: { privateKey: KeyObject; publicKey: KeyObject };
let caDer: Buffer;
let ca: Certificate;
let caFile: string;

function write(name: string, der: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, toPem(der));
  return file;
}

function person(extra: Partial<BuildCertificateOptions> = {}): Buffer {
  return buildCertificate({
    subject: { cn: 'Dr Claire Martin', o: 'Hopital A', c: 'FR' },
    publicKey: leafKey.publicKey,
    issuerKey: caKey.privateKey,
    issuerCert: ca,
    profile: 'smime-person',
    email: 'dr.martin@hopital-a.test',
    notBefore: FROM,
    notAfter: TO,
    ...extra,
  });
}

beforeAll(() => {
  dir = tempDir();
  caKey = generateRsaKey(2048);
  leafKey = generateRsaKey(2048);
  interKey = generateRsaKey(2048);
  caDer = buildCertificate({
    subject: { cn: 'Builder Test Root', o: 'txgate test', c: 'FR' },
    publicKey: caKey.publicKey,
    issuerKey: caKey.privateKey,
    profile: 'ca',
    notBefore: FROM,
    notAfter: TO,
  });
  ca = parseCertificate(caDer);
  caFile = write('ca.pem', caDer);
});

describe('buildCertificate: a self-signed CA', () => {
  it('is a v3 CA certificate whose issuer is its subject and whose key identifiers agree', () => {
    expect(ca.version).toBe(3);
    expect(ca.subject).toBe('C=FR, O=txgate test, CN=Builder Test Root');
    expect(ca.issuerDer.equals(ca.subjectDer)).toBe(true);
    expect(ca.basicConstraints).toEqual({ ca: true });
    expect(ca.keyUsage?.[KeyUsageBit.keyCertSign]).toBe(true);
    expect(ca.keyUsage?.[KeyUsageBit.cRLSign]).toBe(true);
    expect(ca.keyUsage?.[KeyUsageBit.digitalSignature]).toBe(false);
    expect(ca.subjectKeyId).toEqual(buildKeyIdentifier(ca.spki));
    expect(ca.authorityKeyId).toEqual(ca.subjectKeyId);
    expect(ca.unknownCritical).toEqual([]);
    expect(ca.notBefore).toEqual(FROM);
    expect(ca.notAfter).toEqual(TO);
  });

  it('is signed with its own key (sha256WithRSAEncryption)', () => {
    expect(ca.signatureAlgorithm).toMatchObject({ kind: 'rsa-pkcs1', hash: 'sha256', oid: OID.sha256WithRSA });
    expect(verifySignature(ca.signatureAlgorithm, 'sha256', ca.tbs, ca.signature, ca.publicKey())).toBe(true);
  });

  it('reads in openssl as a critical CA with keyCertSign and cRLSign', () => {
    const text = openssl(['x509', '-in', caFile, '-noout', '-text']).stdout;
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('Subject Key Identifier');
    expect(openssl(['verify', '-CAfile', caFile, caFile]).status).toBe(0);
  });

  it('carries the pathLen constraint when one is given', () => {
    const der = buildCertificate({ subject: { cn: 'With pathLen' }, publicKey: interKey.publicKey, issuerKey: caKey.privateKey, issuerCert: ca, profile: 'ca', pathLen: 0, notBefore: FROM, notAfter: TO });
    expect(parseCertificate(der).basicConstraints).toEqual({ ca: true, pathLen: 0 });
  });
});

describe('buildCertificate: S/MIME end entities', () => {
  it('binds a person address in the subjectAltName with S/MIME usages', () => {
    const cert = parseCertificate(person());
    expect(cert.issuerDer.equals(ca.subjectDer)).toBe(true);
    expect(cert.sanEmails).toEqual(['dr.martin@hopital-a.test']);
    expect(cert.subjectEmails).toEqual([]);
    expect(cert.keyUsage?.slice(0, 3)).toEqual([true, false, true]);
    expect(cert.extKeyUsage).toEqual([OID.emailProtection]);
    expect(cert.basicConstraints).toEqual({ ca: false });
    expect(cert.authorityKeyId).toEqual(ca.subjectKeyId);
    expect(cert.subjectKeyId).toEqual(buildKeyIdentifier(cert.spki));
    expect(cert.keyBits).toBe(2048);
  });

  it('is accepted by openssl verify -purpose smimesign and shows SAN, KU and EKU', () => {
    const file = write('person.pem', person());
    const v = openssl(['verify', '-CAfile', caFile, '-purpose', 'smimesign', file]);
    expect(v.out).toContain('OK');
    expect(v.status).toBe(0);
    expect(openssl(['verify', '-CAfile', caFile, '-purpose', 'smimeencrypt', file]).status).toBe(0);
    const text = openssl(['x509', '-in', file, '-noout', '-text']).stdout;
    expect(text).toMatch(/Subject Alternative Name:\s+email:dr.martin@hopital-a.test/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/Extended Key Usage:\s+E-mail Protection/);
  });

  it('writes the legacy emailAddress attribute only when asked', () => {
    const cert = parseCertificate(person({ subject: { cn: 'Dr Legacy', email: 'dr.legacy@hopital-a.test' } }));
    expect(cert.subjectEmails).toEqual(['dr.legacy@hopital-a.test']);
    expect(cert.subject).toBe('CN=Dr Legacy, emailAddress=dr.legacy@hopital-a.test');
  });

  it('binds a whole mail domain with a dNSName (Direct domain-bound)', () => {
    const der = person({ profile: 'smime-domain', domain: 'hopital-a.test', subject: { cn: 'hopital-a.test' } });
    const cert = parseCertificate(der);
    expect(cert.sanDns).toEqual(['hopital-a.test']);
    expect(cert.sanEmails).toEqual([]);
    expect(cert.extKeyUsage).toEqual([OID.emailProtection]);
    const file = write('domain.pem', der);
    expect(openssl(['verify', '-CAfile', caFile, '-purpose', 'smimesign', file]).status).toBe(0);
    expect(openssl(['x509', '-in', file, '-noout', '-ext', 'subjectAltName']).stdout).toContain('DNS:hopital-a.test');
  });

  it('adds TLS server and client usages and host names for the gateway', () => {
    const der = person({ email: 'gateway@txgate.localhost', tlsServer: true, tlsClient: true, dnsNames: ['txgate.localhost', 'localhost'] });
    const cert = parseCertificate(der);
    expect(cert.extKeyUsage).toEqual([OID.emailProtection, OID.serverAuth, OID.clientAuth]);
    expect(cert.sanEmails).toEqual(['gateway@txgate.localhost']);
    expect(cert.sanDns).toEqual(['txgate.localhost', 'localhost']);
    const file = write('gateway.pem', der);
    for (const purpose of ['smimesign', 'sslserver', 'sslclient']) {
      expect(openssl(['verify', '-CAfile', caFile, '-purpose', purpose, file]).status, purpose).toBe(0);
    }
  });

  it('verifies through an intermediate, and openssl enforces the intermediate pathLen', () => {
    const interDer = buildCertificate({ subject: { cn: 'Builder Intermediate' }, publicKey: interKey.publicKey, issuerKey: caKey.privateKey, issuerCert: ca, profile: 'ca', pathLen: 0, notBefore: FROM, notAfter: TO });
    const inter = parseCertificate(interDer);
    const leafDer = buildCertificate({ subject: { cn: 'Dr Inter' }, publicKey: leafKey.publicKey, issuerKey: interKey.privateKey, issuerCert: inter, profile: 'smime-person', email: 'dr.inter@hopital-a.test', notBefore: FROM, notAfter: TO });
    const leaf = parseCertificate(leafDer);
    expect(leaf.issuerDer.equals(inter.subjectDer)).toBe(true);
    expect(leaf.authorityKeyId).toEqual(inter.subjectKeyId);
    const interFile = write('inter.pem', interDer);
    const leafFile = write('inter-leaf.pem', leafDer);
    expect(openssl(['verify', '-CAfile', caFile, '-untrusted', interFile, '-purpose', 'smimesign', leafFile]).status).toBe(0);
    expect(openssl(['verify', '-CAfile', caFile, leafFile]).status).not.toBe(0);

    // a CA below a pathLen 0 intermediate breaks the constraint
    const subCaDer = buildCertificate({ subject: { cn: 'Too Deep CA' }, publicKey: leafKey.publicKey, issuerKey: interKey.privateKey, issuerCert: inter, profile: 'ca', notBefore: FROM, notAfter: TO });
    const deepDer = buildCertificate({ subject: { cn: 'Too Deep' }, publicKey: caKey.publicKey, issuerKey: leafKey.privateKey, issuerCert: parseCertificate(subCaDer), profile: 'smime-person', email: 'deep@hopital-a.test', notBefore: FROM, notAfter: TO });
    const bundle = join(dir, 'deep-chain.pem');
    writeFileSync(bundle, toPem(interDer) + toPem(subCaDer));
    const deep = openssl(['verify', '-CAfile', caFile, '-untrusted', bundle, write('deep.pem', deepDer)]);
    expect(deep.status).not.toBe(0);
    expect(deep.out).toContain('path length constraint exceeded');
  });
});

describe('buildCertificate: test overrides', () => {
  it('replaces the key usages: keyEncipherment only and serverAuth only fail smimesign in openssl', () => {
    const der = person({ keyUsage: ['keyEncipherment'], extKeyUsage: ['serverAuth'] });
    const cert = parseCertificate(der);
    expect(cert.keyUsage).toEqual([false, false, true]);
    expect(cert.extKeyUsage).toEqual([OID.serverAuth]);
    const r = openssl(['verify', '-CAfile', caFile, '-purpose', 'smimesign', write('wrong-usage.pem', der)]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('unsuitable certificate purpose');
  });

  it("omits KeyUsage and ExtendedKeyUsage with 'none', and takes EKUs as dotted OIDs", () => {
    const none = parseCertificate(person({ keyUsage: 'none', extKeyUsage: 'none' }));
    expect(none.keyUsage).toBeUndefined();
    expect(none.extKeyUsage).toBeUndefined();
    const custom = parseCertificate(person({ extKeyUsage: ['1.3.6.1.5.5.7.3.4', '1.2.3.4'] }));
    expect(custom.extKeyUsage).toEqual([OID.emailProtection, '1.2.3.4']);
  });

  it('signs with SHA-1 when asked', () => {
    const der = person({ hash: 'sha1' });
    const cert = parseCertificate(der);
    expect(cert.signatureAlgorithm).toMatchObject({ kind: 'rsa-pkcs1', hash: 'sha1', oid: OID.sha1WithRSA });
    expect(verifySignature(cert.signatureAlgorithm, 'sha1', cert.tbs, cert.signature, ca.publicKey())).toBe(true);
    expect(openssl(['x509', '-in', write('sha1.pem', der), '-noout', '-text']).stdout).toContain('sha1WithRSAEncryption');
  });

  it('uses the given serial, else a random positive 16-byte one', () => {
    expect(parseCertificate(person({ serial: Buffer.from([0x01, 0x02]) })).serialHex).toBe('0102');
    const a = randomSerial();
    const b = randomSerial();
    expect(a.length).toBe(16);
    expect(a[0]! & 0x80).toBe(0);
    expect(a[0]).not.toBe(0);
    expect(a.equals(b)).toBe(false);
    expect(parseCertificate(person()).serial.length).toBe(16);
  });
});

describe('buildCertificate: times and keys', () => {
  it('encodes dates from 2050 as GeneralizedTime, which openssl and our parser read back', () => {
    const der = person({ notAfter: new Date('2055-06-30T12:34:56Z') });
    expect(der.includes(Buffer.from('20550630123456Z'))).toBe(true);
    expect(der.includes(Buffer.from('250101000000Z'))).toBe(true);
    expect(parseCertificate(der).notAfter).toEqual(new Date('2055-06-30T12:34:56Z'));
    expect(openssl(['x509', '-in', write('2055.pem', der), '-noout', '-enddate']).stdout).toContain('Jun 30 12:34:56 2055 GMT');
  });

  it('signs with an EC issuer key using ECDSA, accepted by openssl', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecCaDer = buildCertificate({ subject: { cn: 'EC Root' }, publicKey: ec.publicKey, issuerKey: ec.privateKey, profile: 'ca', notBefore: FROM, notAfter: TO });
    const ecCa = parseCertificate(ecCaDer);
    expect(ecCa.keyAlgorithm).toBe('ec');
    const der = buildCertificate({ subject: { cn: 'Dr EC' }, publicKey: leafKey.publicKey, issuerKey: ec.privateKey, issuerCert: ecCa, profile: 'smime-person', email: 'dr.ec@hopital-a.test', notBefore: FROM, notAfter: TO, hash: 'sha384' });
    const cert = parseCertificate(der);
    expect(cert.signatureAlgorithm).toMatchObject({ kind: 'ecdsa', hash: 'sha384' });
    expect(verifySignature(cert.signatureAlgorithm, 'sha384', cert.tbs, cert.signature, ecCa.publicKey())).toBe(true);
    expect(openssl(['verify', '-CAfile', write('ec-ca.pem', ecCaDer), '-purpose', 'smimesign', write('ec-leaf.pem', der)]).status).toBe(0);
  });

  it('makes RSA keys of the asked size', () => {
    const weak = generateRsaKey(1024);
    expect(weak.privateKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(parseCertificate(person({ publicKey: weak.publicKey })).keyBits).toBe(1024);
    expect(() => generateRsaKey(1000)).toThrow(RangeError);
  });
});

describe('buildCertificate: refusals', () => {
  it('refuses inconsistent requests', () => {
    expect(() => person({ notAfter: FROM })).toThrow(/notAfter/);
    expect(() => person({ email: undefined })).toThrow(/email/);
    expect(() => person({ email: 'not an address' })).toThrow(/email/);
    expect(() => person({ profile: 'smime-domain', domain: undefined })).toThrow(/domain/);
    expect(() => person({ dnsNames: ['bad name!'] })).toThrow(/DNS/);
    expect(() => person({ keyUsage: [] })).toThrow(/KeyUsage/);
    expect(() => person({ serial: Buffer.from([0]) })).toThrow(/serial/);
    expect(() => person({ issuerKey: caKey.publicKey })).toThrow(/private key/);
    expect(() => person({ issuerCert: parseCertificate(person()) })).toThrow(/not a CA/);
    expect(parseCertificate(person({ issuerCert: parseCertificate(person()), allowNonCaIssuer: true })).issuer).toContain('Dr Claire Martin');
    expect(() => buildName({ cn: 'x', c: 'France' })).toThrow(/country/);
  });
});
