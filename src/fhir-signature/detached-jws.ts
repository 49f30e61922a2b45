/** Detached JWS compact serialization (RFC 7515 §7.1 and appendix F): `BASE64URL(header)..BASE64URL(signature)`. */
import { constants, createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { parseIJson } from '../payload/fhir/parse-i-json.ts';
import { isStrictBase64 } from '../payload/strict-base64.ts';

export type JwsAlgorithm = 'RS256' | 'PS256';
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'PS256'];

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Strict base64url (no padding, canonical trailing bits) to bytes; undefined when not base64url. */
export function decodeBase64Url(s: string): Buffer | undefined {
  if (!BASE64URL.test(s)) return undefined;
  const b = Buffer.from(s, 'base64url');
  return b.toString('base64url') === s ? b : undefined;
}

/** Strict base64 (padded, canonical) to bytes; undefined when not base64. */
export function decodeBase64(s: string): Buffer | undefined {
  if (s.length === 0 || !isStrictBase64(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}

export interface DetachedJws {
  /** the protected header as received (base64url): part of the signing input */
  encodedHeader: string;
  header: Record<string, unknown>;
  signature: Buffer;
}

/** Splits a detached compact JWS; a reason string when it is not one. */
export function parseDetachedJws(compact: string): DetachedJws | string {
  const parts = compact.split('.');
  if (parts.length !== 3) return 'not a compact JWS (header.payload.signature)';
  const [encodedHeader, payload, sig] = parts as [string, string, string];
  if (payload !== '') return 'the payload is not detached';
  const headerBytes = decodeBase64Url(encodedHeader);
  // an empty signature is kept: `alg: none` is then refused as an algorithm, not as a format
  const signature = sig === '' ? Buffer.alloc(0) : decodeBase64Url(sig);
  if (!headerBytes || !signature) return 'header or signature is not base64url';
  // RFC 7515 §5.2 lets a parser reject a header that names a parameter twice, or keep the last: this one rejects
  const read = parseIJson(headerBytes);
  if (!read.ok) return read.reason === 'malformed' ? 'the protected header is not JSON' : 'the protected header names a parameter twice';
  const header = read.value;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'the protected header is not a JSON object';
  return { encodedHeader, header: header as Record<string, unknown>, signature };
}

/** The JWS signing input: ASCII(BASE64URL(header) || '.' || BASE64URL(payload)). */
export function buildSigningInput(encodedHeader: string, payload: Buffer): Buffer {
  return Buffer.from(`${encodedHeader}.${payload.toString('base64url')}`, 'ascii');
}

/** RFC 7518 §3.5: PSS with SHA-256, MGF1 with SHA-256, a salt as long as the hash. */
const PSS_SALT_LENGTH = 32;

function keyOptions(alg: JwsAlgorithm, key: KeyObject) {
  return alg === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH } : { key, padding: constants.RSA_PKCS1_PADDING };
}

export function signJws(alg: JwsAlgorithm, input: Buffer, key: KeyObject): Buffer {
  return cryptoSign('sha256', input, keyOptions(alg, key));
}

export function verifyJws(alg: JwsAlgorithm, input: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    return cryptoVerify('sha256', input, keyOptions(alg, key), signature);
  } catch {
    return false;
  }
}

/** x5t#S256: base64url SHA-256 of the certificate DER. */
export function thumbprintS256(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}
