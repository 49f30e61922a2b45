import { GatewayError } from '../errors/gateway-error.ts';

/** Every refusal the S/MIME engine gives, with the fixed text a peer may see. */
export const SMIME_REFUSALS = {
  SMIME_NOT_ENCRYPTED: 'The message is not encrypted',
  SMIME_NOT_SIGNED: 'The message is not signed',
  SMIME_DECRYPT_FAILED: 'The message could not be decrypted',
  SMIME_BAD_SIGNATURE: 'The message signature is not valid',
  SMIME_WEAK_ALGORITHM: 'The message uses an algorithm or key size that is not accepted',
  SMIME_UNTRUSTED_SIGNER: "The signer's certificate is not trusted",
  SMIME_CERT_EXPIRED: "The signer's certificate is expired or not yet valid",
  SMIME_CERT_REVOKED: "The signer's certificate is revoked",
  SMIME_CERT_USAGE: "The signer's certificate is not meant for signing secure mail",
  SMIME_ADDRESS_MISMATCH: "The signer's certificate does not match the sender address",
  SMIME_MALFORMED: 'The message is not a well-formed S/MIME message',
} as const;

export type SmimeRefusalCode = keyof typeof SMIME_REFUSALS;

/** A refusal by the S/MIME engine: a GatewayError whose code is one of SMIME_REFUSALS. */
export function smimeRefusal(code: SmimeRefusalCode, detail?: string, cause?: unknown): GatewayError {
  return new GatewayError(code, SMIME_REFUSALS[code], { disposition: 'reject', ...(detail ? { detail } : {}), ...(cause ? { cause } : {}) });
}

export function isSmimeRefusalCode(code: string): code is SmimeRefusalCode {
  return Object.hasOwn(SMIME_REFUSALS, code);
}
