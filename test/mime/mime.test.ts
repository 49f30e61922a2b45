import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/mime/addresses.ts';
import { parseContentType } from '../../src/mime/content-type.ts';
import { decodeBase64, decodeQuotedPrintable, encodeBase64LineBytes, encodeBase64Lines, toCanonicalCrlf } from '../../src/mime/decode-body.ts';
import { MimeError, parseEntity, headerValue } from '../../src/mime/parse-entity.ts';
import { splitMultipart } from '../../src/mime/split-multipart.ts';

describe('multipart splitting', () => {
  it('gives back every part byte for byte, with CRLF or LF line ends', () => {
    const part = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)).filter((b) => !b.includes(Buffer.from('--b0undary')));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), fc.constantFrom('\r\n', '\n'), fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')), (parts, eol, preamble) => {
        // with LF line ends, a part ending in CR cannot be told from a CRLF delimiter: the CR goes with the delimiter
        fc.pre(eol === '\r\n' || parts.every((p) => p[p.length - 1] !== 0x0d));
        const body = Buffer.concat([
          Buffer.from(preamble.includes('--b0undary') ? '' : preamble + eol),
          ...parts.flatMap((p) => [Buffer.from(`--b0undary${eol}`), p, Buffer.from(eol)]),
          Buffer.from(`--b0undary--${eol}epilogue`),
        ]);
        const got = splitMultipart(body, 'b0undary');
        expect(got.map((b) => b.toString('hex'))).toEqual(parts.map((b) => b.toString('hex')));
      }),
    );
  });

  it('ignores the boundary text when it is not at the start of a line', () => {
    const body = Buffer.from('--b\r\nsee --b inside\r\n--b--\r\n');
    expect(splitMultipart(body, 'b').map(String)).toEqual(['see --b inside']);
  });

  it('refuses a multipart without its closing delimiter', () => {
    expect(() => splitMultipart(Buffer.from('--b\r\npart\r\n'), 'b')).toThrow(MimeError);
  });
});

describe('headers and content types', () => {
  it('unfolds headers and finds the body after CRLF CRLF or LF LF', () => {
    for (const eol of ['\r\n', '\n']) {
      const e = parseEntity(Buffer.from(`Subject: a${eol} folded${eol}Content-Type: text/plain;${eol}\tcharset="utf-8"${eol}${eol}body${eol}`));
      expect(headerValue(e.headers, 'subject')).toBe('a folded');
      expect(parseContentType(headerValue(e.headers, 'content-type')).params.charset).toBe('utf-8');
      expect(e.body.toString()).toBe(`body${eol}`);
    }
  });

  it('reads parameters: quoted, case-insensitive names, RFC 2231 continuations', () => {
    const ct = parseContentType('Multipart/Signed; PROTOCOL="application/pkcs7-signature"; micalg=sha-256; boundary="a;b=c"');
    expect(ct.mediaType).toBe('multipart/signed');
    expect(ct.params).toMatchObject({ protocol: 'application/pkcs7-signature', micalg: 'sha-256', boundary: 'a;b=c' });
    expect(parseContentType("application/pdf; name*0*=utf-8''r%C3%A9; name*1=sultat.pdf").params.name).toBe('résultat.pdf');
    expect(parseContentType(undefined).mediaType).toBe('text/plain');
  });

  it('refuses a header block with a line that is not a header', () => {
    expect(() => parseEntity(Buffer.from('not a header\r\n\r\nbody'))).toThrow(MimeError);
  });

  it('extracts addresses from address lists', () => {
    expect(parseAddressList('"Martin, Dr" <dr.martin@hopital-a.test>, cardio@chu-b.test (comment)')).toEqual(['dr.martin@hopital-a.test', 'cardio@chu-b.test']);
  });
});

describe('transfer encodings', () => {
  it('decodes base64 whatever the line length, ignoring characters outside the alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 1, max: 200 }), (data, width) => {
        const b64 = Buffer.from(data).toString('base64');
        const wrapped = b64.replace(new RegExp(`(.{${width}})`, 'g'), '$1\r\n');
        expect(decodeBase64(Buffer.from(wrapped)).equals(Buffer.from(data))).toBe(true);
        expect(decodeBase64(Buffer.from(encodeBase64Lines(Buffer.from(data)))).equals(Buffer.from(data))).toBe(true);
      }),
    );
    // RFC 2045 §6.8: characters outside the alphabet are ignored, and the data ends at the padding
    expect(decodeBase64(Buffer.from('QUJD*RA==')).toString()).toBe('ABCD');
    expect(decodeBase64(Buffer.from('QQ==QUJD')).toString()).toBe('A');
  });

  it('writes the same base64 lines as bytes, block by block, whatever the length (blocks of 1024 lines of 57 bytes)', () => {
    const block = 57 * 1024;
    for (const n of [0, 1, 2, 3, 56, 57, 58, 114, block - 1, block, block + 1, 2 * block + 57, 3 * block - 2]) {
      const data = Buffer.alloc(n, n % 251);
      expect(encodeBase64LineBytes(data).equals(Buffer.from(encodeBase64Lines(data), 'latin1')), `${n} bytes`).toBe(true);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (data) => {
        expect(encodeBase64LineBytes(Buffer.from(data)).toString('latin1')).toBe(encodeBase64Lines(Buffer.from(data)));
      }),
    );
  });

  it('decodes quoted-printable with soft line breaks', () => {
    expect(decodeQuotedPrintable(Buffer.from('caf=C3=A9 =\r\nau lait')).toString()).toBe('café au lait');
  });

  it('canonicalizes line ends to CRLF and leaves CRLF text untouched', () => {
    expect(toCanonicalCrlf(Buffer.from('a\nb\r\nc\rd')).toString()).toBe('a\r\nb\r\nc\r\nd');
    const crlf = Buffer.from('a\r\nb\r\n');
    expect(toCanonicalCrlf(crlf)).toBe(crlf);
  });

  it('canonicalizes as the byte-by-byte definition does, whatever the mix of CR, LF and CRLF', () => {
    const byteByByte = (data: Buffer): Buffer => {
      const out: number[] = [];
      for (let i = 0; i < data.length; i++) {
        const b = data[i]!;
        if (b === 0x0d) {
          out.push(0x0d, 0x0a);
          if (data[i + 1] === 0x0a) i++;
        } else out.push(...(b === 0x0a ? [0x0d, 0x0a] : [b]));
      }
      return Buffer.from(out);
    };
    const bytes = fc.array(fc.constantFrom(0x0d, 0x0a, 0x61, 0x00), { maxLength: 40 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(bytes, (data) => {
        expect(toCanonicalCrlf(data).equals(byteByByte(data))).toBe(true);
      }),
    );
  });

  it('canonicalizes a 24 MB message with bare LF, every LF becoming CRLF', () => {
    const lines = encodeBase64Lines(Buffer.alloc(18 * 1024 * 1024, 0xa5)).replace(/\r\n/g, '\n');
    const lf = Buffer.from(`Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n${lines}`);
    const crlf = toCanonicalCrlf(lf);
    expect(crlf.length).toBe(lf.length + lf.toString('latin1').split('\n').length - 1);
    expect(crlf.equals(Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'))).toBe(true);
  });
});
