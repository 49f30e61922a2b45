/** A Bundle the gateway produces (an opinion document), signed with its key (Da Vinci CDex, RS256), who = mailto: its address. */
import type { KeyObject } from 'node:crypto';
import type { Certificate } from '../pki/certificate.ts';
import { signBundle, type Bundle } from './sign-bundle.ts';

export interface GatewaySigner {
  key: KeyObject;
  cert: Certificate;
  chain: Certificate[];
}

export function signAsGateway(bundle: Bundle, signer: GatewaySigner, gatewayAddress: string, when: Date): Bundle {
  return signBundle(bundle, {
    key: signer.key,
    chain: [signer.cert, ...signer.chain],
    when,
    who: { identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${gatewayAddress}` } },
    alg: 'RS256',
  });
}
