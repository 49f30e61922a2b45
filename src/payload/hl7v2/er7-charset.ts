/**
 * MSH-18 character sets (HL7 table 0211): ASCII (the default when MSH-18 is empty), 8859/1 (Latin-1) and
 * UNICODE UTF-8. Bytes are decoded as declared; bytes the declared set does not allow are reported by the parser.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { Er7Charset } from './er7-types.ts';

/** The charset an MSH-18 value names; undefined when it is one this gateway does not decode. */
export function charsetOf(msh18: string): Er7Charset | undefined {
  const v = msh18.trim().toUpperCase();
  if (v === '' || v === 'ASCII') return 'ASCII';
  if (v === '8859/1') return '8859/1';
  if (v === 'UNICODE UTF-8') return 'UNICODE UTF-8';
  return undefined;
}

/** The text of `bytes` in `charset`; `valid` is false when some bytes are not allowed in it (those decode to U+FFFD in UTF-8, as Latin-1 in ASCII). */
export function decodeEr7Text(bytes: Uint8Array, charset: Er7Charset): { text: string; valid: boolean } {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (charset === 'UNICODE UTF-8') return { text: buf.toString('utf8'), valid: isUtf8(buf) };
  return { text: buf.toString('latin1'), valid: charset === '8859/1' || isAscii(buf) };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether every character of `text` can be written in `charset`. */
export function fitsCharset(text: string, charset: Er7Charset): boolean {
  if (charset === 'UNICODE UTF-8') return !LONE_SURROGATE.test(text);
  return charset === 'ASCII' ? !/[^\x00-\x7f]/.test(text) : !/[^\x00-\xff]/.test(text);
}

/** The bytes of `text` in `charset`. Throws a RangeError when a character does not fit (check with fitsCharset first). */
export function encodeEr7Text(text: string, charset: Er7Charset): Buffer {
  if (!fitsCharset(text, charset)) throw new RangeError(`the message holds characters that ${charset} (MSH-18) cannot write`);
  return Buffer.from(text, charset === 'UNICODE UTF-8' ? 'utf8' : 'latin1');
}
