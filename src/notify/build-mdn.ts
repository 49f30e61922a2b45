/**
 * The MDNs the gateway sends (RFC 8098, with RFC 3798's `failed` disposition and `Failure:` field as the
 * Direct "Implementation Guide for Delivery Notification" v1.0 uses them): a complete, unsealed RFC 5322
 * message with CRLF line ends, a multipart/report (RFC 6522) of a fixed human-readable text part and the
 * message/disposition-notification part. The gateway seals it afterwards. No I/O; the same input always
 * gives the same bytes.
 *
 * Values that come from the peer's message (Message-ID, recipient, subject) are cleaned of control
 * characters so they can never add a header line; the body never carries the original subject or
 * anything else from the original message (no patient data), only fixed texts and the refusal code/text.
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';
import { DIRECT_FINAL_DESTINATION_DELIVERY } from './parse-notification.ts';

export type MdnDisposition = 'processed' | 'dispatched' | 'failed';

export interface MdnInput {
  disposition: MdnDisposition;
  /** the gateway's address (From) */
  from: string;
  /** who gets the MDN: the original sender, or its Disposition-Notification-To address */
  to: string;
  /** the Message-ID of the message reported on, with or without angle brackets; empty when it had none */
  originalMessageId: string;
  /** the address the original message was sent to (Original-Recipient and Final-Recipient) */
  originalRecipient: string;
  /** the decoded subject of the original message: only ever in the Subject header, never in the body */
  originalSubject?: string;
  /** Reporting-UA value, `ua-name; ua-product` (e.g. 'txgate.localhost; txgate') */
  reportingUa: string;
  /** failed only (and required there): a refusal code such as SMIME_BAD_SIGNATURE and its fixed text */
  failure?: { code: string; text: string };
  /** dispatched only: adds the Direct `X-DIRECT-FINAL-DESTINATION-DELIVERY:` field; ignored otherwise */
  finalDestinationDelivery?: boolean;
  /** the MDN's own Message-ID, with or without angle brackets */
  messageId: string;
  date: Date;
}

const SUBJECT_PREFIX: Record<MdnDisposition, string> = {
  processed: 'Processed',
  dispatched: 'Dispatched',
  failed: 'Failed',
};

const EXPLANATION: Record<MdnDisposition, string[]> = {
  processed: [
    "Your message was received by the recipient's secure messaging gateway and accepted for processing.",
    'This notification does not mean that the message has been delivered or read.',
  ],
  dispatched: [
    'Your message was delivered to its final destination.',
    'This notification does not mean that the message has been read.',
  ],
  failed: ["Your message could not be processed by the recipient's secure messaging gateway and was not delivered."],
};

/** Longest line we fold to (RFC 5322 §2.1.1 SHOULD), and the hard limit (MUST). */
const FOLD_AT = 78;
const MAX_LINE = 998;
/** Bytes of UTF-8 per RFC 2047 encoded word: 45 bytes → 60 base64 characters → 72-character word (≤ 75). */
const ENCODED_WORD_BYTES = 45;

/** Builds the MDN message for `input`. Throws a GatewayError (NOTIFY_BAD_INPUT) on values it cannot use. */
export function buildMdn(input: MdnInput): Buffer {
  checkInput(input);
  const originalId = cleanMessageId(input.originalMessageId);
  const recipient = requireValue(cleanRecipient(input.originalRecipient), 'originalRecipient');
  const report = reportFields(input, originalId, recipient);
  const text = explanationText(input);
  const boundary = chooseBoundary(input, `${text}\r\n${report}`);

  const headers = [
    `From: ${requireValue(input.from, 'from')}`,
    `To: ${requireValue(input.to, 'to')}`,
    subjectHeader(input.disposition, input.originalSubject),
    `Date: ${formatDate(input.date)}`,
    `Message-ID: ${requireValue(cleanMessageId(input.messageId), 'messageId')}`,
    ...(originalId ? [`In-Reply-To: ${originalId}`, `References: ${originalId}`] : []),
    'MIME-Version: 1.0',
    'Auto-Submitted: auto-replied',
    `Content-Type: multipart/report; report-type=disposition-notification;\r\n boundary="${boundary}"`,
  ];
  const lines = [
    ...headers,
    '',
    'This is a MIME-formatted message disposition notification.',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    text,
    `--${boundary}`,
    'Content-Type: message/disposition-notification',
    'Content-Transfer-Encoding: 7bit',
    '',
    report,
    `--${boundary}--`,
    '',
  ];
  const message = lines.join('\r\n');
  for (const line of message.split('\r\n')) if (line.length > MAX_LINE) throw badInput('a line of the notification would exceed 998 characters');
  return Buffer.from(message, 'utf8');
}

function checkInput(input: MdnInput): void {
  if (input.disposition === 'failed' && !input.failure) throw badInput('a failed MDN needs failure');
  if (input.disposition !== 'failed' && input.failure) throw badInput(`failure given for a ${input.disposition} MDN`);
  if (!SUBJECT_PREFIX[input.disposition]) throw badInput('unknown disposition');
  if (!(input.date instanceof Date) || Number.isNaN(input.date.getTime())) throw badInput('invalid date');
  if (input.failure && !/^[A-Za-z0-9_.-]+$/.test(input.failure.code)) throw badInput('failure code must be a token');
}

/** The message/disposition-notification fields (RFC 8098 §3.1 order), CRLF-separated, ending with an empty line. */
function reportFields(input: MdnInput, originalId: string, recipient: string): string {
  const fields = [
    `Reporting-UA: ${requireValue(cleanText(input.reportingUa), 'reportingUa')}`,
    `Original-Recipient: rfc822;${recipient}`,
    `Final-Recipient: rfc822;${recipient}`,
    ...(originalId ? [`Original-Message-ID: ${originalId}`] : []),
    `Disposition: automatic-action/MDN-sent-automatically; ${input.disposition}`,
    ...(input.disposition === 'dispatched' && input.finalDestinationDelivery ? [`${DIRECT_FINAL_DESTINATION_DELIVERY}:`] : []),
    // unfolded: the Direct RI reads these fields line by line, without unfolding (lines stay far below 998)
    ...(input.failure ? [`Failure: ${failureText(input.failure)}`] : []),
  ];
  return `${fields.join('\r\n')}\r\n`;
}

function explanationText(input: MdnInput): string {
  const lines = [...EXPLANATION[input.disposition]];
  if (input.failure) lines.push(`Reason: ${failureText(input.failure)}`);
  return lines.map(wrapText).join('\r\n');
}

/** `CODE text`, printable ASCII only (the report part is 7bit US-ASCII, RFC 8098 §3.1). */
function failureText(failure: { code: string; text: string }): string {
  const text = cleanText(failure.text).replace(/[^\x20-\x7e]/g, '?');
  return text ? `${failure.code} ${text}` : failure.code;
}

/** `Processed: <original subject>`; the original part RFC 2047-encoded when it is not plain ASCII. */
function subjectHeader(disposition: MdnDisposition, originalSubject: string | undefined): string {
  const prefix = `Subject: ${SUBJECT_PREFIX[disposition]}`;
  const subject = cleanText(originalSubject ?? '');
  if (!subject) return prefix;
  const plain = /^[\x20-\x7e]*$/.test(subject) && !subject.includes('=?') && subject.split(' ').every((w) => w.length <= FOLD_AT - 12);
  if (plain) return foldText(`${prefix}: ${subject}`);
  return `${prefix}:\r\n ${encodeWords(subject).join('\r\n ')}`;
}

/** RFC 2047 B-encoded UTF-8 words, each at most 75 characters and never splitting a character. */
function encodeWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > ENCODED_WORD_BYTES && chunk) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`);
}

/** Folds a header line at single spaces (CRLF before the space) so that lines stay within 78 characters. */
function foldText(line: string): string {
  return breakLine(line, ' ');
}

/** Wraps a line of body text at single spaces (the space becomes the line break). */
function wrapText(line: string): string {
  return breakLine(line, '');
}

function breakLine(line: string, indent: string): string {
  if (line.length <= FOLD_AT) return line;
  const words = line.split(' ');
  const out: string[] = [];
  let current = words[0] ?? '';
  for (const word of words.slice(1)) {
    if (current.length + 1 + word.length > FOLD_AT && current.trim()) {
      out.push(current);
      current = `${indent}${word}`;
    } else {
      current += ` ${word}`;
    }
  }
  out.push(current);
  return out.join('\r\n');
}

/** Control characters (CR and LF above all) become spaces; runs of spaces become one; none at either end. */
function cleanText(value: string): string {
  return value
    .replace(/[\x00-\x1f\x7f]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/^ | $/g, '');
}

/** `<id>`, whether or not the brackets were given; empty stays empty. */
function cleanMessageId(value: string): string {
  const id = cleanText(value);
  if (!id) return '';
  return id.startsWith('<') && id.endsWith('>') ? id : `<${id.replace(/^<|>$/g, '')}>`;
}

/** The bare address: `rfc822;` and angle brackets taken off if the caller left them on. */
function cleanRecipient(value: string): string {
  return cleanText(value)
    .replace(/^rfc822\s*;\s*/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim();
}

function requireValue(value: string, name: string): string {
  const v = cleanText(value);
  if (!v) throw badInput(`${name} is empty`);
  return v;
}

/** A boundary derived from the MDN's identity (so the output is reproducible) that occurs nowhere in the parts. */
function chooseBoundary(input: MdnInput, content: string): string {
  for (let n = 0; ; n++) {
    const hash = createHash('sha256').update(`${input.messageId}\0${input.date.toISOString()}\0${n}`).digest('hex').slice(0, 32);
    const boundary = `=_txgate-mdn-${hash}`;
    if (!content.includes(boundary)) return boundary;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC: `Tue, 21 Jan 2025 17:20:38 +0000`. */
function formatDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function badInput(detail: string): GatewayError {
  return new GatewayError('NOTIFY_BAD_INPUT', 'The notification cannot be built from these values', { detail });
}
