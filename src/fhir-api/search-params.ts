/**
 * The search parameters the FHIR API understands, read from the query (pure): references given as an identifier
 * (`system|value`, `:identifier` modifier) or as a practitioner's secure address (`mailto:…`), `_lastUpdated` with
 * the R4 prefixes, `_count` and `_offset`. Every problem is listed; an unknown parameter is one.
 */
import type { Problem } from '../errors/result.ts';

export type ReferenceValue = { kind: 'address'; address: string } | { kind: 'identifier'; system: string; value: string } | { kind: 'id'; type: string; id: string };

/** A secure address as a search value names it: one `@`, something on each side, no white space. */
const ADDRESS = /^[^@\s]+@[^@\s]+$/;

function addressValue(v: string): ReferenceValue | undefined {
  return ADDRESS.test(v) ? { kind: 'address', address: v } : undefined;
}

/** A reference search value: `mailto:a@b`, `a@b`, `urn:ietf:rfc:3986|mailto:a@b`, `system|value`, `Type/id`. */
export function parseReferenceValue(raw: string, identifierModifier: boolean): ReferenceValue | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  const bar = v.indexOf('|');
  if (bar >= 0) {
    // both halves are needed: the directory finds an identifier by its system and value
    const system = v.slice(0, bar).trim();
    const value = v.slice(bar + 1).trim();
    if (!system || !value) return undefined;
    if (system === 'urn:ietf:rfc:3986' && /^mailto:/i.test(value)) return addressValue(value.slice(7));
    return { kind: 'identifier', system, value };
  }
  if (/^mailto:/i.test(v)) return addressValue(v.slice(7));
  if (ADDRESS.test(v)) return { kind: 'address', address: v };
  if (!identifierModifier) {
    const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(v);
    if (m) return { kind: 'id', type: m[1]!, id: m[2]! };
  }
  return undefined;
}

export interface DateBound {
  after?: Date;
  before?: Date;
}

const DATE = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The instant range a date search value covers (its precision: a day covers the whole day, in UTC; a fraction of
 * a second its last digit). A date that does not exist (02-30, 24:00) or a zone beyond ±14:00 is no value:
 * Date.parse would move it to another day.
 */
function rangeOf(m: RegExpExecArray): { start: number; end: number } | undefined {
  const [, , y, mo, d, h, mi, s, frac, zone] = m;
  if (h !== undefined && zone === undefined) return undefined;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return undefined;
  if (d !== undefined && (Number(d) < 1 || Number(d) > daysInMonth(Number(y), Number(mo)))) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)) return undefined;
  if (zone !== undefined && zone !== 'Z' && (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)) > 14 * 60 || Number(zone.slice(4)) > 59)) return undefined;
  const iso = `${y}-${mo ?? '01'}-${d ?? '01'}T${h ?? '00'}:${mi ?? '00'}:${s ?? '00'}${frac ?? ''}${zone ?? 'Z'}`;
  const start = Date.parse(iso);
  if (Number.isNaN(start)) return undefined;
  const next = new Date(start);
  if (mo === undefined) next.setUTCFullYear(next.getUTCFullYear() + 1);
  else if (d === undefined) next.setUTCMonth(next.getUTCMonth() + 1);
  else if (h === undefined) next.setUTCDate(next.getUTCDate() + 1);
  else if (s === undefined) next.setUTCMinutes(next.getUTCMinutes() + 1);
  // .5 covers a tenth of a second, .25 a hundredth; from .123 on, the millisecond (an instant's resolution here)
  else next.setTime(start + (frac ? 10 ** Math.max(0, 4 - frac.length) : 1000));
  return { start, end: next.getTime() };
}

/** Narrows `bound` by one `_lastUpdated` value; false when it cannot be read. */
export function applyDateValue(bound: DateBound, raw: string): boolean {
  const m = DATE.exec(raw.trim());
  const range = m ? rangeOf(m) : undefined;
  if (!m || !range) return false;
  const prefix = m[1] ?? 'eq';
  const after = (t: number) => (bound.after = new Date(Math.max(bound.after?.getTime() ?? -Infinity, t)));
  const before = (t: number) => (bound.before = new Date(Math.min(bound.before?.getTime() ?? Infinity, t)));
  switch (prefix) {
    case 'eq':
      after(range.start);
      before(range.end);
      return true;
    case 'gt':
    case 'sa':
      after(range.end);
      return true;
    case 'ge':
      after(range.start);
      return true;
    case 'lt':
    case 'eb':
      before(range.start);
      return true;
    case 'le':
      before(range.end);
      return true;
    default:
      return false;
  }
}

export interface Paging {
  count: number;
  offset: number;
}

export function readPaging(params: URLSearchParams, defaults: { pageSize: number; maxPageSize: number }, problems: Problem[]): Paging {
  const int = (name: string, fallback: number) => {
    const v = params.get(name);
    if (v === null) return fallback;
    if (!/^\d{1,9}$/.test(v)) {
      problems.push({ code: 'FHIR_BAD_SEARCH', path: name, message: 'not a whole number' });
      return fallback;
    }
    return Number(v);
  };
  return { count: Math.min(int('_count', defaults.pageSize), defaults.maxPageSize), offset: int('_offset', 0) };
}

/** Parameters every search accepts besides its own (output format, paging). */
export const COMMON_SEARCH_PARAMS = ['_count', '_offset', '_format'];

/** The parameter names not in `known` (with their modifiers): each a FHIR_BAD_SEARCH problem. */
export function unknownParams(params: URLSearchParams, known: readonly string[], problems: Problem[]): void {
  for (const name of new Set(params.keys())) {
    if (!known.includes(name) && !COMMON_SEARCH_PARAMS.includes(name)) problems.push({ code: 'FHIR_BAD_SEARCH', path: name, message: 'not a search parameter of this resource here' });
  }
}
