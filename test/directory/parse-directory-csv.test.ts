/**
 * The plain CSV import: named columns in any order, quoted fields, `;` lists; an empty cell keeps the stored value,
 * `-` clears a list; a malformed row is reported with its line number and skipped.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../src/directory/csv-records.ts';
import type { DirectoryEntry, ParsedDirectory } from '../../src/directory/directory-entry.ts';
import { parseDirectoryCsv } from '../../src/directory/parse-directory-csv.ts';
import { CSV_SAMPLE, PROFESSION, PS_NATIONAL, RPPS, SPECIALTY } from './directory-db.ts';

function parsed(text: string): ParsedDirectory {
  const r = parseDirectoryCsv(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

/** The one entry of a CSV of one data row. */
function one(header: string, line: string): DirectoryEntry {
  const p = parsed(`${header}\n${line}\n`);
  expect(p.problems).toEqual([]);
  expect(p.entries).toHaveLength(1);
  return p.entries[0]!.entry;
}

describe('parseDirectoryCsv: the sample', () => {
  const p = parsed(readFileSync(CSV_SAMPLE, 'utf8'));

  it('reads 14 rows into 11 entries and reports the 3 malformed ones with their line numbers', () => {
    expect(p.rows).toBe(14);
    expect(p.entries).toHaveLength(11);
    expect(p.problems.map((x) => [x.line, x.code])).toEqual([
      [13, 'CSV_VALUE'],
      [14, 'DIRECTORY_IDENTIFIER_INVALID'],
      [15, 'DIRECTORY_INVALID'],
    ]);
  });

  it('gives addresses, capacity, absences and memberships to a person known by RPPS, and nothing else', () => {
    const durand = p.entries[0]!;
    expect(durand.line).toBe(2);
    expect(durand.entry).toEqual({
      identifiers: [
        { system: RPPS, value: '10100000029', type: 'RPPS' },
        { system: PS_NATIONAL, value: '810100000029', type: 'IDNPS' },
      ],
      addresses: ['paul.durand@cardio.mssante.fr', 'cardio.durand@chu-b.test'],
      capacity: 2,
      absences: [{ firstDay: '2026-03-02', lastDay: '2026-03-06' }],
      programmes: ['fr-teleexpertise'],
    });
  });

  it('reads a quoted field holding a comma, a council and code systems', () => {
    const souza = p.entries.find((e) => e.entry.name?.family === 'Souza')!.entry;
    expect(souza.organization?.name).toBe('Hospital Regional, Unidade Centro (fictício)');
    expect(souza.council).toEqual({ name: 'CRM', number: '123456', state: 'MS' });
    expect(souza.name).toEqual({ family: 'Souza', given: ['Ana', 'Maria'], prefix: ['Dra'] });
    expect(souza.profession).toEqual({ system: 'http://www.saude.gov.br/fhir/r4/CodeSystem/BRCBO', code: '225120' });
  });

  it('reads the spokes a hub serves', () => {
    const hub = p.entries.find((e) => e.entry.name?.family === 'Nguyen')!.entry;
    expect(hub.hubFor?.map((i) => i.value)).toEqual(['SP-1', 'SP-2', 'SP-3', 'SP-4']);
  });
});

describe('parseDirectoryCsv: cells', () => {
  const H = 'identifiers,profession,specialties,capacity,active,absences,addresses,council,programmes';
  it.each<[string, string, Partial<DirectoryEntry>]>([
    ['a bare profession code is TRE_G15, a bare specialty TRE_R38', 'RPPS|10100000011,10,SM04;SM73,,,,,,', { profession: { system: PROFESSION, code: '10' }, specialties: [{ system: SPECIALTY, code: 'SM04' }, { system: SPECIALTY, code: 'SM73' }] }],
    ['a system given as a bare OID becomes urn:oid:', 'RPPS|10100000011,1.2.250.1.71.1.2.7|10,,,,,,,', { profession: { system: 'urn:oid:1.2.250.1.71.1.2.7', code: '10' } }],
    ['an empty cell keeps what is stored (nothing given)', 'RPPS|10100000011,,,,,,,,', {}],
    ['- clears a list and the capacity', 'RPPS|10100000011,,-,-,,-,-,,-', { specialties: [], capacity: null, absences: [], addresses: [], programmes: [] }],
    ['a single day is an absence of one day', 'RPPS|10100000011,,,,,2026-05-01,,,', { absences: [{ firstDay: '2026-05-01', lastDay: '2026-05-01' }] }],
    ['active takes yes/no, oui/non, 1/0', 'RPPS|10100000011,,,,non,,,,', { active: false }],
    ['a council without a state', 'RPPS|10100000011,,,,,,,CNOM|12345,', { council: { name: 'CNOM', number: '12345' } }],
    ['an entry may be known by its address alone', ',,,3,,,a@b.test,,', { identifiers: [], capacity: 3, addresses: ['a@b.test'] }],
  ])('%s', (_rule, line, expected) => {
    const e = one(H, line);
    const { identifiers: _ids, ...rest } = e;
    const { identifiers: expectedIds, ...expectedRest } = expected;
    expect(rest).toEqual(expectedRest);
    if (expectedIds) expect(e.identifiers).toEqual(expectedIds);
  });

  it.each([
    ['a capacity that is not a whole number', 'RPPS|10100000011,,,3.5,,,,,', 'CSV_VALUE'],
    ['an absence that is not FIRST/LAST days', 'RPPS|10100000011,,,,,2026-05-01/soon,,,', 'CSV_VALUE'],
    ['an absence that ends before it starts', 'RPPS|10100000011,,,,,2026-05-09/2026-05-01,,,', 'CSV_VALUE'],
    ['a day that does not exist', 'RPPS|10100000011,,,,,2026-02-30,,,', 'CSV_VALUE'],
    ['an identifier that is not SYSTEM|VALUE', '10100000011,,,,,,,,', 'CSV_VALUE'],
    ['an active value that is not yes or no', 'RPPS|10100000011,,,,maybe,,,,', 'CSV_VALUE'],
    ['a council that is not NAME|NUMBER|STATE', 'RPPS|10100000011,,,,,,,CRM,', 'CSV_VALUE'],
    ['an address that is not one', 'RPPS|10100000011,,,,,,not an address,,', 'DIRECTORY_INVALID'],
    ['an ADELI of the wrong length', 'ADELI|12345,,,,,,,,', 'DIRECTORY_IDENTIFIER_INVALID'],
    ['neither identifier nor address', ',10,,,,,,,', 'DIRECTORY_INVALID'],
    ['more fields than the header', 'RPPS|10100000011,,,,,,,,,', 'CSV_COLUMN_COUNT'],
  ])('skips a row with %s', (_rule, line, code) => {
    const p = parsed(`${H}\nRPPS|10100000029,,,,,,,,\n${line}\n`);
    expect(p.entries).toHaveLength(1);
    expect(p.problems).toEqual([expect.objectContaining({ line: 3, code })]);
  });

  it('counts lines inside quoted fields, so the line of a later row is the line of the file', () => {
    const p = parsed(`identifiers,organization\nRPPS|10100000011,"Cabinet ""A""\nsecond line"\nRPPS|123,x\n`);
    expect(p.entries[0]!.entry.organization?.name).toBe('Cabinet "A"\nsecond line');
    expect(p.problems).toEqual([expect.objectContaining({ line: 4, code: 'DIRECTORY_IDENTIFIER_INVALID' })]);
  });

  it('accepts columns in any order and any case, and reports unknown ones once', () => {
    const p = parsed('Addresses,IDENTIFIERS,colour\nx@y.test,RPPS|10100000011,blue\n');
    expect(p.entries[0]!.entry.addresses).toEqual(['x@y.test']);
    expect(p.problems).toEqual([expect.objectContaining({ line: 1, code: 'CSV_UNKNOWN_COLUMN' })]);
  });

  it.each([
    ['an empty file', '', 'CSV_HEADER'],
    ['a header naming neither identifiers nor addresses', 'family,given\nA,B\n', 'CSV_HEADER'],
    ['a quoted field that is never closed', 'identifiers\n"RPPS|10100000011\n', 'CSV_UNREADABLE'],
  ])('cannot read %s: a failure, nothing to store', (_rule, text, code) => {
    const r = parseDirectoryCsv(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.code).toBe(code);
  });
});

describe('readCsvRecords', () => {
  const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);

  it('reads back any fields written with RFC 4180 quoting, with CRLF or LF', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 8 }), { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\r\n'), (rows, eol) => {
        const text = rows.map((r) => r.map(quote).join(',')).join(eol) + eol;
        const read = readCsvRecords(text);
        expect(read.ok).toBe(true);
        if (read.ok) expect(read.records.map((r) => r.fields)).toEqual(rows);
      }),
    );
  });
});
