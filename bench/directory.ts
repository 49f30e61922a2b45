/**
 * Practitioner directory import on one core: a 100,000-row extract in the Annuaire Santé layout
 * (PS_LibreAcces_Personne_activite: 52 pipe-separated columns and an empty last field; 75,000 people, every third
 * with a second activity row; 2,000 sites), generated in a temporary folder, then imported as `txgate directory
 * import` does it: read line by line, parsed and merged per person, validated, stored in one transaction (a fresh
 * database, synchronous FULL as configured). Then imported again (every person updated in place).
 *
 * Baseline, in the same run: the same file's rows read line by line, split, and three of their fields inserted by
 * a bare prepared INSERT into one table, in one transaction of a fresh database. ratio = import time ÷ baseline
 * time (the price of merging, validating, matching and the directory's tables and indexes). Target: the import
 * under 60 s.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDirectoryFile } from '../src/directory/import-directory-file.ts';
import { readFileLines } from '../src/directory/read-file-lines.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { report, round } from './lib/measure.ts';

const ROWS = 100_000;
const SITES = 2_000;
const SPECIALTIES = ['SM54', 'SM04', 'SM15', 'SM41', 'SM24', 'SM42', 'SM40', 'SM20', 'SM18', 'SM32'];
const FAMILIES = ['MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT'];
const GIVEN = ['CLAIRE', 'PAUL', 'SOPHIE', 'JEAN', 'MARIE', 'LUCIE', 'HUGO', 'EMMA', 'LOUIS', 'CHLOE'];

function header(): string {
  return `${Array.from({ length: 52 }, (_, i) => `Colonne ${i + 1}`).join('|')}|`;
}

/** One activity row of person `p` at site `s`. */
function row(p: number, s: number): string {
  const f = Array<string>(52).fill('');
  const doctor = p % 5 !== 4;
  const rpps = String(10_000_000_000 + p);
  f[0] = '8';
  f[1] = rpps;
  f[2] = `8${rpps}`;
  f[3] = doctor ? 'DR' : '';
  f[4] = doctor ? 'Docteur' : '';
  f[5] = p % 2 ? 'M' : 'MME';
  f[7] = `${FAMILIES[p % 10]}${p}`;
  f[8] = GIVEN[(p >> 3) % 10]!;
  f[9] = doctor ? '10' : '60';
  f[10] = doctor ? 'Médecin' : 'Infirmier';
  f[11] = 'C';
  if (doctor) {
    f[13] = 'S';
    f[14] = 'Spécialité ordinale';
    f[15] = SPECIALTIES[p % SPECIALTIES.length]!;
  }
  f[17] = s % 3 ? 'L' : 'S';
  f[19] = String(12_345_678_000_000 + s);
  f[21] = s % 3 ? '' : String(690_000_000 + s);
  f[23] = `C${12_345_678_000_000 + s}`;
  f[24] = `SITE ${s}`;
  f[35] = '69003';
  f[36] = String(69_000 + (s % 300));
  f[47] = doctor ? 'CNOM/CNOM/CNOM' : 'CNOI/CNOI/CNOI';
  return `${f.join('|')}|`;
}

/** Writes the extract; returns the number of people. */
function writeExtract(path: string): number {
  const fd = openSync(path, 'w');
  try {
    let buf = `${header()}\n`;
    let rows = 0;
    let p = 0;
    while (rows < ROWS) {
      buf += `${row(p, p % SITES)}\n`;
      rows++;
      if (p % 3 === 0 && rows < ROWS) {
        buf += `${row(p, (p * 7 + 1) % SITES)}\n`;
        rows++;
      }
      p++;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf);
    return p;
  } finally {
    closeSync(fd);
  }
}

function baseline(file: string, dbPath: string): number {
  const db = openDatabase(dbPath);
  try {
    db.exec('CREATE TABLE raw_rows (id TEXT, family TEXT, profession TEXT)');
    const insert = db.prepare('INSERT INTO raw_rows (id, family, profession) VALUES (?, ?, ?)');
    const start = performance.now();
    db.transaction(() => {
      let first = true;
      for (const line of readFileLines(file)) {
        if (first) {
          first = false;
          continue;
        }
        const f = line.split('|');
        insert.run(f[2], f[7], f[9]);
      }
    })();
    return (performance.now() - start) / 1000;
  } finally {
    db.close();
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-bench-directory-'));
  try {
    const file = join(dir, 'PS_LibreAcces_Personne_activite_bench.txt');
    const people = writeExtract(file);

    const baseSeconds = baseline(file, join(dir, 'baseline.db'));

    const db = openDatabase(join(dir, 'txgate.db'));
    let importSeconds: number;
    let reimportSeconds: number;
    let created = 0;
    let updated = 0;
    try {
      let start = performance.now();
      const first = importDirectoryFile(db, file, { format: 'annuaire', now: new Date() });
      importSeconds = (performance.now() - start) / 1000;
      if (!first.ok || first.value.problems.length > 0 || first.value.created !== people) throw new Error(`the import did not read the extract: ${JSON.stringify(first.ok ? { ...first.value, problems: first.value.problems.slice(0, 3) } : first.problems)}`);
      created = first.value.created;
      start = performance.now();
      const again = importDirectoryFile(db, file, { format: 'annuaire', now: new Date() });
      reimportSeconds = (performance.now() - start) / 1000;
      if (!again.ok || again.value.updated !== people) throw new Error('the re-import did not update every person');
      updated = again.value.updated;
    } finally {
      db.close();
    }
    const ratio = importSeconds / baseSeconds;
    report(
      'directory',
      [
        ['extract rows (Annuaire layout, 52 columns)', `${ROWS}, ${people} people, ${SITES} sites`],
        ['import: read, merge, validate, store (one transaction)', `${round(importSeconds, 2)} s, ${created} created`],
        ['import rows/s', round(ROWS / importSeconds, 0)],
        ['re-import (every person updated in place)', `${round(reimportSeconds, 2)} s, ${updated} updated, ${round(ROWS / reimportSeconds, 0)} rows/s`],
        ['baseline: bare prepared INSERT of each row, one transaction', `${round(baseSeconds, 2)} s, ${round(ROWS / baseSeconds, 0)} rows/s`],
        ['ratio import ÷ baseline time', round(ratio, 2)],
        ['target', 'import < 60 s'],
      ],
      { rows: ROWS, people, importSeconds: round(importSeconds, 2), rowsPerSec: round(ROWS / importSeconds, 0), reimportSeconds: round(reimportSeconds, 2), baselineSeconds: round(baseSeconds, 2), baselineRowsPerSec: round(ROWS / baseSeconds, 0), ratio: round(ratio, 2) },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
