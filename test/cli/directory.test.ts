/**
 * `txgate directory import | show | search | cert` end to end through the real binary (node bin/txgate) on a
 * database file: the Annuaire sample then the CSV imported, re-imported in place, looked up and searched.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/open-database.ts';
import { ANNUAIRE_SAMPLE, CSV_SAMPLE, tempDb, type TempDb } from '../directory/directory-db.ts';
import { CERTS } from '../helpers/paths.ts';
import { runTxgate, type Run } from '../helpers/run-txgate.ts';

function txgate(...args: string[]): Promise<Run> {
  return runTxgate(args);
}

let t: TempDb;
let db: string[];
const runs: Record<string, Run> = {};

beforeAll(async () => {
  t = tempDb();
  t.db.close();
  db = ['--db', t.path];
  // in order: each import builds on the one before
  runs.annuaire = await txgate('directory', 'import', ANNUAIRE_SAMPLE, ...db);
  runs.again = await txgate('directory', 'import', ANNUAIRE_SAMPLE, '--format', 'annuaire', '--json', ...db);
  runs.csv = await txgate('directory', 'import', CSV_SAMPLE, ...db);
  runs.cert = await txgate('directory', 'cert', join(CERTS, 'specialist.crt.pem'), ...db);
  const [byAddress, byIdentifier, byIdJson, unknown, searchAll, searchAvailable, searchJson, missing, badFormat] = await Promise.all([
    txgate('directory', 'show', 'cardio.durand@chu-b.test', ...db),
    txgate('directory', 'show', 'urn:oid:1.2.250.1.71.4.2.1|810100000045', ...db),
    txgate('directory', 'show', 'cardio.durand@chu-b.test', '--json', ...db),
    txgate('directory', 'show', 'nobody@x.test', ...db),
    txgate('directory', 'search', '--specialty', 'SM04', ...db),
    txgate('directory', 'search', '--specialty', 'SM04', '--available', '2026-03-04', ...db),
    txgate('directory', 'search', '--specialty', 'SM04', '--available', '2026-03-16', '--json', ...db),
    txgate('directory', 'import', join(t.dir, 'missing.txt'), ...db),
    txgate('directory', 'import', CSV_SAMPLE, '--format', 'xml', ...db),
  ]);
  Object.assign(runs, { byAddress, byIdentifier, byIdJson, unknown, searchAll, searchAvailable, searchJson, missing, badFormat });
}, 120_000);

afterAll(() => t.close());

describe('txgate directory import', () => {
  it('imports the Annuaire sample, with counts and the skipped rows with their line numbers', () => {
    expect(runs.annuaire!.status).toBe(0);
    expect(runs.annuaire!.stdout).toContain('(annuaire): 28 rows, 20 people: 20 created, 0 updated, 3 skipped');
    expect(runs.annuaire!.stdout).toMatch(/line 17: ANNUAIRE_COLUMN_COUNT/);
    expect(runs.annuaire!.stdout).toMatch(/line 20: ANNUAIRE_IDENTIFIER/);
    expect(runs.annuaire!.stdout).toMatch(/line 26: ANNUAIRE_PROFESSION/);
  });

  it('updates in place on re-import', () => {
    expect(runs.again!.status).toBe(0);
    expect(JSON.parse(runs.again!.stdout)).toMatchObject({ format: 'annuaire', rows: 28, people: 20, created: 0, updated: 20, skipped: 3 });
    const check = openDatabase(t.path);
    try {
      expect((check.prepare('SELECT COUNT(*) AS n FROM practitioners').get() as { n: number }).n).toBe(27);
    } finally {
      check.close();
    }
  });

  it('finds the CSV format by itself and adds to the people already known', () => {
    expect(runs.csv!.status).toBe(0);
    expect(runs.csv!.stdout).toContain('(csv): 14 rows, 11 people: 7 created, 4 updated, 3 skipped');
  });

  it('writes nothing and exits 1 when the file cannot be read; exits 2 on a usage error', () => {
    expect(runs.missing!.status).toBe(1);
    expect(runs.missing!.stderr).toContain('nothing was imported');
    expect(runs.badFormat!.status).toBe(2);
  });
});

describe('txgate directory cert', () => {
  it("attaches a certificate to the practitioner of its address", () => {
    expect(runs.cert!.status).toBe(0);
    expect(runs.cert!.stdout).toMatch(/attached to pr-\S+ \(cardio\.durand@chu-b\.test\)/);
  });
});

describe('txgate directory show', () => {
  it('shows a practitioner found by address: identifiers, specialty, addresses, load, absences, certificate', () => {
    const out = runs.byAddress!.stdout;
    expect(runs.byAddress!.status).toBe(0);
    expect(out).toMatch(/^pr-\S+ {2}Dr PAUL DURAND/);
    expect(out).toContain('identifier    urn:oid:1.2.250.1.71.4.2.1#rpps|10100000029 (RPPS)');
    expect(out).toContain('specialty     SM04 (https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale)');
    expect(out).toContain('address       paul.durand@cardio.mssante.fr');
    expect(out).toContain('load          0 open of 2');
    expect(out).toContain('absent        2026-03-02 – 2026-03-06');
    expect(out).toMatch(/certificate {3}[0-9a-f]{16}…/);
  });

  it('finds a practitioner by SYSTEM|VALUE, and as JSON', () => {
    expect(runs.byIdentifier!.stdout).toContain('Dr MARIE LEROY');
    const json = JSON.parse(runs.byIdJson!.stdout) as { id: string; capacity: number; programmes: string[] };
    expect(json).toMatchObject({ capacity: 2, programmes: ['fr-teleexpertise'] });
    expect(runs.byAddress!.stdout.startsWith(json.id)).toBe(true);
  });

  it('exits 1 for an unknown practitioner', () => {
    expect(runs.unknown!.status).toBe(1);
    expect(runs.unknown!.stderr).toContain('no practitioner nobody@x.test');
  });
});

describe('txgate directory search', () => {
  it('lists the practitioners of a specialty', () => {
    expect(runs.searchAll!.status).toBe(0);
    const rows = runs.searchAll!.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID\s+NAME/);
    expect(rows.slice(1).map((r) => /Dr \S+ (\S+)/.exec(r)?.[1])).toEqual(['DURAND', 'LEROY']);
  });

  it('keeps only those available on the day: not absent, below capacity', () => {
    expect(runs.searchAvailable!.stdout).not.toContain('DURAND');
    expect(runs.searchAvailable!.stdout).toContain('LEROY');
    const json = runs.searchJson!.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: { family: string } });
    expect(json.map((p) => p.name.family)).toEqual(['DURAND']);
  });
});
