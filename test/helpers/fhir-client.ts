/**
 * The FHIR API's clients in tests: practitioners' certificates for mutual TLS (issued by the committed test CA,
 * with clientAuth beside emailProtection), a fhir-kit-client over HTTPS with that certificate, and signed request
 * Bundles (Da Vinci CDex) made with the project's signer.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'fhir-kit-client';
import { Agent } from 'undici';
import { signBundle, type Bundle } from '../../src/fhir-signature/sign-bundle.ts';
import { buildCertificate, generateRsaKey } from '../../src/pki/build-certificate.ts';
import { parseCertificate, parseCertificates, toPem, type Certificate } from '../../src/pki/certificate.ts';
import { addCertificate, findPractitionerByAddress, storeDirectoryEntries } from '../../src/store/directory.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';
import { buildRequestBundle, type Json } from '../payload/fhir/request-bundle.ts';
import { CERTS } from './paths.ts';

export interface ClientParty {
  address: string;
  key: KeyObject;
  cert: Certificate;
  keyPem: string;
  certPem: string;
}

const CA = { cert: parseCertificates(readFileSync(join(CERTS, 'ca.crt.pem')))[0]!, key: createPrivateKey(readFileSync(join(CERTS, 'ca.key.pem'))) };

/** A practitioner's certificate from the test CA, for S/MIME, JWS signatures and TLS client authentication. */
export function issueClientParty(cn: string, address: string): ClientParty {
  const keys = generateRsaKey(2048);
  const der = buildCertificate({
    subject: { cn, o: 'txgate tests', c: 'FR' },
    publicKey: keys.publicKey,
    issuerKey: CA.key,
    issuerCert: CA.cert,
    profile: 'smime-person',
    email: address,
    tlsClient: true,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
  });
  const cert = parseCertificate(der);
  return { address, key: keys.privateKey, cert, keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: toPem(der) };
}

/** An HTTPS dispatcher presenting the party's certificate (none: no client certificate). */
export function clientAgent(p: ClientParty | undefined): Agent {
  return new Agent({ connect: { ca: readFileSync(join(CERTS, 'ca.crt.pem')), ...(p ? { cert: p.certPem, key: p.keyPem } : {}), servername: 'localhost' } });
}

/** fhir-kit-client talking to the gateway's FHIR API as this practitioner. */
export function fhirClient(baseUrl: string, p: ClientParty | undefined): Client {
  return new Client({ baseUrl, requestOptions: { dispatcher: clientAgent(p) } });
}

/** The Bundle signed by the party (RS256, who = mailto: their address). */
export function signedBy(bundle: Record<string, unknown>, p: ClientParty, when = new Date()): Bundle {
  return signBundle({ ...bundle, resourceType: 'Bundle' }, { key: p.key, chain: [p.cert], when, who: { identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${p.address}` } }, alg: 'RS256' });
}

export const PROFESSION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
export const SPECIALTY_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
export const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
export const RPPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';

/**
 * The GP's request to the cardiologist for the patient of this INS (the French pack admits it: INS, consent, a GP
 * asking a cardiologist), from the R4 examples of test/payload/fhir/request-bundle.ts. Not signed.
 */
export function gpRequestBundle(gp: ClientParty, expert: ClientParty, ins: string): Json {
  const bundle = buildRequestBundle();
  const entries = bundle.entry as { resource: Json }[];
  entries[2]!.resource.identifier = [{ system: INS_SYSTEM, value: ins }];
  entries[3]!.resource.telecom = [{ system: 'email', value: gp.address }];
  entries[5]!.resource.telecom = [{ system: 'email', value: expert.address }];
  // the cardiologist is asked (the example's ENT specialty would not make a pair with a GP under the French pack)
  entries[0]!.resource.performerType = { coding: [{ system: SPECIALTY_SYSTEM, code: 'SM04', display: 'Cardiologie' }] };
  return bundle;
}

export interface DirectoryParty {
  party: ClientParty;
  /** TRE-R38 code: SM54 GP, SM04 cardiology */
  specialty: string;
  rpps?: string;
}

/** Doctors in the directory with their certificates attached (what names them to the FHIR API). */
export function storeFhirParties(db: Db, parties: readonly DirectoryParty[]): void {
  storeDirectoryEntries(
    db,
    parties.map(({ party, specialty, rpps }) => ({
      identifiers: rpps ? [{ system: RPPS_SYSTEM, value: rpps }] : [],
      addresses: [party.address],
      profession: { system: PROFESSION_SYSTEM, code: '10' },
      specialties: [{ system: SPECIALTY_SYSTEM, code: specialty }],
    })),
    'test',
    new Date(),
  );
  for (const { party } of parties) addCertificate(db, findPractitionerByAddress(db, party.address)!.id, party.cert.der, party.cert.notBefore, party.cert.notAfter);
}

/** The same in the database file a daemon will open (migrated here if new). */
export function storeFhirPartiesAt(path: string, parties: readonly DirectoryParty[]): void {
  const db = openDatabase(path);
  try {
    storeFhirParties(db, parties);
  } finally {
    db.close();
  }
}
