/**
 * What a payload read from a file or standard input is, from its first bytes: an HL7 v2 message (MSH), FHIR JSON
 * (`{`), a ZIP (an XDM package) or an RFC 5322 message (header lines, one of them a mail header such as From or
 * Content-Type: a bare form's `Patient:` lines are not a mail). Undefined for anything else.
 */
export type SniffedDialect = 'hl7v2' | 'fhir' | 'xdm' | 'mime';

export function sniffPayloadDialect(bytes: Buffer): SniffedDialect | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))) return 'xdm';
  let head = bytes.subarray(0, 1024).toString('utf8');
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  head = head.trimStart();
  if (/^MSH[|^~\\&]/.test(head) || /^[FB]HS\|/.test(head)) return 'hl7v2';
  if (head.startsWith('{')) return 'fhir';
  if (looksLikeHeaders(head)) return 'mime';
  return undefined;
}

const MAIL_HEADERS = ['from', 'to', 'cc', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'received', 'return-path', 'sender', 'reply-to'];

/** Header-shaped lines up to the first blank line (or the sniffed end), one of them a mail header. */
function looksLikeHeaders(head: string): boolean {
  const lines = head.split(/\r?\n/);
  let known = false;
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (line === '') return known && i > 0;
    if (/^[ \t]/.test(line) && i > 0) continue;
    const m = /^([!-9;-~]{1,76}):/.exec(line);
    if (!m) return false;
    if (MAIL_HEADERS.includes(m[1]!.toLowerCase())) known = true;
  }
  return known;
}
