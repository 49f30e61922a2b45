/**
 * HL7 v2 dates and times (DT, DTM, the first component of TS): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ],
 * read to ISO 8601 with the precision the sender gave (`1958` stays `1958`, `19580817` is `1958-08-17`,
 * `20161018235959+0000` is `2016-10-18T23:59:59+00:00`), and written back.
 */

export type Hl7DatePrecision = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction';

export interface Hl7Date {
  /** ISO 8601 at the sender's precision: 1958, 1958-08, 1958-08-17, 2016-10-18T23, …T23:59, …T23:59:59, …T23:59:59.1234, with +hh:mm when given */
  iso: string;
  precision: Hl7DatePrecision;
  /** the UTC offset as ISO writes it (+01:00), when the value has one */
  offset?: string;
}

/** `reason` never repeats the value: the caller decides whether it may be quoted. */
export type Hl7DateResult = { ok: true; value: Hl7Date } | { ok: false; reason: string };

const HL7_DATE = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;
const PRECISIONS: Hl7DatePrecision[] = ['year', 'month', 'day', 'hour', 'minute', 'second', 'fraction'];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function parseHl7Date(text: string): Hl7DateResult {
  const m = HL7_DATE.exec(text);
  if (!m) return { ok: false, reason: 'not YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]' };
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  if (year === 0) return { ok: false, reason: 'year out of range' };
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return { ok: false, reason: 'month out of range' };
  if (d !== undefined && (Number(d) < 1 || Number(d) > daysInMonth(year, Number(mo)))) return { ok: false, reason: 'day out of range for its month' };
  if (h !== undefined && Number(h) > 23) return { ok: false, reason: 'hour out of range' };
  if (mi !== undefined && Number(mi) > 59) return { ok: false, reason: 'minute out of range' };
  if (s !== undefined && Number(s) > 59) return { ok: false, reason: 'second out of range' };
  let offset: string | undefined;
  if (zone !== undefined) {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 14 || zm > 59) return { ok: false, reason: 'UTC offset out of range' };
    offset = `${zone.slice(0, 3)}:${zone.slice(3, 5)}`;
  }
  const parts = [y, mo, d, h, mi, s, frac];
  const precision = PRECISIONS[parts.filter((p) => p !== undefined).length - 1]!;
  let iso = y!;
  if (mo !== undefined) iso += `-${mo}`;
  if (d !== undefined) iso += `-${d}`;
  if (h !== undefined) iso += `T${h}`;
  if (mi !== undefined) iso += `:${mi}`;
  if (s !== undefined) iso += `:${s}`;
  if (frac !== undefined) iso += `.${frac}`;
  if (offset !== undefined) iso += offset;
  return { ok: true, value: offset === undefined ? { iso, precision } : { iso, precision, offset } };
}

const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO 8601 date or date-time (any precision, Z or ±hh:mm) as an HL7 DTM: `2026-03-03T10:00:00+01:00` →
 * `20260303100000+0100`, `Z` → `+0000`; fractions beyond 4 digits are cut (HL7 keeps 4). Throws a RangeError for
 * anything else: callers pass values their own schema checked.
 */
export function formatHl7Date(iso: string): string {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new RangeError('not an ISO 8601 date or date-time');
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let out = y! + (mo ?? '') + (d ?? '') + (h ?? '') + (mi ?? '') + (s ?? '');
  if (frac !== undefined) out += `.${frac.slice(0, 4)}`;
  if (zone !== undefined) out += zone === 'Z' ? '+0000' : zone.replace(':', '');
  const check = parseHl7Date(out);
  if (!check.ok) throw new RangeError(`not a valid date: ${check.reason}`);
  return out;
}
