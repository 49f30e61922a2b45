/**
 * Field access by the standard's numbering: `getValue(message, 'PID-3[2].4.1')` is the first sub-component of
 * the 4th component of the 2nd repetition of PID-3 in the first PID; `OBX[2]-5` is OBX-5 of the second OBX.
 * Repetition, component and sub-component default to 1; MSH-1 is the field separator itself, MSH-2 the encoding
 * characters. Missing values are ''.
 */
import type { Er7Field, Er7Message, Er7Segment } from './er7-types.ts';

export interface Er7Path {
  segment: string;
  /** 1-based occurrence of the segment */
  occurrence: number;
  field: number;
  repetition: number;
  component: number;
  subComponent: number;
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?-(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?$/;

/** Throws a TypeError on a malformed path (a programming error, never data). */
export function parseEr7Path(path: string): Er7Path {
  const m = PATH.exec(path);
  const numbers = m ? [m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? 1 : Number(x))) : [];
  if (!m || numbers.some((x) => x < 1)) throw new TypeError(`not an HL7 path (SEG[n]-field[rep].component.sub): ${path}`);
  const [occurrence, field, repetition, component, subComponent] = numbers as [number, number, number, number, number];
  return { segment: m[1]!, occurrence, field, repetition, component, subComponent };
}

export function getSegments(message: Er7Message, name: string): Er7Segment[] {
  return message.segments.filter((s) => s.name === name);
}

/** The `occurrence`-th (1-based) segment named `name`. */
export function getSegment(message: Er7Message, name: string, occurrence = 1): Er7Segment | undefined {
  let n = 0;
  for (const s of message.segments) if (s.name === name && ++n === occurrence) return s;
  return undefined;
}

/** A field with all its repetitions (the repetition, component and sub-component of the path are ignored). */
export function getField(message: Er7Message, path: string): Er7Field {
  const p = parseEr7Path(path);
  const segment = getSegment(message, p.segment, p.occurrence);
  return segment ? fieldAt(segment, p.field) : [];
}

export function getValue(message: Er7Message, path: string): string {
  const p = parseEr7Path(path);
  const segment = getSegment(message, p.segment, p.occurrence);
  return segment ? valueAt(segment, p.field, p.repetition, p.component, p.subComponent) : '';
}

export function fieldAt(segment: Er7Segment, field: number): Er7Field {
  return segment.fields[field] ?? [];
}

/** One leaf of a segment, 1-based everywhere; '' when absent. */
export function valueAt(segment: Er7Segment, field: number, repetition = 1, component = 1, subComponent = 1): string {
  return segment.fields[field]?.[repetition - 1]?.[component - 1]?.[subComponent - 1] ?? '';
}
