/**
 * RSA key transport: recovers the content-encryption key.
 *
 * PKCS#1 v1.5 is unpadded here after a raw RSA operation (Node 20 refuses privateDecrypt with
 * PKCS#1 v1.5 padding), with implicit rejection: whatever goes wrong (bad padding, wrong length,
 * a ciphertext that is not even a number below the modulus, a key that is not the one used),
 * the function returns a key derived from the ciphertext and a secret of the private key. The
 * caller then fails at content decryption, through the same path whatever the cause, so the
 * gateway is no padding oracle (Bleichenbacher, Marvin).
 */
import { constants, createHmac, privateDecrypt } from 'node:crypto';
import { childrenOf, findContext, oidOf } from '../asn1/der-reader.ts';
import { DIGEST_BY_OID, OID, type DigestName } from '../asn1/oids.ts';
import type { KeyTransport } from './algorithms.ts';
import type { GatewayKey } from './gateway-key.ts';
import type { AlgorithmId } from './parse-cms.ts';

/** Which key transport an AlgorithmIdentifier names; undefined when unsupported. */
export function keyTransportOf(alg: AlgorithmId): { name: KeyTransport; hash?: DigestName } | undefined {
  if (alg.oid === OID.rsaEncryption) return { name: 'rsa-pkcs1' };
  if (alg.oid !== OID.rsaOaep) return undefined;
  let hash: DigestName = 'sha1';
  let mgfHash: DigestName = 'sha1';
  const p = alg.params;
  if (p && p.tag === 0x30) {
    const fields = childrenOf(p);
    const h = findContext(fields, 0);
    if (h) hash = DIGEST_BY_OID[oidOf(childrenOf(childrenOf(h)[0]!)[0]!)] ?? ('unknown' as DigestName);
    const m = findContext(fields, 1);
    if (m) {
      const mgf = childrenOf(childrenOf(m)[0]!);
      if (oidOf(mgf[0]!) !== OID.mgf1 || !mgf[1]) return undefined;
      mgfHash = DIGEST_BY_OID[oidOf(childrenOf(mgf[1])[0]!)] ?? ('unknown' as DigestName);
    }
    if (findContext(fields, 2)) return undefined; // a non-empty label is not used by S/MIME
  }
  if (hash !== mgfHash) return undefined;
  if (hash === 'sha1') return { name: 'rsa-oaep-sha1', hash };
  if (hash === 'sha256') return { name: 'rsa-oaep-sha256', hash };
  return undefined;
}

/** A key derived from the ciphertext: what a failed unwrap yields, deterministic for the same input. */
export function syntheticKey(gk: GatewayKey, encryptedKey: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  let filled = 0;
  for (let counter = 0; filled < length; counter++) {
    const block = createHmac('sha256', gk.rejectionSecret).update(Buffer.from([counter])).update(encryptedKey).digest();
    filled += block.copy(out, filled);
  }
  return out;
}

/**
 * Unwraps the content key; never throws and never says whether it failed.
 * `keyLength` is the length the content cipher needs.
 */
export function unwrapContentKey(gk: GatewayKey, transport: { name: KeyTransport; hash?: DigestName }, encryptedKey: Buffer, keyLength: number): Buffer {
  const synthetic = syntheticKey(gk, encryptedKey, keyLength);
  if (transport.name !== 'rsa-pkcs1') {
    try {
      const key = privateDecrypt({ key: gk.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: transport.hash ?? 'sha1' }, encryptedKey);
      return key.length === keyLength ? key : synthetic;
    } catch {
      return synthetic;
    }
  }
  const k = gk.modulusBytes;
  let em: Buffer;
  let good = 1;
  try {
    // a short ciphertext is a smaller number: left-pad it; a longer one is invalid
    const c = encryptedKey.length === k ? encryptedKey : Buffer.concat([Buffer.alloc(Math.max(0, k - encryptedKey.length)), encryptedKey]).subarray(-k);
    good &= encryptedKey.length <= k ? 1 : 0;
    em = privateDecrypt({ key: gk.key, padding: constants.RSA_NO_PADDING }, c);
  } catch {
    em = Buffer.alloc(k);
    good = 0;
  }
  return selectPkcs1Key(em, synthetic, keyLength, good);
}

/**
 * EME-PKCS1-v1_5 decoding without data-dependent branches:
 * 0x00 0x02 PS (>= 8 non-zero bytes) 0x00 M, with |M| = keyLength. Returns M or the synthetic key.
 */
export function selectPkcs1Key(em: Buffer, synthetic: Buffer, keyLength: number, goodIn = 1): Buffer {
  const k = em.length;
  let good = goodIn & ((em[0]! | 0) === 0 ? 1 : 0) & ((em[1]! ^ 2) === 0 ? 1 : 0);
  // index of the first zero byte after the block type; 0 when none
  let zeroIndex = 0;
  let lookingForZero = 1;
  for (let i = 2; i < k; i++) {
    const isZero = ((em[i]! - 1) >>> 31) & 1; // 1 iff em[i] === 0
    const take = isZero & lookingForZero;
    zeroIndex = (zeroIndex & -(1 - take)) | (i & -take);
    lookingForZero &= 1 - isZero;
  }
  good &= 1 - lookingForZero; // a separator exists
  good &= ((zeroIndex - 10) >>> 31) ^ 1; // at least 8 bytes of padding: zeroIndex >= 10
  good &= (k - zeroIndex - 1 - keyLength) === 0 ? 1 : 0;
  const mask = -good & 0xff;
  const out = Buffer.alloc(keyLength);
  const start = k - keyLength;
  for (let i = 0; i < keyLength; i++) out[i] = (em[start + i]! & mask) | (synthetic[i]! & ~mask & 0xff);
  return out;
}
