/**
 * The trust a stage thread works with, as the main thread hands it over: the DER bytes of the anchors (with
 * their domain scopes) and of the CRLs the main thread loaded and checked. A thread never reads the trust files
 * itself, so a file that breaks after the start (an operator half-way through editing the trust folder, a CRL
 * being rewritten) cannot stop it from starting or restarting, and threads and main thread always agree.
 */
import { parseCertificate } from '../pki/certificate.ts';
import { parseCrl } from '../pki/crl.ts';
import { buildTrustStore, type TrustStore } from '../pki/trust-store.ts';
import { asBuffer } from './stage-thread-messages.ts';

/** Plain data and bytes (structured clone): what `buildTrustMaterial` makes of a trust store. */
export interface TrustMaterial {
  anchors: { der: Uint8Array; domains?: string[] }[];
  crls: Uint8Array[];
}

/** The bytes of a loaded trust store, to send to a stage thread. */
export function buildTrustMaterial(trust: TrustStore): TrustMaterial {
  return {
    anchors: trust.anchors.map((a) => (a.domains ? { der: a.cert.der, domains: [...a.domains] } : { der: a.cert.der })),
    crls: [...trust.crlsByIssuer.values()].flat().map((c) => c.der),
  };
}

/** The trust store again, on the other side (parsing what the main thread already parsed once: it does not fail). */
export function parseTrustMaterial(m: TrustMaterial): TrustStore {
  return buildTrustStore(
    m.anchors.map((a) => (a.domains ? { cert: parseCertificate(asBuffer(a.der)), domains: a.domains } : { cert: parseCertificate(asBuffer(a.der)) })),
    m.crls.map((c) => parseCrl(asBuffer(c))),
  );
}
