import { OID, type DigestName } from '../asn1/oids.ts';

/** Content ciphers txgate opens and seals. */
export type ContentCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
/** Key transport algorithms txgate opens and seals. */
export type KeyTransport = 'rsa-oaep-sha256' | 'rsa-oaep-sha1' | 'rsa-pkcs1';
export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss';

export const CONTENT_CIPHERS: readonly ContentCipher[] = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm'];
/** What `seal --cipher` offers (the list). */
export const SEAL_CIPHERS: readonly ContentCipher[] = ['aes-128-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-256-gcm'];
export const KEY_TRANSPORTS: readonly KeyTransport[] = ['rsa-oaep-sha256', 'rsa-oaep-sha1', 'rsa-pkcs1'];

export interface CipherInfo {
  name: ContentCipher;
  oid: string;
  keyLength: number;
  aead: boolean;
}

export const CIPHER_BY_OID: Record<string, CipherInfo> = {
  [OID.aes128Cbc]: { name: 'aes-128-cbc', oid: OID.aes128Cbc, keyLength: 16, aead: false },
  [OID.aes192Cbc]: { name: 'aes-192-cbc', oid: OID.aes192Cbc, keyLength: 24, aead: false },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', oid: OID.aes256Cbc, keyLength: 32, aead: false },
  [OID.aes128Gcm]: { name: 'aes-128-gcm', oid: OID.aes128Gcm, keyLength: 16, aead: true },
  [OID.aes192Gcm]: { name: 'aes-192-gcm', oid: OID.aes192Gcm, keyLength: 24, aead: true },
  [OID.aes256Gcm]: { name: 'aes-256-gcm', oid: OID.aes256Gcm, keyLength: 32, aead: true },
};

export const CIPHER_BY_NAME = Object.fromEntries(Object.values(CIPHER_BY_OID).map((c) => [c.name, c])) as Record<ContentCipher, CipherInfo>;

/** Ciphers refused as weak when a message uses them. */
export const WEAK_CIPHER_OIDS: ReadonlySet<string> = new Set([OID.desEde3Cbc, OID.desCbc, OID.rc2Cbc]);

/** Message-signature digests refused as weak. */
export const WEAK_DIGESTS: ReadonlySet<DigestName> = new Set<DigestName>(['md5', 'sha1']);

/** The smallest RSA key accepted for signing and encryption. */
export const MIN_RSA_BITS = 2048;

/** micalg parameter values (RFC 8551 §3.5.3.2). */
export const MICALG: Record<DigestName, string> = {
  md5: 'md5',
  sha1: 'sha-1',
  sha224: 'sha-224',
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
};
