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

/** Converts bare LF (and bare CR) line ends to CRLF: the canonical form S/MIME signs (RFC 8551 §3.1.1). */
export function toCanonicalCrlf(data: Buffer): Buffer {
  if (isCanonicalCrlf(data)) return data;
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0x0d) {
      out.push(0x0d, 0x0a);
      if (data[i + 1] === 0x0a) i++;
    } else if (b === 0x0a) {
      out.push(0x0d, 0x0a);
    } else {
      out.push(b);
    }
  }
  return Buffer.from(out);
}

/** Every CR is followed by LF and every LF preceded by CR (found with native searches). */
export function isCanonicalCrlf(data: Buffer): boolean {
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) if (i === 0 || data[i - 1] !== 0x0d) return false;
  for (let i = data.indexOf(0x0d); i >= 0; i = data.indexOf(0x0d, i + 1)) if (data[i + 1] !== 0x0a) return false;
  return true;
}
