/**
 * The canonical practitioner directory record: whatever the source (the Annuaire Santé extract, a FHIR bundle of
 * Practitioner/PractitionerRole/Organization, a plain CSV), an imported person becomes one DirectoryEntry, and
 * the store keeps it (src/store/directory.ts).
 *
 * A list or value the source does not give is left out (undefined): a re-import then keeps what is stored (the
 * Annuaire extract has no secure-mail address, capacity or absence, which the CSV or FHIR import gives). A list
 * that is given, even empty, replaces the stored one.
 */
import { z } from 'zod';
import { CodingSchema, HumanNameSchema, IDENTIFIER_SYSTEMS, IdentifierSchema, type Identifier } from '../domain/canonical-request.ts';
import { checkIdentifierValue, normalizeSystem, typeOfSystem } from '../domain/identifier-systems.ts';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A real calendar day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const DaySchema = z.string().refine(isDay, 'a calendar day written YYYY-MM-DD');

export const AbsenceSchema = z
  .strictObject({ firstDay: DaySchema, lastDay: DaySchema })
  .refine((a) => a.firstDay <= a.lastDay, { message: 'the first day of an absence is after its last day', path: ['lastDay'] })
  .describe('An absence: both days included.');

export const CouncilSchema = z
  .strictObject({ name: z.string().min(1), number: z.string().min(1), state: z.string().min(1).optional() })
  .describe('Professional council registration (Brazil: CRM + number + state).');

export const DirectoryOrganizationSchema = z.strictObject({
  name: z.string().min(1).optional(),
  identifiers: z.array(IdentifierSchema).default([]),
  municipality: z.string().min(1).optional().describe('Municipality code of the site (France: INSEE commune code; Brazil: IBGE).'),
});

export const DirectoryEntrySchema = z
  .strictObject({
    identifiers: z.array(IdentifierSchema).default([]).describe('National identifiers with their systems (RPPS and 8+RPPS, ADELI and 0+ADELI, CPF, NPI…).'),
    name: HumanNameSchema.optional(),
    profession: CodingSchema.optional().describe('Profession (France: TRE_G15 code, e.g. 10 doctor; Brazil: CBO).'),
    specialties: z.array(CodingSchema).optional().describe('Specialties (France: TRE_R38 ordinal specialty, e.g. SM04 cardiology).'),
    council: CouncilSchema.optional(),
    municipality: z.string().min(1).optional().describe('Municipality code of where they work.'),
    organization: DirectoryOrganizationSchema.optional(),
    addresses: z.array(z.string().regex(/^[^\s@]+@[^\s@]+$/, 'an e-mail address')).optional().describe('Secure-mail addresses (MSSanté, Direct).'),
    capacity: z.number().int().min(0).nullable().optional().describe('How many open requests at once (null: no limit).'),
    active: z.boolean().optional(),
    absences: z.array(AbsenceSchema).optional(),
    programmes: z.array(z.string().min(1)).optional().describe('Programme memberships (rule pack names or local programme names).'),
    hubFor: z.array(IdentifierSchema).optional().describe('For a hub expert: identifiers of the spoke practitioners it serves.'),
  })
  .refine((e) => e.identifiers.length > 0 || (e.addresses?.length ?? 0) > 0, { message: 'an entry needs an identifier or a secure-mail address', path: ['identifiers'] })
  .meta({ title: 'txgate practitioner directory entry' });

export type DirectoryEntry = z.infer<typeof DirectoryEntrySchema>;
export type DirectoryEntryInput = z.input<typeof DirectoryEntrySchema>;
export type Absence = z.infer<typeof AbsenceSchema>;
export type Council = z.infer<typeof CouncilSchema>;

/** An entry with the line of the file it was read from (the first line, for a person merged from several rows). */
export interface LineEntry {
  line: number;
  entry: DirectoryEntry;
}

/** A row or entry that was skipped, or a remark about one. line 0: not line-based (a FHIR bundle: see path). */
export interface ImportProblem {
  line: number;
  code: string;
  message: string;
  path?: string;
}

/** What a parser read from a file it could read. */
export interface ParsedDirectory {
  entries: LineEntry[];
  /** every row skipped, and why */
  problems: ImportProblem[];
  /** rows (or resources) read, the header excluded */
  rows: number;
}

/**
 * The identifiers of an entry, normalised: systems as urn:oid: (normalizeSystem), values trimmed, duplicates
 * dropped, and France's two forms of a professional's id completed (RPPS ⇄ 8+RPPS national id, ADELI ⇄
 * 0+ADELI), so that a request naming either form finds the person.
 */
export function completeIdentifiers(ids: readonly Identifier[]): Identifier[] {
  const out: Identifier[] = [];
  const seen = new Set<string>();
  const add = (system: string, value: string, type?: string) => {
    const s = normalizeSystem(system);
    const v = value.trim();
    const key = `${s}|${v}`;
    if (v === '' || seen.has(key)) return;
    seen.add(key);
    const t = type ?? typeOfSystem(s);
    out.push({ system: s, value: v, ...(t ? { type: t } : {}) });
  };
  for (const id of ids) add(id.system, id.value, id.type);
  for (const id of [...out]) {
    if (id.system === IDENTIFIER_SYSTEMS.RPPS) add(IDENTIFIER_SYSTEMS.PS_NATIONAL, `8${id.value}`);
    else if (id.system === IDENTIFIER_SYSTEMS.ADELI) add(IDENTIFIER_SYSTEMS.PS_NATIONAL, `0${id.value}`);
    else if (id.system === IDENTIFIER_SYSTEMS.PS_NATIONAL && /^8\d{11}$/.test(id.value)) add(IDENTIFIER_SYSTEMS.RPPS, id.value.slice(1));
    else if (id.system === IDENTIFIER_SYSTEMS.PS_NATIONAL && /^0(\d{2}|2A|2B)\d{7}$/i.test(id.value)) add(IDENTIFIER_SYSTEMS.ADELI, id.value.slice(1));
  }
  return out;
}

/**
 * Validates an entry built by a parser: the schema (DIRECTORY_INVALID) and the values of identifiers whose system
 * has a known rule (DIRECTORY_IDENTIFIER_INVALID: RPPS, ADELI, national id, CPF, CNS…). Problems are at `line`.
 */
export function checkEntry(input: DirectoryEntryInput, line: number): { entry?: DirectoryEntry; problems: ImportProblem[] } {
  const r = DirectoryEntrySchema.safeParse(input);
  if (!r.success) return { problems: r.error.issues.map((i) => ({ line, code: 'DIRECTORY_INVALID', message: `${i.path.join('.') || 'entry'}: ${i.message}` })) };
  const problems: ImportProblem[] = [];
  for (const [where, list] of [['identifiers', r.data.identifiers], ['hubFor', r.data.hubFor ?? []]] as const) {
    for (const id of list) {
      const invalid = checkIdentifierValue(id.system, id.value.trim());
      if (invalid) problems.push({ line, code: 'DIRECTORY_IDENTIFIER_INVALID', message: `${where}: ${invalid}` });
    }
  }
  if (problems.length > 0) return { problems };
  const identifiers = completeIdentifiers(r.data.identifiers);
  return { entry: { ...r.data, identifiers, ...(r.data.hubFor ? { hubFor: completeIdentifiers(r.data.hubFor) } : {}) }, problems };
}
