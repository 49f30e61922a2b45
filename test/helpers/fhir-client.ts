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
