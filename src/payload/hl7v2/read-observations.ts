/**
 * The content of OBX and NTE segments: text observations (FT, TX, ST: OBX-5 repetitions joined by new lines,
 * \.br\ already a new line), encapsulated documents (ED: type of data, subtype, encoding, data; base64, hex or
 * ASCII), result statuses (OBX-11), and notes (NTE-3; a note whose NTE-4 comment type is 1R, "primary reason",
 * is a reason).
 */
import { createHash } from 'node:crypto';
import type { Attachment } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import type { Er7Message, Er7Repetition } from './er7-types.ts';
import { fieldAt, valueAt } from './get-value.ts';
import { formatHl7Path, HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { textOf } from './read-data-types.ts';
import { isHexBytes, isStrictBase64 } from '../strict-base64.ts';

export interface ObservationDocument {
  contentType: string;
  /** the bytes, base64 */
  data: string;
}

export interface Observations {
  texts: string[];
  documents: ObservationDocument[];
  /** OBX-11 of every text or document observation */
  resultStatuses: string[];
}

const TEXT_TYPES = new Set(['FT', 'TX', 'ST']);

/** HL7 table 0191 (type of referenced data) + table 0291 (subtype) ↔ media types. */
const MEDIA_TYPES: [string, string, string][] = [
  ['AP', 'PDF', 'application/pdf'],
  ['TEXT', 'XML', 'text/xml'],
  ['AP', 'XML', 'application/xml'],
  ['TEXT', 'HTML', 'text/html'],
  ['TEXT', 'RTF', 'text/rtf'],
  ['TEXT', 'PLAIN', 'text/plain'],
  ['IM', 'JPEG', 'image/jpeg'],
  ['IM', 'PNG', 'image/png'],
  ['IM', 'TIFF', 'image/tiff'],
  ['AP', 'DICOM', 'application/dicom'],
];

/** ED-2/ED-3 for a media type; an unlisted one goes whole in ED-3 under AP. */
export function edTypeOf(contentType: string): [string, string] {
  const ct = contentType.toLowerCase();
  const known = MEDIA_TYPES.find(([, , m]) => m === ct);
  return known ? [known[0], known[1]] : ['AP', ct];
}

export function contentTypeOf(typeOfData: string, subtype: string): string {
  if (subtype.includes('/')) return subtype.toLowerCase();
  const known = MEDIA_TYPES.find(([t, s]) => t === typeOfData.toUpperCase() && s === subtype.toUpperCase());
  if (known) return known[2];
  return `${typeOfData === 'IM' ? 'image' : typeOfData === 'TEXT' ? 'text' : 'application'}/${(subtype || 'octet-stream').toLowerCase()}`;
}

/** A text value whatever delimiters a sender left in it unescaped. */
function wholeText(rep: Er7Repetition, message: Er7Message): string {
  return rep.map((c) => c.join(message.delimiters.subComponent)).join(message.delimiters.component);
}

export function readObservations(message: Er7Message, problems: Problem[]): Observations {
  const out: Observations = { texts: [], documents: [], resultStatuses: [] };
  // counted as they come: counting the OBX before each one again was quadratic (a report sent one OBX per line,
  // 40 000 lines, took seconds)
  let occurrence = 0;
  message.segments.forEach((obx) => {
    if (obx.name !== 'OBX') return;
    occurrence++;
    const type = valueAt(obx, 2).trim().toUpperCase();
    const path = formatHl7Path('OBX', occurrence, 5);
    if (TEXT_TYPES.has(type)) {
      const text = fieldAt(obx, 5)
        .map((rep) => wholeText(rep, message))
        .join('\n');
      if (text !== '') {
        out.texts.push(text);
        out.resultStatuses.push(valueAt(obx, 11).trim());
      }
    } else if (type === 'ED') {
      const rep = fieldAt(obx, 5)[0];
      const encoding = textOf(rep, 4).toUpperCase();
      const raw = (rep?.[4] ?? []).join(message.delimiters.subComponent).replace(/\s+/g, '');
      let data: string | undefined;
      if (!raw) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, `${path}.5`, 'an encapsulated document without data'));
      else if (encoding === 'BASE64' && isStrictBase64(raw)) data = raw;
      else if (encoding === 'HEX' && isHexBytes(raw)) data = Buffer.from(raw, 'hex').toString('base64');
      else if (encoding === 'A') data = Buffer.from(rep?.[4]?.join('') ?? '', 'latin1').toString('base64');
      else problems.push(hl7Problem(HL7_CODES.UNEXPECTED_VALUE, `${path}.4`, 'an encapsulated document must be Base64, Hex or A (ASCII) encoded, and its data must match'));
      if (data !== undefined) {
        out.documents.push({ contentType: contentTypeOf(textOf(rep, 2), textOf(rep, 3)), data });
        out.resultStatuses.push(valueAt(obx, 11).trim());
      }
    }
  });
  return out;
}

/** NTE-3 texts (repetitions joined by new lines); those marked 1R (NTE-4) apart, as reasons. */
export function readNotes(message: Er7Message): { notes: string[]; reasons: string[] } {
  const notes: string[] = [];
  const reasons: string[] = [];
  for (const nte of message.segments) {
    if (nte.name !== 'NTE') continue;
    const text = fieldAt(nte, 3)
      .map((rep) => wholeText(rep, message))
      .join('\n');
    if (text.trim() === '') continue;
    if (valueAt(nte, 4).trim().toUpperCase() === '1R') reasons.push(text);
    else notes.push(text);
  }
  return { notes, reasons };
}

/** An OBX ED document as a request attachment: its media type, size and SHA-256 (its name in the blob store). */
export function attachmentOf(doc: ObservationDocument): Attachment {
  return documentOf(doc).attachment;
}

function documentOf(doc: ObservationDocument): { attachment: Attachment; bytes: Buffer } {
  const bytes = Buffer.from(doc.data, 'base64');
  return { attachment: { contentType: doc.contentType, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }, bytes };
}

/**
 * The OBX ED documents of a message with their bytes, listed as the request's attachments list them: what the
 * pipeline puts in the blob store, where the expert's forward and the FHIR API's Binary read them.
 */
export function readObservationDocuments(message: Er7Message): { attachment: Attachment; bytes: Buffer }[] {
  return readObservations(message, []).documents.map(documentOf);
}
