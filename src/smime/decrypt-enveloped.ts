import { createDecipheriv } from 'node:crypto';
import { contentOf, expectChildren, expectTag, smallIntOf, Tag } from '../asn1/der-reader.ts';
import { CIPHER_BY_OID, WEAK_CIPHER_OIDS, type CipherInfo, type ContentCipher, type KeyTransport } from './algorithms.ts';
import type { GatewayKey } from './gateway-key.ts';
import type { CertId, EnvelopedContent, KeyTransRecipient } from './parse-cms.ts';
import { smimeRefusal } from './refusal.ts';
import { keyTransportOf, unwrapContentKey } from './unwrap-content-key.ts';

export interface Decrypted {
  content: Buffer;
  contentCipher: ContentCipher;
  keyTransport: KeyTransport;
  /** the gateway certificate the message was encrypted for */
  recipient: GatewayKey;
}

/** At most this many (recipient, key) pairs are tried when no recipient names one of our keys. */
const MAX_TRIALS = 16;

function matches(rid: CertId, gk: GatewayKey): boolean {
  if (rid.kind === 'issuerSerial') return rid.serial.equals(gk.cert.serial) && rid.issuer.equals(gk.cert.issuerDer);
  return gk.cert.subjectKeyId !== undefined && rid.ski.equals(gk.cert.subjectKeyId);
}

/**
 * Decrypts EnvelopedData or AuthEnvelopedData with one of the gateway's keys.
 * Every failure after the algorithm checks is SMIME_DECRYPT_FAILED, through the same path.
 */
export function decryptEnveloped(env: EnvelopedContent, keys: readonly GatewayKey[]): Decrypted {
  const alg = env.contentEncryption;
  if (WEAK_CIPHER_OIDS.has(alg.oid)) throw smimeRefusal('SMIME_WEAK_ALGORITHM', `content cipher ${alg.oid}`);
  const cipher = CIPHER_BY_OID[alg.oid];
  if (!cipher) throw smimeRefusal('SMIME_DECRYPT_FAILED', `unsupported content cipher ${alg.oid}`);
  if (cipher.aead !== (env.kind === 'authEnveloped')) throw smimeRefusal('SMIME_MALFORMED', 'cipher does not fit the content type');
  const params = readCipherParams(cipher, env);

  let pairs: [KeyTransRecipient, GatewayKey][] = [];
  for (const r of env.recipients) for (const gk of keys) if (matches(r.rid, gk)) pairs.push([r, gk]);
  if (pairs.length === 0) {
    for (const r of env.recipients) for (const gk of keys) pairs.push([r, gk]);
    pairs = pairs.slice(0, MAX_TRIALS);
  }
  let lastTransport: KeyTransport | undefined;
  for (const [r, gk] of pairs) {
    const transport = keyTransportOf(r.keyEncryption);
    if (!transport) continue;
    lastTransport = transport.name;
    const cek = unwrapContentKey(gk, transport, r.encryptedKey, cipher.keyLength);
    const content = decryptContent(cipher, cek, params, env);
    if (content) return { content, contentCipher: cipher.name, keyTransport: transport.name, recipient: gk };
  }
  throw smimeRefusal('SMIME_DECRYPT_FAILED', lastTransport ? 'no recipient could be decrypted' : 'no usable recipient');
}

interface CipherParams {
  iv: Buffer;
  tagLength: number;
}

function readCipherParams(cipher: CipherInfo, env: EnvelopedContent): CipherParams {
  const p = env.contentEncryption.params;
  try {
    if (!cipher.aead) {
      const iv = contentOf(expectTag(p, Tag.OCTET_STRING, 'IV'));
      if (iv.length !== 16) throw new Error('bad IV length');
      return { iv, tagLength: 0 };
    }
    const f = expectChildren(p, Tag.SEQUENCE, 'GCMParameters', 1, 2);
    const iv = contentOf(expectTag(f[0], Tag.OCTET_STRING, 'aes-nonce'));
    const tagLength = f[1] ? smallIntOf(f[1]) : 12;
    if (iv.length < 8 || iv.length > 64 || tagLength < 12 || tagLength > 16 || env.mac?.length !== tagLength) throw new Error('bad GCM parameters');
    return { iv, tagLength };
  } catch (err) {
    throw smimeRefusal('SMIME_MALFORMED', `content encryption parameters: ${(err as Error).message}`);
  }
}

/** Decrypts the content; undefined when the key, padding or tag is wrong. */
function decryptContent(cipher: CipherInfo, key: Buffer, params: CipherParams, env: EnvelopedContent): Buffer | undefined {
  try {
    if (!cipher.aead) {
      const d = createDecipheriv(cipher.name, key, params.iv);
      return Buffer.concat([d.update(env.encryptedContent), d.final()]);
    }
    const d = createDecipheriv(cipher.name as 'aes-128-gcm', key, params.iv, { authTagLength: params.tagLength });
    d.setAuthTag(env.mac!);
    if (env.authAttrs) d.setAAD(env.authAttrs);
    return Buffer.concat([d.update(env.encryptedContent), d.final()]);
  } catch {
    return undefined;
  }
}
