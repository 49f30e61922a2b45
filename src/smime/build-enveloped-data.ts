/**
 * CMS EnvelopedData (RFC 5652 §6, AES-CBC) and AuthEnvelopedData (RFC 5083/5084, AES-GCM)
 * for the messages txgate seals: one KeyTransRecipientInfo per recipient, identified by
 * issuer and serial number.
 */
import { constants, createCipheriv, publicEncrypt, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { algorithm, explicit, implicit, int, octets, oid, seq, setOf } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import type { Certificate } from '../pki/certificate.ts';
import { CIPHER_BY_NAME, MIN_RSA_BITS, type ContentCipher, type KeyTransport } from './algorithms.ts';
import { mgf1AlgorithmId, rfc4055HashId } from './build-signed-data.ts';
import { smimeRefusal } from './refusal.ts';

export interface EnvelopedDataInput {
  content: Buffer;
  recipients: Certificate[];
  cipher: ContentCipher;
  keyTransport: KeyTransport;
  /** source of the content key and IV/nonce (tests make it deterministic) */
  random?: (n: number) => Buffer;
}

/** GCM tag length written in GCMParameters and used as the mac. */
export const GCM_TAG_BYTES = 16;
const GCM_NONCE_BYTES = 12;
const CBC_IV_BYTES = 16;

/** The keyEncryptionAlgorithm of a KeyTransRecipientInfo. */
export function keyTransportAlgorithmId(transport: KeyTransport): Buffer {
  switch (transport) {
    case 'rsa-pkcs1':
      return algorithm(OID.rsaEncryption, null);
    case 'rsa-oaep-sha1':
      // RFC 4055 §4.1: parameters present; all defaults (SHA-1, MGF1-SHA-1, empty label) is an empty SEQUENCE
      return algorithm(OID.rsaOaep, seq());
    case 'rsa-oaep-sha256':
      return algorithm(OID.rsaOaep, seq(explicit(0, rfc4055HashId('sha256')), explicit(1, mgf1AlgorithmId('sha256'))));
  }
}

/** Refuses a recipient whose key cannot be used to encrypt for it safely. */
export function checkRecipientKey(cert: Certificate): void {
  if (cert.keyAlgorithm !== 'rsa' || cert.keyBits < MIN_RSA_BITS) {
    throw smimeRefusal('SMIME_WEAK_ALGORITHM', `recipient ${cert.subject}: ${cert.keyAlgorithm} ${cert.keyBits}-bit key, RSA >= ${MIN_RSA_BITS} required`);
  }
}

/** Encrypts the content-encryption key to one recipient. */
export function encryptContentKey(cert: Certificate, transport: KeyTransport, cek: Buffer): Buffer {
  const key = cert.publicKey();
  switch (transport) {
    case 'rsa-pkcs1':
      return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, cek);
    case 'rsa-oaep-sha1':
      return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, cek);
    case 'rsa-oaep-sha256':
      return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
  }
}

function recipientInfo(cert: Certificate, transport: KeyTransport, cek: Buffer): Buffer {
  return seq(int(0), seq(cert.issuerDer, int(cert.serial)), keyTransportAlgorithmId(transport), octets(encryptContentKey(cert, transport, cek)));
}

function isGcm(cipher: ContentCipher): cipher is ContentCipher & CipherGCMTypes {
  return CIPHER_BY_NAME[cipher].aead;
}

function encryptedContentInfo(contentAlgorithm: Buffer, ciphertext: Buffer): Buffer {
  return seq(oid(OID.data), contentAlgorithm, implicit(0, ciphertext));
}

/** Builds a DER ContentInfo: EnvelopedData for AES-CBC, AuthEnvelopedData for AES-GCM. */
export function buildEnvelopedData(input: EnvelopedDataInput): Buffer {
  if (input.recipients.length === 0) throw new TypeError('at least one recipient is needed');
  for (const cert of input.recipients) checkRecipientKey(cert);
  const random = input.random ?? randomBytes;
  const info = CIPHER_BY_NAME[input.cipher];
  const cek = random(info.keyLength);
  const recipientInfos = setOf(input.recipients.map((c) => recipientInfo(c, input.keyTransport, cek)));

  if (!isGcm(input.cipher)) {
    const iv = random(CBC_IV_BYTES);
    const cipher = createCipheriv(input.cipher, cek, iv);
    const ciphertext = Buffer.concat([cipher.update(input.content), cipher.final()]);
    const envelopedData = seq(int(0), recipientInfos, encryptedContentInfo(algorithm(info.oid, octets(iv)), ciphertext));
    return seq(oid(OID.envelopedData), explicit(0, envelopedData));
  }

  const nonce = random(GCM_NONCE_BYTES);
  const cipher = createCipheriv(input.cipher, cek, nonce, { authTagLength: GCM_TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(input.content), cipher.final()]);
  const tag = cipher.getAuthTag();
  const gcmParameters = seq(octets(nonce), int(GCM_TAG_BYTES));
  const authEnvelopedData = seq(int(0), recipientInfos, encryptedContentInfo(algorithm(info.oid, gcmParameters), ciphertext), octets(tag));
  return seq(oid(OID.authEnvelopedData), explicit(0, authEnvelopedData));
}
