import { createHash } from 'node:crypto';
import type { Attachment } from '../../domain/canonical-request.ts';
import { sniffMediaType } from './sniff-media-type.ts';

/**
 * A document found in a payload (a mail attachment, a FHIR Binary, a file of an XDM package): the attachment as
 * the canonical request lists it, and its bytes, for the blob store.
 */
export interface PayloadDocument {
  attachment: Attachment;
  bytes: Buffer;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Builds the attachment of some bytes: SHA-256, size, the declared type and the one sniffed from the bytes
 * (recorded whenever the bytes say something), and what the document is when known.
 */
export function buildPayloadDocument(bytes: Buffer, declared: { contentType?: string; name?: string; kind?: string }): PayloadDocument {
  const sniffed = sniffMediaType(bytes);
  const contentType = declared.contentType?.trim().toLowerCase() || sniffed?.mediaType || 'application/octet-stream';
  const kind = declared.kind ?? sniffed?.kind;
  const attachment: Attachment = {
    contentType,
    ...(sniffed ? { sniffedType: sniffed.mediaType } : {}),
    ...(declared.name ? { name: declared.name } : {}),
    size: bytes.length,
    sha256: sha256Hex(bytes),
    ...(kind ? { kind } : {}),
  };
  return { attachment, bytes };
}
