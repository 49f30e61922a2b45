/**
 * A plain CSV of practitioners (RFC 4180: comma-separated, a header row, fields in double quotes when they hold a
 * comma, a quote or a line break). Column names are case-insensitive and in any order; lists inside a field are
 * separated by `;`. An empty cell (or an absent column) leaves the stored value as it is, so a CSV can add
 * addresses, capacities or absences to people imported from the Annuaire; `-` clears a list (specialties,
 * addresses, absences, programmes, hub_for) or the capacity (no limit).
 *
 * | column | content |
 * |---|---|
 * | identifiers | `SYSTEM|VALUE;…`: SYSTEM a short name (RPPS, ADELI, IDNPS, FINESS, SIRET, CPF, CNS, NPI), an OID or a URI |
 * | family, given, prefix | name; `given` and `prefix` are `;` lists |
 * | profession | `SYSTEM|CODE`, or a bare CODE of TRE_G15 (10 doctor, 50 midwife, 60 nurse…) |
 * | specialties | `SYSTEM|CODE;…`, or bare codes of TRE_R38 (SM04 cardiology…) |
 * | council | `NAME|NUMBER|STATE` (state optional), e.g. `CRM|123456|SP` |
 * | municipality | the municipality code of where they work (INSEE, IBGE…) |
 * | organization, organization_identifiers, organization_municipality | the site: name, `SYSTEM|VALUE;…`, code |
 * | addresses | secure-mail addresses, `;` list |
 * | capacity | open requests at once (a whole number; `-`: no limit) |
 * | active | yes/no (true/false, 1/0, oui/non) |
 * | absences | `FIRST/LAST;…` days YYYY-MM-DD (a single day alone) |
 * | programmes | `;` list of programme names |
 * | hub_for | identifiers of the spokes a hub serves, `SYSTEM|VALUE;…` |
 *
 * The header must have `identifiers` or `addresses`; a row without either is skipped. Unknown columns are
 * reported once (line 1) and ignored.
 */
import type { Coding, Identifier } from '../domain/canonical-request.ts';
import { fail, ok, type Result } from '../errors/result.ts';
import { readCsvRecords } from './csv-records.ts';
import { checkEntry, isDay, type Absence, type DirectoryEntryInput, type ImportProblem, type LineEntry, type ParsedDirectory } from './directory-entry.ts';
import { PROFESSION_SYSTEM, SPECIALTY_SYSTEM, systemOfName } from './directory-systems.ts';

export const CSV_COLUMNS = [
  'identifiers',
  'family',
  'given',
  'prefix',
  'profession',
  'specialties',
  'council',
  'municipality',
  'organization',
  'organization_identifiers',
  'organization_municipality',
  'addresses',
  'capacity',
  'active',
  'absences',
  'programmes',
  'hub_for',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

class CellError extends Error {}

function list(v: string): string[] {
  return v.split(';').map((x) => x.trim()).filter(Boolean);
}

function identifiersOf(v: string, column: string): Identifier[] {
  return list(v).map((item) => {
    const bar = item.indexOf('|');
    if (bar <= 0 || bar === item.length - 1) throw new CellError(`${column}: '${item.slice(0, 40)}' is not SYSTEM|VALUE`);
    return { system: systemOfName(item.slice(0, bar)), value: item.slice(bar + 1).trim() };
  });
}

function codingOf(item: string, defaultSystem: string): Coding {
  const bar = item.lastIndexOf('|');
  if (bar < 0) return { system: defaultSystem, code: item };
  const system = item.slice(0, bar).trim();
  const code = item.slice(bar + 1).trim();
  if (!system || !code) throw new CellError(`'${item.slice(0, 40)}' is not SYSTEM|CODE`);
  return { system: systemOfName(system), code };
}

function absenceOf(item: string): Absence {
  const [first, last = first, extra] = item.split('/').map((x) => x.trim());
  if (extra !== undefined || !first || !isDay(first) || !last || !isDay(last)) throw new CellError(`absences: '${item.slice(0, 40)}' is not FIRST/LAST days (YYYY-MM-DD)`);
  if (first > last) throw new CellError(`absences: '${item}' ends before it starts`);
  return { firstDay: first, lastDay: last };
}

function booleanOf(v: string): boolean {
  const t = v.trim().toLowerCase();
  if (['yes', 'true', '1', 'oui', 'y'].includes(t)) return true;
  if (['no', 'false', '0', 'non', 'n'].includes(t)) return false;
  throw new CellError(`active: '${v.slice(0, 20)}' is not yes or no`);
}

function entryOf(get: (c: Column) => string | undefined): DirectoryEntryInput {
  const e: DirectoryEntryInput = { identifiers: [] };
  /** the cell, trimmed; undefined when empty (keep what is stored) */
  const v = (c: Column) => {
    const t = get(c)?.trim();
    return t ? t : undefined;
  };
  /** a list cell: undefined (keep), [] for `-` (clear), or its items */
  const items = (c: Column) => {
    const t = v(c);
    return t === undefined ? undefined : t === '-' ? [] : list(t);
  };
  const ids = v('identifiers');
  if (ids) e.identifiers = identifiersOf(ids, 'identifiers');
  const family = v('family');
  const given = v('given');
  const prefix = v('prefix');
  if (family !== undefined || given !== undefined || prefix !== undefined) {
    e.name = { ...(family ? { family } : {}), given: given ? list(given) : [], prefix: prefix ? list(prefix) : [] };
  }
  const profession = v('profession');
  if (profession) e.profession = codingOf(profession, PROFESSION_SYSTEM);
  const specialties = items('specialties');
  if (specialties) e.specialties = specialties.map((s) => codingOf(s, SPECIALTY_SYSTEM));
  const council = v('council');
  if (council) {
    const [name, number, state, extra] = council.split('|').map((x) => x.trim());
    if (!name || !number || extra !== undefined) throw new CellError(`council: '${council.slice(0, 40)}' is not NAME|NUMBER|STATE`);
    e.council = { name, number, ...(state ? { state } : {}) };
  }
  const municipality = v('municipality');
  if (municipality) e.municipality = municipality;
  const orgName = v('organization');
  const orgIds = v('organization_identifiers');
  const orgMunicipality = v('organization_municipality');
  if (orgName || orgIds || orgMunicipality) {
    e.organization = { ...(orgName ? { name: orgName } : {}), identifiers: orgIds ? identifiersOf(orgIds, 'organization_identifiers') : [], ...(orgMunicipality ? { municipality: orgMunicipality } : {}) };
  }
  const addresses = items('addresses');
  if (addresses) e.addresses = addresses;
  const capacity = v('capacity');
  if (capacity === '-') e.capacity = null;
  else if (capacity !== undefined) {
    if (!/^\d{1,6}$/.test(capacity)) throw new CellError(`capacity: '${capacity.slice(0, 20)}' is not a whole number`);
    e.capacity = Number(capacity);
  }
  const active = v('active');
  if (active) e.active = booleanOf(active);
  const absences = items('absences');
  if (absences) e.absences = absences.map(absenceOf);
  const programmes = items('programmes');
  if (programmes) e.programmes = programmes;
  const hubFor = v('hub_for');
  if (hubFor) e.hubFor = hubFor === '-' ? [] : identifiersOf(hubFor, 'hub_for');
  return e;
}

/** Reads the CSV text. Fails (nothing to store) when it has no header naming `identifiers` or `addresses`. */
export function parseDirectoryCsv(text: string): Result<ParsedDirectory> {
  const read = readCsvRecords(text);
  if (!read.ok) return fail({ code: 'CSV_UNREADABLE', path: `line ${read.line}`, message: read.message });
  const [header, ...records] = read.records;
  if (!header) return fail({ code: 'CSV_HEADER', path: 'line 1', message: 'the file is empty' });
  const names = header.fields.map((h) => h.trim().toLowerCase());
  const problems: ImportProblem[] = [];
  const index = new Map<Column, number>();
  names.forEach((n, i) => {
    if ((CSV_COLUMNS as readonly string[]).includes(n)) {
      if (index.has(n as Column)) problems.push({ line: header.line, code: 'CSV_HEADER', message: `column '${n}' is given twice: the first one is read` });
      else index.set(n as Column, i);
    } else {
      problems.push({ line: header.line, code: 'CSV_UNKNOWN_COLUMN', message: `column '${n.slice(0, 40)}' is not known: ignored` });
    }
  });
  if (!index.has('identifiers') && !index.has('addresses')) {
    return fail({ code: 'CSV_HEADER', path: 'line 1', message: `the header names neither 'identifiers' nor 'addresses' (columns: ${CSV_COLUMNS.join(', ')})` });
  }
  const entries: LineEntry[] = [];
  for (const r of records) {
    if (r.fields.length !== names.length) {
      problems.push({ line: r.line, code: 'CSV_COLUMN_COUNT', message: `${r.fields.length} fields where the header has ${names.length}` });
      continue;
    }
    let input: DirectoryEntryInput;
    try {
      input = entryOf((c) => {
        const i = index.get(c);
        return i === undefined ? undefined : r.fields[i];
      });
    } catch (err) {
      if (!(err instanceof CellError)) throw err;
      problems.push({ line: r.line, code: 'CSV_VALUE', message: err.message });
      continue;
    }
    const checked = checkEntry(input, r.line);
    if (checked.entry) entries.push({ line: r.line, entry: checked.entry });
    else problems.push(...checked.problems);
  }
  return ok({ entries, problems, rows: records.length });
}
