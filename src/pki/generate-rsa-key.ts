import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A fresh RSA key pair (public exponent 65537). */
export function generateRsaKey(bits = 2048): { privateKey: KeyObject; publicKey: KeyObject } {
  if (!Number.isInteger(bits) || bits < 1024 || bits > 8192 || bits % 8 !== 0) throw new RangeError(`bad RSA key size ${bits}`);
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/** A private key as unencrypted PKCS#8 PEM. */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
