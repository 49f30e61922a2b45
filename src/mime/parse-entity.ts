/**
 * Raw MIME entities: headers and body located in the received bytes, never re-encoded.
 * (mailparser rebuilds what it reads, so the bytes a signature covers are cut here instead.)
 */

export interface Header {
  /** name as received */
  name: string;
  /** lower-case name */
  key: string;
  /** unfolded value, leading white space trimmed */
  value: string;
}

export interface Entity {
  /** the whole entity as received */
  raw: Buffer;
  headers: Header[];
  /** offset of the body in raw */
  bodyStart: number;
  body: Buffer;
}

export class MimeError extends Error {
  readonly code = 'MIME_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'MimeError';
  }
}

export const MAX_HEADER_BYTES = 256 * 1024;
export const MAX_HEADERS = 1000;

/** Finds the blank line ending the header block (CRLF CRLF, LF LF, or a leading blank line). */
function findHeaderEnd(buf: Buffer): { headerEnd: number; bodyStart: number } {
  if (buf[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  if (buf[0] === 0x0d && buf[1] === 0x0a) return { headerEnd: 0, bodyStart: 2 };
  const limit = Math.min(buf.length, MAX_HEADER_BYTES);
  for (let i = 0; i < limit; i++) {
    if (buf[i] !== 0x0a) continue;
    // LF followed by LF, or LF followed by CRLF
    if (buf[i + 1] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  if (buf.length <= MAX_HEADER_BYTES) return { headerEnd: buf.length, bodyStart: buf.length };
  throw new MimeError('header block too large');
}

/** Splits an entity into parsed headers and its body. A body-less entity is allowed. */
export function parseEntity(raw: Buffer): Entity {
  const { headerEnd, bodyStart } = findHeaderEnd(raw);
  const headers = parseHeaderBlock(raw.subarray(0, headerEnd));
  return { raw, headers, bodyStart, body: raw.subarray(bodyStart) };
}

/** Parses an RFC 5322 header block; lines that are not headers make the block malformed. */
export function parseHeaderBlock(block: Buffer): Header[] {
  const text = block.toString('latin1');
  const lines = text.split(/\r?\n/);
  const headers: Header[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      const last = headers[headers.length - 1];
      if (!last) throw new MimeError('continuation line before any header');
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MimeError('header line without a name');
    const name = line.slice(0, colon);
    if (!/^[!-9;-~]+$/.test(name)) throw new MimeError('invalid header name');
    headers.push({ name, key: name.toLowerCase(), value: line.slice(colon + 1).trim() });
    if (headers.length > MAX_HEADERS) throw new MimeError('too many headers');
  }
  // header values carry 8-bit text as UTF-8 in practice (RFC 6532)
  for (const h of headers) if (/[\x80-\xff]/.test(h.value)) h.value = Buffer.from(h.value, 'latin1').toString('utf8');
  return headers;
}

/** The first value of a header, or undefined. */
export function headerValue(headers: Header[], key: string): string | undefined {
  return headers.find((h) => h.key === key)?.value;
}
