import { createHmac, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCertificate, pemBlocks, type Certificate } from '../pki/certificate.ts';

/** One of the gateway's own decryption keys with its certificate (several during a key rollover). */
export interface GatewayKey {
  key: KeyObject;
  cert: Certificate;
  /** RSA modulus length in bytes */
  modulusBytes: number;
  /** secret for implicit rejection, derived from the private key: never leaves memory */
  rejectionSecret: Buffer;
}

export function makeGatewayKey(key: KeyObject, cert: Certificate): GatewayKey {
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType !== 'rsa' || !jwk.d || !jwk.n) throw new Error('gateway decryption keys must be RSA keys');
  const modulusBytes = Buffer.from(jwk.n, 'base64url').length;
  const rejectionSecret = createHmac('sha256', 'txgate implicit rejection v1').update(Buffer.from(jwk.d, 'base64url')).digest();
  return { key, cert, modulusBytes, rejectionSecret };
}

/** Loads a key (PKCS#8 or PKCS#1 PEM, or DER) and its certificate (PEM or DER) from files. */
export function loadGatewayKey(keyPath: string, certPath: string): GatewayKey {
  const keyData = readFileSync(keyPath);
  const key = keyData.includes('-----BEGIN')
    ? createPrivateKey(keyData)
    : createPrivateKey({ key: keyData, format: 'der', type: 'pkcs8' });
  const certData = readFileSync(certPath);
  const der = certData.includes('-----BEGIN') ? pemBlocks(certData.toString('latin1'))[0] : certData;
  if (!der) throw new Error(`no certificate in ${certPath}`);
  return makeGatewayKey(key, parseCertificate(der));
}
