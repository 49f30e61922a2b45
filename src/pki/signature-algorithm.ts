import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { Asn1Error, childrenOf, findContext, oidOf, smallIntOf, type DerNode } from '../asn1/der-reader.ts';
import { DIGEST_BY_OID, OID, type DigestName } from '../asn1/oids.ts';

export type SignatureKind = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'dsa' | 'unknown';

export interface SignatureAlgorithm {
  kind: SignatureKind;
  /** the digest the signature is computed with; undefined when the identifier does not say (rsaEncryption) */
  hash: DigestName | undefined;
  /** PSS salt length */
  saltLength?: number;
  oid: string;
}

const PKCS1_BY_OID: Record<string, DigestName> = {
  [OID.md5WithRSA]: 'md5',
  [OID.sha1WithRSA]: 'sha1',
  [OID.sha224WithRSA]: 'sha224',
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
};

const ECDSA_BY_OID: Record<string, DigestName> = {
  [OID.ecdsaWithSha1]: 'sha1',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
};

/** Reads an AlgorithmIdentifier used for a signature. Unknown algorithms give kind 'unknown'. */
export function parseSignatureAlgorithm(alg: DerNode): SignatureAlgorithm {
  const kids = childrenOf(alg);
  const oid = oidOf(kids[0]!);
  if (oid === OID.rsaEncryption) return { kind: 'rsa-pkcs1', hash: undefined, oid };
  const pkcs1 = PKCS1_BY_OID[oid];
  if (pkcs1) return { kind: 'rsa-pkcs1', hash: pkcs1, oid };
  const ec = ECDSA_BY_OID[oid];
  if (ec) return { kind: 'ecdsa', hash: ec, oid };
  if (oid === OID.dsa || oid === OID.dsaWithSha1) return { kind: 'dsa', hash: oid === OID.dsaWithSha1 ? 'sha1' : undefined, oid };
  if (oid === OID.dsaWithSha256) return { kind: 'dsa', hash: 'sha256', oid };
  if (oid === OID.rsaPss) {
    const params = parsePssParams(kids[1]);
    return { kind: 'rsa-pss', hash: params.hash, saltLength: params.saltLength, oid };
  }
  return { kind: 'unknown', hash: undefined, oid };
}

/** RSASSA-PSS-params (RFC 4055). Defaults: SHA-1, MGF1-SHA-1, salt 20, trailer 1. */
export function parsePssParams(params: DerNode | undefined): { hash: DigestName; saltLength: number } {
  let hash: DigestName = 'sha1';
  let mgfHash: DigestName = 'sha1';
  let saltLength = 20;
  if (params && params.tag === 0x30) {
    const fields = childrenOf(params);
    const h = findContext(fields, 0);
    if (h) hash = digestOfAlgId(childrenOf(h)[0]);
    const m = findContext(fields, 1);
    if (m) {
      const mgf = childrenOf(childrenOf(m)[0]!);
      if (oidOf(mgf[0]!) !== OID.mgf1) throw new Asn1Error('unsupported PSS mask generation');
      mgfHash = digestOfAlgId(mgf[1]);
    }
    const s = findContext(fields, 2);
    if (s) saltLength = smallIntOf(childrenOf(s)[0]!);
    const t = findContext(fields, 3);
    if (t && smallIntOf(childrenOf(t)[0]!) !== 1) throw new Asn1Error('unsupported PSS trailer field');
  }
  if (mgfHash !== hash) throw new Asn1Error('PSS with an MGF1 digest unlike its message digest');
  return { hash, saltLength };
}

/** The digest named by a digest AlgorithmIdentifier. */
export function digestOfAlgId(alg: DerNode | undefined): DigestName {
  if (!alg) throw new Asn1Error('missing digest algorithm');
  const d = DIGEST_BY_OID[oidOf(childrenOf(alg)[0]!)];
  if (!d) throw new Asn1Error('unknown digest algorithm');
  return d;
}

/** Verifies `signature` over `data`. Returns false on any mismatch or unusable key; never throws for bad input. */
export function verifySignature(alg: SignatureAlgorithm, hash: DigestName, data: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    switch (alg.kind) {
      case 'rsa-pkcs1':
        return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss':
        return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength ?? 20 }, signature);
      case 'ecdsa':
        return cryptoVerify(hash, data, { key, dsaEncoding: 'der' }, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
