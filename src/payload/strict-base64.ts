/**
 * Strict base64 (RFC 4648 §4: the standard alphabet, padded to a multiple of 4, `=` only at the end) checked in
 * linear time without a regular expression that repeats a group: V8 runs `^(?:[A-Za-z0-9+/]{4})*…$` with a
 * backtracking stack that overflows ("Maximum call stack size exceeded") on a few megabytes, the size of an ordinary
 * scanned document. Pure.
 */

/** Any character outside the alphabet and the pad. */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/** Whether `t` is strict padded base64 (the empty string is). */
export function isStrictBase64(t: string): boolean {
  if (t.length % 4 !== 0 || NOT_BASE64.test(t)) return false;
  const pad = t.indexOf('=');
  return pad === -1 || pad === t.length - 1 || (pad === t.length - 2 && t.charCodeAt(t.length - 1) === 0x3d);
}

/** Strict base64, white space allowed between characters (pretty-printed JSON, folded lines), to bytes; else undefined. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  const t = /\s/.test(text) ? text.replace(/\s+/g, '') : text;
  return isStrictBase64(t) ? Buffer.from(t, 'base64') : undefined;
}

/** Whether `t` is hexadecimal text of whole bytes (HL7 v2 ED with encoding HEX). */
export function isHexBytes(t: string): boolean {
  return t.length % 2 === 0 && !/[^0-9A-Fa-f]/.test(t);
}
