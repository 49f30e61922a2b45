/**
 * A mail as txgate writes it: headers (non-ASCII subjects as RFC 2047 encoded words), a UTF-8 text body, and
 * attachments in base64; multipart/mixed when there are attachments. CRLF throughout, ready to be signed. Pure.
 */
import { formatRfc5322Date } from '../smime/seal-message.ts';
import { encodeBase64Lines } from './decode-body.ts';

export interface MailAttachment {
  contentType: string;
  name: string;
  data: Buffer;
}

export interface MailSpec {
  from: string;
  to: string;
  subject: string;
  messageId: string;
  date: Date;
  inReplyTo?: string | undefined;
  /** extra header fields (name → value, ASCII) */
  headers?: Record<string, string>;
  text: string;
  attachments?: MailAttachment[];
}

const CRLF = '\r\n';

/** An unstructured header value: as is when printable ASCII, else UTF-8 base64 encoded words of ≤ 45 bytes each. */
export function encodeHeaderText(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(flat)) return flat;
  const words: string[] = [];
  let chunk = '';
  for (const ch of flat) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?utf-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/** A quoted MIME parameter value (RFC 2231 extended form when not ASCII). */
function param(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `${name}="${value.replace(/["\\]/g, '\\$&')}"`;
  return `${name}*=utf-8''${encodeURIComponent(value)}`;
}

function textPart(text: string): string {
  const body = text.replace(/\r?\n/g, CRLF);
  return `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${encodeBase64Lines(Buffer.from(body))}`;
}

function attachmentPart(a: MailAttachment): string {
  return (
    `Content-Type: ${a.contentType}; ${param('name', a.name)}${CRLF}` +
    `Content-Disposition: attachment; ${param('filename', a.name)}${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}${CRLF}${encodeBase64Lines(a.data)}`
  );
}

export function buildMail(m: MailSpec): Buffer {
  const head = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${encodeHeaderText(m.subject)}`,
    `Date: ${formatRfc5322Date(m.date)}`,
    `Message-ID: ${m.messageId}`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`, `References: ${m.inReplyTo}`] : []),
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ].join(CRLF);
  const attachments = m.attachments ?? [];
  if (attachments.length === 0) return Buffer.from(`${head}${CRLF}${textPart(m.text)}`);
  const boundary = `=_txgate_${m.messageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;
  const parts = [textPart(m.text), ...attachments.map(attachmentPart)];
  const body = parts.map((p) => `--${boundary}${CRLF}${p}`).join('') + `--${boundary}--${CRLF}`;
  return Buffer.from(`${head}${CRLF}Content-Type: multipart/mixed; boundary="${boundary}"${CRLF}${CRLF}${body}`);
}
