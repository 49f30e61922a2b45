import { MimeError } from './parse-entity.ts';

/** Decodes a body by its Content-Transfer-Encoding. */
export function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const cte = (encoding ?? '7bit').trim().toLowerCase();
  switch (cte) {
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    default:
      throw new MimeError('unknown content-transfer-encoding');
  }
}

/**
 * Base64 with any line length. As RFC 2045 §6.8 says, characters outside the alphabet are
 * ignored and decoding ends at the padding. (What it decodes to is parsed strictly next.)
 */
export function decodeBase64(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1'), 'base64');
}

export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b !== 0x3d) {
      out[o++] = b;
      continue;
    }
    const h = body.subarray(i + 1, i + 3).toString('latin1');
    if (/^[0-9A-Fa-f]{2}$/.test(h)) {
      out[o++] = parseInt(h, 16);
      i += 2;
    } else if (body[i + 1] === 0x0d && body[i + 2] === 0x0a) {
      i += 2;
    } else if (body[i + 1] === 0x0a) {
      i += 1;
    } else {
      out[o++] = b;
    }
  }
  return out.subarray(0, o);
}

/** Base64 in lines of 76 characters with CRLF, as MIME wants. */
export function encodeBase64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return `${lines.join('\r\n')}\r\n`;
}

/** 57 bytes: one line of 76 base64 characters. */
const LINE_BYTES = 57;
const BLOCK_LINES = 1024;

/**
 * The bytes of encodeBase64Lines(data), encoded block by block straight into one buffer of the exact size: the
 * string of a CMS message of tens of megabytes, cut in lines, joined and turned into bytes, took a second each time.
 */
export function encodeBase64LineBytes(data: Buffer): Buffer {
  if (data.length === 0) return Buffer.from('\r\n', 'latin1');
  const lines = Math.ceil(data.length / LINE_BYTES);
  const out = Buffer.allocUnsafe(Math.ceil(data.length / 3) * 4 + 2 * lines);
  let o = 0;
  for (let i = 0; i < data.length; i += LINE_BYTES * BLOCK_LINES) {
    const block = Buffer.from(data.subarray(i, i + LINE_BYTES * BLOCK_LINES).toString('base64'), 'latin1');
    for (let j = 0; j < block.length; j += 76) {
      o += block.copy(out, o, j, Math.min(j + 76, block.length));
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    }
  }
  return out;
}

/**
 * Converts bare LF (and bare CR) line ends to CRLF: the canonical form S/MIME signs (RFC 8551 §3.1.1). The lines
 * are copied whole with native copies into a buffer of the exact size: a JS array grown by one push per byte took
 * seconds and hundreds of megabytes on a 20 MB message (an ordinary scanned document), more than linearly.
 */
export function toCanonicalCrlf(data: Buffer): Buffer {
  if (isCanonicalCrlf(data)) return data;
  let size = 0;
  forEachLine(data, (start, end, eol) => {
    size += end - start + (eol > 0 ? 2 : 0);
  });
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  forEachLine(data, (start, end, eol) => {
    o += data.copy(out, o, start, end);
    if (eol > 0) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    }
  });
  return out;
}

/**
 * Calls `visit` with each line of `data`: its text [start, end) and the length of its line end (CRLF 2, a bare CR
 * or LF 1, none 0 for the last line). Linear: each of the next CR and next LF is searched for once.
 */
function forEachLine(data: Buffer, visit: (start: number, end: number, eol: number) => void): void {
  let pos = 0;
  let cr = data.indexOf(0x0d);
  let lf = data.indexOf(0x0a);
  while (cr >= 0 || lf >= 0) {
    const at = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
    const eol = at === cr && lf === at + 1 ? 2 : 1;
    visit(pos, at, eol);
    pos = at + eol;
    if (cr >= 0 && cr < pos) cr = data.indexOf(0x0d, pos);
    if (lf >= 0 && lf < pos) lf = data.indexOf(0x0a, pos);
  }
  if (pos < data.length) visit(pos, data.length, 0);
}

/** Every CR is followed by LF and every LF preceded by CR (found with native searches). */
export function isCanonicalCrlf(data: Buffer): boolean {
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) if (i === 0 || data[i - 1] !== 0x0d) return false;
  for (let i = data.indexOf(0x0d); i >= 0; i = data.indexOf(0x0d, i + 1)) if (data[i + 1] !== 0x0a) return false;
  return true;
}
