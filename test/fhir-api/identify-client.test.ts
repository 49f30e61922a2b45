import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Identifier } from '../../src/domain/canonical-request.ts';
import { identifyClient, type DirectoryLookup, type DirectoryView } from '../../src/fhir-api/identify-client.ts';
import { buildCertificate, generateRsaKey } from '../../src/pki/build-certificate.ts';
import { parseCertificate, type Certificate } from '../../src/pki/certificate.ts';
import { issueClientParty } from '../helpers/fhir-client.ts';
import { party } from '../helpers/test-pki.ts';

const RPPS = 'urn:oid:1.2.250.1.71.4.2.1';
const FINESS = 'urn:oid:1.2.250.1.71.4.2.2';

const DOCTOR = party('doctor').cert; // dr.martin@hopital-a.test
const NURSE = party('nurse').cert; // ide.bernard@cabinet-c.test
const sha256 = (c: Certificate) => createHash('sha256').update(c.der).digest('hex');

function person(id: string, addresses: string[], identifiers: Identifier[] = [], organizationIdentifiers: Identifier[] = []): DirectoryView {
  return { id, addresses, identifiers, organizationIdentifiers };
}

/** A directory as the store answers: addresses compared without case, certificates by SHA-256 of the DER (hex). */
function directory(entries: Array<DirectoryView & { certificates?: string[] }>): DirectoryLookup & { certificateLookups: string[] } {
  const certificateLookups: string[] = [];
  const view = (e: (typeof entries)[number]): DirectoryView => ({ id: e.id, addresses: e.addresses, identifiers: e.identifiers, organizationIdentifiers: e.organizationIdentifiers });
  return {
    certificateLookups,
    byCertificate(sha) {
      certificateLookups.push(sha);
      const e = entries.find((x) => x.certificates?.includes(sha));
      return e && view(e);
    },
    byAddress(address) {
      const e = entries.find((x) => x.addresses.some((a) => a.toLowerCase() === address.trim().toLowerCase()));
      return e && view(e);
    },
  };
}

/** A certificate of the test CA binding its address in the subject DN only (no subjectAltName rfc822Name). */
function subjectOnlyCertificate(address: string): Certificate {
  const ca = party('ca');
  return parseCertificate(
    buildCertificate({
      subject: { cn: 'Legacy', o: 'txgate tests', c: 'FR', email: address },
      publicKey: generateRsaKey(2048).publicKey,
      issuerKey: ca.key,
      issuerCert: ca.cert,
      profile: 'smime-domain',
      domain: 'hopital-a.test',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2045-01-01T00:00:00Z'),
    }),
  );
}

describe('identifyClient: who is calling', () => {
  it('without a certificate: FHIR_CLIENT_CERT_REQUIRED, whatever the directory holds', () => {
    const dir = directory([person('p-martin', ['dr.martin@hopital-a.test'])]);
    expect(identifyClient(undefined, dir)).toEqual({ ok: false, code: 'FHIR_CLIENT_CERT_REQUIRED' });
  });

  it('looks the certificate up by the SHA-256 of its DER, in lower-case hex', () => {
    const dir = directory([]);
    identifyClient(DOCTOR, dir);
    expect(dir.certificateLookups).toEqual([sha256(DOCTOR)]);
    expect(dir.certificateLookups[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a certificate the directory does not know, binding an unknown address', DOCTOR, [person('p-bernard', ['ide.bernard@cabinet-c.test'])]],
    ['an empty directory', NURSE, []],
  ])('%s: FHIR_UNKNOWN_PRACTITIONER', (_name, cert, entries) => {
    expect(identifyClient(cert, directory(entries))).toEqual({ ok: false, code: 'FHIR_UNKNOWN_PRACTITIONER' });
  });

  it('a certificate attached in the directory names its practitioner, before any address it binds', () => {
    const dir = directory([
      person('p-martin', ['dr.martin@hopital-a.test']),
      { ...person('p-bernard', ['ide.bernard@cabinet-c.test']), certificates: [sha256(DOCTOR)] },
    ]);
    const r = identifyClient(DOCTOR, dir);
    expect(r.ok && r.identity.practitioner).toBe('p-bernard');
  });

  it('else the practitioner of an address the certificate binds (subjectAltName)', () => {
    const dir = directory([person('p-bernard', ['ide.bernard@cabinet-c.test']), person('p-martin', ['dr.martin@hopital-a.test'], [{ system: RPPS, value: '810001234567' }])]);
    expect(identifyClient(DOCTOR, dir)).toEqual({
      ok: true,
      identity: { address: 'dr.martin@hopital-a.test', addresses: ['dr.martin@hopital-a.test'], identifiers: [{ system: RPPS, value: '810001234567' }], practitioner: 'p-martin' },
    });
  });

  it('a certificate without a subjectAltName address: the emailAddress of its subject', () => {
    const cert = subjectOnlyCertificate('dr.legacy@hopital-a.test');
    expect(cert.sanEmails).toEqual([]);
    const r = identifyClient(cert, directory([person('p-legacy', ['dr.legacy@hopital-a.test'])]));
    expect(r.ok && r.identity).toMatchObject({ practitioner: 'p-legacy', address: 'dr.legacy@hopital-a.test' });
  });

  it('a subject emailAddress is not read when the certificate has a subjectAltName address', () => {
    const cert = { ...DOCTOR, subjectEmails: ['dr.legacy@hopital-a.test'] };
    expect(identifyClient(cert, directory([person('p-legacy', ['dr.legacy@hopital-a.test'])]))).toEqual({ ok: false, code: 'FHIR_UNKNOWN_PRACTITIONER' });
  });
});

describe('identifyClient: the identity', () => {
  it.each([
    ['the certificate’s, when the directory lists it (not the directory’s first)', ['secretariat@hopital-a.test', 'DR.MARTIN@hopital-a.test'], 'dr.martin@hopital-a.test'],
    ['the directory’s first, when the certificate attached binds an address the directory does not list', ['claire.martin@hopital-a.test', 'secretariat@hopital-a.test'], 'claire.martin@hopital-a.test'],
  ])('its address is %s', (_name, addresses, expected) => {
    const dir = directory([{ ...person('p-martin', addresses), certificates: [sha256(DOCTOR)] }]);
    const r = identifyClient(DOCTOR, dir);
    expect(r.ok && r.identity.address).toBe(expected);
  });

  it('its address is the certificate’s as the certificate writes it; its addresses are lower case, without repeats', () => {
    const upper = issueClientParty('Dr Claire Martin', 'Dr.Martin@Hopital-A.test');
    const dir = directory([person('p-martin', ['secretariat@hopital-a.test', 'dr.martin@HOPITAL-A.test', 'Secretariat@Hopital-A.test'])]);
    const r = identifyClient(upper.cert, dir);
    expect(r.ok && r.identity).toMatchObject({ address: 'Dr.Martin@Hopital-A.test', addresses: ['secretariat@hopital-a.test', 'dr.martin@hopital-a.test'] });
  });

  it('its addresses take in the certificate’s address the directory does not list (found by the certificate attached)', () => {
    const dir = directory([{ ...person('p-martin', ['Claire.Martin@hopital-a.test']), certificates: [sha256(DOCTOR)] }]);
    const r = identifyClient(DOCTOR, dir);
    expect(r.ok && r.identity).toMatchObject({ address: 'Claire.Martin@hopital-a.test', addresses: ['claire.martin@hopital-a.test', 'dr.martin@hopital-a.test'] });
  });

  it('a practitioner without an address in the directory acts under the certificate’s', () => {
    const dir = directory([{ ...person('p-martin', []), certificates: [sha256(DOCTOR)] }]);
    const r = identifyClient(DOCTOR, dir);
    expect(r.ok && r.identity).toMatchObject({ address: 'dr.martin@hopital-a.test', addresses: ['dr.martin@hopital-a.test'], practitioner: 'p-martin' });
  });

  it('its identifiers are the practitioner’s then their organisation’s', () => {
    const own = [{ system: RPPS, value: '810001234567', type: 'RPPS' }];
    const org = [{ system: FINESS, value: '750000001' }];
    const r = identifyClient(DOCTOR, directory([person('p-martin', ['dr.martin@hopital-a.test'], own, org)]));
    expect(r.ok && r.identity.identifiers).toEqual([...own, ...org]);
  });

  it('an address the certificate binds that the directory gives to another practitioner is not theirs', () => {
    // a certificate attached to Dr Martin that also binds the nurse's address
    const both = { ...DOCTOR, sanEmails: ['dr.martin@hopital-a.test', 'IDE.Bernard@cabinet-c.test'] };
    const dir = directory([
      { ...person('p-martin', ['dr.martin@hopital-a.test']), certificates: [sha256(DOCTOR)] },
      person('p-bernard', ['ide.bernard@cabinet-c.test']),
    ]);
    const r = identifyClient(both, dir);
    expect(r.ok && r.identity).toMatchObject({ practitioner: 'p-martin', address: 'dr.martin@hopital-a.test', addresses: ['dr.martin@hopital-a.test'] });
  });

  it('found by the first address the directory knows, the others of another practitioner left out', () => {
    const both = { ...DOCTOR, sanEmails: ['unknown@hopital-a.test', 'ide.bernard@cabinet-c.test', 'dr.martin@hopital-a.test'] };
    const dir = directory([person('p-martin', ['dr.martin@hopital-a.test']), person('p-bernard', ['ide.bernard@cabinet-c.test'])]);
    const r = identifyClient(both, dir);
    expect(r.ok && r.identity).toMatchObject({ practitioner: 'p-bernard', address: 'ide.bernard@cabinet-c.test', addresses: ['ide.bernard@cabinet-c.test', 'unknown@hopital-a.test'] });
  });

  it('a certificate attached to a practitioner without address, binding only another’s address: FHIR_UNKNOWN_PRACTITIONER', () => {
    const dir = directory([{ ...person('p-nobody', []), certificates: [sha256(DOCTOR)] }, person('p-martin', ['dr.martin@hopital-a.test'])]);
    expect(identifyClient(DOCTOR, dir)).toEqual({ ok: false, code: 'FHIR_UNKNOWN_PRACTITIONER' });
  });
});
