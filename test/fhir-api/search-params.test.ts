import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/errors/result.ts';
import { applyDateValue, COMMON_SEARCH_PARAMS, parseReferenceValue, readPaging, unknownParams, type DateBound } from '../../src/fhir-api/search-params.ts';

const RPPS = 'urn:oid:1.2.250.1.71.4.2.1';

describe('parseReferenceValue', () => {
  it.each([
    ['mailto:dr.martin@hopital-a.test', { kind: 'address', address: 'dr.martin@hopital-a.test' }],
    ['MAILTO:Dr.Martin@Hopital-A.test', { kind: 'address', address: 'Dr.Martin@Hopital-A.test' }],
    ['dr.martin@hopital-a.test', { kind: 'address', address: 'dr.martin@hopital-a.test' }],
    ['  dr.martin@hopital-a.test \t', { kind: 'address', address: 'dr.martin@hopital-a.test' }],
    ['urn:ietf:rfc:3986|mailto:dr.martin@hopital-a.test', { kind: 'address', address: 'dr.martin@hopital-a.test' }],
    ['urn:ietf:rfc:3986|MailTo:dr.martin@hopital-a.test', { kind: 'address', address: 'dr.martin@hopital-a.test' }],
    [`${RPPS}|810001234567`, { kind: 'identifier', system: RPPS, value: '810001234567' }],
    ['https://example.org/ids|A|B', { kind: 'identifier', system: 'https://example.org/ids', value: 'A|B' }],
    ['urn:ietf:rfc:3986|urn:oid:1.2.3', { kind: 'identifier', system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3' }],
    ['Practitioner/123', { kind: 'id', type: 'Practitioner', id: '123' }],
    ['PractitionerRole/pr-1.a', { kind: 'id', type: 'PractitionerRole', id: 'pr-1.a' }],
  ])('%j is %j', (raw, expected) => {
    expect(parseReferenceValue(raw, false)).toEqual(expected);
  });

  it.each([
    ['an identifier', `${RPPS}|810001234567`, { kind: 'identifier', system: RPPS, value: '810001234567' }],
    ['a mailto: address', 'mailto:dr.martin@hopital-a.test', { kind: 'address', address: 'dr.martin@hopital-a.test' }],
    ['an address as an identifier', 'urn:ietf:rfc:3986|mailto:dr.martin@hopital-a.test', { kind: 'address', address: 'dr.martin@hopital-a.test' }],
    ['a Type/id (not an identifier)', 'Practitioner/123', undefined],
  ])('with the :identifier modifier, %s: %j', (_name, raw, expected) => {
    expect(parseReferenceValue(raw, true)).toEqual(expected);
  });

  it.each([
    ['empty', ''],
    ['white space', '  \t '],
    ['a word', 'garbage'],
    ['mailto: and nothing', 'mailto:'],
    ['mailto: and no address', 'mailto:garbage'],
    ['mailto: and a space', 'mailto: dr.martin@hopital-a.test x'],
    ['the URI system and an empty mailto:', 'urn:ietf:rfc:3986|mailto:'],
    ['the URI system and a mailto: without an address', 'urn:ietf:rfc:3986|mailto:nobody'],
    ['a system and no value', `${RPPS}|`],
    ['a system and a blank value', `${RPPS}|   `],
    ['a value and no system', '|810001234567'],
    ['an address behind a bar', '|dr.martin@hopital-a.test'],
    ['a bar alone', '|'],
    ['two @', 'a@b@c'],
    ['an address with a space', 'dr martin@hopital-a.test'],
    ['a type in lower case', 'practitioner/123'],
    ['a type without id', 'Practitioner/'],
    ['an id too long', `Practitioner/${'x'.repeat(65)}`],
    ['an id with a space', 'Practitioner/1 2'],
    ['an absolute URL', 'https://fhir.example.org/Practitioner/123'],
  ])('%s (%j) is no value', (_name, raw) => {
    expect(parseReferenceValue(raw, false)).toBeUndefined();
    expect(parseReferenceValue(raw, true)).toBeUndefined();
  });

  it('never throws, and what it gives is one of the three kinds, well formed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^(mailto:|urn:ietf:rfc:3986\|)?[\w.|@/ -]{0,20}$/)), fc.boolean(), (raw, modifier) => {
        const v = parseReferenceValue(raw, modifier);
        if (v === undefined) return;
        if (v.kind === 'address') expect(v.address).toMatch(/^[^@\s]+@[^@\s]+$/);
        else if (v.kind === 'identifier') {
          expect(v.system.trim()).toBe(v.system);
          expect(v.system).not.toBe('');
          expect(v.value.trim()).toBe(v.value);
          expect(v.value).not.toBe('');
        } else {
          expect(modifier).toBe(false);
          expect(`${v.type}/${v.id}`).toBe(raw.trim());
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back any address (without a bar, which separates a system from its value), as mailto:, bare or as a URI identifier', () => {
    fc.assert(
      fc.property(fc.emailAddress().filter((a) => !a.includes('|')), fc.boolean(), (address, modifier) => {
        for (const raw of [`mailto:${address}`, address, `urn:ietf:rfc:3986|mailto:${address}`]) expect(parseReferenceValue(raw, modifier)).toEqual({ kind: 'address', address });
      }),
    );
  });

  it('reads back any system|value (the system without a bar, both without surrounding white space)', () => {
    const part = fc.string({ minLength: 1 }).filter((s) => s.trim() === s && s !== '');
    fc.assert(
      fc.property(
        part.filter((s) => !s.includes('|') && s !== 'urn:ietf:rfc:3986'),
        part,
        fc.boolean(),
        (system, value, modifier) => {
          expect(parseReferenceValue(`${system}|${value}`, modifier)).toEqual({ kind: 'identifier', system, value });
        },
      ),
    );
  });
});

describe('applyDateValue: the prefixes', () => {
  const DAY = new Date('2026-01-15T00:00:00Z');
  const NEXT = new Date('2026-01-16T00:00:00Z');

  it.each([
    ['eq', { after: DAY, before: NEXT }],
    ['', { after: DAY, before: NEXT }],
    ['gt', { after: NEXT }],
    ['sa', { after: NEXT }],
    ['ge', { after: DAY }],
    ['lt', { before: DAY }],
    ['eb', { before: DAY }],
    ['le', { before: NEXT }],
  ])('%j2026-01-15 bounds the instants to %j (after inclusive, before exclusive)', (prefix, expected) => {
    const bound: DateBound = {};
    expect(applyDateValue(bound, `${prefix}2026-01-15`)).toBe(true);
    expect(bound).toEqual(expected);
  });

  it.each(['ne', 'ap'])('%s is not offered: false, the bound untouched', (prefix) => {
    const bound: DateBound = { after: DAY };
    expect(applyDateValue(bound, `${prefix}2026-01-15`)).toBe(false);
    expect(bound).toEqual({ after: DAY });
  });
});

describe('applyDateValue: the precisions (eq covers the whole of what the value says)', () => {
  it.each([
    ['2026', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-02', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-01-15', '2026-01-15T00:00:00.000Z', '2026-01-16T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2026-01-31', '2026-01-31T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ['2026-01-15T10:30Z', '2026-01-15T10:30:00.000Z', '2026-01-15T10:31:00.000Z'],
    ['2026-01-15T10:30+01:00', '2026-01-15T09:30:00.000Z', '2026-01-15T09:31:00.000Z'],
    ['2026-01-15T10:30:15Z', '2026-01-15T10:30:15.000Z', '2026-01-15T10:30:16.000Z'],
    ['2026-01-15T10:30:15-03:00', '2026-01-15T13:30:15.000Z', '2026-01-15T13:30:16.000Z'],
    ['2026-01-15T23:59:59+14:00', '2026-01-15T09:59:59.000Z', '2026-01-15T10:00:00.000Z'],
    ['2026-01-15T10:30:15.5Z', '2026-01-15T10:30:15.500Z', '2026-01-15T10:30:15.600Z'],
    ['2026-01-15T10:30:15.25Z', '2026-01-15T10:30:15.250Z', '2026-01-15T10:30:15.260Z'],
    ['2026-01-15T10:30:15.123Z', '2026-01-15T10:30:15.123Z', '2026-01-15T10:30:15.124Z'],
    ['2026-01-15T10:30:15.123456Z', '2026-01-15T10:30:15.123Z', '2026-01-15T10:30:15.124Z'],
    [' 2026-01-15 ', '2026-01-15T00:00:00.000Z', '2026-01-16T00:00:00.000Z'],
  ])('%j covers [%s, %s)', (raw, after, before) => {
    const bound: DateBound = {};
    expect(applyDateValue(bound, raw)).toBe(true);
    expect({ after: bound.after?.toISOString(), before: bound.before?.toISOString() }).toEqual({ after, before });
  });

  it.each([
    ['a time without its zone (minutes)', '2026-01-15T10:30'],
    ['a time without its zone (seconds)', 'ge2026-01-15T10:30:15'],
    ['a time without its zone (fraction)', 'le2026-01-15T10:30:15.5'],
    ['an hour alone', '2026-01-15T10Z'],
    ['30 February', '2026-02-30'],
    ['29 February of a common year', '2025-02-29'],
    ['31 April', 'eq2026-04-31'],
    ['month 13', '2026-13'],
    ['month 0', '2026-00'],
    ['day 0', '2026-01-00'],
    ['24:00', '2026-01-15T24:00:00Z'],
    ['minute 60', '2026-01-15T10:60Z'],
    ['second 60', '2026-01-15T10:30:60Z'],
    ['a zone beyond +14:00', '2026-01-15T10:30:00+15:00'],
    ['a zone of 60 minutes', '2026-01-15T10:30:00+01:60'],
    ['a + read as a space from the query string', 'ge2026-01-15T10:30:00 01:00'],
    ['a space for the T', '2026-01-15 10:30Z'],
    ['a two-digit year', '26-01-15'],
    ['one-digit month and day', '2026-1-5'],
    ['a prefix in capitals', 'GE2026-01-15'],
    ['a prefix alone', 'ge'],
    ['empty', ''],
    ['a word', 'yesterday'],
  ])('%s (%j) is not read: false, the bound untouched', (_name, raw) => {
    const before = new Date('2027-01-01T00:00:00Z');
    const bound: DateBound = { before };
    expect(applyDateValue(bound, raw)).toBe(false);
    expect(bound).toEqual({ before });
  });
});

describe('applyDateValue: several values', () => {
  function bounds(...values: string[]) {
    const bound: DateBound = {};
    for (const v of values) expect(applyDateValue(bound, v)).toBe(true);
    return { after: bound.after?.toISOString(), before: bound.before?.toISOString() };
  }

  it.each([
    [['ge2026-01-01', 'lt2026-02-01'], '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    [['lt2026-02-01', 'ge2026-01-01'], '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    [['ge2026-01-01', 'ge2026-01-10', 'gt2026-01-05'], '2026-01-10T00:00:00.000Z', undefined],
    [['le2026-03-01', 'lt2026-02-01', 'le2026-02-10'], undefined, '2026-02-01T00:00:00.000Z'],
    [['2026-01', 'gt2026-01-14'], '2026-01-15T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    [['2026', '2026-06'], '2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
  ])('%j: the latest start and the earliest end, [%s, %s)', (values, after, before) => {
    expect(bounds(...values)).toEqual({ after, before });
  });

  it('values that exclude each other leave a bound that nothing meets', () => {
    const b = bounds('lt2026-01-01', 'gt2026-02-01');
    expect(Date.parse(b.after!)).toBeGreaterThan(Date.parse(b.before!));
  });
});

describe('applyDateValue: properties', () => {
  // instants whose year stays four digits in any zone
  const instant = fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(9998, 11, 31) });
  const offset = fc.integer({ min: -14 * 4, max: 14 * 4 }).map((q) => q * 15);

  /** t written in the zone `offsetMin` minutes east of UTC, down to the second (or shorter precisions). */
  function written(t: number, offsetMin: number, precision: 'year' | 'month' | 'day' | 'minute' | 'second' | 'millisecond'): string {
    const local = new Date(t + offsetMin * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ, the wall clock of that zone
    const sign = offsetMin < 0 ? '-' : '+';
    const a = Math.abs(offsetMin);
    const zone = offsetMin === 0 ? 'Z' : `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
    switch (precision) {
      case 'year':
        return local.slice(0, 4);
      case 'month':
        return local.slice(0, 7);
      case 'day':
        return local.slice(0, 10);
      case 'minute':
        return `${local.slice(0, 16)}${zone}`;
      case 'second':
        return `${local.slice(0, 19)}${zone}`;
      case 'millisecond':
        return `${local.slice(0, 23)}${zone}`;
    }
  }

  it('ge and le at second precision, in any zone, take in the whole of t’s own second', () => {
    fc.assert(
      fc.property(instant, offset, (t, off) => {
        const second = Math.floor(t / 1000) * 1000;
        const ge: DateBound = {};
        const le: DateBound = {};
        expect(applyDateValue(ge, `ge${written(t, off, 'second')}`)).toBe(true);
        expect(applyDateValue(le, `le${written(t, off, 'second')}`)).toBe(true);
        expect(ge).toEqual({ after: new Date(second) });
        expect(le).toEqual({ before: new Date(second + 1000) });
        expect(ge.after!.getTime()).toBeLessThanOrEqual(t);
        expect(le.before!.getTime()).toBeGreaterThan(t);
      }),
      { numRuns: 500 },
    );
  });

  it('at every precision, eq, ge and le hold t, and gt and lt leave it out', () => {
    const precision = fc.constantFrom('year', 'month', 'day', 'minute', 'second', 'millisecond' as const);
    fc.assert(
      fc.property(instant, offset, precision, (t, off, p) => {
        // dates without a time are days in UTC
        const value = written(t, ['year', 'month', 'day'].includes(p) ? 0 : off, p);
        const holds = (prefix: string) => {
          const b: DateBound = {};
          expect(applyDateValue(b, `${prefix}${value}`)).toBe(true);
          return (b.after === undefined || b.after.getTime() <= t) && (b.before === undefined || t < b.before.getTime());
        };
        expect([holds('eq'), holds('ge'), holds('le'), holds('gt'), holds('lt')]).toEqual([true, true, true, false, false]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, and leaves the bound untouched when it says false', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^(eq|ne|gt|lt|ge|le|sa|eb|ap)?\d{4}(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,4})?)?([+-]\d\d:\d\d|Z)?)?)?)?$/)), (raw) => {
        const bound: DateBound = {};
        const read = applyDateValue(bound, raw);
        if (!read) expect(bound).toEqual({});
        else {
          expect(bound.after !== undefined || bound.before !== undefined).toBe(true);
          for (const d of [bound.after, bound.before]) if (d) expect(Number.isNaN(d.getTime())).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('readPaging', () => {
  const DEFAULTS = { pageSize: 20, maxPageSize: 100 };
  function paging(query: string, defaults = DEFAULTS) {
    const problems: Problem[] = [];
    const got = readPaging(new URLSearchParams(query), defaults, problems);
    return { ...got, problems: problems.map((p) => [p.code, p.path]) };
  }

  it.each([
    ['', { count: 20, offset: 0, problems: [] }],
    ['_count=5', { count: 5, offset: 0, problems: [] }],
    ['_count=5&_offset=10', { count: 5, offset: 10, problems: [] }],
    ['_offset=40', { count: 20, offset: 40, problems: [] }],
    ['_count=0', { count: 0, offset: 0, problems: [] }],
    ['_count=100', { count: 100, offset: 0, problems: [] }],
    ['_count=101', { count: 100, offset: 0, problems: [] }],
    ['_count=999999999', { count: 100, offset: 0, problems: [] }],
    ['_count=007', { count: 7, offset: 0, problems: [] }],
    ['_count=5&_count=7', { count: 5, offset: 0, problems: [] }],
  ])('%j: %j', (query, expected) => {
    expect(paging(query)).toEqual(expected);
  });

  it('clamps the default page size too when it is above the most', () => {
    expect(paging('', { pageSize: 200, maxPageSize: 50 })).toEqual({ count: 50, offset: 0, problems: [] });
  });

  it.each(['abc', '-1', '1.5', '1e3', '0x10', ' 5', '', '+5', '1234567890'])('_count=%j is not a whole number: FHIR_BAD_SEARCH at _count, the default kept', (v) => {
    expect(paging(`_count=${encodeURIComponent(v)}`)).toEqual({ count: 20, offset: 0, problems: [['FHIR_BAD_SEARCH', '_count']] });
  });

  it('lists a problem for each parameter that is not a number', () => {
    expect(paging('_count=x&_offset=-3')).toEqual({ count: 20, offset: 0, problems: [['FHIR_BAD_SEARCH', '_count'], ['FHIR_BAD_SEARCH', '_offset']] });
  });
});

describe('unknownParams', () => {
  const KNOWN = ['requester', 'requester:identifier', 'status'];
  function unknown(query: string, existing: Problem[] = []) {
    const problems = [...existing];
    unknownParams(new URLSearchParams(query), KNOWN, problems);
    return problems;
  }

  it('knows the common parameters', () => {
    expect(COMMON_SEARCH_PARAMS).toEqual(['_count', '_offset', '_format']);
  });

  it('says nothing of the known and the common parameters', () => {
    expect(unknown('requester=a@b&requester:identifier=s|v&status=completed&_count=1&_offset=2&_format=json')).toEqual([]);
  });

  it('names each unknown parameter once, with its modifier, after the problems already found', () => {
    const earlier: Problem = { code: 'FHIR_BAD_SEARCH', path: '_count', message: 'not a whole number' };
    const problems = unknown('foo=1&status=x&owner:missing=y&foo=2&_sort=date&requester:exact=z', [earlier]);
    expect(problems[0]).toBe(earlier);
    expect(problems.slice(1).map((p) => [p.code, p.path])).toEqual([
      ['FHIR_BAD_SEARCH', 'foo'],
      ['FHIR_BAD_SEARCH', 'owner:missing'],
      ['FHIR_BAD_SEARCH', '_sort'],
      ['FHIR_BAD_SEARCH', 'requester:exact'],
    ]);
  });

  it('never repeats a value in its messages', () => {
    const problems = unknown('secret=174127512345645');
    expect(JSON.stringify(problems)).not.toContain('174127512345645');
  });
});
