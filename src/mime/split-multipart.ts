import { MimeError } from './parse-entity.ts';

export const MAX_PARTS = 1000;

/**
 * Splits a multipart body into its parts, exactly as received (RFC 2046 §5.1.1): the line break
 * before a delimiter belongs to the delimiter, so a part's bytes are what a signature covers.
 * A body without a closing delimiter is malformed.
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  if (!boundary || boundary.length > 200) throw new MimeError('bad multipart boundary');
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  let pos = 0;
  for (;;) {
    const at = body.indexOf(delim, pos);
    if (at < 0) throw new MimeError('multipart without a closing delimiter');
    const lineStart = at === 0 || body[at - 1] === 0x0a;
    if (!lineStart) {
      pos = at + 1;
      continue;
    }
    const after = at + delim.length;
    const closing = body[after] === 0x2d && body[after + 1] === 0x2d;
    // the rest of the delimiter line must be white space only
    let eol = after + (closing ? 2 : 0);
    while (body[eol] === 0x20 || body[eol] === 0x09) eol++;
    const lineEnd = body[eol] === 0x0d && body[eol + 1] === 0x0a ? eol + 2 : body[eol] === 0x0a ? eol + 1 : eol === body.length ? eol : -1;
    if (lineEnd < 0) {
      pos = at + 1;
      continue;
    }
    if (partStart >= 0) {
      let end = at;
      if (end > partStart && body[end - 1] === 0x0a) end--;
      if (end > partStart && body[end - 1] === 0x0d) end--;
      parts.push(body.subarray(partStart, end));
      if (parts.length > MAX_PARTS) throw new MimeError('too many parts');
    }
    if (closing) return parts;
    partStart = lineEnd;
    pos = lineEnd;
  }
}
