/**
 * The payload of an opened secure mail (the inner RFC 5322 message that `txgate smime open` returns): the one part
 * that is a request (HL7 v2, FHIR JSON, an IHE_XDM.ZIP), found by content type or file name; without one, the text
 * body when it reads as the mail form. Every other part that is not the text body is a document (PDF, JPEG, PNG,
 * DICOM, CDA…), with its declared and sniffed types. Several payloads: PAYLOAD_AMBIGUOUS; none and no form:
 * PAYLOAD_NONE. Pure; the raw MIME helpers of src/mime do the parsing.
 */
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';
import { parseAddressList } from '../../mime/addresses.ts';
import { parseContentType, parseParams } from '../../mime/content-type.ts';
import { decodeBody } from '../../mime/decode-body.ts';
import { headerValue, parseEntity, type Header } from '../../mime/parse-entity.ts';
import { splitMultipart } from '../../mime/split-multipart.ts';
import { looksLikeForm } from '../form/parse-form.ts';
import { buildPayloadDocument, type PayloadDocument } from './payload-document.ts';

export type PayloadKind = 'hl7v2' | 'fhir' | 'xdm' | 'form';

export interface PayloadPart {
  kind: Exclude<PayloadKind, 'form'>;
  contentType: string;
  name?: string;
  bytes: Buffer;
  /** where in the message, e.g. message.part[1] */
  path: string;
}

export interface FoundPayload {
  kind: PayloadKind;
  /** the payload part (absent for the form) */
  part?: PayloadPart;
  /** the text body (text/plain, else text/html without its tags) */
  text?: string;
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string;
  /** every other attachment */
  documents: PayloadDocument[];
}

export const MAX_DEPTH = 8;
export const MAX_LEAVES = 200;

const HL7_TYPES = ['application/hl7-v2', 'x-application/hl7-v2+er7', 'application/x-hl7', 'application/edi-hl7', 'application/hl7-v2+er7'];
const FHIR_TYPES = ['application/fhir+json', 'application/json+fhir'];
const XDM_NAME = /^IHE_XDM\.ZIP$/i;

interface Leaf {
  headers: Header[];
  contentType: string;
  charset?: string;
  name?: string;
  attachment: boolean;
  bytes: Buffer;
  path: string;
}

/** The kind of payload a part is, from its type and name; undefined for anything else. */
export function classifyPart(contentType: string, name: string | undefined): PayloadPart['kind'] | undefined {
  const n = (name ?? '').toLowerCase();
  if (XDM_NAME.test(name ?? '')) return 'xdm';
  if (HL7_TYPES.includes(contentType) || n.endsWith('.hl7') || n.endsWith('.er7')) return 'hl7v2';
  if (FHIR_TYPES.includes(contentType) || n.endsWith('.json')) return 'fhir';
  return undefined;
}

/** What a mail holds: its text body, its addresses, the payload parts and the other documents. */
export interface MailContent {
  text?: string;
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string;
  payloads: PayloadPart[];
  documents: PayloadDocument[];
}

/** Reads a mail's parts (PAYLOAD_MALFORMED when the MIME structure is broken or over the limits). */
export function readMail(inner: Buffer): Result<MailContent> {
  let root;
  const leaves: Leaf[] = [];
  try {
    root = parseEntity(inner);
    collectLeaves(root.headers, root.body, 'message', 0, leaves);
  } catch (err) {
    if (err instanceof PayloadRefusal) return fail(err.problem);
    return fail({ code: 'PAYLOAD_MALFORMED', path: 'message', message: `not a readable MIME message (${(err as Error).message})` });
  }
  const bodyLeaf = leaves.find((l) => !l.attachment && !l.name && l.contentType === 'text/plain') ?? leaves.find((l) => !l.attachment && !l.name && l.contentType === 'text/html');
  const text = bodyLeaf ? textOf(bodyLeaf) : undefined;
  const payloads: PayloadPart[] = [];
  const documents: PayloadDocument[] = [];
  for (const leaf of leaves) {
    if (leaf === bodyLeaf) continue;
    const kind = classifyPart(leaf.contentType, leaf.name);
    if (kind) payloads.push({ kind, contentType: leaf.contentType, bytes: leaf.bytes, path: leaf.path, ...(leaf.name ? { name: leaf.name } : {}) });
    else if (leaf.attachment || leaf.name || !leaf.contentType.startsWith('text/')) {
      documents.push(buildPayloadDocument(leaf.bytes, { contentType: leaf.contentType, ...(leaf.name ? { name: leaf.name } : {}) }));
    }
  }
  const from = parseAddressList(headerValue(root.headers, 'from'))[0];
  const to = parseAddressList(headerValue(root.headers, 'to'))[0];
  const subject = headerValue(root.headers, 'subject');
  const messageId = headerValue(root.headers, 'message-id');
  return ok({
    ...(text !== undefined ? { text } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(subject ? { subject } : {}),
    ...(messageId ? { messageId } : {}),
    payloads,
    documents,
  });
}

export function findPayload(inner: Buffer): Result<FoundPayload> {
  const read = readMail(inner);
  if (!read.ok) return read;
  const { payloads, ...common } = read.value;
  if (payloads.length > 1) {
    return fail(...payloads.map((p) => ({ code: 'PAYLOAD_AMBIGUOUS', path: p.path, message: `more than one payload in the mail (${p.kind})` })));
  }
  const part = payloads[0];
  if (part) return ok({ kind: part.kind, part, ...common });
  if (common.text !== undefined && looksLikeForm(common.text)) return ok({ kind: 'form', ...common });
  return fail({ code: 'PAYLOAD_NONE', path: 'message', message: 'no HL7 v2, FHIR or XDM payload, and the text is not the form' });
}

class PayloadRefusal extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

function collectLeaves(headers: Header[], body: Buffer, path: string, depth: number, leaves: Leaf[]): void {
  if (depth > MAX_DEPTH) throw new PayloadRefusal({ code: 'PAYLOAD_MALFORMED', path, message: `multiparts nested over ${MAX_DEPTH} levels` });
  const ct = parseContentType(headerValue(headers, 'content-type'));
  if (ct.type === 'multipart') {
    const boundary = ct.params.boundary;
    if (!boundary) throw new PayloadRefusal({ code: 'PAYLOAD_MALFORMED', path, message: 'multipart without a boundary' });
    splitMultipart(body, boundary).forEach((raw, k) => {
      const part = parseEntity(raw);
      collectLeaves(part.headers, part.body, `${path}.part[${k}]`, depth + 1, leaves);
    });
    return;
  }
  if (leaves.length >= MAX_LEAVES) throw new PayloadRefusal({ code: 'PAYLOAD_MALFORMED', path, message: `more than ${MAX_LEAVES} parts` });
  const dispositionValue = headerValue(headers, 'content-disposition');
  const disposition = dispositionValue ? parseParams(dispositionValue.replace(/^[^;]*/, '')) : {};
  const attachment = /^\s*attachment/i.test(dispositionValue ?? '');
  const name = decodeWords(disposition.filename ?? ct.params.name);
  leaves.push({
    headers,
    contentType: ct.mediaType,
    ...(ct.params.charset ? { charset: ct.params.charset } : {}),
    ...(name ? { name } : {}),
    attachment,
    bytes: decodeBody(body, headerValue(headers, 'content-transfer-encoding')),
    path,
  });
}

/** RFC 2047 encoded words in a file name (=?UTF-8?B?…?= / ?Q?), as webmails write them. */
function decodeWords(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (whole, charset: string, enc: string, text: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return decodeText(bytes, charset) ?? whole;
  });
}

function decodeText(bytes: Buffer, charset: string | undefined): string | undefined {
  try {
    return new TextDecoder((charset ?? 'utf-8').trim().toLowerCase()).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * `html` without its script and style elements (opening tag to closing tag; one never closed is kept). In linear
 * time: the expression `<(script|style)[\s\S]*?<\/\1>` scanned to the end again for each opening tag never closed.
 */
export function dropScriptsAndStyles(html: string): string {
  // ASCII letters lowered only: the same length, so that positions in `lower` are positions in `html`
  const lower = html.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  const closes = new Map<string, number>();
  let out = '';
  let pos = 0;
  for (const open of lower.matchAll(/<(script|style)\b/g)) {
    const at = open.index;
    if (at < pos) continue;
    const name = open[1]!;
    let close = closes.get(name);
    if (close === undefined || (close >= 0 && close < at)) {
      close = lower.indexOf(`</${name}>`, at);
      closes.set(name, close);
    }
    if (close < 0) continue;
    out += html.slice(pos, at);
    pos = close + name.length + 3;
  }
  return out + html.slice(pos);
}

function textOf(leaf: Leaf): string {
  const text = decodeText(leaf.bytes, leaf.charset ?? 'utf-8') ?? leaf.bytes.toString('latin1');
  if (leaf.contentType !== 'text/html') return text;
  // every expression here is linear: a tag is `<` to the next `>` with no `<` between
  return dropScriptsAndStyles(text)
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
