/**
 * Opening an inbound secure message: decrypt, then verify, then check the signer.
 * Input: the raw RFC 5322 bytes. Output: who signed, how it was protected, and the inner
 * content exactly as signed. Every failure is an SMIME_* refusal (a GatewayError).
 */
import { Asn1Error } from '../asn1/der-reader.ts';
import { OID } from '../asn1/oids.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseAddressList } from '../mime/addresses.ts';
import { parseContentType, type ContentType } from '../mime/content-type.ts';
import { decodeBody, toCanonicalCrlf } from '../mime/decode-body.ts';
import { headerValue, MimeError, parseEntity, type Entity, type Header } from '../mime/parse-entity.ts';
import { splitMultipart } from '../mime/split-multipart.ts';
import type { Certificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { validateSigner, type ValidatedSigner } from '../pki/validate-signer.ts';
import type { ContentCipher, KeyTransport, SignatureScheme } from './algorithms.ts';
import { decryptEnveloped } from './decrypt-enveloped.ts';
import type { GatewayKey } from './gateway-key.ts';
import { isEnvelopedType, parseContentInfo, parseEnvelopedContent, parseSignedContent, type SignedContent } from './parse-cms.ts';
import { smimeRefusal } from './refusal.ts';
import { checkSignedAlgorithms, verifySignedContent, type VerifiedSignature } from './verify-signed-data.ts';
import type { DigestName } from '../asn1/oids.ts';

export interface OpenOptions {
  /** the gateway's decryption keys (several during a rollover) */
  keys: readonly GatewayKey[];
  trust: TrustStore;
  /** the instant treated as now for validity and revocation (default: the real time) */
  at?: Date;
  requireCrl?: boolean;
  refuseSha1Certificates?: boolean;
  /** reuse signer paths already built (keyed by the certificate's DER hash); validity and address still checked */
  cacheSigners?: boolean;
}

export interface SignerSummary {
  email: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  domainBound: boolean;
}

export interface MessageHeaders {
  from: string | undefined;
  to: string[];
  messageId: string | undefined;
}

export interface OpenedMessage {
  signer: SignerSummary;
  /** the signer's certificate itself (to answer the sender: Direct certificates usually also allow encryption) */
  signerCert: Certificate;
  /** the signer of the outer layer of a triple-wrapped message */
  outerSigner?: SignerSummary;
  encryption: { contentCipher: ContentCipher; keyTransport: KeyTransport; recipientSerial: string };
  signature: { digest: DigestName; algorithm: SignatureScheme };
  /** Direct message wrapping: the signed content was message/rfc822 */
  wrapped: boolean;
  tripleWrapped: boolean;
  /** the headers that count: the inner message's when wrapped, else the outer's */
  headers: MessageHeaders;
  outerHeaders: MessageHeaders;
  innerHeaders?: MessageHeaders;
  /** the inner MIME bytes exactly as signed (the wrapped message when wrapped) */
  content: Buffer;
}

type Layer = 'enveloped' | 'signed-detached' | 'signed-opaque' | 'other';

const MAX_LAYERS = 4;

function summarize(headers: Header[]): MessageHeaders {
  return {
    from: parseAddressList(headerValue(headers, 'from'))[0],
    to: headers.filter((h) => h.key === 'to' || h.key === 'cc').flatMap((h) => parseAddressList(h.value)),
    messageId: headerValue(headers, 'message-id'),
  };
}

function signerSummary(v: ValidatedSigner): SignerSummary {
  const c: Certificate = v.cert;
  return {
    email: v.boundAddress,
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serialHex,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    domainBound: v.domainBound,
  };
}

/** What kind of S/MIME layer an entity is, from its Content-Type (and the CMS type when unsaid). */
function classify(entity: Entity, ct: ContentType): { layer: Layer; der?: Buffer } {
  if (ct.mediaType === 'multipart/signed') {
    const protocol = (ct.params.protocol ?? '').toLowerCase();
    if (protocol === 'application/pkcs7-signature' || protocol === 'application/x-pkcs7-signature') return { layer: 'signed-detached' };
    return { layer: 'other' };
  }
  const isP7m =
    ct.mediaType === 'application/pkcs7-mime' ||
    ct.mediaType === 'application/x-pkcs7-mime' ||
    (ct.mediaType === 'application/octet-stream' && /\.p7m$/i.test(ct.params.name ?? ''));
  if (!isP7m) return { layer: 'other' };
  const der = decodeBody(entity.body, headerValue(entity.headers, 'content-transfer-encoding'));
  const smimeType = (ct.params['smime-type'] ?? '').toLowerCase();
  if (smimeType === 'certs-only') return { layer: 'other' };
  const info = parseContentInfo(der);
  if (isEnvelopedType(info.contentType)) return { layer: 'enveloped', der };
  if (info.contentType === OID.signedData) return { layer: 'signed-opaque', der };
  return { layer: 'other' };
}

/** Opens a message; throws a GatewayError with an SMIME_* code when it is refused. */
export function openMessage(raw: Buffer, opts: OpenOptions): OpenedMessage {
  const state = { decrypted: false };
  try {
    return openLayers(raw, opts, state);
  } catch (err) {
    const refusal = err instanceof GatewayError ? err : isStructural(err) ? smimeRefusal('SMIME_MALFORMED', (err as Error).message, err) : undefined;
    if (!refusal) throw err;
    // CBC has no integrity of its own: a tampered ciphertext decrypts to damaged structure. Answering that
    // differently from a padding failure would be a padding oracle, so damage found after decryption is a
    // decryption failure too.
    if (state.decrypted && refusal.code === 'SMIME_MALFORMED') throw smimeRefusal('SMIME_DECRYPT_FAILED', `after decryption: ${refusal.detail ?? ''}`, err);
    throw refusal;
  }
}

function isStructural(err: unknown): boolean {
  return err instanceof Asn1Error || err instanceof MimeError || err instanceof RangeError || err instanceof TypeError;
}

function openLayers(raw: Buffer, opts: OpenOptions, state: { decrypted: boolean }): OpenedMessage {
  const at = opts.at ?? new Date();
  const outer = parseEntity(raw);
  const outerHeaders = summarize(outer.headers);
  let entity = outer;
  let decrypted: ReturnType<typeof decryptEnveloped> | undefined;
  let outerSigner: ValidatedSigner | undefined;
  let inner: { verified: VerifiedSignature; content: Buffer } | undefined;

  for (let depth = 0; depth < MAX_LAYERS && !inner; depth++) {
    const ct = parseContentType(headerValue(entity.headers, 'content-type'));
    const { layer, der } = classify(entity, ct);
    if (layer === 'other') break;
    if (layer === 'enveloped') {
      if (decrypted) throw smimeRefusal('SMIME_MALFORMED', 'encrypted twice');
      const info = parseContentInfo(der!);
      const env = parseEnvelopedContent(info.content, isEnvelopedType(info.contentType)!);
      decrypted = decryptEnveloped(env, opts.keys);
      state.decrypted = true;
      entity = parseEntity(decrypted.content);
      continue;
    }
    if (!decrypted) {
      // a signed outer layer: either triple wrapping (signed, encrypted, signed) or not encrypted at all
      const { content, sd } = peelSigned(entity, ct, layer, der);
      const next = tryParseEntity(content);
      const nextLayer = next ? classify(next, parseContentType(headerValue(next.headers, 'content-type'))).layer : 'other';
      if (!next || nextLayer !== 'enveloped') {
        // structure, then the algorithm allow-list, before saying what is missing
        checkSignedAlgorithms(sd);
        throw smimeRefusal('SMIME_NOT_ENCRYPTED');
      }
      const verified = verifyLayer(entity, ct, layer, der);
      outerSigner = validateSigner(verified.signer, verified.certificates, opts.trust, policyFor(outerHeaders.from, verified, at, opts));
      entity = next;
      continue;
    }
    const verified = verifyLayer(entity, ct, layer, der);
    inner = { verified, content: verified.content };
  }
  if (!decrypted) throw smimeRefusal('SMIME_NOT_ENCRYPTED');
  if (!inner) throw smimeRefusal('SMIME_NOT_SIGNED');

  // the signed content: Direct wrapping carries the whole message as message/rfc822
  const signedEntity = parseEntity(inner.content);
  const signedType = parseContentType(headerValue(signedEntity.headers, 'content-type'));
  const wrapped = signedType.mediaType === 'message/rfc822';
  let content = inner.content;
  let innerHeaders: MessageHeaders | undefined;
  if (wrapped) {
    content = decodeBody(signedEntity.body, headerValue(signedEntity.headers, 'content-transfer-encoding'));
    innerHeaders = summarize(parseEntity(content).headers);
  }
  const headers = innerHeaders ?? outerHeaders;
  if (innerHeaders && innerHeaders.from && outerHeaders.from && innerHeaders.from.toLowerCase() !== outerHeaders.from.toLowerCase()) {
    throw smimeRefusal('SMIME_ADDRESS_MISMATCH', 'outer From differs from the wrapped From');
  }
  const validated = validateSigner(inner.verified.signer, inner.verified.certificates, opts.trust, policyFor(headers.from, inner.verified, at, opts));
  return {
    signer: signerSummary(validated),
    signerCert: validated.cert,
    ...(outerSigner ? { outerSigner: signerSummary(outerSigner) } : {}),
    encryption: { contentCipher: decrypted.contentCipher, keyTransport: decrypted.keyTransport, recipientSerial: decrypted.recipient.cert.serialHex },
    signature: { digest: inner.verified.digest, algorithm: inner.verified.scheme },
    wrapped,
    tripleWrapped: outerSigner !== undefined,
    headers,
    outerHeaders,
    ...(innerHeaders ? { innerHeaders } : {}),
    content,
  };
}

function policyFor(from: string | undefined, v: VerifiedSignature, at: Date, opts: OpenOptions) {
  if (!from) throw smimeRefusal('SMIME_ADDRESS_MISMATCH', 'no From address');
  return {
    at,
    address: from,
    ...(v.signingTime ? { signingTime: v.signingTime } : {}),
    requireCrl: opts.requireCrl ?? false,
    refuseSha1Certificates: opts.refuseSha1Certificates ?? false,
    cache: opts.cacheSigners ?? false,
  };
}

function tryParseEntity(raw: Buffer): Entity | undefined {
  try {
    return parseEntity(raw);
  } catch {
    return undefined;
  }
}

/** The content and SignedData of a signed layer, not verified yet (to look at what it holds). */
function peelSigned(entity: Entity, ct: ContentType, layer: Layer, der: Buffer | undefined): { content: Buffer; sd: SignedContent } {
  if (layer === 'signed-opaque') {
    const sd = parseSignedContent(parseContentInfo(der!).content);
    if (!sd.eContent) throw smimeRefusal('SMIME_MALFORMED', 'opaque signed-data without content');
    return { content: sd.eContent, sd };
  }
  const { content, sd } = detachedParts(entity, ct);
  return { content, sd };
}

/** The two parts of a multipart/signed: the content as received, and the SignedData. */
function detachedParts(entity: Entity, ct: ContentType): { content: Buffer; sd: SignedContent } {
  const parts = splitMultipart(entity.body, ct.params.boundary ?? '');
  if (parts.length !== 2) throw smimeRefusal('SMIME_MALFORMED', 'multipart/signed needs two parts');
  const sigPart = parseEntity(parts[1]!);
  const sigType = parseContentType(headerValue(sigPart.headers, 'content-type')).mediaType;
  if (sigType !== 'application/pkcs7-signature' && sigType !== 'application/x-pkcs7-signature') {
    throw smimeRefusal('SMIME_MALFORMED', 'second part is not a signature');
  }
  const sigDer = decodeBody(sigPart.body, headerValue(sigPart.headers, 'content-transfer-encoding'));
  const info = parseContentInfo(sigDer);
  if (info.contentType !== OID.signedData) throw smimeRefusal('SMIME_MALFORMED', 'signature part is not SignedData');
  return { content: parts[0]!, sd: parseSignedContent(info.content) };
}

/** Verifies one signed layer (detached or opaque) and returns what it signs. */
function verifyLayer(entity: Entity, ct: ContentType, layer: Layer, der: Buffer | undefined): VerifiedSignature {
  const { content, sd } = peelSigned(entity, ct, layer, der);
  if (layer === 'signed-opaque') return verifySignedContent(sd, []);
  const canonical = toCanonicalCrlf(content);
  return verifySignedContent(sd, canonical === content ? [content] : [content, canonical]);
}
