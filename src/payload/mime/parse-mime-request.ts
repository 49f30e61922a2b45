/**
 * An opened secure mail to the canonical request: findPayload, then the payload's own parser (HL7 v2 through the
 * parser given, FHIR, XDM, the form), with the mail's other attachments added, the mail's From / To filling
 * the requester and requested addresses the payload left empty, and the mail's text kept (the question of an XDM
 * package that has none, else a note). Pure.
 */
import type { CanonicalRequest } from '../../domain/canonical-request.ts';
import { fail, ok, type Result } from '../../errors/result.ts';
import { parseFhirPayload } from '../fhir/parse-fhir-request.ts';
import { parseFormPayload } from '../form/parse-form.ts';
import { parseXdmPayload } from '../xdm/parse-xdm-request.ts';
import { findPayload, type FoundPayload } from './find-payload.ts';
import { uniqueDocuments, type ParsedRequest } from './parsed-request.ts';

export interface MimeParsers {
  /** the HL7 v2 parser (src/payload/hl7v2) and the documents of the message, injected so that this room does not depend on it */
  hl7v2?: (bytes: Buffer) => Result<ParsedRequest>;
}

export interface ParsedMail extends ParsedRequest {
  found: FoundPayload;
}

export function parseMimeRequest(inner: Buffer, parsers: MimeParsers = {}): Result<ParsedMail> {
  const found = findPayload(inner);
  if (!found.ok) return found;
  const mail = found.value;
  let parsed: Result<ParsedRequest>;
  switch (mail.kind) {
    case 'form':
      return withMail(parseFormPayload(mail.text ?? '', { ...(mail.from ? { from: mail.from } : {}), ...(mail.to ? { to: mail.to } : {}), documents: mail.documents }), mail, false);
    case 'fhir':
      parsed = parseFhirPayload(mail.part!.bytes, { channel: 'smtp' });
      break;
    case 'xdm':
      parsed = parseXdmPayload(mail.part!.bytes);
      break;
    case 'hl7v2': {
      if (!parsers.hl7v2) return fail({ code: 'PAYLOAD_UNSUPPORTED', path: mail.part!.path, message: 'no HL7 v2 parser available' });
      parsed = parsers.hl7v2(mail.part!.bytes);
      break;
    }
  }
  return withMail(parsed, mail, true);
}

function withMail(parsed: Result<ParsedRequest>, mail: FoundPayload, addDocuments: boolean): Result<ParsedMail> {
  if (!parsed.ok) return parsed;
  const { request } = parsed.value;
  const documents = uniqueDocuments(addDocuments ? [...parsed.value.documents, ...mail.documents] : parsed.value.documents);
  const text = mail.text?.trim();
  const merged: CanonicalRequest = {
    ...request,
    channel: 'smtp',
    requester: { ...request.requester, ...(request.requester.address || !mail.from ? {} : { address: mail.from }) },
    requested: { ...request.requested, ...(request.requested.address || !mail.to ? {} : { address: mail.to }) },
    // the mail's text: the question of an XDM package that has none, else a note (the form's text is the form)
    ...(text && mail.kind === 'xdm' && !request.question ? { question: text } : {}),
    notes: text && mail.kind !== 'form' && !(mail.kind === 'xdm' && !request.question) && !request.notes.includes(text) ? [...request.notes, text] : request.notes,
    attachments: addDocuments ? uniqueByKey([...request.attachments, ...mail.documents.map((d) => d.attachment)]) : request.attachments,
  };
  return ok({ request: merged, documents, found: mail });
}

function uniqueByKey<T extends { sha256: string; name?: string | undefined; contentType: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const key = `${a.sha256}|${a.name ?? ''}|${a.contentType}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
