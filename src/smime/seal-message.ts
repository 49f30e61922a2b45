/**
 * Sealing: sign, then encrypt (optionally sign again), producing a complete RFC 5322 message
 * as OpenSSL, Direct Project HISPs, MSSanté and mail clients expect (RFC 8551, RFC 5751 §3.1).
 *
 * With `wrap` (the Direct default), the whole inner message is signed as a message/rfc822 entity
 * and its addressing headers are copied to the outer message. Without it, the inner's Content-*
 * headers and body are signed and its other headers become the outer headers.
 */
import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { parseAddressList, domainOf } from '../mime/addresses.ts';
import { encodeBase64LineBytes, encodeBase64Lines, toCanonicalCrlf } from '../mime/decode-body.ts';
import { MimeError } from '../mime/parse-entity.ts';
import type { Certificate } from '../pki/certificate.ts';
import { MICALG, type ContentCipher, type KeyTransport, type SignatureScheme } from './algorithms.ts';
import { buildEnvelopedData } from './build-enveloped-data.ts';
import { buildSignedData, type SealDigest } from './build-signed-data.ts';

export interface SignOptions {
  signerKey: KeyObject;
  signerCert: Certificate;
  /** intermediate (and optionally root) certificates to include after the signer's */
  chain?: Certificate[];
  /** default 'rsa-pkcs1' */
  scheme?: SignatureScheme;
  /** default 'sha256' */
  digest?: SealDigest;
  /** true: application/pkcs7-mime signed-data; false (default): multipart/signed */
  opaque?: boolean;
  /** signing time and generated Date header; default the current time */
  now?: Date;
  /** randomness for keys, IVs, boundaries and generated Message-IDs (tests make it deterministic) */
  random?: (n: number) => Buffer;
}

export interface EncryptOptions {
  recipients: Certificate[];
  /** default 'aes-256-cbc' */
  cipher?: ContentCipher;
  /** default 'rsa-oaep-sha256' */
  keyTransport?: KeyTransport;
  random?: (n: number) => Buffer;
}

export interface SealOptions extends SignOptions, EncryptOptions {
  /** Direct message wrapping (message/rfc822); default true */
  wrap?: boolean;
  /** sign the encrypted entity again (RFC 8551 §3.7); default false */
  tripleWrap?: boolean;
  /** outer headers to add, replacing any of the same name */
  headers?: Record<string, string>;
}

/** One header field as written: `raw` holds the name, the value and its folding, ending with CRLF. */
export interface RawHeaderField {
  key: string;
  raw: string;
  /** unfolded value, trimmed */
  value: string;
}

export interface PreparedEntity {
  /** the MIME entity to sign */
  entity: Buffer;
  /** the outer header fields (without MIME-Version), each ending with CRLF */
  outerHeaders: string;
}

const CRLF = '\r\n';
const DEFAULT_CONTENT_TYPE = 'Content-Type: text/plain; charset=utf-8\r\n';
/** Headers copied from the inner message to the outer one when wrapping. */
export const WRAP_COPIED_HEADERS: readonly string[] = [
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'disposition-notification-options',
  'disposition-notification-to',
];

/** Splits a canonical (CRLF) message into its raw header fields and its body. */
export function splitRawHeaders(message: Buffer): { fields: RawHeaderField[]; body: Buffer } {
  let headerEnd: number;
  let bodyStart: number;
  if (message.subarray(0, 2).toString('latin1') === CRLF) {
    headerEnd = 0;
    bodyStart = 2;
  } else {
    const blank = message.indexOf('\r\n\r\n', 0, 'latin1');
    headerEnd = blank < 0 ? message.length : blank + 2;
    bodyStart = blank < 0 ? message.length : blank + 4;
  }
  const text = message.subarray(0, headerEnd).toString('latin1');
  const lines = text.split(CRLF);
  if (lines[lines.length - 1] === '') lines.pop();
  const fields: RawHeaderField[] = [];
  for (const line of lines) {
    const last = fields[fields.length - 1];
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!last) throw new MimeError('continuation line before any header');
      last.raw += `${line}${CRLF}`;
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!/^[!-9;-~]+$/.test(name)) throw new MimeError('header line without a valid name');
    fields.push({ key: name.toLowerCase(), raw: `${line}${CRLF}`, value: line.slice(colon + 1).trim() });
  }
  for (const f of fields) if (/[\x80-\xff]/.test(f.value)) f.value = Buffer.from(f.value, 'latin1').toString('utf8');
  return { fields, body: message.subarray(bodyStart) };
}

/** An RFC 5322 date-time in UTC: "Tue, 03 Mar 2026 10:00:00 +0000". */
export function formatRfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

function uuidFrom(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A Message-ID in the domain of the From address (the signer's mail domain when From is absent). */
export function generateMessageId(fields: RawHeaderField[], opts: SignOptions): string {
  const from = parseAddressList(fields.find((f) => f.key === 'from')?.value)[0] ?? opts.signerCert.sanEmails[0] ?? '';
  const domain = domainOf(from) || 'txgate.localhost';
  const id = opts.random ? uuidFrom(opts.random(16)) : randomUUID();
  return `<${id}@${domain}>`;
}

/** Header fields for a missing Date and Message-ID. */
function missingIdentityFields(fields: RawHeaderField[], opts: SignOptions): string {
  let out = '';
  if (!fields.some((f) => f.key === 'date')) out += `Date: ${formatRfc5322Date(opts.now ?? new Date())}${CRLF}`;
  if (!fields.some((f) => f.key === 'message-id')) out += `Message-ID: ${generateMessageId(fields, opts)}${CRLF}`;
  return out;
}

/**
 * Direct wrapping (RFC 5751 §3.1): the entity is message/rfc822 around the whole inner message.
 * A missing Date or Message-ID is generated and written to both the inner and the outer message.
 */
export function wrapInner(inner: Buffer, opts: SignOptions): PreparedEntity {
  const canonical = toCanonicalCrlf(inner);
  const { fields, body } = splitRawHeaders(canonical);
  const added = missingIdentityFields(fields, opts);
  const headerBlock = fields.map((f) => f.raw).join('') + added;
  const message = Buffer.concat([Buffer.from(`${headerBlock}${CRLF}`, 'latin1'), body]);
  const entity = Buffer.concat([Buffer.from(`Content-Type: message/rfc822${CRLF}${CRLF}`, 'latin1'), message]);
  const outerHeaders = fields.filter((f) => WRAP_COPIED_HEADERS.includes(f.key)).map((f) => f.raw).join('') + added;
  return { entity, outerHeaders };
}

/** No wrapping: the entity is the inner's Content-* headers and body; the other headers go outside. */
export function splitInner(inner: Buffer, opts: SignOptions): PreparedEntity {
  const canonical = toCanonicalCrlf(inner);
  const { fields, body } = splitRawHeaders(canonical);
  const content = fields.filter((f) => f.key.startsWith('content-'));
  const contentHead = (content.some((f) => f.key === 'content-type') ? '' : DEFAULT_CONTENT_TYPE) + content.map((f) => f.raw).join('');
  const rest = fields.filter((f) => !f.key.startsWith('content-') && f.key !== 'mime-version');
  const entity = Buffer.concat([Buffer.from(`${contentHead}${CRLF}`, 'latin1'), body]);
  return { entity, outerHeaders: rest.map((f) => f.raw).join('') + missingIdentityFields(fields, opts) };
}

/** An application/pkcs7-mime entity carrying a DER CMS object in base64. */
export function pkcs7MimeEntity(smimeType: 'signed-data' | 'enveloped-data' | 'authEnveloped-data', der: Buffer): Buffer {
  const head =
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name=smime.p7m${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}` +
    `Content-Disposition: attachment; filename=smime.p7m${CRLF}${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), encodeBase64LineBytes(der)]);
}

function chooseBoundary(entity: Buffer, random: (n: number) => Buffer): string {
  for (;;) {
    const boundary = `----=_txgate_${random(12).toString('hex')}`;
    if (entity.indexOf(boundary, 0, 'latin1') < 0) return boundary;
  }
}

/** Signs an entity: multipart/signed (detached, the default) or application/pkcs7-mime signed-data (opaque). */
export function signEntity(entity: Buffer, opts: SignOptions): Buffer {
  const digest = opts.digest ?? 'sha256';
  const opaque = opts.opaque ?? false;
  const der = buildSignedData({
    content: entity,
    detached: !opaque,
    signerKey: opts.signerKey,
    signerCert: opts.signerCert,
    chain: opts.chain ?? [],
    digest,
    scheme: opts.scheme ?? 'rsa-pkcs1',
    signingTime: opts.now ?? new Date(),
  });
  if (opaque) return pkcs7MimeEntity('signed-data', der);
  const boundary = chooseBoundary(entity, opts.random ?? randomBytes);
  const head =
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature";${CRLF}` +
    ` micalg=${MICALG[digest]}; boundary="${boundary}"${CRLF}${CRLF}` +
    `This is an S/MIME signed message${CRLF}${CRLF}` +
    `--${boundary}${CRLF}`;
  const signaturePart =
    `${CRLF}--${boundary}${CRLF}` +
    `Content-Type: application/pkcs7-signature; name=smime.p7s${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}` +
    `Content-Disposition: attachment; filename=smime.p7s${CRLF}${CRLF}` +
    encodeBase64Lines(der) +
    `--${boundary}--${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), entity, Buffer.from(signaturePart, 'latin1')]);
}

/** Encrypts an entity to the recipients: enveloped-data (CBC) or authEnveloped-data (GCM). */
export function encryptEntity(entity: Buffer, opts: EncryptOptions): Buffer {
  const cipher = opts.cipher ?? 'aes-256-cbc';
  const der = buildEnvelopedData({
    content: entity,
    recipients: opts.recipients,
    cipher,
    keyTransport: opts.keyTransport ?? 'rsa-oaep-sha256',
    ...(opts.random ? { random: opts.random } : {}),
  });
  return pkcs7MimeEntity(cipher.endsWith('-gcm') ? 'authEnveloped-data' : 'enveloped-data', der);
}

/** Applies `headers` to an outer header block: same-named fields are replaced, others appended. */
export function overrideHeaders(outerHeaders: string, overrides: Record<string, string> | undefined): string {
  if (!overrides) return outerHeaders;
  const keys = new Set(Object.keys(overrides).map((k) => k.toLowerCase()));
  const { fields } = splitRawHeaders(Buffer.from(`${outerHeaders}${CRLF}`, 'latin1'));
  let out = fields.filter((f) => !keys.has(f.key)).map((f) => f.raw).join('');
  for (const [name, value] of Object.entries(overrides)) {
    if (!/^[!-9;-~]+$/.test(name) || /[\r\n]/.test(value)) throw new TypeError(`invalid header ${JSON.stringify(name)}`);
    out += `${name}: ${Buffer.from(value, 'utf8').toString('latin1')}${CRLF}`;
  }
  return out;
}

/** Seals an inner RFC 5322 message: sign, encrypt, optionally sign again; returns the whole outer message. */
export function sealMessage(inner: Buffer, opts: SealOptions): Buffer {
  const now = opts.now ?? new Date();
  const o: SealOptions = { ...opts, now };
  const prepared = (o.wrap ?? true) ? wrapInner(inner, o) : splitInner(inner, o);
  let entity = signEntity(prepared.entity, o);
  entity = encryptEntity(entity, o);
  if (o.tripleWrap) entity = signEntity(entity, o);
  const outer = overrideHeaders(prepared.outerHeaders, o.headers);
  return Buffer.concat([Buffer.from(`${outer}MIME-Version: 1.0${CRLF}`, 'latin1'), entity]);
}
