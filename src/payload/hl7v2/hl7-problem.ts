/**
 * Problems found in HL7 v2 payloads: a stable HL7_* code, the HL7 path as the standard numbers it
 * (`PID-3[2].4.1`, `OBX[2]-5`), and a message. Messages never quote patient names or identifiers; a bad value is
 * quoted only where it identifies no one (a code, a message date).
 */
import type { Problem, Result } from '../../errors/result.ts';

export const HL7_CODES = {
  /** The bytes do not start with an MSH segment (batches FHS/BHS are not supported). */
  NO_MSH: 'HL7_NO_MSH',
  /** MSH-1/MSH-2 do not give five distinct, non-alphanumeric delimiters. */
  BAD_DELIMITERS: 'HL7_BAD_DELIMITERS',
  /** A segment whose id is not three upper-case letters or digits, or not followed by the field separator. */
  BAD_SEGMENT: 'HL7_BAD_SEGMENT',
  /** An empty line between segments. */
  EMPTY_SEGMENT: 'HL7_EMPTY_SEGMENT',
  /** A second MSH (one message per payload). */
  UNEXPECTED_MSH: 'HL7_UNEXPECTED_MSH',
  /** MSH-18 names a character set this parser does not decode. */
  UNSUPPORTED_CHARSET: 'HL7_UNSUPPORTED_CHARSET',
  /** Bytes that are not valid in the declared character set. */
  INVALID_CHARACTER: 'HL7_INVALID_CHARACTER',
  /** An escape sequence this parser does not know (or a locally defined \Z..\ one). */
  UNKNOWN_ESCAPE: 'HL7_UNKNOWN_ESCAPE',
  /** \C..\ or \M..\ character set switching. */
  UNSUPPORTED_ESCAPE: 'HL7_UNSUPPORTED_ESCAPE',
  /** An escape character with no closing one. */
  UNTERMINATED_ESCAPE: 'HL7_UNTERMINATED_ESCAPE',
  /** \X..\ with an odd number of digits, a non-hex digit, or bytes invalid in the character set. */
  BAD_HEX_ESCAPE: 'HL7_BAD_HEX_ESCAPE',
  /** A date/time that is not YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ] or not a real date. */
  INVALID_DATE: 'HL7_INVALID_DATE',
  /** A date/time too imprecise for its use (a deadline needs at least a day). */
  IMPRECISE_DATE: 'HL7_IMPRECISE_DATE',
  /** A required segment is missing. */
  MISSING_SEGMENT: 'HL7_MISSING_SEGMENT',
  /** A required field or component is empty. */
  MISSING_FIELD: 'HL7_MISSING_FIELD',
  /** A value outside what the profile allows (an order control code, a coding system…). */
  UNEXPECTED_VALUE: 'HL7_UNEXPECTED_VALUE',
  /** A code not in the HL7 table the field uses. */
  UNKNOWN_CODE: 'HL7_UNKNOWN_CODE',
  /** Two fields that must agree do not (ORC-2 and OBR-2). */
  INCONSISTENT: 'HL7_INCONSISTENT',
  /** An identifier whose system has a known rule (NIR, CNS, RPPS…) and that breaks it. */
  INVALID_IDENTIFIER: 'HL7_INVALID_IDENTIFIER',
  /** MSH-9 is a message type this gateway does not take (or not the one expected). */
  UNSUPPORTED_MESSAGE: 'HL7_UNSUPPORTED_MESSAGE',
  /** The canonical request built from the message does not pass CanonicalRequestSchema. */
  INVALID_REQUEST: 'HL7_INVALID_REQUEST',
} as const;

export type Hl7Code = (typeof HL7_CODES)[keyof typeof HL7_CODES];

export function hl7Problem(code: Hl7Code, path: string, message: string): Problem {
  return { code, path, message };
}

/**
 * The HL7 path of a place in a message: `PID-3`, `PID-3[2].4.1`, `OBX[2]-5`. Occurrences and repetitions are
 * 1-based and written only when above 1; component and sub-component only when given.
 */
export function formatHl7Path(segment: string, occurrence: number, field?: number, repetition = 1, component?: number, subComponent?: number): string {
  let p = occurrence > 1 ? `${segment}[${occurrence}]` : segment;
  if (field === undefined) return p;
  p += `-${field}`;
  if (repetition > 1) p += `[${repetition}]`;
  if (component !== undefined) p += `.${component}`;
  if (component !== undefined && subComponent !== undefined) p += `.${subComponent}`;
  return p;
}

/** What a reader of a non-request message (a status, an appointment, a response) found: the value when one could be built, and every problem. */
export interface Hl7Reading<T> {
  value: T | undefined;
  problems: Problem[];
}

/** The strict Result of a reading: any problem fails. */
export function strictResult<T>(reading: Hl7Reading<T>): Result<T> {
  if (reading.value === undefined || reading.problems.length > 0) return { ok: false, problems: reading.problems };
  return { ok: true, value: reading.value };
}
