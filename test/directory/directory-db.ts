/** A fresh database file in a temporary folder, and the directory fixtures. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/open-database.ts';
import { FIXTURES } from '../helpers/paths.ts';

export const DIRECTORY_FIXTURES = join(FIXTURES, 'directory');
export const ANNUAIRE_SAMPLE = join(DIRECTORY_FIXTURES, 'PS_LibreAcces_Personne_activite_sample.txt');
export const CSV_SAMPLE = join(DIRECTORY_FIXTURES, 'practitioners.csv');
export const FHIR_SAMPLE = join(DIRECTORY_FIXTURES, 'practitioners-bundle.json');

export const PROFESSION = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
export const SPECIALTY = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
export const RPPS = 'urn:oid:1.2.250.1.71.4.2.1#rpps';
export const PS_NATIONAL = 'urn:oid:1.2.250.1.71.4.2.1';

export interface TempDb {
  db: Db;
  dir: string;
  path: string;
  close(): void;
}

export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-directory-'));
  const path = join(dir, 'txgate.db');
  const db = openDatabase(path);
  return {
    db,
    dir,
    path,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of each directory table, to check that nothing was duplicated or half-written. */
export function tableCounts(db: Db): Record<string, number> {
  const tables = ['organizations', 'practitioners', 'practitioner_identifiers', 'practitioner_specialties', 'practitioner_addresses', 'practitioner_certificates', 'absences', 'memberships', 'hub_links'];
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]));
}
