import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.ts';
import { TEST_PKI_PEOPLE } from '../../src/pki/build-test-pki.ts';
import { KeyUsageBit, parseCertificates, pemBlocks, type Certificate } from '../../src/pki/certificate.ts';
import { CRL_PEM_LABEL, parseCrl, verifyCrl } from '../../src/pki/crl.ts';
import { spkiOf } from '../../src/pki/key-identifier.ts';
import { CERTS } from '../helpers/paths.ts';
import { openssl } from './run-openssl.ts';

const FROM = new Date('2025-01-01T00:00:00Z');
const TO = new Date('2045-01-01T00:00:00Z');
const AUTHORITIES = ['ca', 'intermediate', 'untrusted-ca'];
const PEOPLE = ['gateway', 'gateway-next', 'doctor', 'specialist', 'nurse', 'expired', 'not-yet-valid', 'revoked', 'untrusted', 'wrong-usage', 'weak-1024', 'sha1-signer', 'domain', 'via-intermediate'];
const CA = join(CERTS, 'ca.crt.pem');
const INTERMEDIATE = join(CERTS, 'intermediate.crt.pem');

function cert(name: string): Certificate {
  return parseCertificates(readFileSync(join(CERTS, `${name}.crt.pem`)))[0]!;
}

function crl(file: string) {
  return parseCrl(pemBlocks(readFileSync(join(CERTS, file), 'latin1'), [CRL_PEM_LABEL])[0]!);
}

function verify(name: string, ...extra: string[]) {
  return openssl(['verify', '-CAfile', CA, '-untrusted', INTERMEDIATE, ...extra, join(CERTS, `${name}.crt.pem`)]);
}

describe('the committed test PKI (certs/)', () => {
  it('holds exactly the documented files, each listed in certs/README.md', () => {
    const expected = [
      ...[...AUTHORITIES, ...PEOPLE].flatMap((n) => [`${n}.crt.pem`, `${n}.key.pem`]),
      'crl.pem',
      'intermediate-crl.pem',
      'README.md',
    ].sort();
    expect(readdirSync(CERTS).sort()).toEqual(expected);
    expect(TEST_PKI_PEOPLE.map((p) => p.file).sort()).toEqual([...PEOPLE].sort());
    const readme = readFileSync(join(CERTS, 'README.md'), 'utf8');
    for (const n of [...AUTHORITIES, ...PEOPLE]) expect(readme, n).toContain(`\`${n}`);
    expect(readme).toContain('`crl.pem`');
    expect(readme).toContain('`intermediate-crl.pem`');
  });

  it('pairs every certificate with its unencrypted PKCS#8 key', () => {
    for (const n of [...AUTHORITIES, ...PEOPLE]) {
      const pem = readFileSync(join(CERTS, `${n}.key.pem`), 'latin1');
      expect(pem, n).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(spkiOf(createPrivateKey(pem)).equals(cert(n).spki), n).toBe(true);
    }
  });

  it('has the root, the intermediate below it, and a separate untrusted root', () => {
    const root = cert('ca');
    expect(root.subject).toBe('C=FR, O=txgate test, CN=txgate Test Root CA');
    expect(root.issuerDer.equals(root.subjectDer)).toBe(true);
    const inter = cert('intermediate');
    expect(inter.issuerDer.equals(root.subjectDer)).toBe(true);
    expect(inter.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    const untrusted = cert('untrusted-ca');
    expect(untrusted.subject).toContain('CN=Untrusted Root');
    expect(untrusted.issuerDer.equals(untrusted.subjectDer)).toBe(true);
    for (const c of [root, inter, untrusted]) {
      expect(c.notBefore).toEqual(FROM);
      expect(c.notAfter).toEqual(TO);
    }
  });

  it('binds each person to the documented address, issuer and validity', () => {
    const expected: Record<string, [string, string]> = {
      gateway: ['gateway@txgate.localhost', 'ca'],
      'gateway-next': ['gateway@txgate.localhost', 'ca'],
      doctor: ['dr.martin@hopital-a.test', 'ca'],
      specialist: ['cardio.durand@chu-b.test', 'ca'],
      nurse: ['ide.bernard@cabinet-c.test', 'ca'],
      expired: ['dr.expired@hopital-a.test', 'ca'],
      'not-yet-valid': ['dr.future@hopital-a.test', 'ca'],
      revoked: ['dr.revoked@hopital-a.test', 'ca'],
      untrusted: ['dr.untrusted@hopital-a.test', 'untrusted-ca'],
      'wrong-usage': ['dr.wrongusage@hopital-a.test', 'ca'],
      'weak-1024': ['dr.weak@hopital-a.test', 'ca'],
      'sha1-signer': ['dr.sha1@hopital-a.test', 'ca'],
      'via-intermediate': ['dr.inter@hopital-a.test', 'intermediate'],
    };
    for (const [name, [email, issuer]] of Object.entries(expected)) {
      const c = cert(name);
      expect(c.sanEmails, name).toEqual([email]);
      expect(c.issuerDer.equals(cert(issuer).subjectDer), name).toBe(true);
      expect(c.authorityKeyId, name).toEqual(cert(issuer).subjectKeyId);
      if (name === 'expired') expect([c.notBefore, c.notAfter]).toEqual([new Date('2020-01-01T00:00:00Z'), new Date('2021-01-01T00:00:00Z')]);
      else if (name === 'not-yet-valid') expect([c.notBefore, c.notAfter]).toEqual([new Date('2044-01-01T00:00:00Z'), TO]);
      else expect([c.notBefore, c.notAfter], name).toEqual([FROM, TO]);
      expect(c.keyBits, name).toBe(name === 'weak-1024' ? 1024 : 2048);
    }
  });

  it('gives the gateway TLS usages, the domain certificate a dNSName, and wrong-usage the wrong usages', () => {
    for (const g of ['gateway', 'gateway-next']) {
      const c = cert(g);
      expect(c.extKeyUsage).toEqual([OID.emailProtection, OID.serverAuth, OID.clientAuth]);
      expect(c.sanDns).toEqual(['txgate.localhost', 'localhost']);
    }
    expect(cert('gateway').spki.equals(cert('gateway-next').spki)).toBe(false);
    const domain = cert('domain');
    expect(domain.sanDns).toEqual(['hopital-a.test']);
    expect(domain.sanEmails).toEqual([]);
    expect(domain.subject).toContain('CN=hopital-a.test');
    const wrong = cert('wrong-usage');
    expect(wrong.keyUsage?.[KeyUsageBit.digitalSignature]).toBe(false);
    expect(wrong.keyUsage?.[KeyUsageBit.keyEncipherment]).toBe(true);
    expect(wrong.extKeyUsage).toEqual([OID.serverAuth]);
    const doctor = cert('doctor');
    expect(doctor.keyUsage?.[KeyUsageBit.digitalSignature]).toBe(true);
    expect(doctor.extKeyUsage).toEqual([OID.emailProtection]);
  });

  it('is judged by openssl as documented', () => {
    for (const ok of ['gateway', 'gateway-next', 'doctor', 'specialist', 'nurse', 'weak-1024', 'sha1-signer', 'domain', 'via-intermediate', 'revoked']) {
      const r = verify(ok, '-purpose', 'smimesign');
      expect(r.status, `${ok}: ${r.out}`).toBe(0);
    }
    expect(verify('expired').out).toContain('certificate has expired');
    expect(verify('not-yet-valid').out).toContain('certificate is not yet valid');
    expect(verify('untrusted').out).toContain('unable to get local issuer certificate');
    expect(verify('wrong-usage', '-purpose', 'smimesign').out).toContain('unsuitable certificate purpose');
    const withCrls = ['-crl_check_all', '-CRLfile', join(CERTS, 'crl.pem'), '-CRLfile', join(CERTS, 'intermediate-crl.pem')];
    expect(verify('revoked', ...withCrls).out).toContain('certificate revoked');
    expect(verify('doctor', ...withCrls).status).toBe(0);
    expect(verify('via-intermediate', ...withCrls).status).toBe(0);
  });

  it('has CRLs signed by their CAs: the root revokes `revoked`, the intermediate nothing', () => {
    const rootCrl = crl('crl.pem');
    expect(verifyCrl(rootCrl, cert('ca'))).toBe(true);
    expect([...rootCrl.revoked]).toEqual([cert('revoked').serialHex]);
    expect([rootCrl.thisUpdate, rootCrl.nextUpdate]).toEqual([FROM, TO]);
    const interCrl = crl('intermediate-crl.pem');
    expect(verifyCrl(interCrl, cert('intermediate'))).toBe(true);
    expect(interCrl.revoked.size).toBe(0);
    expect([interCrl.thisUpdate, interCrl.nextUpdate]).toEqual([FROM, TO]);
    expect(openssl(['crl', '-in', join(CERTS, 'crl.pem'), '-CAfile', CA, '-noout']).out).toContain('verify OK');
    expect(openssl(['crl', '-in', join(CERTS, 'intermediate-crl.pem'), '-CAfile', INTERMEDIATE, '-noout']).out).toContain('verify OK');
  });
});
