/**
 * A FHIR R4 Bundle of Practitioner, PractitionerRole and Organization resources (a directory export, a searchset,
 * a collection or a transaction): one entry per Practitioner, with what its PractitionerRoles add.
 *
 * - identifiers: Practitioner.identifier (and the role's own); values of known systems are checked;
 * - name: the official name first; profession: Practitioner.qualification[0].code, else PractitionerRole.code;
 * - specialties: every coding of every PractitionerRole.specialty;
 * - secure-mail addresses: every `email` telecom of the Practitioner and of its roles (mailto: dropped);
 * - organization: the role's Organization (name, identifiers);
 * - absences: PractitionerRole.notAvailable[].during (days of start and end);
 * - active: Practitioner.active.
 * A PractitionerRole whose practitioner is a logical reference (by identifier) gives an entry of its own. A list no
 * resource of the person gives (no specialty, no e-mail) keeps what is stored; what FHIR has no element for
 * (capacity, programmes, hub links, a municipality code) is left to the CSV import.
 * References are resolved inside the Bundle only (nothing is fetched). Problems carry line 0 and a path.
 */
import type { Coding, Identifier } from '../domain/canonical-request.ts';
import { fail, ok, type Problem, type Result } from '../errors/result.ts';
import { getBoolean, getObject, getObjects, getString, isObject, type JsonObject } from '../payload/fhir/fhir-json.ts';
import { resolveReference, type BundleIndex, type IndexedResource } from '../payload/fhir/index-bundle.ts';
import { firstCoding, parseCodings, parseHumanNames, parseIdentifier, parseIdentifiers } from '../payload/fhir/parse-fhir-datatypes.ts';
import { checkEntry, type Absence, type DirectoryEntryInput, type ImportProblem, type LineEntry, type ParsedDirectory } from './directory-entry.ts';

interface Draft {
  path: string;
  identifiers: Identifier[];
  name?: { family?: string; given: string[]; prefix: string[] };
  profession?: Coding;
  roleProfession?: Coding;
  specialties?: Coding[];
  addresses: string[];
  organization?: { name?: string; identifiers: Identifier[] };
  absences?: Absence[];
  active?: boolean;
  /** the resource's own problems (an invalid identifier): the entry is skipped */
  problems: Problem[];
}

/** Every `email` telecom of a resource, mailto: dropped. */
function emailsOf(o: JsonObject): string[] {
  return getObjects(o, 'telecom').flatMap(({ value }) => {
    if (getString(value, 'system') !== 'email') return [];
    const v = getString(value, 'value');
    return v ? [v.replace(/^mailto:/i, '')] : [];
  });
}

/** Entries by fullUrl and Type/id, with no limit on their number (a directory export is large). */
function indexEntries(entries: unknown[], problems: ImportProblem[]): BundleIndex {
  const index: BundleIndex = { entries: [], byFullUrl: new Map(), byTypeId: new Map() };
  entries.forEach((entry, i) => {
    const path = `Bundle.entry[${i}]`;
    const resource = isObject(entry) ? entry.resource : undefined;
    const resourceType = isObject(resource) ? getString(resource, 'resourceType') : undefined;
    if (!isObject(entry) || !isObject(resource) || !resourceType) {
      problems.push({ line: 0, path, code: 'FHIR_INVALID', message: 'an entry must hold a resource with a resourceType' });
      return;
    }
    const fullUrl = getString(entry, 'fullUrl');
    const id = getString(resource, 'id');
    const item: IndexedResource = { resource, resourceType, path: `${path}.resource`, ...(id ? { id } : {}), ...(fullUrl ? { fullUrl } : {}) };
    if (fullUrl !== undefined && !index.byFullUrl.has(fullUrl)) index.byFullUrl.set(fullUrl, item);
    if (id !== undefined && !index.byTypeId.has(`${resourceType}/${id}`)) index.byTypeId.set(`${resourceType}/${id}`, item);
    index.entries.push(item);
  });
  return index;
}

function draftOfPractitioner(target: IndexedResource): Draft {
  const p = target.resource;
  const problems: Problem[] = [];
  const identifiers = parseIdentifiers(p, 'identifier', target.path, problems);
  const name = parseHumanNames(p)[0];
  const profession = firstCoding(getObject(getObjects(p, 'qualification')[0]?.value, 'code'));
  const active = getBoolean(p, 'active');
  return {
    path: target.path,
    identifiers,
    ...(name ? { name } : {}),
    ...(profession ? { profession } : {}),
    addresses: emailsOf(p),
    ...(active !== undefined ? { active } : {}),
    problems,
  };
}

function absencesOf(role: JsonObject): Absence[] {
  return getObjects(role, 'notAvailable').flatMap(({ value }) => {
    const during = getObject(value, 'during');
    const start = getString(during, 'start')?.slice(0, 10);
    const end = getString(during, 'end')?.slice(0, 10);
    if (!start && !end) return [];
    return [{ firstDay: start ?? end!, lastDay: end ?? start! }];
  });
}

/** Reads the Bundle's JSON text. Fails (nothing to store) when it is not JSON or not a Bundle. */
export function parseDirectoryFhir(text: string): Result<ParsedDirectory> {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return fail({ code: 'FHIR_INVALID_JSON', path: '', message: (err as Error).message.slice(0, 200) });
  }
  if (!isObject(json) || json.resourceType !== 'Bundle') return fail({ code: 'FHIR_NOT_A_BUNDLE', path: 'resourceType', message: 'a Bundle of Practitioner, PractitionerRole and Organization resources is expected' });
  if (json.entry !== undefined && !Array.isArray(json.entry)) return fail({ code: 'FHIR_NOT_A_BUNDLE', path: 'Bundle.entry', message: 'entry must be an array' });
  const problems: ImportProblem[] = [];
  const index = indexEntries((json.entry as unknown[] | undefined) ?? [], problems);

  const drafts = new Map<IndexedResource, Draft>();
  const logical = new Map<string, Draft>();
  for (const item of index.entries) if (item.resourceType === 'Practitioner') drafts.set(item, draftOfPractitioner(item));

  for (const item of index.entries) {
    if (item.resourceType !== 'PractitionerRole') continue;
    const role = item.resource;
    const refProblems: Problem[] = [];
    const idProblems: Problem[] = [];
    const who = resolveReference(index, role.practitioner, item, `${item.path}.practitioner`, ['Practitioner'], refProblems);
    const own = parseIdentifiers(role, 'identifier', item.path, idProblems);
    let draft: Draft | undefined;
    if (who?.kind === 'resource') draft = drafts.get(who.target);
    else if (who?.kind === 'identifier') {
      const id = parseIdentifier({ system: who.system, value: who.value }, `${item.path}.practitioner.identifier`, idProblems);
      if (id) {
        const key = `${id.system}|${id.value}`;
        draft = logical.get(key);
        if (!draft) {
          draft = { path: item.path, identifiers: [id], addresses: [], problems: [] };
          logical.set(key, draft);
        }
      }
    } else if (own.length > 0 || emailsOf(role).length > 0) {
      draft = { path: item.path, identifiers: [], addresses: [], problems: [] };
      logical.set(item.path, draft);
    }
    for (const p of refProblems) problems.push({ line: 0, path: p.path, code: p.code, message: p.message });
    if (!draft) {
      for (const p of idProblems) problems.push({ line: 0, path: p.path, code: p.code, message: p.message });
      if (refProblems.length === 0) problems.push({ line: 0, path: item.path, code: 'FHIR_ROLE_WITHOUT_PRACTITIONER', message: 'a PractitionerRole that names no practitioner: skipped' });
      continue;
    }
    draft.problems.push(...idProblems);
    draft.identifiers.push(...own);
    const code = firstCoding(getObjects(role, 'code')[0]?.value);
    if (code && !draft.roleProfession) draft.roleProfession = code;
    const specialties = getObjects(role, 'specialty').flatMap(({ value }) => parseCodings(value));
    if (specialties.length > 0) {
      const known = draft.specialties ?? [];
      draft.specialties = [...known, ...specialties.filter((s) => !known.some((d) => d.system === s.system && d.code === s.code))];
    }
    draft.addresses.push(...emailsOf(role));
    if (!draft.organization) {
      const org = resolveReference(index, role.organization, item, `${item.path}.organization`, ['Organization'], []);
      if (org?.kind === 'resource') {
        const name = getString(org.target.resource, 'name');
        const orgProblems: Problem[] = [];
        const identifiers = parseIdentifiers(org.target.resource, 'identifier', org.target.path, orgProblems);
        draft.organization = { ...(name ? { name } : {}), identifiers };
      } else if (org?.kind === 'display') draft.organization = { name: org.display, identifiers: [] };
    }
    const absences = absencesOf(role);
    if (absences.length > 0) draft.absences = [...(draft.absences ?? []), ...absences];
  }

  const entries: LineEntry[] = [];
  for (const d of [...drafts.values(), ...logical.values()]) {
    if (d.problems.length > 0) {
      for (const p of d.problems) problems.push({ line: 0, path: p.path, code: p.code, message: p.message });
      continue;
    }
    const profession = d.profession ?? d.roleProfession;
    const addresses = [...new Set(d.addresses.map((a) => a.trim()))];
    const input: DirectoryEntryInput = {
      identifiers: d.identifiers,
      ...(d.name ? { name: d.name } : {}),
      ...(profession ? { profession } : {}),
      ...(d.specialties ? { specialties: d.specialties } : {}),
      ...(addresses.length > 0 ? { addresses } : {}),
      ...(d.organization ? { organization: d.organization } : {}),
      ...(d.absences ? { absences: d.absences } : {}),
      ...(d.active !== undefined ? { active: d.active } : {}),
    };
    const checked = checkEntry(input, 0);
    if (checked.entry) entries.push({ line: 0, entry: checked.entry });
    else problems.push(...checked.problems.map((p) => ({ ...p, path: d.path })));
  }
  return ok({ entries, problems, rows: index.entries.length });
}
