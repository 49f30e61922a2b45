/**
 * Documents of a FHIR request: Attachment data (base64), or an Attachment.url naming a Binary of the Bundle;
 * DocumentReference (every content), Binary, Media. The declared size and SHA-1 hash, when given, must match the
 * bytes (FHIR_ATTACHMENT_MISMATCH); a document only reachable outside the Bundle is FHIR_ATTACHMENT_EXTERNAL: the
 * gateway fetches nothing.
 */
import { createHash } from 'node:crypto';
import type { Problem } from '../../errors/result.ts';
import { buildPayloadDocument, type PayloadDocument } from '../mime/payload-document.ts';
import { decodeStrictBase64 } from '../strict-base64.ts';
import { getObject, getObjects, getString, type JsonObject } from './fhir-json.ts';
import { LOINC_DOCUMENT_KINDS } from './fhir-codes.ts';
import { parseCodings } from './parse-fhir-datatypes.ts';
import { resolveReference, type BundleIndex, type IndexedResource } from './index-bundle.ts';

export const DOCUMENT_TYPES = ['DocumentReference', 'Binary', 'Media'] as const;

/** The documents of a resource of DOCUMENT_TYPES. */
export function parseDocumentResource(index: BundleIndex, target: IndexedResource, maxBytes: number, problems: Problem[]): PayloadDocument[] {
  const r = target.resource;
  if (target.resourceType === 'Binary') {
    const doc = parseBinary(target, maxBytes, problems, undefined);
    return doc ? [doc] : [];
  }
  if (target.resourceType === 'Media') {
    const doc = parseAttachment(index, getObject(r, 'content'), target, `${target.path}.content`, maxBytes, problems, undefined);
    return doc ? [doc] : [];
  }
  const kind = parseCodings(getObject(r, 'type')).map((c) => (c.system === 'http://loinc.org' ? LOINC_DOCUMENT_KINDS[c.code] : undefined)).find(Boolean);
  const contents = getObjects(r, 'content');
  if (contents.length === 0) problems.push({ code: 'FHIR_MISSING', path: `${target.path}.content`, message: 'a DocumentReference needs content' });
  return contents.flatMap(({ value, index: i }) => {
    const doc = parseAttachment(index, getObject(value, 'attachment'), target, `${target.path}.content[${i}].attachment`, maxBytes, problems, kind);
    return doc ? [doc] : [];
  });
}

/** One Attachment element. */
export function parseAttachment(
  index: BundleIndex,
  attachment: JsonObject | undefined,
  from: IndexedResource,
  path: string,
  maxBytes: number,
  problems: Problem[],
  kind: string | undefined,
): PayloadDocument | undefined {
  if (!attachment) {
    problems.push({ code: 'FHIR_MISSING', path, message: 'an attachment is required here' });
    return undefined;
  }
  const declaredType = getString(attachment, 'contentType');
  const title = getString(attachment, 'title');
  let bytes: Buffer | undefined;
  let contentType = declaredType;
  const data = attachment.data;
  const url = getString(attachment, 'url');
  if (data !== undefined) {
    bytes = typeof data === 'string' ? decodeStrictBase64(data) : undefined;
    if (!bytes) {
      problems.push({ code: 'FHIR_INVALID', path: `${path}.data`, message: 'data is not base64' });
      return undefined;
    }
  } else if (url !== undefined) {
    const resolved = resolveReference(index, { reference: url }, from, `${path}.url`, ['Binary'], []);
    if (resolved?.kind !== 'resource') {
      problems.push({ code: 'FHIR_ATTACHMENT_EXTERNAL', path: `${path}.url`, message: 'the document is not in the Bundle (the gateway fetches nothing)' });
      return undefined;
    }
    const binary = parseBinary(resolved.target, maxBytes, problems, kind);
    if (!binary) return undefined;
    bytes = binary.bytes;
    contentType ??= binary.attachment.contentType;
  } else {
    problems.push({ code: 'FHIR_MISSING', path: `${path}.data`, message: 'an attachment needs data or a url' });
    return undefined;
  }
  if (bytes.length > maxBytes) {
    problems.push({ code: 'FHIR_TOO_LARGE', path, message: `document over ${maxBytes} bytes` });
    return undefined;
  }
  const size = attachment.size;
  if (size !== undefined && (typeof size !== 'number' || size !== bytes.length)) {
    problems.push({ code: 'FHIR_ATTACHMENT_MISMATCH', path: `${path}.size`, message: 'the declared size is not the size of the data' });
  }
  const hash = getString(attachment, 'hash');
  if (hash !== undefined && createHash('sha1').update(bytes).digest('base64') !== hash) {
    problems.push({ code: 'FHIR_ATTACHMENT_MISMATCH', path: `${path}.hash`, message: 'the declared SHA-1 hash is not that of the data' });
  }
  return buildPayloadDocument(bytes, { ...(contentType ? { contentType } : {}), ...(title ? { name: title } : {}), ...(kind ? { kind } : {}) });
}

function parseBinary(target: IndexedResource, maxBytes: number, problems: Problem[], kind: string | undefined): PayloadDocument | undefined {
  const b = target.resource;
  const contentType = getString(b, 'contentType');
  if (contentType === undefined) problems.push({ code: 'FHIR_MISSING', path: `${target.path}.contentType`, message: 'a Binary needs a contentType' });
  const data = b.data;
  const bytes = typeof data === 'string' ? decodeStrictBase64(data) : undefined;
  if (!bytes) {
    problems.push({ code: data === undefined ? 'FHIR_MISSING' : 'FHIR_INVALID', path: `${target.path}.data`, message: 'a Binary needs base64 data' });
    return undefined;
  }
  if (bytes.length > maxBytes) {
    problems.push({ code: 'FHIR_TOO_LARGE', path: `${target.path}.data`, message: `document over ${maxBytes} bytes` });
    return undefined;
  }
  return buildPayloadDocument(bytes, { ...(contentType ? { contentType } : {}), ...(kind ? { kind } : {}) });
}
