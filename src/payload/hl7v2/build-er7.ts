/**
 * The ER7 bytes of a message: delimiters from the message (MSH-1/MSH-2 are written from them), every leaf
 * escaped (escape.ts: delimiters, the escape character, new lines, control characters), no trailing empty
 * separator at any level, segments ended by CR (the wire form) unless asked otherwise, encoded in the MSH-18
 * character set. Parsing the result gives back the same values.
 */
import { charsetOf, encodeEr7Text } from './er7-charset.ts';
import type { Er7Delimiters, Er7Field, Er7Message, Er7Segment } from './er7-types.ts';
import { escapeEr7 } from './escape.ts';

export interface BuildEr7Options {
  /** '\r' (default, as on the wire), '\n' or '\r\n' */
  segmentTerminator?: '\r' | '\n' | '\r\n';
}

/** Throws a RangeError when MSH-18 names a character set this builder cannot write, or a value does not fit it. */
export function buildEr7(message: Er7Message, options: BuildEr7Options = {}): Buffer {
  const msh18 = message.segments[0]?.name === 'MSH' ? (message.segments[0].fields[18]?.[0]?.[0]?.[0] ?? '') : '';
  const charset = charsetOf(msh18);
  if (charset === undefined) throw new RangeError('MSH-18 names a character set this builder cannot write');
  return encodeEr7Text(buildEr7Text(message, options), charset);
}

/** The ER7 text, before encoding. */
export function buildEr7Text(message: Er7Message, options: BuildEr7Options = {}): string {
  const end = options.segmentTerminator ?? '\r';
  let out = '';
  for (const segment of message.segments) out += writeSegment(segment, message.delimiters) + end;
  return out;
}

function encodingCharacters(d: Er7Delimiters): string {
  return d.component + d.repetition + d.escape + d.subComponent + (d.truncation ?? '');
}

function writeSegment(segment: Er7Segment, d: Er7Delimiters): string {
  const isMsh = segment.name === 'MSH';
  const written: string[] = [];
  for (let n = isMsh ? 3 : 1; n < segment.fields.length; n++) written.push(writeField(segment.fields[n]!, d));
  trimEmpty(written);
  const head = isMsh ? `MSH${d.field}${encodingCharacters(d)}` : segment.name;
  return written.length === 0 ? head : head + d.field + written.join(d.field);
}

function trimEmpty(parts: string[]): void {
  let last = parts.length;
  while (last > 0 && parts[last - 1] === '') last--;
  parts.length = last;
}

function writeField(field: Er7Field, d: Er7Delimiters): string {
  const reps: string[] = [];
  for (const rep of field) {
    const comps: string[] = [];
    for (const comp of rep) {
      const subs = comp.map((s) => escapeEr7(s, d));
      trimEmpty(subs);
      comps.push(subs.join(d.subComponent));
    }
    trimEmpty(comps);
    reps.push(comps.join(d.component));
  }
  trimEmpty(reps);
  return reps.join(d.repetition);
}
