/**
 * The Annuaire Santé public extract `PS_LibreAcces_Personne_activite_*.txt` (ANS, "extractions en libre accès"):
 * pipe-separated, a header row, then one row per activity and savoir-faire of a person (52 columns and an empty
 * last field: every row ends with `|`). Columns are read by POSITION: the header's spelling varies between
 * releases ("Libellé civilité d'exercice" / "Libellé civilité exercice", "Code Département (structure)" /
 * "Code département (coord. structure)"), so only its length is checked. A header with more columns (later
 * releases append some) is accepted; each row must then have the header's length.
 *
 * The rows of one person (same national id) are merged into one entry: the first row gives the name and the
 * profession, every row of type `S` (spécialité ordinale) adds its TRE_R38 specialty, the first row that names a
 * site gives the organization and the municipality (INSEE commune code). The extract has no MSSanté address: its
 * e-mail column is the site's, taken only when it is an MSSanté address (…@…mssante.fr); otherwise addresses come
 * from the CSV or FHIR import, and a re-import of the extract keeps them.
 *
 * A malformed row (wrong column count, no or invalid identifier, bad profession code) is reported with its line
 * number and skipped; the other rows of the same person still count.
 */
import { IDENTIFIER_SYSTEMS, type Coding, type Identifier } from '../domain/canonical-request.ts';
import { checkIdentifierValue } from '../domain/identifier-systems.ts';
import { fail, ok, type Result } from '../errors/result.ts';
import { checkEntry, type DirectoryEntryInput, type ImportProblem, type LineEntry, type ParsedDirectory } from './directory-entry.ts';
import { ANNUAIRE_STRUCTURE_SYSTEM, isMssanteAddress, PROFESSION_SYSTEM, SIRET_SYSTEM, SPECIALTY_SYSTEM } from './directory-systems.ts';

/** The columns read (0-based positions in the 52 of the extract). */
export const ANNUAIRE_COLUMNS = {
  idType: 0,
  id: 1,
  nationalId: 2,
  titleCode: 3,
  titleLabel: 4,
  family: 7,
  given: 8,
  professionCode: 9,
  professionLabel: 10,
  savoirFaireType: 13,
  savoirFaireCode: 15,
  savoirFaireLabel: 16,
  siret: 19,
  finess: 21,
  structureId: 23,
  siteName: 24,
  siteSign: 25,
  commune: 36,
  email: 43,
} as const;

export const ANNUAIRE_COLUMN_COUNT = 52;

const TITLES: Readonly<Record<string, string>> = { DR: 'Dr', PR: 'Pr' };

interface Person {
  line: number;
  identifier: Identifier;
  family?: string;
  given?: string;
  prefix?: string;
  profession: Coding;
  specialties: Map<string, Coding>;
  organization?: { name?: string; identifiers: Identifier[]; municipality?: string };
  municipality?: string;
  addresses: Set<string>;
}

/** The lines of a text (CRLF or LF). */
export function linesOf(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Reads an extract given as its text or as its lines (a stream of lines for the national file, larger than a
 * string can hold). Fails (nothing to store) when there is no header of at least 52 columns.
 */
export function parseAnnuaireExtract(input: string | Iterable<string>): Result<ParsedDirectory> {
  const lines = typeof input === 'string' ? linesOf(input) : input;
  const problems: ImportProblem[] = [];
  const people = new Map<string, Person>();
  let lineNo = 0;
  let width = -1;
  let rows = 0;
  for (const raw of lines) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1) {
      const header = line.replace(/^\uFEFF/, '').split('|');
      width = header.length - (header[header.length - 1] === '' ? 1 : 0);
      if (width < ANNUAIRE_COLUMN_COUNT) {
        return fail({ code: 'ANNUAIRE_HEADER', path: 'line 1', message: `not an Annuaire Santé Personne_activite extract: the header has ${width} columns, at least ${ANNUAIRE_COLUMN_COUNT} expected` });
      }
      continue;
    }
    if (line.trim() === '') continue;
    rows++;
    const f = line.split('|');
    if (!(f.length === width || (f.length === width + 1 && f[width] === ''))) {
      problems.push({ line: lineNo, code: 'ANNUAIRE_COLUMN_COUNT', message: `${f.length - (f[f.length - 1] === '' ? 1 : 0)} columns where the header has ${width}` });
      continue;
    }
    readRow(f, lineNo, people, problems);
  }
  if (lineNo === 0) return fail({ code: 'ANNUAIRE_HEADER', path: 'line 1', message: 'the file is empty' });

  const entries: LineEntry[] = [];
  for (const p of people.values()) {
    const input: DirectoryEntryInput = {
      identifiers: [p.identifier],
      name: { ...(p.family ? { family: p.family } : {}), given: p.given ? [p.given] : [], prefix: p.prefix ? [p.prefix] : [] },
      profession: p.profession,
      specialties: [...p.specialties.values()],
      ...(p.organization ? { organization: p.organization } : {}),
      ...(p.municipality ? { municipality: p.municipality } : {}),
      ...(p.addresses.size > 0 ? { addresses: [...p.addresses] } : {}),
    };
    const checked = checkEntry(input, p.line);
    if (checked.entry) entries.push({ line: p.line, entry: checked.entry });
    else problems.push(...checked.problems);
  }
  problems.sort((a, b) => a.line - b.line);
  return ok({ entries, problems, rows });
}

function cell(f: string[], i: number): string | undefined {
  const v = f[i]?.trim();
  return v ? v : undefined;
}

function readRow(f: string[], line: number, people: Map<string, Person>, problems: ImportProblem[]): void {
  const C = ANNUAIRE_COLUMNS;
  let type = cell(f, C.idType);
  let id = cell(f, C.id);
  const national = cell(f, C.nationalId);
  if (id === undefined && national !== undefined && type === undefined) {
    type = national.slice(0, 1);
    id = national.slice(1);
  }
  if (id === undefined) {
    problems.push({ line, code: 'ANNUAIRE_IDENTIFIER', message: 'no identifier (Identifiant PP)' });
    return;
  }
  if (type !== '8' && type !== '0') {
    problems.push({ line, code: 'ANNUAIRE_IDENTIFIER', message: `unknown identifier type '${type ?? ''}' (8 RPPS, 0 ADELI)` });
    return;
  }
  const system = type === '8' ? IDENTIFIER_SYSTEMS.RPPS : IDENTIFIER_SYSTEMS.ADELI;
  const invalid = checkIdentifierValue(system, id);
  if (invalid) {
    problems.push({ line, code: 'ANNUAIRE_IDENTIFIER', message: invalid });
    return;
  }
  const key = `${type}${id}`;
  if (national !== undefined && national !== key) {
    problems.push({ line, code: 'ANNUAIRE_IDENTIFIER', message: 'the national id is not the identifier type followed by the identifier' });
    return;
  }
  const professionCode = cell(f, C.professionCode);
  if (professionCode === undefined || !/^\d{2}$/.test(professionCode)) {
    problems.push({ line, code: 'ANNUAIRE_PROFESSION', message: professionCode === undefined ? 'no profession code' : `'${professionCode.slice(0, 12)}' is not a profession code (TRE_G15: two digits)` });
    return;
  }

  let person = people.get(key);
  if (!person) {
    const titleCode = cell(f, C.titleCode);
    const prefix = titleCode ? (TITLES[titleCode.toUpperCase()] ?? cell(f, C.titleLabel)) : undefined;
    const professionLabel = cell(f, C.professionLabel);
    const family = cell(f, C.family);
    const given = cell(f, C.given);
    person = {
      line,
      identifier: { system, value: id },
      ...(family ? { family } : {}),
      ...(given ? { given } : {}),
      ...(prefix ? { prefix } : {}),
      profession: { system: PROFESSION_SYSTEM, code: professionCode, ...(professionLabel ? { display: professionLabel } : {}) },
      specialties: new Map(),
      addresses: new Set(),
    };
    people.set(key, person);
  }
  const sfCode = cell(f, C.savoirFaireCode);
  if (cell(f, C.savoirFaireType) === 'S' && sfCode && !person.specialties.has(sfCode)) {
    const label = cell(f, C.savoirFaireLabel);
    person.specialties.set(sfCode, { system: SPECIALTY_SYSTEM, code: sfCode, ...(label ? { display: label } : {}) });
  }
  if (!person.organization) {
    const identifiers: Identifier[] = [];
    const finess = cell(f, C.finess);
    const siret = cell(f, C.siret);
    const structure = cell(f, C.structureId);
    if (finess) identifiers.push({ system: IDENTIFIER_SYSTEMS.FINESS, value: finess, type: 'FINESS' });
    if (siret) identifiers.push({ system: SIRET_SYSTEM, value: siret, type: 'SIRET' });
    if (structure) identifiers.push({ system: ANNUAIRE_STRUCTURE_SYSTEM, value: structure });
    const name = cell(f, C.siteName) ?? cell(f, C.siteSign);
    const commune = cell(f, C.commune);
    if (name || identifiers.length > 0) {
      person.organization = { ...(name ? { name } : {}), identifiers, ...(commune ? { municipality: commune } : {}) };
      if (commune) person.municipality = commune;
    }
  }
  if (!person.municipality) {
    const commune = cell(f, C.commune);
    if (commune) person.municipality = commune;
  }
  const email = cell(f, C.email);
  if (email && isMssanteAddress(email)) person.addresses.add(email.toLowerCase());
}
