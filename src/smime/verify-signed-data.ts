/**
 * SignedData verification, in a fixed order: structure → algorithm allow-list → key → digest and
 * signature. Certificate trust is the caller's next step (validate-signer).
 */
import { createHash } from 'node:crypto';
import { Asn1Error, childrenOf, contentOf, findContext, oidOf, rawOf, Tag, timeOf, type DerNode } from '../asn1/der-reader.ts';
import { DIGEST_BY_OID, OID, type DigestName } from '../asn1/oids.ts';
import { parseCertificate, type Certificate } from '../pki/certificate.ts';
import { parseSignatureAlgorithm, verifySignature, type SignatureAlgorithm } from '../pki/signature-algorithm.ts';
import { MIN_RSA_BITS, WEAK_DIGESTS, type SignatureScheme } from './algorithms.ts';
import type { CertId, SignedContent, SignerInfo } from './parse-cms.ts';
import { smimeRefusal } from './refusal.ts';

export interface VerifiedSignature {
  signer: Certificate;
  /** every certificate the message carried (for path building) */
  certificates: Certificate[];
  digest: DigestName;
  scheme: SignatureScheme;
  signingTime: Date | undefined;
  /** the content bytes the signature covers */
  content: Buffer;
}

function findSigner(sid: CertId, certs: Certificate[]): Certificate | undefined {
  if (sid.kind === 'issuerSerial') return certs.find((c) => c.serial.equals(sid.serial) && c.issuerDer.equals(sid.issuer));
  return certs.find((c) => c.subjectKeyId?.equals(sid.ski));
}

/**
 * Verifies the signature(s) of a SignedData. `contents` are the candidate bytes for detached
 * content (as received, then canonical CRLF); for encapsulated content the eContent is used.
 * Returns the first signer that verifies; otherwise throws the first signer's refusal.
 */
export function verifySignedContent(sd: SignedContent, contents: Buffer[]): VerifiedSignature {
  if (sd.eContentType !== OID.data) throw smimeRefusal('SMIME_MALFORMED', 'signed content is not id-data');
  const candidates = sd.eContent ? [sd.eContent] : contents;
  if (candidates.length === 0) throw smimeRefusal('SMIME_MALFORMED', 'detached signature without content');
  if (sd.signers.length === 0) throw smimeRefusal('SMIME_NOT_SIGNED', 'no SignerInfo');
  const certificates = parseCertificates(sd);
  let first: unknown;
  for (const si of sd.signers) {
    try {
      return { ...verifySigner(si, certificates, candidates), certificates };
    } catch (err) {
      first ??= err;
    }
  }
  throw first;
}

interface AllowedSigner {
  signer: Certificate;
  digest: DigestName;
  alg: SignatureAlgorithm;
  scheme: SignatureScheme;
}

/** The allow-list: digest, signature algorithm and key size, before any cryptography. */
function allowSigner(si: SignerInfo, certs: Certificate[]): AllowedSigner {
  const digest = DIGEST_BY_OID[si.digestAlgorithm.oid];
  if (!digest) throw smimeRefusal('SMIME_MALFORMED', 'unknown digest algorithm');
  if (WEAK_DIGESTS.has(digest)) throw smimeRefusal('SMIME_WEAK_ALGORITHM', `${digest} message digest`);
  let alg: SignatureAlgorithm;
  try {
    alg = parseSignatureAlgorithm(si.signatureAlgorithm.node);
  } catch (err) {
    throw smimeRefusal('SMIME_MALFORMED', `signature algorithm: ${(err as Error).message}`);
  }
  if (alg.kind === 'dsa') throw smimeRefusal('SMIME_WEAK_ALGORITHM', 'DSA signature');
  if (alg.kind === 'unknown') throw smimeRefusal('SMIME_BAD_SIGNATURE', `unsupported signature algorithm ${alg.oid}`);
  if (alg.hash && WEAK_DIGESTS.has(alg.hash)) throw smimeRefusal('SMIME_WEAK_ALGORITHM', `${alg.hash} signature`);
  if (alg.hash && alg.hash !== digest) throw smimeRefusal('SMIME_BAD_SIGNATURE', 'signature and digest algorithms disagree');
  const scheme: SignatureScheme = alg.kind === 'rsa-pss' ? 'rsa-pss' : 'rsa-pkcs1';
  const signer = findSigner(si.sid, certs);
  if (!signer) throw smimeRefusal('SMIME_UNTRUSTED_SIGNER', "the signer's certificate is not in the message");
  if (signer.keyAlgorithm === 'dsa') throw smimeRefusal('SMIME_WEAK_ALGORITHM', 'DSA key');
  if ((signer.keyAlgorithm === 'rsa' || signer.keyAlgorithm === 'rsa-pss') && signer.keyBits < MIN_RSA_BITS) {
    throw smimeRefusal('SMIME_WEAK_ALGORITHM', `RSA key of ${signer.keyBits} bits`);
  }
  if ((alg.kind === 'ecdsa') !== (signer.keyAlgorithm === 'ec')) throw smimeRefusal('SMIME_BAD_SIGNATURE', 'key does not fit the algorithm');
  return { signer, digest, alg, scheme };
}

function parseCertificates(sd: SignedContent): Certificate[] {
  try {
    return sd.certificates.map(parseCertificate);
  } catch (err) {
    throw smimeRefusal('SMIME_MALFORMED', `certificate: ${(err as Error).message}`);
  }
}

/** Applies the allow-list to a SignedData without verifying it: throws the first signer's refusal when none passes. */
export function checkSignedAlgorithms(sd: SignedContent): void {
  const certs = parseCertificates(sd);
  let first: unknown;
  for (const si of sd.signers) {
    try {
      allowSigner(si, certs);
      return;
    } catch (err) {
      first ??= err;
    }
  }
  if (first) throw first;
}

function verifySigner(si: SignerInfo, certs: Certificate[], candidates: Buffer[]): Omit<VerifiedSignature, 'certificates'> {
  const { signer, digest, alg, scheme } = allowSigner(si, certs);

  // digest and signature
  let signingTime: Date | undefined;
  let content: Buffer | undefined;
  let signedBytes: Buffer[];
  if (si.signedAttrs && si.signedAttrsDer) {
    const attrs = si.signedAttrs;
    try {
      const ct = attrs.get(OID.contentType);
      const md = attrs.get(OID.messageDigest);
      if (!ct || ct.length !== 1 || !md || md.length !== 1) throw new Asn1Error('contentType and messageDigest are required');
      if (oidOf(ct[0]!) !== OID.data) throw new Asn1Error('contentType attribute disagrees');
      if (md[0]!.tag !== Tag.OCTET_STRING) throw new Asn1Error('bad messageDigest');
      const expected = contentOf(md[0]!);
      content = candidates.find((c) => createHash(digest).update(c).digest().equals(expected));
      const st = attrs.get(OID.signingTime);
      if (st) {
        if (st.length !== 1) throw new Asn1Error('bad signingTime');
        signingTime = timeOf(st[0]!);
      }
      const protection = attrs.get(OID.cmsAlgorithmProtection);
      if (protection) checkAlgorithmProtection(protection, si);
    } catch (err) {
      if (err instanceof Asn1Error) throw smimeRefusal('SMIME_BAD_SIGNATURE', `signed attributes: ${err.message}`);
      throw err;
    }
    if (!content) throw smimeRefusal('SMIME_BAD_SIGNATURE', 'message digest does not match the content');
    signedBytes = [si.signedAttrsDer];
  } else {
    signedBytes = candidates;
  }
  const key = signer.publicKey();
  const verified = signedBytes.find((b) => verifySignature(alg, digest, b, si.signature, key));
  if (!verified) throw smimeRefusal('SMIME_BAD_SIGNATURE', 'signature does not verify');
  return { signer, digest, scheme, signingTime, content: content ?? verified };
}

/** CMSAlgorithmProtection (RFC 6211) must name the SignerInfo's algorithms. */
function checkAlgorithmProtection(values: DerNode[], si: SignerInfo): void {
  if (values.length !== 1) throw new Asn1Error('bad CMSAlgorithmProtection');
  const fields = childrenOf(values[0]!);
  if (values[0]!.tag !== Tag.SEQUENCE || !fields[0]) throw new Asn1Error('bad CMSAlgorithmProtection');
  if (!sameAlgorithm(fields[0], si.digestAlgorithm.node)) throw new Asn1Error('CMSAlgorithmProtection digest disagrees');
  const sig = findContext(fields, 1);
  if (sig && !sameAlgorithm(sig, si.signatureAlgorithm.node)) throw new Asn1Error('CMSAlgorithmProtection signature algorithm disagrees');
}

/** Two AlgorithmIdentifiers (the first possibly implicitly tagged) name the same algorithm; absent and NULL parameters are alike. */
function sameAlgorithm(a: DerNode, b: DerNode): boolean {
  const [ao, ap] = childrenOf(a);
  const [bo, bp] = childrenOf(b);
  if (!ao || !bo || oidOf(ao) !== oidOf(bo)) return false;
  const norm = (p: DerNode | undefined) => (!p || p.tag === Tag.NULL ? '' : rawOf(p).toString('hex'));
  return norm(ap) === norm(bp);
}
