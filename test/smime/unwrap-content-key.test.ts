import { constants, generateKeyPairSync, privateEncrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/pki/certificate.ts';
import { makeGatewayKey } from '../../src/smime/gateway-key.ts';
import { selectPkcs1Key, syntheticKey, unwrapContentKey } from '../../src/smime/unwrap-content-key.ts';
import { DIRECT } from '../helpers/paths.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
// the certificate only names the key here; unwrapping uses the private key
const gk = makeGatewayKey(privateKey, parseCertificate(readFileSync(join(DIRECT, 'keys/ryan.der'))));
const pkcs1 = { name: 'rsa-pkcs1' as const };
const k = 256;

/** A raw RSA operation on a chosen encoded block (what an attacker can make with the public key). */
function rawEncrypt(em: Buffer, key = publicKey): Buffer {
  return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);
}

function block(opts: { type?: number; first?: number; psLength?: number; separator?: boolean; message: Buffer }): Buffer {
  const em = Buffer.alloc(k);
  em[0] = opts.first ?? 0;
  em[1] = opts.type ?? 2;
  const psLength = opts.psLength ?? k - 3 - opts.message.length;
  for (let i = 0; i < psLength; i++) em[2 + i] = 1 + (i % 250);
  let p = 2 + psLength;
  if (opts.separator !== false) em[p++] = 0;
  opts.message.copy(em, k - opts.message.length);
  return em;
}

describe('RSA PKCS#1 v1.5 key transport with implicit rejection', () => {
  const cek = randomBytes(16);

  it('recovers the key from a well-formed block', () => {
    const c = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
    expect(unwrapContentKey(gk, pkcs1, c, 16).equals(cek)).toBe(true);
  });

  const bad: [string, () => Buffer][] = [
    ['a block type of 1', () => rawEncrypt(block({ type: 1, message: cek }))],
    ['a non-zero first byte', () => rawEncrypt(block({ first: 1, message: cek }))],
    ['a block type of 3', () => rawEncrypt(block({ type: 3, message: cek }))],
    ['padding shorter than 8 bytes', () => rawEncrypt(block({ psLength: 5, message: Buffer.alloc(k - 8, 7) }))],
    ['no separator', () => rawEncrypt(Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(k - 2, 9)]))],
    ['a key of the wrong length', () => publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(24))],
    ['a tampered ciphertext', () => {
      const c = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
      c[100] = c[100]! ^ 0x01;
      return c;
    }],
    ['a ciphertext for another key', () => publicEncrypt({ key: other.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)],
    ['a ciphertext larger than the modulus', () => Buffer.alloc(k, 0xff)],
    ['a ciphertext of the wrong size', () => randomBytes(300)],
    ['an empty ciphertext', () => Buffer.alloc(0)],
    ['a signature-type block made with the private key', () => privateEncrypt(privateKey, cek)],
  ];

  it.each(bad)('answers %s with the synthetic key, without throwing', (_name, make) => {
    const c = make();
    const got = unwrapContentKey(gk, pkcs1, c, 16);
    expect(got.length).toBe(16);
    expect(got.equals(cek)).toBe(false);
    // deterministic: the same ciphertext always gives the same answer (no timing or value oracle from randomness)
    expect(got.equals(syntheticKey(gk, c, 16))).toBe(true);
    expect(unwrapContentKey(gk, pkcs1, c, 16).equals(got)).toBe(true);
  });

  it('gives different synthetic keys for different ciphertexts and different gateway keys', () => {
    const a = randomBytes(k);
    const b = randomBytes(k);
    expect(syntheticKey(gk, a, 32).equals(syntheticKey(gk, b, 32))).toBe(false);
    const gk2 = makeGatewayKey(other.privateKey, gk.cert);
    expect(syntheticKey(gk, a, 32).equals(syntheticKey(gk2, a, 32))).toBe(false);
  });

  it.each([
    ['good block', block({ message: Buffer.alloc(16, 0xab) }), true],
    ['block type 1', block({ type: 1, message: Buffer.alloc(16, 0xab) }), false],
    ['7 bytes of padding', block({ psLength: 7, message: Buffer.alloc(k - 10, 0xab) }), false],
    ['8 bytes of padding, wrong message length', block({ psLength: 8, message: Buffer.alloc(k - 11, 0xab) }), false],
    ['separator in the wrong place', block({ psLength: k - 3 - 20, message: Buffer.alloc(20, 0xab) }), false],
  ])('decodes the encoded block: %s', (_name, em, good) => {
    const synthetic = Buffer.alloc(16, 0x55);
    const out = selectPkcs1Key(em, synthetic, 16);
    expect(out.equals(good ? Buffer.alloc(16, 0xab) : synthetic)).toBe(true);
  });

  it('handles RSA-OAEP the same way: a wrong ciphertext yields the synthetic key', () => {
    const c = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
    expect(unwrapContentKey(gk, { name: 'rsa-oaep-sha256', hash: 'sha256' }, c, 16).equals(cek)).toBe(true);
    c[7] = c[7]! ^ 1;
    expect(unwrapContentKey(gk, { name: 'rsa-oaep-sha256', hash: 'sha256' }, c, 16).equals(syntheticKey(gk, c, 16))).toBe(true);
  });
});
