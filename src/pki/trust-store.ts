import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OID } from '../asn1/oids.ts';
import { parseContentInfo, parseSignedContent } from '../smime/parse-cms.ts';
import { parseCertificate, pemBlocks, type Certificate } from './certificate.ts';
import { parseCrl, type Crl } from './crl.ts';

export interface TrustAnchor {
  cert: Certificate;
  /** sender domains this anchor may vouch for; undefined = any */
  domains?: string[];
}

/** Trust anchors and CRLs, parsed once and indexed by subject / issuer name. */
export interface TrustStore {
  anchors: TrustAnchor[];
  anchorsBySubject: Map<string, TrustAnchor[]>;
  anchorsByFingerprint: Map<string, TrustAnchor>;
  crlsByIssuer: Map<string, Crl[]>;
  /** signer paths already built, by signer fingerprint and sender domain (used when the signer cache is on) */
  signerPaths: Map<string, Certificate[]>;
  /** CRLs whose signature was verified, with the fingerprints of the issuers that verified them */
  verifiedCrls: WeakMap<Crl, Set<string>>;
}

export function buildTrustStore(anchors: TrustAnchor[], crls: Crl[] = []): TrustStore {
  const anchorsBySubject = new Map<string, TrustAnchor[]>();
  const anchorsByFingerprint = new Map<string, TrustAnchor>();
  for (const a of anchors) {
    const k = a.cert.subjectDer.toString('hex');
    anchorsBySubject.set(k, [...(anchorsBySubject.get(k) ?? []), a]);
    const seen = anchorsByFingerprint.get(a.cert.fingerprint);
    // the same anchor listed twice: the union of its scopes
    if (seen) seen.domains = seen.domains && a.domains ? [...seen.domains, ...a.domains] : undefined;
    else anchorsByFingerprint.set(a.cert.fingerprint, a);
  }
  const crlsByIssuer = new Map<string, Crl[]>();
  for (const c of crls) {
    const k = c.issuerDer.toString('hex');
    crlsByIssuer.set(k, [...(crlsByIssuer.get(k) ?? []), c]);
  }
  return { anchors, anchorsBySubject, anchorsByFingerprint, crlsByIssuer, signerPaths: new Map(), verifiedCrls: new WeakMap() };
}

/**
 * Reads certificates from a trust source: a PEM file (one or more certificates), a DER
 * certificate, a certs-only PKCS#7 bundle (PEM or DER, as Direct trust bundles are), or a
 * folder of such files.
 */
export function readTrustSource(path: string): Certificate[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((f) => /\.(pem|crt|cer|der|p7b|p7c)$/i.test(f))
      .sort()
      .flatMap((f) => readTrustSource(join(path, f)));
  }
  return parseTrustData(readFileSync(path));
}

export function parseTrustData(data: Buffer): Certificate[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) return pemBlocks(text).map(parseCertificate);
  const p7 = pemBlocks(text, ['PKCS7', 'CMS']);
  const ders = p7.length > 0 ? p7 : [data];
  const out: Certificate[] = [];
  for (const der of ders) {
    // a DER certificate, or a certs-only SignedData
    try {
      out.push(parseCertificate(der));
      continue;
    } catch {
      /* not a certificate: try PKCS#7 */
    }
    const ci = parseContentInfo(der);
    if (ci.contentType !== OID.signedData) throw new Error('not a certificate or a PKCS#7 trust bundle');
    for (const c of parseSignedContent(ci.content).certificates) out.push(parseCertificate(c));
  }
  return out;
}

/** Reads CRLs (PEM with one or more `X509 CRL` blocks, or DER). */
export function readCrlFile(path: string): Crl[] {
  const data = readFileSync(path);
  const blocks = pemBlocks(data.toString('latin1'), ['X509 CRL']);
  return (blocks.length > 0 ? blocks : [data]).map(parseCrl);
}

export interface TrustSourceSpec {
  path: string;
  domains?: string[];
}

/** Loads a store from trust sources and CRL files. */
export function loadTrustStore(sources: TrustSourceSpec[], crlPaths: string[] = []): TrustStore {
  const anchors: TrustAnchor[] = [];
  for (const s of sources) {
    for (const cert of readTrustSource(s.path)) anchors.push(s.domains ? { cert, domains: s.domains.map((d) => d.toLowerCase()) } : { cert });
  }
  return buildTrustStore(anchors, crlPaths.flatMap(readCrlFile));
}
