/**
 * A practitioner's FHIR software, played by the demo: fhir-kit-client over HTTPS to the gateway's FHIR API,
 * presenting her certificate (mutual TLS) and trusting the workspace's CA for the gateway's; and her request
 * Bundle signed with her key as Da Vinci CDex defines it (who: mailto: her address).
 */
import { Client } from 'fhir-kit-client';
import { Agent } from 'undici';
import { signBundle, type Bundle } from '../fhir-signature/sign-bundle.ts';
import { toPem } from '../pki/certificate.ts';
import type { DevParty } from '../pki/create-dev-pki.ts';
import { privateKeyToPem } from '../pki/generate-rsa-key.ts';

export interface DemoFhirClient {
  client: Client;
  /** closes her HTTPS connections */
  close(): Promise<void>;
}

export function createDemoFhirClient(o: { baseUrl: string; party: DevParty; caPem: Buffer }): DemoFhirClient {
  // the gateway's TLS certificate names localhost (the development PKI), the API listens on 127.0.0.1
  const agent = new Agent({ connect: { ca: o.caPem, cert: toPem(o.party.cert.der), key: privateKeyToPem(o.party.key), servername: 'localhost' } });
  return { client: new Client({ baseUrl: o.baseUrl, requestOptions: { dispatcher: agent } }), close: () => agent.close() };
}

/** The Bundle signed by the party (RS256, her certificate in x5c), now. */
export function signDemoBundle(bundle: Bundle, party: DevParty, when: Date): Bundle {
  return signBundle(bundle, { key: party.key, chain: [party.cert], when, who: { identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${party.address}` } }, alg: 'RS256' });
}
