/**
 * Constructors of ER7 values in their canonical shape (no trailing empties, empty = []), for builders and tests:
 * what they make is exactly what parsing the built bytes gives back.
 */
import { STANDARD_DELIMITERS, type Er7Component, type Er7Delimiters, type Er7Field, type Er7Message, type Er7Repetition, type Er7Segment } from './er7-types.ts';

/** A component given as a string, or as its sub-components; undefined or '' is empty. */
export type Er7ComponentInput = string | readonly (string | undefined)[] | undefined;

function trimTrailing<T>(items: T[], isEmpty: (t: T) => boolean): T[] {
  let last = items.length;
  while (last > 0 && isEmpty(items[last - 1]!)) last--;
  items.length = last;
  return items;
}

export function makeComponent(input: Er7ComponentInput): Er7Component {
  if (input === undefined) return [];
  const subs = typeof input === 'string' ? [input] : input.map((s) => s ?? '');
  return trimTrailing(subs, (s) => s === '');
}

/** One repetition from its components. */
export function makeRepetition(...components: Er7ComponentInput[]): Er7Repetition {
  return trimTrailing(components.map(makeComponent), (c) => c.length === 0);
}

/** A field of one repetition made of `components` (one string = a simple field). */
export function makeField(...components: Er7ComponentInput[]): Er7Field {
  const rep = makeRepetition(...components);
  return rep.length === 0 ? [] : [rep];
}

/** A repeating field. */
export function makeRepeatedField(repetitions: readonly Er7Repetition[]): Er7Field {
  return trimField(repetitions);
}

/** The canonical shape of any field value: trailing empties dropped at every level. */
export function trimField(field: Er7Field): Er7Field {
  const reps = field.map((rep) => trimTrailing(rep.map((c) => trimTrailing([...c], (s) => s === '')), (c) => c.length === 0));
  return trimTrailing(reps, (r) => r.length === 0);
}

/** A segment from its fields by number (`{ 3: makeField('x') }` is field 3); unset fields are empty. */
export function makeSegment(name: string, fields: Readonly<Record<number, Er7Field | undefined>>): Er7Segment {
  const numbers = Object.keys(fields).map(Number);
  const out: Er7Field[] = [[]];
  const max = numbers.length === 0 ? 0 : Math.max(...numbers);
  for (let n = 1; n <= max; n++) out.push(trimField(fields[n] ?? []));
  while (out.length > 1 && out[out.length - 1]!.length === 0) out.pop();
  return { name, fields: out };
}

/**
 * A message from its segments. The MSH given has its fields from 3 on; MSH-1 and MSH-2 are set from the
 * delimiters.
 */
export function makeMessage(segments: readonly Er7Segment[], delimiters: Er7Delimiters = STANDARD_DELIMITERS): Er7Message {
  const encoding = delimiters.component + delimiters.repetition + delimiters.escape + delimiters.subComponent + (delimiters.truncation ?? '');
  const fixed = segments.map((s) => {
    if (s.name !== 'MSH') return s;
    const fields: Er7Field[] = [[], [[[delimiters.field]]], [[[encoding]]], ...s.fields.slice(3)];
    return { name: 'MSH', fields };
  });
  return { delimiters, segments: fixed };
}
