/**
 * Reading the delivery notifications peers send back: MDNs (RFC 8098, and RFC 3798's `failed`/`denied`
 * dispositions and `Failure:`/`Error:` fields, as the Direct Delivery Notification IG uses them) and DSNs
 * (RFC 3464), both inside multipart/report (RFC 6522) or, less often, as the top-level content. Also the
 * header checks around them: is a message a notification (never answer one), does the sender ask for
 * the Direct final-delivery `dispatched` MDN, and where do MDNs go. No I/O; never throws on any input.
 *
 * The caller passes the message as it would be read: for S/MIME, the opened inner message.
 */
import type { Problem } from '../errors/result.ts';
import { parseAddressList } from '../mime/addresses.ts';
import { parseContentType } from '../mime/content-type.ts';
import { decodeBody } from '../mime/decode-body.ts';
import { headerValue, MimeError, parseEntity, parseHeaderBlock, type Entity, type Header } from '../mime/parse-entity.ts';
import { splitMultipart } from '../mime/split-multipart.ts';

/** The Direct extension: a Disposition-Notification-Options parameter, and the MDN field that answers it. */
export const DIRECT_FINAL_DESTINATION_DELIVERY = 'X-DIRECT-FINAL-DESTINATION-DELIVERY';

export type MdnDispositionType = 'processed' | 'dispatched' | 'failed' | 'displayed' | 'deleted' | 'denied' | (string & {});
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | (string & {});

export interface MdnNotification {
  kind: 'mdn';
  /** lower case */
  disposition: MdnDispositionType;
  /** lower case: 'automatic-action' | 'manual-action' | extension */
  actionMode: string;
  /** lower case: 'mdn-sent-automatically' | 'mdn-sent-manually' | extension */
  sendingMode: string;
  /** lower-case disposition modifiers (`processed/error` gives ['error']) */
  modifiers: string[];
  /** the Original-Message-ID field as written (usually `<id>`) */
  originalMessageId?: string;
  /** the address of Final-Recipient, without its address type */
  finalRecipient?: string;
  /** the address of Original-Recipient, without its address type */
  originalRecipient?: string;
  /** the report part carries `X-DIRECT-FINAL-DESTINATION-DELIVERY` */
  finalDestinationDelivery: boolean;
  /** RFC 3798 Failure field */
  failure?: string;
  /** RFC 3798/8098 Error field */
  error?: string;
  /** the In-Reply-To header of the notification message */
  inReplyTo?: string;
}

export interface DsnRecipient {
  /** the address of Final-Recipient, without its address type */
  finalRecipient: string;
  /** lower case */
  action: DsnAction;
  /** the status code, e.g. '5.0.0' */
  status: string;
  diagnosticCode?: string;
}

export interface DsnNotification {
  kind: 'dsn';
  recipients: DsnRecipient[];
  /** X-Original-Message-Id, or the Message-ID of the returned message/rfc822 or text/rfc822-headers part */
  originalMessageId?: string;
  originalEnvelopeId?: string;
  /** the In-Reply-To header of the notification message */
  inReplyTo?: string;
}

export type NotificationResult = { kind: 'none' } | MdnNotification | DsnNotification | { kind: 'invalid'; problems: Problem[] };

type ReportKind = 'mdn' | 'dsn';

const MDN_REPORT_TYPES = new Set(['disposition-notification', 'global-disposition-notification']);
const DSN_REPORT_TYPES = new Set(['delivery-status', 'global-delivery-status']);
const MDN_PART_TYPES = new Set(['message/disposition-notification', 'message/global-disposition-notification']);
const DSN_PART_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_PART_TYPES = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers']);

const MDN_PATH = 'disposition-notification';
const DSN_PATH = 'delivery-status';

/** Reads a whole message (headers and body, CRLF or LF): an MDN, a DSN, not a notification, or a malformed one. */
export function parseNotification(message: Buffer): NotificationResult {
  let entity: Entity;
  try {
    entity = parseEntity(message);
  } catch (err) {
    if (err instanceof MimeError) return malformed({ path: 'headers', message: `The header block cannot be read: ${err.message}` });
    throw err;
  }
  const found = classify(entity.headers);
  if (!found) return { kind: 'none' };
  try {
    const report = found.multipart ? reportPart(entity, found.kind) : { body: decodeBody(entity.body, headerValue(entity.headers, 'content-transfer-encoding')), parts: [] };
    if ('problem' in report) return malformed(report.problem);
    return found.kind === 'mdn' ? readMdn(report.body, entity.headers) : readDsn(report.body, report.parts, entity.headers);
  } catch (err) {
    if (err instanceof MimeError) return malformed({ path: found.multipart ? 'report' : found.kind === 'mdn' ? MDN_PATH : DSN_PATH, message: `The report cannot be read: ${err.message}` });
    throw err;
  }
}

/**
 * A multipart/report whose report-type is disposition-notification or delivery-status (or their RFC 6533
 * global forms), or a top-level message/(global-)disposition-notification or message/(global-)delivery-status.
 * Such a message is never answered with an MDN or a DSN.
 */
export function isNotification(headers: Header[]): boolean {
  return classify(headers) !== undefined;
}

/**
 * The sender asks for the Direct `dispatched` MDN: Disposition-Notification-Options has
 * `X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true` (or `required,true`), names and values case-insensitive.
 */
export function wantsFinalDeliveryNotification(headers: Header[]): boolean {
  for (const h of headers) {
    if (h.key !== 'disposition-notification-options') continue;
    for (const parameter of h.value.split(';')) {
      const eq = parameter.indexOf('=');
      if (eq < 0) continue;
      if (parameter.slice(0, eq).trim().toUpperCase() !== DIRECT_FINAL_DESTINATION_DELIVERY) continue;
      const [importance, ...values] = parameter
        .slice(eq + 1)
        .split(',')
        .map((v) => v.trim().replace(/^"(.*)"$/, '$1').trim().toLowerCase());
      if ((importance === 'optional' || importance === 'required') && values.includes('true')) return true;
    }
  }
  return false;
}

/** Where MDNs about this message go: the (first) address of Disposition-Notification-To, else undefined. */
export function notificationAddress(headers: Header[]): string | undefined {
  return parseAddressList(headerValue(headers, 'disposition-notification-to'))[0];
}

function classify(headers: Header[]): { kind: ReportKind; multipart: boolean } | undefined {
  const ct = parseContentType(headerValue(headers, 'content-type'));
  if (ct.mediaType === 'multipart/report') {
    const reportType = (ct.params['report-type'] ?? '').trim().toLowerCase();
    if (MDN_REPORT_TYPES.has(reportType)) return { kind: 'mdn', multipart: true };
    if (DSN_REPORT_TYPES.has(reportType)) return { kind: 'dsn', multipart: true };
    return undefined;
  }
  if (MDN_PART_TYPES.has(ct.mediaType)) return { kind: 'mdn', multipart: false };
  if (DSN_PART_TYPES.has(ct.mediaType)) return { kind: 'dsn', multipart: false };
  return undefined;
}

/** The decoded report part of a multipart/report, and the readable parts (for the returned message). */
function reportPart(entity: Entity, kind: ReportKind): { body: Buffer; parts: Entity[] } | { problem: Omit<Problem, 'code'> } {
  const boundary = parseContentType(headerValue(entity.headers, 'content-type')).params.boundary;
  if (!boundary) return { problem: { path: 'report', message: 'The multipart/report has no boundary' } };
  const parts: Entity[] = [];
  for (const raw of splitParts(entity.body, boundary)) {
    // an unreadable part (the human-readable text, say) does not hide a readable report part
    try {
      parts.push(parseEntity(raw));
    } catch (err) {
      if (!(err instanceof MimeError)) throw err;
    }
  }
  const types = kind === 'mdn' ? MDN_PART_TYPES : DSN_PART_TYPES;
  const report = parts.find((p) => types.has(parseContentType(headerValue(p.headers, 'content-type')).mediaType));
  const path = kind === 'mdn' ? MDN_PATH : DSN_PATH;
  if (!report) return { problem: { path, message: `The report has no readable message/${path} part` } };
  return { body: decodeBody(report.body, headerValue(report.headers, 'content-transfer-encoding')), parts };
}

/**
 * The parts of a multipart body. A body whose closing delimiter is missing (as in real Direct MDNs, which
 * end after the report part) is read as if it were there.
 */
function splitParts(body: Buffer, boundary: string): Buffer[] {
  try {
    return splitMultipart(body, boundary);
  } catch (err) {
    if (!(err instanceof MimeError)) throw err;
    const eol = body.includes('\r\n') ? '\r\n' : '\n';
    try {
      return splitMultipart(Buffer.concat([body, Buffer.from(`${eol}--${boundary}--${eol}`, 'latin1')]), boundary);
    } catch {
      throw err;
    }
  }
}

function readMdn(body: Buffer, headers: Header[]): NotificationResult {
  let fields: Header[];
  try {
    fields = parseHeaderBlock(body);
  } catch (err) {
    if (!(err instanceof MimeError)) throw err;
    return malformed({ path: MDN_PATH, message: `The notification fields cannot be read: ${err.message}` });
  }
  const dispositionValue = headerValue(fields, 'disposition');
  if (dispositionValue === undefined) return malformed({ path: `${MDN_PATH}.Disposition`, message: 'The notification has no Disposition field' });
  const disposition = readDisposition(dispositionValue);
  if (!disposition) return malformed({ path: `${MDN_PATH}.Disposition`, message: 'The Disposition field cannot be read' });

  const result: MdnNotification = {
    kind: 'mdn',
    ...disposition,
    finalDestinationDelivery: fields.some((f) => f.key === DIRECT_FINAL_DESTINATION_DELIVERY.toLowerCase()),
  };
  assign(result, 'originalMessageId', nonEmpty(headerValue(fields, 'original-message-id')));
  assign(result, 'finalRecipient', readRecipient(headerValue(fields, 'final-recipient')));
  assign(result, 'originalRecipient', readRecipient(headerValue(fields, 'original-recipient')));
  assign(result, 'failure', nonEmpty(headerValue(fields, 'failure')));
  assign(result, 'error', nonEmpty(headerValue(fields, 'error')));
  assign(result, 'inReplyTo', nonEmpty(headerValue(headers, 'in-reply-to')));
  return result;
}

/** `action-mode/sending-mode; disposition-type[/modifier[,modifier…]]` (RFC 8098 §3.2.6), comments ignored. */
function readDisposition(value: string): Pick<MdnNotification, 'disposition' | 'actionMode' | 'sendingMode' | 'modifiers'> | undefined {
  const m = /^([^/;\s]+)\s*\/\s*([^/;\s]+)\s*;\s*([^/;,\s]+)\s*(?:\/(.*))?$/.exec(stripComments(value).trim());
  if (!m) return undefined;
  const modifiers = (m[4] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  return { actionMode: m[1]!.toLowerCase(), sendingMode: m[2]!.toLowerCase(), disposition: m[3]!.toLowerCase(), modifiers };
}

function readDsn(body: Buffer, parts: Entity[], headers: Header[]): NotificationResult {
  let groups: Header[][];
  try {
    groups = fieldGroups(body);
  } catch (err) {
    if (!(err instanceof MimeError)) throw err;
    return malformed({ path: DSN_PATH, message: `The delivery status fields cannot be read: ${err.message}` });
  }
  const isRecipientGroup = (g: Header[]) => g.some((f) => f.key === 'final-recipient' || f.key === 'action' || f.key === 'status');
  const perMessage = groups[0] && !isRecipientGroup(groups[0]) ? groups[0] : [];
  const recipientGroups = groups.filter(isRecipientGroup);
  if (recipientGroups.length === 0) return malformed({ path: `${DSN_PATH}.recipients`, message: 'The delivery status has no per-recipient fields' });

  const problems: Omit<Problem, 'code'>[] = [];
  const recipients: DsnRecipient[] = [];
  recipientGroups.forEach((group, i) => {
    const path = `${DSN_PATH}.recipients[${i}]`;
    const finalRecipient = readRecipient(headerValue(group, 'final-recipient'));
    const action = nonEmpty(headerValue(group, 'action'))?.toLowerCase();
    const status = /^(\d\.\d{1,3}\.\d{1,3})(?![\d.])/.exec(headerValue(group, 'status')?.trim() ?? '')?.[1];
    if (!finalRecipient) problems.push({ path: `${path}.Final-Recipient`, message: 'The recipient has no Final-Recipient field' });
    if (!action) problems.push({ path: `${path}.Action`, message: 'The recipient has no Action field' });
    if (!status) problems.push({ path: `${path}.Status`, message: 'The recipient has no readable Status field' });
    if (!finalRecipient || !action || !status) return;
    const recipient: DsnRecipient = { finalRecipient, action, status };
    assign(recipient, 'diagnosticCode', nonEmpty(headerValue(group, 'diagnostic-code')));
    recipients.push(recipient);
  });
  if (problems.length > 0) return malformed(...problems);

  const result: DsnNotification = { kind: 'dsn', recipients };
  const xOriginal = [perMessage, ...recipientGroups].map((g) => nonEmpty(headerValue(g, 'x-original-message-id'))).find((v) => v !== undefined);
  assign(result, 'originalMessageId', xOriginal ?? returnedMessageId(parts));
  assign(result, 'originalEnvelopeId', nonEmpty(headerValue(perMessage, 'original-envelope-id')));
  assign(result, 'inReplyTo', nonEmpty(headerValue(headers, 'in-reply-to')));
  return result;
}

/** The field groups of a delivery-status body: per-message fields, then one group per recipient, split at blank lines. */
function fieldGroups(body: Buffer): Header[][] {
  return body
    .toString('latin1')
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .filter((g) => g.trim() !== '')
    .map((g) => parseHeaderBlock(Buffer.from(g, 'latin1')));
}

/** The Message-ID of the returned message (message/rfc822) or of its returned headers (text/rfc822-headers). */
function returnedMessageId(parts: Entity[]): string | undefined {
  for (const part of parts) {
    if (!RETURNED_PART_TYPES.has(parseContentType(headerValue(part.headers, 'content-type')).mediaType)) continue;
    try {
      const returned = parseEntity(decodeBody(part.body, headerValue(part.headers, 'content-transfer-encoding')));
      const id = nonEmpty(headerValue(returned.headers, 'message-id'));
      if (id) return id;
    } catch (err) {
      if (!(err instanceof MimeError)) throw err;
    }
  }
  return undefined;
}

/** `rfc822;addr`, `rfc822; <addr>` or a bare address (as Direct RI MDNs write Final-Recipient) → `addr`. */
function readRecipient(value: string | undefined): string | undefined {
  let v = value?.trim() ?? '';
  const typed = /^[A-Za-z][A-Za-z0-9.+-]*\s*;\s*(.*)$/s.exec(v);
  if (typed) v = typed[1]!.trim();
  if (v.startsWith('<') && v.endsWith('>')) v = v.slice(1, -1).trim();
  return v || undefined;
}

/** Removes RFC 5322 comments (nested parentheses, quoted pairs). */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && depth > 0) {
      i++;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** Sets an optional property only when there is a value (results carry no `key: undefined`). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function malformed(...problems: Omit<Problem, 'code'>[]): NotificationResult {
  return { kind: 'invalid', problems: problems.map((p) => ({ code: 'NOTIFY_MALFORMED', ...p })) };
}
