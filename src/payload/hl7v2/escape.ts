/**
 * HL7 v2 escape sequences (v2.5.1 §2.7, v2.7 §2.7.4): the delimiters \F\ \S\ \T\ \R\ \E\ (and \P\ for the v2.7
 * truncation character), highlighting \H\ \N\ (dropped), hexadecimal \Xhh..\ (bytes in the message's character
 * set), and the formatted-text commands \.br\ (a new line), \.sp n\ (n new lines), \.ce\ (a new line), \.sk n\
 * (n spaces), \.fi\ \.nf\ \.in n\ \.ti n\ (layout only, dropped). \Z..\ (locally defined), \C..\ and \M..\
 * (character set switching) and anything else are problems.
 */
import { isUtf8 } from 'node:buffer';
import type { Er7Charset, Er7Delimiters } from './er7-types.ts';
import { HL7_CODES, type Hl7Code } from './hl7-problem.ts';

export interface EscapeIssue {
  code: Hl7Code;
  message: string;
}

/** The most new lines or spaces one \.sp n\ or \.sk n\ may stand for. */
const MAX_REPEAT = 99;

/**
 * Decodes the escape sequences of one leaf value. What cannot be decoded stays as written and is reported in
 * `issues` (when given).
 */
export function unescapeEr7(text: string, d: Er7Delimiters, charset: Er7Charset = 'ASCII', issues?: EscapeIssue[]): string {
  const esc = d.escape;
  let i = text.indexOf(esc);
  if (i < 0) return text;
  let out = '';
  let start = 0;
  while (i >= 0) {
    out += text.slice(start, i);
    const end = text.indexOf(esc, i + 1);
    if (end < 0) {
      issues?.push({ code: HL7_CODES.UNTERMINATED_ESCAPE, message: 'an escape character without its closing one' });
      out += text.slice(i);
      return out;
    }
    const seq = text.slice(i + 1, end);
    const decoded = decodeSequence(seq, d, charset, issues);
    out += decoded ?? esc + seq + esc;
    start = end + 1;
    i = text.indexOf(esc, start);
  }
  return out + text.slice(start);
}

function decodeSequence(seq: string, d: Er7Delimiters, charset: Er7Charset, issues: EscapeIssue[] | undefined): string | undefined {
  switch (seq) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subComponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'H':
    case 'N':
      return '';
    case 'P':
      if (d.truncation !== undefined) return d.truncation;
      break;
    default:
      break;
  }
  const head = seq.charAt(0);
  if (head === 'X' && seq.length > 1) return decodeHex(seq.slice(1), charset, issues);
  if (head === '.') {
    const formatted = decodeFormatting(seq.slice(1));
    if (formatted !== undefined) return formatted;
  } else if ((head === 'C' || head === 'M') && seq.length > 1) {
    issues?.push({ code: HL7_CODES.UNSUPPORTED_ESCAPE, message: `character set switching escape \\${head}..\\ is not supported` });
    return undefined;
  } else if (head === 'Z') {
    issues?.push({ code: HL7_CODES.UNKNOWN_ESCAPE, message: 'locally defined escape sequence \\Z..\\ cannot be interpreted' });
    return undefined;
  }
  // quote only what is too short to carry anyone's data
  const shown = seq.length === 0 ? ' (empty)' : seq.length <= 3 ? ` '\\${seq}\\'` : '';
  issues?.push({ code: HL7_CODES.UNKNOWN_ESCAPE, message: `unknown escape sequence${shown}` });
  return undefined;
}

function decodeHex(hex: string, charset: Er7Charset, issues: EscapeIssue[] | undefined): string | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) {
    issues?.push({ code: HL7_CODES.BAD_HEX_ESCAPE, message: 'a \\X..\\ escape must hold an even number of hexadecimal digits' });
    return undefined;
  }
  const bytes = Buffer.from(hex, 'hex');
  if (charset === 'UNICODE UTF-8') {
    if (!isUtf8(bytes)) {
      issues?.push({ code: HL7_CODES.BAD_HEX_ESCAPE, message: 'a \\X..\\ escape holds bytes that are not UTF-8' });
      return undefined;
    }
    return bytes.toString('utf8');
  }
  if (charset === 'ASCII' && bytes.some((b) => b > 0x7f)) {
    issues?.push({ code: HL7_CODES.BAD_HEX_ESCAPE, message: 'a \\X..\\ escape holds bytes outside ASCII (MSH-18)' });
    return undefined;
  }
  return bytes.toString('latin1');
}

function decodeFormatting(command: string): string | undefined {
  const m = /^(br|sp|ce|sk|fi|nf|in|ti)(?:\s*([+-]?\d{1,6}))?$/.exec(command);
  if (!m) return undefined;
  const n = m[2] === undefined ? undefined : Number(m[2]);
  switch (m[1]) {
    case 'br':
      return n === undefined ? '\n' : undefined;
    case 'ce':
      return n === undefined ? '\n' : undefined;
    case 'sp':
      return '\n'.repeat(Math.min(MAX_REPEAT, Math.max(1, n ?? 1)));
    case 'sk':
      return ' '.repeat(Math.min(MAX_REPEAT, Math.max(0, n ?? 1)));
    default:
      // .fi .nf .in ±n .ti ±n: layout only
      return '';
  }
}

/**
 * Escapes one leaf value for writing: the escape character and every delimiter, a new line as \.br\, any other
 * control character (but TAB) as \Xhh\, so that parsing gives back exactly `text`.
 */
export function escapeEr7(text: string, d: Er7Delimiters): string {
  let out: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = text.charCodeAt(i);
    let rep: string | undefined;
    if (c === d.escape) rep = 'E';
    else if (c === d.field) rep = 'F';
    else if (c === d.component) rep = 'S';
    else if (c === d.subComponent) rep = 'T';
    else if (c === d.repetition) rep = 'R';
    else if (c === d.truncation) rep = 'P';
    else if (c === '\n') rep = '.br';
    else if ((code < 0x20 && code !== 0x09) || code === 0x7f) rep = `X${code.toString(16).toUpperCase().padStart(2, '0')}`;
    if (rep === undefined) continue;
    out = (out ?? '') + text.slice(start, i) + d.escape + rep + d.escape;
    start = i + 1;
  }
  return out === undefined ? text : out + text.slice(start);
}
