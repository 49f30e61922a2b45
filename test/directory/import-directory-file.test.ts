/** Importing a file: format found from the content, one transaction, nothing written when the file cannot be read. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDirectoryFile } from '../../src/directory/import-directory-file.ts';
import { readFileLines } from '../../src/directory/read-file-lines.ts';
import { ANNUAIRE_SAMPLE, CSV_SAMPLE, FHIR_SAMPLE, tableCounts, tempDb, type TempDb } from './directory-db.ts';

const NOW = new Date('2026-03-01T00:00:00Z');
let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.close());

describe('importDirectoryFile', () => {
  it.each([
    ['the Annuaire extract', ANNUAIRE_SAMPLE, { format: 'annuaire', rows: 28, entries: 20, created: 20, updated: 0 }, [17, 20, 26]],
    ['the CSV', CSV_SAMPLE, { format: 'csv', rows: 14, entries: 11, created: 11, updated: 0 }, [13, 14, 15]],
    ['the FHIR bundle', FHIR_SAMPLE, { format: 'fhir', rows: 8, entries: 3, created: 3, updated: 0 }, [0, 0]],
  ])('imports %s, its format found from the content', (_rule, file, counts, lines) => {
    const r = importDirectoryFile(t.db, file, { now: NOW });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject(counts);
    expect(r.value.problems.map((p) => p.line)).toEqual(lines);
  });

  it('updates in place what the Annuaire import created when the FHIR bundle names the same people', () => {
    importDirectoryFile(t.db, ANNUAIRE_SAMPLE, { now: NOW });
    const r = importDirectoryFile(t.db, FHIR_SAMPLE, { now: NOW });
    expect(r.ok && r.value).toMatchObject({ created: 1, updated: 2 });
    expect(tableCounts(t.db).practitioners).toBe(21);
  });

  it.each([
    ['a missing file', () => join(t.dir, 'missing.txt'), undefined, 'DIRECTORY_FILE_UNREADABLE'],
    ['a CSV without identifiers or addresses', () => write('bad.csv', 'name\nx\n'), undefined, 'CSV_HEADER'],
    ['a file that is not the format asked', () => CSV_SAMPLE, 'annuaire' as const, 'ANNUAIRE_HEADER'],
    ['a FHIR file that is not JSON', () => write('bad.json', '{ "resourceType": "Bundle", '), undefined, 'FHIR_INVALID_JSON'],
  ])('writes nothing for %s', (_rule, file, format, code) => {
    const r = importDirectoryFile(t.db, file(), { now: NOW, ...(format ? { format } : {}) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.code).toBe(code);
    expect(tableCounts(t.db).practitioners).toBe(0);
  });

  function write(name: string, text: string): string {
    const path = join(t.dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('reads a Latin-1 extract (older releases) like the UTF-8 one', () => {
    const lines = [...readFileLines(ANNUAIRE_SAMPLE)];
    const latin1 = write('latin1.txt', '');
    writeFileSync(latin1, Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'));
    expect([...readFileLines(latin1)]).toEqual(lines);
    const r = importDirectoryFile(t.db, latin1, { now: NOW });
    expect(r.ok && r.value).toMatchObject({ format: 'annuaire', entries: 20 });
  });
});
