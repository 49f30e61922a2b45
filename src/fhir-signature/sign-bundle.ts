/**
 * Signs a FHIR Bundle as Da Vinci CDex defines it: a Bundle.signature (type author, when, who, sigFormat
 * application/jose) whose data is the base64 of a detached JWS over the JCS form of the Bundle without id, meta
 * and signature, with the chain in x5c, sigT equal to `when` and the author commitment in srCms.
 * Pure: the time is an input. The returned Bundle is a new object; the input is left untouched.
 */
import type { KeyObject } from 'node:crypto';
import type { Certificate } from '../pki/certificate.ts';
import { certificateCarriesIdentifier, readCertificateIdentities } from './certificate-identities.ts';
import { buildSigningInput, signJws, type JwsAlgorithm } from './detached-jws.ts';
import { buildSigningPayload } from './signing-payload.ts';
import { SIGNATURE_TYPE_SYSTEM, type FhirReference } from './verify-bundle-signature.ts';

/** ASTM E1762-95 "Author's Signature". */
export const AUTHOR_SIGNATURE_TYPE = '1.2.840.10065.1.12.1.1';

export interface SignBundleOptions {
  key: KeyObject;
  /** the signer's certificate first, then its intermediates (the anchor may be left out) */
  chain: Certificate[];
  when: Date;
  /** the signer; its identifier must be carried by chain[0] (CDex) */
  who: FhirReference;
  alg: JwsAlgorithm;
}

export type Bundle = Record<string, unknown> & { resourceType: 'Bundle' };

/** Throws when the options cannot give a signature that verifies (no chain, or `who` not named by the certificate). */
export function signBundle(bundle: Bundle, opts: SignBundleOptions): Bundle {
  const leaf = opts.chain[0];
  if (!leaf) throw new Error('signBundle: the chain is empty');
  if (!opts.who.identifier || !certificateCarriesIdentifier(leaf, readCertificateIdentities(leaf), opts.who.identifier)) {
    throw new Error("signBundle: the certificate does not carry who's identifier");
  }
  const when = opts.when.toISOString();
  const header = {
    alg: opts.alg,
    ...(leaf.subjectKeyId ? { kid: leaf.subjectKeyId.toString('hex') } : {}),
    x5c: opts.chain.map((c) => c.der.toString('base64')),
    sigT: when,
    srCms: [{ commId: { id: `urn:oid:${AUTHOR_SIGNATURE_TYPE}`, desc: "Author's Signature" } }],
  };
  const encodedHeader = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const input = buildSigningInput(encodedHeader, buildSigningPayload(bundle));
  const jws = `${encodedHeader}..${signJws(opts.alg, input, opts.key).toString('base64url')}`;
  return {
    ...bundle,
    signature: {
      type: [{ system: SIGNATURE_TYPE_SYSTEM, code: AUTHOR_SIGNATURE_TYPE, display: "Author's Signature" }],
      when,
      who: opts.who,
      targetFormat: 'application/fhir+json',
      sigFormat: 'application/jose',
      data: Buffer.from(jws, 'ascii').toString('base64'),
    },
  };
}
