/**
 * Is this signer's certificate one we trust for this sender, at this time?
 * A path to a configured anchor (depth at most 5), every certificate's signature, validity now and
 * at signing time, revocation from the configured CRLs, key usage, and the address binding.
 * The first failing check, in that order, gives the refusal code.
 */
import { KeyUsageBit, type Certificate } from './certificate.ts';
import { verifyCrl, type Crl } from './crl.ts';
import { verifySignature } from './signature-algorithm.ts';
import type { TrustAnchor, TrustStore } from './trust-store.ts';
import { OID } from '../asn1/oids.ts';
import { domainOf, sameAddress } from '../mime/addresses.ts';
import { MIN_RSA_BITS } from '../smime/algorithms.ts';
import { smimeRefusal } from '../smime/refusal.ts';

/** Certificates in a path, the signer and the anchor included. */
export const MAX_CHAIN_DEPTH = 5;

export interface SignerPolicy {
  /** the instant treated as now */
  at: Date;
  /** signingTime from the signed attributes, when present */
  signingTime?: Date;
  /** the address the signer must be bound to (the From address) */
  address: string;
  /** a certificate whose issuer has no current CRL is refused */
  requireCrl?: boolean;
  /** refuse SHA-1 certificate signatures (accepted by default: Direct anchors still use them) */
  refuseSha1Certificates?: boolean;
  /** reuse the path built for this signer certificate earlier (validity, revocation, usage and address still run) */
  cache?: boolean;
}

/** Paths kept at most; the cache is emptied when full. */
const MAX_CACHED_PATHS = 10_000;

export interface ValidatedSigner {
  cert: Certificate;
  /** signer first, anchor last */
  path: Certificate[];
  /** the address of the certificate that matched */
  boundAddress: string;
  domainBound: boolean;
}

/** Builds the path from the signer to an anchor; throws SMIME_UNTRUSTED_SIGNER or SMIME_WEAK_ALGORITHM. */
export function buildPath(signer: Certificate, pool: readonly Certificate[], store: TrustStore, senderDomain: string, policy: SignerPolicy): Certificate[] {
  const path: Certificate[] = [signer];
  let current = signer;
  for (;;) {
    checkKeyStrength(current);
    const asAnchor = store.anchorsByFingerprint.get(current.fingerprint);
    if (asAnchor && anchorCovers(asAnchor, senderDomain)) return path;
    if (path.length >= MAX_CHAIN_DEPTH) throw smimeRefusal('SMIME_UNTRUSTED_SIGNER', 'chain too long');
    const issuerKey = current.issuerDer.toString('hex');
    let issuer: Certificate | undefined;
    for (const a of store.anchorsBySubject.get(issuerKey) ?? []) {
      if (anchorCovers(a, senderDomain) && signedBy(current, a.cert, policy)) {
        issuer = a.cert;
        break;
      }
    }
    if (!issuer) {
      issuer = pool.find((c) => c !== current && !path.includes(c) && c.subjectDer.equals(current.issuerDer) && signedBy(current, c, policy));
    }
    if (!issuer) throw smimeRefusal('SMIME_UNTRUSTED_SIGNER', 'no path to a trust anchor');
    path.push(issuer);
    current = issuer;
  }
}

function anchorCovers(a: TrustAnchor, senderDomain: string): boolean {
  return !a.domains || a.domains.includes(senderDomain);
}

function checkKeyStrength(c: Certificate): void {
  if (c.keyAlgorithm === 'dsa') throw smimeRefusal('SMIME_WEAK_ALGORITHM', 'DSA key');
  if ((c.keyAlgorithm === 'rsa' || c.keyAlgorithm === 'rsa-pss') && c.keyBits < MIN_RSA_BITS) {
    throw smimeRefusal('SMIME_WEAK_ALGORITHM', `RSA key of ${c.keyBits} bits`);
  }
}

/** Did `issuer` sign `cert`? Weak certificate signature algorithms are refused here. */
function signedBy(cert: Certificate, issuer: Certificate, policy: SignerPolicy): boolean {
  const alg = cert.signatureAlgorithm;
  if (alg.hash === 'md5' || alg.kind === 'dsa') throw smimeRefusal('SMIME_WEAK_ALGORITHM', `certificate signed with ${alg.oid}`);
  if (alg.hash === 'sha1' && policy.refuseSha1Certificates) throw smimeRefusal('SMIME_WEAK_ALGORITHM', 'certificate signed with SHA-1');
  if (!alg.hash) return false;
  return verifySignature(alg, alg.hash, cert.tbs, cert.signature, issuer.publicKey());
}

/** Why a path's issuers cannot vouch for what they signed (not CAs, not for certificates, too deep, unknown critical extensions), if they cannot. */
export function findCaProblem(path: readonly Certificate[]): string | undefined {
  for (let i = 1; i < path.length; i++) {
    const ca = path[i]!;
    const isAnchor = i === path.length - 1;
    // a v1 anchor has no extensions: it is trusted as configured
    if (!(isAnchor && ca.version < 3) && !ca.basicConstraints?.ca) return 'issuer is not a CA';
    if (ca.keyUsage && !ca.keyUsage[KeyUsageBit.keyCertSign]) return 'issuer may not sign certificates';
    // pathLen: how many intermediate CAs may stand between this CA and the leaf
    const pathLen = ca.basicConstraints?.pathLen;
    if (pathLen !== undefined && i - 1 > pathLen) return 'path length constraint';
  }
  return path.some((c) => c.unknownCritical.length > 0) ? 'unknown critical extension' : undefined;
}

function checkCa(path: Certificate[]): void {
  const why = findCaProblem(path);
  if (why) throw smimeRefusal('SMIME_UNTRUSTED_SIGNER', why);
}

function checkValidity(path: Certificate[], policy: SignerPolicy): void {
  const instants = policy.signingTime ? [policy.at, policy.signingTime] : [policy.at];
  for (const c of path) {
    for (const t of instants) {
      if (t.getTime() < c.notBefore.getTime() || t.getTime() > c.notAfter.getTime()) {
        throw smimeRefusal('SMIME_CERT_EXPIRED', t === policy.at ? 'outside validity now' : 'outside validity at signing time');
      }
    }
  }
}

/** A CRL this store holds for `issuer`, signed by it and current at `at` (its signature checked once per issuer). */
export function currentCrl(store: TrustStore, issuer: Certificate, at: Date): Crl | undefined {
  for (const crl of store.crlsByIssuer.get(issuer.subjectDer.toString('hex')) ?? []) {
    if (crl.thisUpdate.getTime() > at.getTime()) continue;
    if (crl.nextUpdate && crl.nextUpdate.getTime() < at.getTime()) continue;
    if (crl.unknownCritical.length > 0) continue;
    const verified = store.verifiedCrls.get(crl);
    if (verified?.has(issuer.fingerprint)) return crl;
    if (verifyCrl(crl, issuer)) {
      store.verifiedCrls.set(crl, new Set([...(verified ?? []), issuer.fingerprint]));
      return crl;
    }
  }
  return undefined;
}

function checkRevocation(path: Certificate[], store: TrustStore, policy: SignerPolicy): void {
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    const crl = currentCrl(store, path[i + 1]!, policy.at);
    if (!crl) {
      if (policy.requireCrl) throw smimeRefusal('SMIME_UNTRUSTED_SIGNER', 'revocation status unknown: no current CRL');
      continue;
    }
    if (crl.revoked.has(cert.serialHex)) throw smimeRefusal('SMIME_CERT_REVOKED', `serial ${cert.serialHex}`);
  }
}

function checkUsage(cert: Certificate): void {
  if (cert.keyUsage && !cert.keyUsage[KeyUsageBit.digitalSignature]) throw smimeRefusal('SMIME_CERT_USAGE', 'no digitalSignature key usage');
  if (cert.extKeyUsage && !cert.extKeyUsage.includes(OID.emailProtection) && !cert.extKeyUsage.includes(OID.anyExtendedKeyUsage)) {
    throw smimeRefusal('SMIME_CERT_USAGE', 'no emailProtection extended key usage');
  }
}

/** Which address of the certificate the sender matches, if any. */
export function bindAddress(cert: Certificate, address: string): { boundAddress: string; domainBound: boolean } | undefined {
  const email = cert.sanEmails.find((e) => sameAddress(e, address));
  if (email) return { boundAddress: email, domainBound: false };
  const domain = domainOf(address);
  const dns = cert.sanDns.find((d) => d.toLowerCase() === domain);
  if (dns) return { boundAddress: dns, domainBound: true };
  // legacy: an emailAddress in the subject, only when the certificate names no address in its SAN
  if (cert.sanEmails.length === 0 && cert.sanDns.length === 0) {
    const legacy = cert.subjectEmails.find((e) => sameAddress(e, address));
    if (legacy) return { boundAddress: legacy, domainBound: false };
  }
  return undefined;
}

/** Validates the signer for the sender `policy.address`; throws an SMIME_* refusal. */
export function validateSigner(signer: Certificate, pool: readonly Certificate[], store: TrustStore, policy: SignerPolicy): ValidatedSigner {
  const domain = domainOf(policy.address);
  const cacheKey = `${signer.fingerprint}|${domain}|${policy.refuseSha1Certificates ? 1 : 0}`;
  let path = policy.cache ? store.signerPaths.get(cacheKey) : undefined;
  if (!path) {
    path = buildPath(signer, pool, store, domain, policy);
    if (policy.cache) {
      if (store.signerPaths.size >= MAX_CACHED_PATHS) store.signerPaths.clear();
      store.signerPaths.set(cacheKey, path);
    }
  }
  checkCa(path);
  checkValidity(path, policy);
  checkRevocation(path, store, policy);
  checkUsage(signer);
  const bound = bindAddress(signer, policy.address);
  if (!bound) throw smimeRefusal('SMIME_ADDRESS_MISMATCH');
  return { cert: signer, path, ...bound };
}
