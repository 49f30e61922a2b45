/**
 * An HL7 v2 message in its ER7 ("pipe and hat") form, parsed to the structure: segments, fields numbered as the
 * standard numbers them, repetitions, components, sub-components, every leaf unescaped.
 *
 * The shape is canonical: an empty value at any level is an empty array, and trailing empty fields, repetitions,
 * components and sub-components are never kept, so `a^b^^` and `a^b` are the same value, and build → parse gives
 * back exactly what was built.
 */

/** The five (v2.7+: six) delimiters, from MSH-1 and MSH-2. */
export interface Er7Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subComponent: string;
  /** v2.7 truncation character (the 5th character of MSH-2), when the message declares one */
  readonly truncation?: string;
}

/** Sub-components of one component (a component without sub-components is one string). */
export type Er7Component = readonly string[];
/** Components of one repetition. */
export type Er7Repetition = readonly Er7Component[];
/** Repetitions of one field. */
export type Er7Field = readonly Er7Repetition[];

export interface Er7Segment {
  /** Segment id: MSH, PID, OBX… */
  readonly name: string;
  /**
   * Fields by the standard's number: `fields[3]` is PID-3. `fields[0]` is always empty. In MSH, `fields[1]` is
   * the field separator and `fields[2]` the encoding characters, both as written (not split, not unescaped).
   */
  readonly fields: readonly Er7Field[];
}

export interface Er7Message {
  readonly delimiters: Er7Delimiters;
  readonly segments: readonly Er7Segment[];
}

/** The character sets of MSH-18 this parser decodes. */
export type Er7Charset = 'ASCII' | '8859/1' | 'UNICODE UTF-8';

/** Delimiters of almost every message: | ^ ~ \ & */
export const STANDARD_DELIMITERS: Er7Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subComponent: '&' };
