/**
 * CMS SignedData (RFC 5652 §5) for the messages txgate seals: one signer, identified by issuer
 * and serial number, with the signed attributes S/MIME peers expect (RFC 8551 §2.5) and
 * CMSAlgorithmProtection (RFC 6211).
 */
import { constants, createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { algorithm, explicit, implicit, int, octets, oid, retag, seq, set, setOf, time } from '../asn1/der-writer.ts';
import { OID, OID_BY_DIGEST } from '../asn1/oids.ts';
import type { Certificate } from '../pki/certificate.ts';
import type { SignatureScheme } from './algorithms.ts';

/** Digests txgate signs with; sha1 only so tests can build messages the gateway must refuse. */
export type SealDigest = 'sha256' | 'sha384' | 'sha512' | 'sha1';

export interface SignedDataInput {
  content: Buffer;
  /** true: no eContent (multipart/signed); false: the content is inside (opaque) */
  detached: boolean;
  signerKey: KeyObject;
  signerCert: Certificate;
  chain: Certificate[];
  digest: SealDigest;
  scheme: SignatureScheme;
  signingTime: Date;
}

const HASH_BYTES: Record<SealDigest, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** A digest AlgorithmIdentifier as CMS wants it (RFC 5754: parameters absent). */
export function digestAlgorithmId(digest: SealDigest): Buffer {
  return algorithm(OID_BY_DIGEST[digest]);
}

/** A digest AlgorithmIdentifier inside RSASSA-PSS / RSAES-OAEP parameters (RFC 4055 §2.1: NULL). */
export function rfc4055HashId(digest: SealDigest): Buffer {
  return algorithm(OID_BY_DIGEST[digest], null);
}

/** MGF1 with the given hash (RFC 4055 §2.2). */
export function mgf1AlgorithmId(digest: SealDigest): Buffer {
  return algorithm(OID.mgf1, rfc4055HashId(digest));
}

/** The SignerInfo signatureAlgorithm: rsaEncryption for PKCS#1 v1.5 (as OpenSSL writes), RSASSA-PSS with explicit parameters. */
export function signatureAlgorithmId(scheme: SignatureScheme, digest: SealDigest): Buffer {
  if (scheme === 'rsa-pkcs1') return algorithm(OID.rsaEncryption, null);
  return algorithm(OID.rsaPss, seq(explicit(0, rfc4055HashId(digest)), explicit(1, mgf1AlgorithmId(digest)), explicit(2, int(HASH_BYTES[digest]))));
}

/** SMIMECapabilities (RFC 8551 §2.5.2), in order of preference. */
export function smimeCapabilities(): Buffer {
  const oaepSha256 = seq(explicit(0, rfc4055HashId('sha256')), explicit(1, mgf1AlgorithmId('sha256')));
  return seq(
    algorithm(OID.aes256Gcm),
    algorithm(OID.aes128Gcm),
    algorithm(OID.aes256Cbc),
    algorithm(OID.aes128Cbc),
    algorithm(OID.rsaOaep, oaepSha256),
    algorithm(OID.rsaEncryption, null),
  );
}

function attribute(type: string, value: Buffer): Buffer {
  return seq(oid(type), set(value));
}

/** The signed attributes as a DER SET OF (tag 0x31): the bytes the signature covers. */
export function buildSignedAttributes(input: Pick<SignedDataInput, 'content' | 'digest' | 'scheme' | 'signingTime'>): Buffer {
  const messageDigest = createHash(input.digest).update(input.content).digest();
  const protection = seq(digestAlgorithmId(input.digest), retag(1, signatureAlgorithmId(input.scheme, input.digest)));
  return setOf([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(input.signingTime)),
    attribute(OID.messageDigest, octets(messageDigest)),
    attribute(OID.smimeCapabilities, smimeCapabilities()),
    attribute(OID.cmsAlgorithmProtection, protection),
  ]);
}

/** True when the private key is the one of the certificate (RSA modulus and exponent compared). */
export function keyMatchesCertificate(key: KeyObject, cert: Certificate): boolean {
  if (key.asymmetricKeyType !== 'rsa' || cert.keyAlgorithm !== 'rsa') return false;
  const mine = createPublicKey(key).export({ format: 'jwk' });
  const theirs = cert.publicKey().export({ format: 'jwk' });
  return mine.n === theirs.n && mine.e === theirs.e;
}

function signBytes(input: SignedDataInput, data: Buffer): Buffer {
  if (input.scheme === 'rsa-pkcs1') return sign(input.digest, data, input.signerKey);
  return sign(input.digest, data, { key: input.signerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[input.digest] });
}

/** Builds a DER ContentInfo holding SignedData v1 over `content` (id-data). */
export function buildSignedData(input: SignedDataInput): Buffer {
  if (!keyMatchesCertificate(input.signerKey, input.signerCert)) {
    throw new TypeError('the signing key is not an RSA key matching the signer certificate');
  }
  const signedAttrs = buildSignedAttributes(input);
  const signature = signBytes(input, signedAttrs);
  const signerInfo = seq(
    int(1),
    seq(input.signerCert.issuerDer, int(input.signerCert.serial)),
    digestAlgorithmId(input.digest),
    retag(0, signedAttrs),
    signatureAlgorithmId(input.scheme, input.digest),
    octets(signature),
  );
  const encapContentInfo = input.detached ? seq(oid(OID.data)) : seq(oid(OID.data), explicit(0, octets(input.content)));
  const certs = [input.signerCert, ...input.chain].filter((c, i, all) => all.findIndex((o) => o.fingerprint === c.fingerprint) === i);
  const certificates = implicit(0, Buffer.concat(certs.map((c) => c.der)), true);
  const signedData = seq(int(1), setOf([digestAlgorithmId(input.digest)]), encapContentInfo, certificates, setOf([signerInfo]));
  return seq(oid(OID.signedData), explicit(0, signedData));
}
