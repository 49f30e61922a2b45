import { sign, type KeyObject } from 'node:crypto';
import { algorithm, bitString, seq } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';

/** Digests we sign certificates and CRLs with (SHA-1 only for tests of its refusal). */
export type SigningHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const RSA_PKCS1: Record<SigningHash, string> = {
  sha1: OID.sha1WithRSA,
  sha256: OID.sha256WithRSA,
  sha384: OID.sha384WithRSA,
  sha512: OID.sha512WithRSA,
};

const ECDSA: Record<SigningHash, string> = {
  sha1: OID.ecdsaWithSha1,
  sha256: OID.ecdsaWithSha256,
  sha384: OID.ecdsaWithSha384,
  sha512: OID.ecdsaWithSha512,
};

/** The signature AlgorithmIdentifier for `key` (RSA PKCS#1 v1.5 or ECDSA) with `hash`. */
export function buildSignatureAlgorithm(key: KeyObject, hash: SigningHash): Buffer {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return algorithm(RSA_PKCS1[hash], null);
    case 'ec':
      return algorithm(ECDSA[hash]);
    default:
      throw new Error(`cannot sign with a ${key.asymmetricKeyType ?? 'secret'} key`);
  }
}

/**
 * Signs a TBS structure and wraps it as SEQUENCE { tbs, algorithm, BIT STRING signature }
 * (a Certificate or a CertificateList). `signatureAlgorithm` must be the one inside `tbs`.
 */
export function buildSignedStructure(tbs: Buffer, signatureAlgorithm: Buffer, key: KeyObject, hash: SigningHash): Buffer {
  const signature = key.asymmetricKeyType === 'ec' ? sign(hash, tbs, { key, dsaEncoding: 'der' }) : sign(hash, tbs, key);
  return seq(tbs, signatureAlgorithm, bitString(signature));
}
