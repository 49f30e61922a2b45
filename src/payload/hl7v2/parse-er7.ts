/**
 * A strict ER7 parser: the bytes of one HL7 v2 message to its structure (see er7-types.ts).
 *
 * - Delimiters come from MSH-1 and MSH-2, whatever they are (distinct, printable, not letters or digits).
 * - Segments end in CR, LF or CRLF (the wire uses CR; files often LF).
 * - The bytes are decoded in the MSH-18 character set: ASCII by default, 8859/1, UNICODE UTF-8. A string is taken
 *   as already decoded (MSH-18 then only says how \X..\ escapes decode).
 * - Every leaf is unescaped (escape.ts); what cannot be is a problem at its HL7 path.
 *
 * `readEr7` gives the structure (when the delimiters allow one) and every problem found; `parseEr7` is the strict
 * Result: any problem fails, every problem listed. Neither throws on any input.
 */
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';
import { charsetOf, decodeEr7Text } from './er7-charset.ts';
import type { Er7Charset, Er7Component, Er7Delimiters, Er7Field, Er7Message, Er7Repetition, Er7Segment } from './er7-types.ts';
import { unescapeEr7, type EscapeIssue } from './escape.ts';
import { formatHl7Path, HL7_CODES, hl7Problem } from './hl7-problem.ts';

export interface Er7Reading {
  /** undefined when the bytes do not start with a usable MSH */
  message: Er7Message | undefined;
  /** the MSH-18 character set the text was decoded with */
  charset: Er7Charset;
  problems: Problem[];
}

export interface ParseEr7Options {
  /** false: fail only when there is no structure at all (no MSH, unusable delimiters). Default true. */
  strict?: boolean;
}

const NOTHING: readonly never[] = Object.freeze([]);
const MAX_QUOTED = 40;

export function parseEr7(input: Uint8Array | string, options: ParseEr7Options = {}): Result<Er7Message> {
  const reading = readEr7(input);
  if (!reading.message || ((options.strict ?? true) && reading.problems.length > 0)) return fail(...reading.problems);
  return ok(reading.message);
}

export function readEr7(input: Uint8Array | string): Er7Reading {
  const problems: Problem[] = [];
  let bytes: Buffer | undefined;
  let head: string;
  if (typeof input === 'string') {
    if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    head = firstLine(input);
  } else {
    bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    head = firstLine(bytes.toString('latin1', 0, firstLineEnd(bytes)));
  }

  if (!head.startsWith('MSH')) {
    problems.push(hl7Problem(HL7_CODES.NO_MSH, 'MSH', 'an HL7 v2 message starts with an MSH segment (batches are not supported)'));
    return { message: undefined, charset: 'ASCII', problems };
  }
  const delimiters = readDelimiters(head, problems);
  if (!delimiters) return { message: undefined, charset: 'ASCII', problems };

  // MSH-18, read from the header line before decoding the rest: split index 17 is MSH-18 (MSH-1 is the separator)
  const msh18 = (head.split(delimiters.field)[17] ?? '').split(delimiters.repetition)[0]!.split(delimiters.component)[0]!;
  let charset = charsetOf(msh18);
  if (charset === undefined) {
    const shown = msh18.length <= MAX_QUOTED ? ` '${msh18}'` : '';
    problems.push(hl7Problem(HL7_CODES.UNSUPPORTED_CHARSET, 'MSH-18', `character set${shown} is not supported (ASCII, 8859/1, UNICODE UTF-8)`));
    charset = '8859/1';
  }

  let text: string;
  let checkCharacters = false;
  if (bytes) {
    const decoded = decodeEr7Text(bytes, charset);
    text = decoded.text;
    checkCharacters = !decoded.valid;
  } else {
    text = input as string;
  }

  let lines: string[];
  if (text.indexOf('\n') < 0) lines = text.split('\r');
  else if (text.indexOf('\r') < 0) lines = text.split('\n');
  else lines = text.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  const ctx: FieldContext = { d: delimiters, charset, problems, issues: [], name: '', occurrence: 0, field: 0 };
  const segments: Er7Segment[] = [];
  // segments read so far, by name: the occurrence in a problem's path without counting them again for each problem
  const counts = new Map<string, number>();
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === '') {
      problems.push(hl7Problem(HL7_CODES.EMPTY_SEGMENT, `segment ${n + 1}`, 'an empty line between segments'));
      continue;
    }
    const name = line.slice(0, 3);
    if (!isSegmentId(line) || (line.length > 3 && line[3] !== delimiters.field)) {
      problems.push(hl7Problem(HL7_CODES.BAD_SEGMENT, `segment ${n + 1}`, 'a segment starts with a 3-character id (A-Z, 0-9) followed by the field separator'));
      continue;
    }
    if (name === 'MSH' && segments.length > 0) {
      problems.push(hl7Problem(HL7_CODES.UNEXPECTED_MSH, `segment ${n + 1}`, 'a second MSH: one message per payload'));
      continue;
    }
    const parts = line.split(delimiters.field);
    const fields: Er7Field[] = [NOTHING];
    ctx.name = name;
    ctx.occurrence = (counts.get(name) ?? 0) + 1;
    let first = 1;
    if (name === 'MSH') {
      // MSH-1 is the field separator itself, MSH-2 the encoding characters, both as written
      fields.push([[[delimiters.field]]]);
      fields.push(parts[1] ? [[[parts[1]]]] : NOTHING);
      first = 2;
    }
    for (let i = first; i < parts.length; i++) {
      const raw = parts[i]!;
      ctx.field = fields.length;
      if (checkCharacters) checkFieldCharacters(raw, ctx);
      fields.push(raw === '' ? NOTHING : parseField(raw, ctx));
    }
    while (fields.length > 1 && fields[fields.length - 1]!.length === 0) fields.pop();
    segments.push({ name, fields });
    counts.set(name, ctx.occurrence);
  }
  return { message: { delimiters, segments }, charset, problems };
}

/** Three characters A-Z then A-Z or 0-9 twice (a segment id), at the start of `line`. */
function isSegmentId(line: string): boolean {
  if (line.length < 3) return false;
  const a = line.charCodeAt(0);
  const b = line.charCodeAt(1);
  const c = line.charCodeAt(2);
  const alnum = (x: number) => (x >= 65 && x <= 90) || (x >= 48 && x <= 57);
  return a >= 65 && a <= 90 && alnum(b) && alnum(c);
}

function firstLineEnd(bytes: Buffer): number {
  const cr = bytes.indexOf(0x0d);
  const lf = bytes.indexOf(0x0a);
  if (cr < 0) return lf < 0 ? bytes.length : lf;
  return lf < 0 ? cr : Math.min(cr, lf);
}

function firstLine(text: string): string {
  const cr = text.indexOf('\r');
  const lf = text.indexOf('\n');
  const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
  return end < 0 ? text : text.slice(0, end);
}

function isDelimiterChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !/[A-Za-z0-9]/.test(c);
}

function readDelimiters(head: string, problems: Problem[]): Er7Delimiters | undefined {
  const field = head.charAt(3);
  if (!isDelimiterChar(field)) {
    problems.push(hl7Problem(HL7_CODES.BAD_DELIMITERS, 'MSH-1', 'the field separator must be a printable character, not a letter or digit'));
    return undefined;
  }
  const endOfMsh2 = head.indexOf(field, 4);
  const enc = head.slice(4, endOfMsh2 < 0 ? head.length : endOfMsh2);
  const chars = [...enc];
  if (chars.length < 4 || chars.length > 5) {
    problems.push(hl7Problem(HL7_CODES.BAD_DELIMITERS, 'MSH-2', 'the encoding characters are 4 (or, from v2.7, 5) characters'));
    return undefined;
  }
  const all = [field, ...chars];
  if (!chars.every(isDelimiterChar) || new Set(all).size !== all.length) {
    problems.push(hl7Problem(HL7_CODES.BAD_DELIMITERS, 'MSH-2', 'the delimiters must be distinct printable characters, not letters or digits'));
    return undefined;
  }
  const [component, repetition, escape, subComponent, truncation] = chars as [string, string, string, string, string | undefined];
  return truncation === undefined ? { field, component, repetition, escape, subComponent } : { field, component, repetition, escape, subComponent, truncation };
}

interface FieldContext {
  d: Er7Delimiters;
  charset: Er7Charset;
  problems: Problem[];
  issues: EscapeIssue[];
  name: string;
  /** 1-based occurrence of the segment being read among those of its name */
  occurrence: number;
  field: number;
}

function checkFieldCharacters(raw: string, ctx: FieldContext): void {
  const bad = ctx.charset === 'UNICODE UTF-8' ? raw.includes('\uFFFD') : ctx.charset === 'ASCII' && /[^\x00-\x7f]/.test(raw);
  if (bad) {
    ctx.problems.push(hl7Problem(HL7_CODES.INVALID_CHARACTER, formatHl7Path(ctx.name, ctx.occurrence, ctx.field), `bytes that are not valid ${ctx.charset} (MSH-18)`));
  }
}

/** `comp`, `sub`: undefined when the value has no such division (the path then stops before it). */
function leaf(raw: string, ctx: FieldContext, rep: number, comp: number | undefined, sub: number | undefined): string {
  if (raw.indexOf(ctx.d.escape) < 0) return raw;
  const value = unescapeEr7(raw, ctx.d, ctx.charset, ctx.issues);
  if (ctx.issues.length > 0) {
    const path = formatHl7Path(ctx.name, ctx.occurrence, ctx.field, rep, comp, sub);
    for (const issue of ctx.issues) ctx.problems.push(hl7Problem(issue.code, path, issue.message));
    ctx.issues.length = 0;
  }
  return value;
}

function parseComponent(raw: string, ctx: FieldContext, rep: number, comp: number | undefined): Er7Component {
  if (raw === '') return NOTHING;
  if (raw.indexOf(ctx.d.subComponent) < 0) return [leaf(raw, ctx, rep, comp, undefined)];
  const parts = raw.split(ctx.d.subComponent);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  for (let i = 0; i < parts.length; i++) parts[i] = leaf(parts[i]!, ctx, rep, comp ?? 1, i + 1);
  return parts;
}

function parseRepetition(raw: string, ctx: FieldContext, rep: number): Er7Repetition {
  if (raw === '') return NOTHING;
  if (raw.indexOf(ctx.d.component) < 0) {
    const c = parseComponent(raw, ctx, rep, undefined);
    return c.length === 0 ? NOTHING : [c];
  }
  const parts = raw.split(ctx.d.component);
  const out: Er7Component[] = [];
  for (let i = 0; i < parts.length; i++) out.push(parseComponent(parts[i]!, ctx, rep, i + 1));
  while (out.length > 0 && out[out.length - 1]!.length === 0) out.pop();
  return out;
}

function parseField(raw: string, ctx: FieldContext): Er7Field {
  const d = ctx.d;
  if (raw.indexOf(d.repetition) < 0) {
    if (raw.indexOf(d.component) < 0 && raw.indexOf(d.subComponent) < 0 && raw.indexOf(d.escape) < 0) return [[[raw]]];
    const r = parseRepetition(raw, ctx, 1);
    return r.length === 0 ? NOTHING : [r];
  }
  const parts = raw.split(d.repetition);
  const out: Er7Repetition[] = [];
  for (let i = 0; i < parts.length; i++) out.push(parseRepetition(parts[i]!, ctx, i + 1));
  while (out.length > 0 && out[out.length - 1]!.length === 0) out.pop();
  return out;
}
