/**
 * The Annuaire Santé extract (PS_LibreAcces_Personne_activite), read by column position: the sample's 20 people
 * from 28 rows, rows of one person merged, malformed rows reported with their line numbers and skipped.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LineEntry, ParsedDirectory } from '../../src/directory/directory-entry.ts';
import { ANNUAIRE_COLUMNS, parseAnnuaireExtract } from '../../src/directory/parse-annuaire-extract.ts';
import { ANNUAIRE_SAMPLE, PROFESSION, PS_NATIONAL, RPPS, SPECIALTY } from './directory-db.ts';

const SAMPLE = readFileSync(ANNUAIRE_SAMPLE, 'utf8');
const [HEADER_LINE, ...SAMPLE_ROWS] = SAMPLE.trimEnd().split('\n');

function parsed(text: string | Iterable<string>): ParsedDirectory {
  const r = parseAnnuaireExtract(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

function person(p: ParsedDirectory, family: string): LineEntry {
  const found = p.entries.filter((e) => e.entry.name?.family === family);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** A valid row (53 fields: 52 and the empty last one) with some cells replaced. */
function row(cells: Partial<Record<keyof typeof ANNUAIRE_COLUMNS, string>> = {}, width = 52): string {
  const f = Array<string>(width).fill('');
  const base = { idType: '8', id: '10100000999', nationalId: '810100000999', family: 'TEST', given: 'ANNE', professionCode: '10', ...cells };
  for (const [k, v] of Object.entries(base)) f[ANNUAIRE_COLUMNS[k as keyof typeof ANNUAIRE_COLUMNS]] = v;
  return `${f.join('|')}|`;
}

describe('parseAnnuaireExtract: the sample', () => {
  const p = parsed(SAMPLE);

  it('reads 28 rows into 20 people', () => {
    expect(p.rows).toBe(28);
    expect(p.entries).toHaveLength(20);
  });

  it('reports the 3 malformed rows with their line numbers and codes', () => {
    expect(p.problems.map((x) => [x.line, x.code])).toEqual([
      [17, 'ANNUAIRE_COLUMN_COUNT'],
      [20, 'ANNUAIRE_IDENTIFIER'],
      [26, 'ANNUAIRE_PROFESSION'],
    ]);
  });

  it('merges the rows of one person: identifiers in both forms, name, profession, first site, one specialty', () => {
    const martin = person(p, 'MARTIN');
    expect(martin.line).toBe(2);
    expect(martin.entry.identifiers).toEqual([
      { system: RPPS, value: '10100000011', type: 'RPPS' },
      { system: PS_NATIONAL, value: '810100000011', type: 'IDNPS' },
    ]);
    expect(martin.entry.name).toEqual({ family: 'MARTIN', given: ['CLAIRE'], prefix: ['Dr'] });
    expect(martin.entry.profession).toEqual({ system: PROFESSION, code: '10', display: 'Médecin' });
    expect(martin.entry.specialties).toEqual([{ system: SPECIALTY, code: 'SM54', display: 'Médecine générale' }]);
    expect(martin.entry.organization?.name).toBe('CABINET MEDICAL DES TILLEULS');
    expect(martin.entry.municipality).toBe('69123');
  });

  it('keeps a specialty given on two rows once, and leaves out savoir-faire that are not ordinal specialties', () => {
    expect(person(p, 'PETIT').entry.specialties?.map((s) => s.code)).toEqual(['SM15']);
    expect(person(p, 'DURAND').entry.specialties?.map((s) => s.code)).toEqual(['SM04']);
  });

  it('keeps the valid rows of a person one of whose rows is malformed', () => {
    expect(person(p, 'ROUSSEL').line).toBe(25);
    expect(person(p, 'CHEVALIER').line).toBe(18);
  });

  it('reads ADELI identifiers (type 0) with their national form 0+ADELI', () => {
    expect(person(p, 'BERNARD').entry.identifiers.map((i) => i.value)).toEqual(['691234567', '0691234567']);
  });

  it('takes the e-mail column only when it is an MSSanté address', () => {
    expect(person(p, 'MARTIN').entry.addresses).toEqual(['claire.martin@medecin.mssante.fr']);
    expect(person(p, 'MOREAU').entry.addresses).toEqual(['lucie.moreau@sage-femme.mssante.fr']);
    expect(person(p, 'BERNARD').entry.addresses).toBeUndefined();
  });

  it('gives no capacity, absences or memberships (a re-import keeps those the CSV set)', () => {
    for (const { entry } of p.entries) {
      expect(entry.capacity).toBeUndefined();
      expect(entry.absences).toBeUndefined();
      expect(entry.programmes).toBeUndefined();
    }
  });

  it('reads the same from its lines (a stream) and from CRLF text', () => {
    expect(parsed(SAMPLE.split('\n'))).toEqual(p);
    expect(parsed(SAMPLE.replace(/\n/g, '\r\n'))).toEqual(p);
  });

  it('reads by position: another spelling of the header gives the same people', () => {
    const header = HEADER_LINE!.replace("Libellé civilité d'exercice", 'Libellé civilité exercice').replace('Code Département (structure)', 'Code département (coord. structure)').toUpperCase();
    expect(parsed([header, ...SAMPLE_ROWS].join('\n'))).toEqual(p);
  });
});

describe('parseAnnuaireExtract: rules', () => {
  const header = `${Array.from({ length: 52 }, (_, i) => `col${i}`).join('|')}|`;

  it.each([
    ['a row with fewer columns than the header', row().split('|').slice(0, 30).join('|'), 'ANNUAIRE_COLUMN_COUNT'],
    ['a row with more columns than the header', `${row()}extra|`, 'ANNUAIRE_COLUMN_COUNT'],
    ['no Identifiant PP nor national id', row({ id: '', nationalId: '' }), 'ANNUAIRE_IDENTIFIER'],
    ['an identifier type other than 8 (RPPS) or 0 (ADELI)', row({ idType: '3', nationalId: '310100000999' }), 'ANNUAIRE_IDENTIFIER'],
    ['an RPPS that is not 11 digits', row({ id: '1010000099', nationalId: '81010000099' }), 'ANNUAIRE_IDENTIFIER'],
    ['a national id that is not the type followed by the identifier', row({ nationalId: '810100000111' }), 'ANNUAIRE_IDENTIFIER'],
    ['a profession code that is not two digits', row({ professionCode: 'MED' }), 'ANNUAIRE_PROFESSION'],
    ['no profession code', row({ professionCode: '' }), 'ANNUAIRE_PROFESSION'],
  ])('skips %s', (_rule, bad, code) => {
    const p = parsed([header, row({ id: '10100000888', nationalId: '810100000888' }), bad].join('\n'));
    expect(p.entries).toHaveLength(1);
    expect(p.problems).toEqual([expect.objectContaining({ line: 3, code })]);
  });

  it.each([
    ['the identifier from the national id alone', row({ idType: '', id: '' }), '10100000999'],
    ['a row without the empty last field', row().slice(0, -1), '10100000999'],
  ])('accepts %s', (_rule, text, rpps) => {
    const p = parsed([header, text].join('\n'));
    expect(p.problems).toEqual([]);
    expect(p.entries[0]!.entry.identifiers[0]!.value).toBe(rpps);
  });

  it('accepts a header with more columns (a later release) when rows have as many', () => {
    const wide = `${Array.from({ length: 56 }, (_, i) => `col${i}`).join('|')}|`;
    const p = parsed([wide, row({}, 56)].join('\n'));
    expect(p.problems).toEqual([]);
    expect(p.entries).toHaveLength(1);
  });

  it.each([
    ['an empty file', ''],
    ['a header of fewer than 52 columns', 'a|b|c\n1|2|3'],
  ])('cannot read %s: a failure, nothing to store', (_rule, text) => {
    const r = parseAnnuaireExtract(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.code).toBe('ANNUAIRE_HEADER');
  });

  it('never throws on arbitrary rows, and reports each row it skips with a line number of the file', () => {
    const cellArb = fc.string({ maxLength: 12 }).map((s) => s.replace(/[|\r\n]/g, ''));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.array(cellArb, { minLength: 50, maxLength: 54 }).map((c) => `${c.join('|')}|`), fc.constant(row())), { maxLength: 20 }), (rows) => {
        const r = parseAnnuaireExtract([header, ...rows].join('\n'));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        for (const pr of r.value.problems) {
          expect(pr.line).toBeGreaterThanOrEqual(2);
          expect(pr.line).toBeLessThanOrEqual(rows.length + 1);
        }
        expect(new Set(r.value.problems.map((x) => x.line)).size).toBe(r.value.problems.length);
      }),
    );
  });
});
