/**
 * The practitioner directory: people with their identifiers, profession and specialties, secure-mail addresses,
 * S/MIME certificates, organization, capacity, absences, programme memberships and hub/spoke links (migration 3).
 * Every lookup is served by an index: identifiers by their primary key (system, value), addresses by theirs
 * (case-insensitive), specialties by (code, system), absences, certificates and open requests by practitioner.
 */
import { createHash } from 'node:crypto';
import type { Coding, Identifier } from '../domain/canonical-request.ts';
import { normalizeSystem, typeOfSystem } from '../domain/identifier-systems.ts';
import { completeIdentifiers, type Absence, type Council, type DirectoryEntry, type ImportProblem, type LineEntry } from '../directory/directory-entry.ts';
import { newId } from '../pipeline/new-id.ts';
import type { Db } from './open-database.ts';
import { durableWrite, stmt } from './statements.ts';

/** Request states that count against an expert's capacity. */
export const OPEN_REQUEST_STATES = ['routed', 'accepted', 'information-requested'] as const;
const OPEN_IN = OPEN_REQUEST_STATES.map((s) => `'${s}'`).join(', ');

/** The lookups, named (explainDirectoryLookups shows that each is served by an index). */
const Q = {
  byIdentifier: 'SELECT practitioner FROM practitioner_identifiers WHERE system = ? AND value = ?',
  byAddress: 'SELECT practitioner FROM practitioner_addresses WHERE address = ?',
  bySpecialty: 'SELECT practitioner FROM practitioner_specialties WHERE code = ? AND system = ?',
  bySpecialtyCode: 'SELECT practitioner FROM practitioner_specialties WHERE code = ?',
  openRequests: `SELECT COUNT(*) AS n FROM requests WHERE expert = ? AND state IN (${OPEN_IN})`,
  absencesFrom: 'SELECT first_day, last_day FROM absences WHERE practitioner = ? AND last_day >= ? ORDER BY first_day',
  certificateAt: 'SELECT 1 FROM practitioner_certificates WHERE practitioner = ? AND not_after >= ? AND not_before <= ? LIMIT 1',
  certificatesOfAddress: `SELECT c.sha256, c.practitioner, c.not_before, c.not_after, c.der FROM practitioner_addresses a
     JOIN practitioner_certificates c ON c.practitioner = a.practitioner
     WHERE a.address = ? AND c.not_after >= ? AND c.not_before <= ? ORDER BY c.not_before DESC, c.not_after DESC`,
  hubsOf: 'SELECT hub FROM hub_links WHERE spoke = ? ORDER BY hub',
  spokesOf: 'SELECT spoke FROM hub_links WHERE hub = ? ORDER BY spoke',
  addressesOf: 'SELECT address FROM practitioner_addresses WHERE practitioner = ? ORDER BY rank, address',
  identifiersOf: 'SELECT system, value FROM practitioner_identifiers WHERE practitioner = ? ORDER BY system, value',
} as const;

export interface StoredOrganization {
  id: string;
  name?: string;
  identifiers: Identifier[];
  municipality?: string;
}

export interface CertificateInfo {
  sha256: string;
  notBefore: Date;
  notAfter: Date;
}

/** A practitioner with everything the directory holds about them. */
export interface PractitionerRecord {
  id: string;
  identifiers: Identifier[];
  name?: { family?: string; given: string[]; prefix: string[] };
  profession?: Coding;
  specialties: Coding[];
  council?: Council;
  municipality?: string;
  organization?: StoredOrganization;
  addresses: string[];
  /** open requests at once; undefined: no limit */
  capacity?: number;
  active: boolean;
  absences: (Absence & { id: number })[];
  programmes: string[];
  /** the spokes this practitioner serves as a hub (ids) */
  spokes: string[];
  /** the hubs that serve this practitioner (ids) */
  hubs: string[];
  certificates: CertificateInfo[];
  /** requests assigned to them and still open (routed, accepted, information requested) */
  openRequests: number;
  source: string;
  updatedAt: Date;
}

export interface StoreDirectoryResult {
  created: number;
  updated: number;
  /** entries not stored (identifiers or addresses of two different people), and remarks (an unknown spoke) */
  problems: ImportProblem[];
  /** the practitioner id of each entry, in order; undefined when the entry was skipped */
  ids: (string | undefined)[];
}

interface RawPractitioner {
  id: string;
  family: string | null;
  given: string | null;
  prefix: string | null;
  profession_system: string | null;
  profession_code: string | null;
  council: string | null;
  municipality: string | null;
  organization: string | null;
  capacity: number | null;
  active: number;
  source: string;
  updated_at: number;
}

const PRACTITIONER_COLUMNS = 'id, family, given, prefix, profession_system, profession_code, council, municipality, organization, capacity, active, source, updated_at';

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function normalizeIdentifiers(ids: readonly Identifier[]): { system: string; value: string }[] {
  const seen = new Set<string>();
  const out: { system: string; value: string }[] = [];
  for (const id of ids) {
    const system = normalizeSystem(id.system);
    const value = id.value.trim();
    const key = `${system}|${value}`;
    if (!value || seen.has(key)) continue;
    seen.add(key);
    out.push({ system, value });
  }
  return out;
}

function distinctAddresses(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses.map((a) => a.trim()).filter((a) => a !== '' && !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()));
}

/** An organization's id: derived from its smallest identifier (else its name and municipality), so a re-import finds it by primary key. */
function organizationId(org: NonNullable<DirectoryEntry['organization']>): string | undefined {
  const keys = normalizeIdentifiers(org.identifiers).map((i) => `${i.system}|${i.value}`).sort();
  const key = keys[0] ?? (org.name ? `name|${org.name.trim().toLowerCase()}|${org.municipality ?? ''}` : undefined);
  return key === undefined ? undefined : `org-${sha256(key).slice(0, 24)}`;
}

function practitionerOf(db: Db, system: string, value: string): string | undefined {
  return (stmt(db, Q.byIdentifier).get(system, value) as { practitioner: string } | undefined)?.practitioner;
}

function practitionerOfAddress(db: Db, address: string): string | undefined {
  return (stmt(db, Q.byAddress).get(address.trim()) as { practitioner: string } | undefined)?.practitioner;
}

/**
 * Stores imported entries in ONE transaction (all or nothing). An entry is matched to a stored practitioner by
 * any of its identifiers, else by one of its addresses; a match updates it in place (new identifiers added; name,
 * profession, council, municipality, organization, capacity and active replaced when the entry gives them;
 * specialties, addresses, absences, memberships and hub links replaced when the entry gives them), otherwise a
 * practitioner `pr-…` is created. An entry whose identifiers or addresses belong to two different practitioners
 * is skipped with a problem. Spokes (hubFor) are resolved once every entry is stored.
 */
export function storeDirectoryEntries(db: Db, entries: readonly (DirectoryEntry | LineEntry)[], source: string, now: Date): StoreDirectoryResult {
  const t = now.getTime();
  const run = db.transaction((): StoreDirectoryResult => {
    const result: StoreDirectoryResult = { created: 0, updated: 0, problems: [], ids: [] };
    const orgsWritten = new Set<string>();
    const hubs: { hub: string; line: number; spokes: { system: string; value: string }[] }[] = [];
    for (const item of entries) {
      const { line, entry } = 'entry' in item ? item : { line: 0, entry: item };
      // both forms of a French professional's id (RPPS and 8+RPPS…), whoever built the entry
      const identifiers = normalizeIdentifiers(completeIdentifiers(entry.identifiers));
      const addresses = entry.addresses ? distinctAddresses(entry.addresses) : undefined;
      const skip = (code: string, message: string) => {
        result.problems.push({ line, code, message });
        result.ids.push(undefined);
      };

      const byIdentifier = new Set(identifiers.flatMap((i) => practitionerOf(db, i.system, i.value) ?? []));
      if (byIdentifier.size > 1) {
        skip('DIRECTORY_AMBIGUOUS', 'its identifiers belong to two different practitioners: skipped');
        continue;
      }
      const owners = new Map((addresses ?? []).flatMap((a) => {
        const owner = practitionerOfAddress(db, a);
        return owner ? [[a, owner] as const] : [];
      }));
      let id = [...byIdentifier][0];
      if (id === undefined) {
        const byAddress = new Set(owners.values());
        if (byAddress.size > 1) {
          skip('DIRECTORY_AMBIGUOUS', 'its addresses belong to two different practitioners: skipped');
          continue;
        }
        id = [...byAddress][0];
      } else if ([...owners.values()].some((o) => o !== id)) {
        skip('DIRECTORY_ADDRESS_TAKEN', 'one of its addresses belongs to another practitioner: skipped');
        continue;
      }

      let organization: string | null | undefined;
      if (entry.organization) {
        organization = organizationId(entry.organization) ?? null;
        if (organization && !orgsWritten.has(organization)) {
          stmt(db,
            `INSERT INTO organizations (id, name, identifiers, municipality, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET name = COALESCE(excluded.name, name), identifiers = excluded.identifiers,
               municipality = COALESCE(excluded.municipality, municipality), updated_at = excluded.updated_at`,
          ).run(organization, entry.organization.name ?? null, JSON.stringify(normalizeIdentifiers(entry.organization.identifiers)), entry.organization.municipality ?? null, t);
          orgsWritten.add(organization);
        }
      }

      const existing = id === undefined ? undefined : (stmt(db, `SELECT ${PRACTITIONER_COLUMNS} FROM practitioners WHERE id = ?`).get(id) as RawPractitioner | undefined);
      const name = entry.name;
      const row = {
        family: name ? (name.family ?? null) : (existing?.family ?? null),
        given: name ? (name.given.length ? JSON.stringify(name.given) : null) : (existing?.given ?? null),
        prefix: name ? (name.prefix.length ? JSON.stringify(name.prefix) : null) : (existing?.prefix ?? null),
        professionSystem: entry.profession ? normalizeSystem(entry.profession.system) : (existing?.profession_system ?? null),
        professionCode: entry.profession ? entry.profession.code : (existing?.profession_code ?? null),
        council: entry.council ? JSON.stringify(entry.council) : (existing?.council ?? null),
        municipality: entry.municipality ?? existing?.municipality ?? null,
        organization: organization === undefined ? (existing?.organization ?? null) : organization,
        capacity: entry.capacity === undefined ? (existing?.capacity ?? null) : entry.capacity,
        active: entry.active === undefined ? (existing?.active ?? 1) : entry.active ? 1 : 0,
      };
      if (existing) {
        stmt(db,
          `UPDATE practitioners SET family = ?, given = ?, prefix = ?, profession_system = ?, profession_code = ?, council = ?, municipality = ?,
             organization = ?, capacity = ?, active = ?, source = ?, updated_at = ? WHERE id = ?`,
        ).run(row.family, row.given, row.prefix, row.professionSystem, row.professionCode, row.council, row.municipality, row.organization, row.capacity, row.active, source, t, existing.id);
        result.updated++;
      } else {
        // the import's time plus the entry's rank (ms): the ids of one import increase, so their index grows at its
        // end instead of at random places (twice as fast for a national extract)
        id = newId('pr', t + result.created);
        stmt(db,
          `INSERT INTO practitioners (id, family, given, prefix, profession_system, profession_code, council, municipality, organization, capacity, active, source, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, row.family, row.given, row.prefix, row.professionSystem, row.professionCode, row.council, row.municipality, row.organization, row.capacity, row.active, source, t);
        result.created++;
      }
      const pid = id!;
      // a practitioner just created has nothing to replace
      const replace = (sql: string) => existing && stmt(db, sql).run(pid);
      for (const i of identifiers) stmt(db, 'INSERT OR IGNORE INTO practitioner_identifiers (system, value, practitioner) VALUES (?, ?, ?)').run(i.system, i.value, pid);
      if (entry.specialties) {
        replace('DELETE FROM practitioner_specialties WHERE practitioner = ?');
        entry.specialties.forEach((s, rank) => stmt(db, 'INSERT OR IGNORE INTO practitioner_specialties (practitioner, system, code, rank) VALUES (?, ?, ?, ?)').run(pid, normalizeSystem(s.system), s.code.trim(), rank));
      }
      if (addresses) {
        replace('DELETE FROM practitioner_addresses WHERE practitioner = ?');
        addresses.forEach((a, rank) => stmt(db, 'INSERT INTO practitioner_addresses (address, practitioner, rank) VALUES (?, ?, ?)').run(a, pid, rank));
      }
      if (entry.absences) {
        replace('DELETE FROM absences WHERE practitioner = ?');
        for (const a of entry.absences) stmt(db, 'INSERT INTO absences (practitioner, first_day, last_day) VALUES (?, ?, ?)').run(pid, a.firstDay, a.lastDay);
      }
      if (entry.programmes) {
        replace('DELETE FROM memberships WHERE practitioner = ?');
        for (const p of entry.programmes) stmt(db, 'INSERT OR IGNORE INTO memberships (practitioner, programme) VALUES (?, ?)').run(pid, p.trim());
      }
      if (entry.hubFor) hubs.push({ hub: pid, line, spokes: normalizeIdentifiers(entry.hubFor) });
      result.ids.push(pid);
    }
    for (const h of hubs) {
      const spokes = new Set<string>();
      for (const s of h.spokes) {
        const spoke = practitionerOf(db, s.system, s.value);
        if (spoke === undefined) result.problems.push({ line: h.line, code: 'DIRECTORY_SPOKE_UNKNOWN', message: `hub_for: no practitioner has the identifier ${s.system}|${s.value}` });
        else if (spoke !== h.hub) spokes.add(spoke);
      }
      setHubLinks(db, h.hub, [...spokes]);
    }
    result.problems.sort((a, b) => a.line - b.line);
    return result;
  });
  return durableWrite(db, () => run.immediate());
}

/** Replaces the spokes a hub serves. */
export function setHubLinks(db: Db, hub: string, spokes: readonly string[]): void {
  stmt(db, 'DELETE FROM hub_links WHERE hub = ?').run(hub);
  for (const s of spokes) stmt(db, 'INSERT OR IGNORE INTO hub_links (hub, spoke) VALUES (?, ?)').run(hub, s);
}

/** Adds an absence (both days included); returns its id. */
export function addAbsence(db: Db, practitioner: string, absence: Absence): number {
  return Number(stmt(db, 'INSERT INTO absences (practitioner, first_day, last_day) VALUES (?, ?, ?)').run(practitioner, absence.firstDay, absence.lastDay).lastInsertRowid);
}

export function removeAbsence(db: Db, absenceId: number): boolean {
  return stmt(db, 'DELETE FROM absences WHERE id = ?').run(absenceId).changes === 1;
}

/** Sets how many open requests a practitioner takes at once (null: no limit). */
export function setCapacity(db: Db, practitioner: string, capacity: number | null, now: Date): boolean {
  return stmt(db, 'UPDATE practitioners SET capacity = ?, updated_at = ? WHERE id = ?').run(capacity, now.getTime(), practitioner).changes === 1;
}

/** Requests assigned to a practitioner and still open. */
export function countOpenRequests(db: Db, practitioner: string): number {
  return (stmt(db, Q.openRequests).get(practitioner) as { n: number }).n;
}

function identifierList(rows: { system: string; value: string }[]): Identifier[] {
  return rows.map((r) => {
    const type = typeOfSystem(r.system);
    return { system: r.system, value: r.value, ...(type ? { type } : {}) };
  });
}

function jsonList(text: string | null): string[] {
  if (text === null) return [];
  const v = JSON.parse(text) as unknown;
  return Array.isArray(v) ? v.map(String) : [];
}

/** A practitioner with everything attached, or undefined. */
export function getPractitioner(db: Db, id: string): PractitionerRecord | undefined {
  const p = stmt(db, `SELECT ${PRACTITIONER_COLUMNS} FROM practitioners WHERE id = ?`).get(id) as RawPractitioner | undefined;
  if (!p) return undefined;
  const identifiers = identifierList(stmt(db, Q.identifiersOf).all(id) as { system: string; value: string }[]);
  const specialties = stmt(db, 'SELECT system, code FROM practitioner_specialties WHERE practitioner = ? ORDER BY rank, system, code').all(id) as Coding[];
  const addresses = (stmt(db, Q.addressesOf).all(id) as { address: string }[]).map((r) => r.address);
  const absences = (stmt(db, 'SELECT id, first_day, last_day FROM absences WHERE practitioner = ? ORDER BY first_day, id').all(id) as { id: number; first_day: string; last_day: string }[]).map((a) => ({ id: a.id, firstDay: a.first_day, lastDay: a.last_day }));
  const programmes = (stmt(db, 'SELECT programme FROM memberships WHERE practitioner = ? ORDER BY programme').all(id) as { programme: string }[]).map((r) => r.programme);
  const spokes = (stmt(db, Q.spokesOf).all(id) as { spoke: string }[]).map((r) => r.spoke);
  const certificates = (stmt(db, 'SELECT sha256, not_before, not_after FROM practitioner_certificates WHERE practitioner = ? ORDER BY not_before DESC, not_after DESC').all(id) as { sha256: string; not_before: number; not_after: number }[]).map(
    (c) => ({ sha256: c.sha256, notBefore: new Date(c.not_before), notAfter: new Date(c.not_after) }),
  );
  const org = p.organization ? (stmt(db, 'SELECT id, name, identifiers, municipality FROM organizations WHERE id = ?').get(p.organization) as { id: string; name: string | null; identifiers: string; municipality: string | null } | undefined) : undefined;
  const given = jsonList(p.given);
  const prefix = jsonList(p.prefix);
  return {
    id: p.id,
    identifiers,
    ...(p.family !== null || given.length > 0 || prefix.length > 0 ? { name: { ...(p.family !== null ? { family: p.family } : {}), given, prefix } } : {}),
    ...(p.profession_system !== null && p.profession_code !== null ? { profession: { system: p.profession_system, code: p.profession_code } } : {}),
    specialties,
    ...(p.council !== null ? { council: JSON.parse(p.council) as Council } : {}),
    ...(p.municipality !== null ? { municipality: p.municipality } : {}),
    ...(org
      ? {
          organization: {
            id: org.id,
            ...(org.name !== null ? { name: org.name } : {}),
            identifiers: identifierList(JSON.parse(org.identifiers) as { system: string; value: string }[]),
            ...(org.municipality !== null ? { municipality: org.municipality } : {}),
          },
        }
      : {}),
    addresses,
    ...(p.capacity !== null ? { capacity: p.capacity } : {}),
    active: p.active === 1,
    absences,
    programmes,
    spokes,
    hubs: hubsOf(db, id),
    certificates,
    openRequests: countOpenRequests(db, id),
    source: p.source,
    updatedAt: new Date(p.updated_at),
  };
}

/** The practitioner an address belongs to (case-insensitive). */
export function findPractitionerByAddress(db: Db, address: string): PractitionerRecord | undefined {
  const id = practitionerOfAddress(db, address);
  return id === undefined ? undefined : getPractitioner(db, id);
}

/** The practitioner an identifier belongs to (the system as an OID, urn:oid: or URI). */
export function findPractitionerByIdentifier(db: Db, system: string, value: string): PractitionerRecord | undefined {
  const id = practitionerOf(db, normalizeSystem(system), value.trim());
  return id === undefined ? undefined : getPractitioner(db, id);
}

/** The practitioner a request names: by any of its identifiers, else by its address. */
export function findPractitionerFor(db: Db, p: { identifiers: readonly Identifier[]; address?: string | undefined }): PractitionerRecord | undefined {
  for (const i of normalizeIdentifiers(p.identifiers)) {
    const id = practitionerOf(db, i.system, i.value);
    if (id !== undefined) return getPractitioner(db, id);
  }
  return p.address ? findPractitionerByAddress(db, p.address) : undefined;
}

export interface SearchOptions {
  /** a specialty code, in one system or (system absent) in any */
  specialty?: { system?: string; code: string };
  /** only those available that day: active, not absent, open requests below capacity */
  available?: { day: string };
  limit?: number;
}

const AVAILABLE = `p.active = 1
  AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.practitioner = p.id AND a.last_day >= @day AND a.first_day <= @day)
  AND (p.capacity IS NULL OR (SELECT COUNT(*) FROM requests r WHERE r.expert = p.id AND r.state IN (${OPEN_IN})) < p.capacity)`;

function searchSql(o: SearchOptions): string {
  const where: string[] = [];
  let from = 'practitioners p';
  if (o.specialty) {
    from = 'practitioner_specialties s JOIN practitioners p ON p.id = s.practitioner';
    where.push('s.code = @code');
    if (o.specialty.system) where.push('s.system = @system');
  }
  if (o.available) where.push(AVAILABLE);
  return `SELECT DISTINCT p.id, p.family FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.family, p.id LIMIT @limit`;
}

/** Practitioners of a specialty (by the specialty index), optionally only those available on a day; by family name. */
export function searchPractitioners(db: Db, o: SearchOptions = {}): PractitionerRecord[] {
  const params: Record<string, string | number> = { limit: o.limit ?? 50 };
  if (o.specialty) {
    params.code = o.specialty.code.trim();
    if (o.specialty.system) params.system = normalizeSystem(o.specialty.system);
  }
  if (o.available) params.day = o.available.day;
  return (stmt(db, searchSql(o)).all(params) as { id: string }[]).flatMap((r) => getPractitioner(db, r.id) ?? []);
}

/** What routing needs to know of an expert on a day. */
export interface ExpertCandidate {
  id: string;
  /** the address to forward to: the first of `addresses` (in the directory's order) */
  address?: string;
  addresses: string[];
  profession?: Coding;
  specialties: Coding[];
  /** undefined: no limit */
  capacity?: number;
  openRequests: number;
  /** absences that end on or after the day */
  absences: Absence[];
  /** the spokes this expert serves as a hub (ids) */
  hubFor: string[];
  /** a certificate valid at the time asked (default: noon UTC of the day) */
  hasCertificate: boolean;
}

/** One practitioner as a routing candidate on `day` (YYYY-MM-DD); undefined when unknown or inactive. */
export function expertCandidate(db: Db, id: string, day: string, at?: Date): ExpertCandidate | undefined {
  const p = stmt(db, 'SELECT id, profession_system, profession_code, capacity, active FROM practitioners WHERE id = ?').get(id) as
    | { id: string; profession_system: string | null; profession_code: string | null; capacity: number | null; active: number }
    | undefined;
  if (!p || p.active !== 1) return undefined;
  const when = (at ?? new Date(`${day}T12:00:00Z`)).getTime();
  const addresses = (stmt(db, Q.addressesOf).all(id) as { address: string }[]).map((r) => r.address);
  return {
    id,
    ...(addresses[0] !== undefined ? { address: addresses[0] } : {}),
    addresses,
    ...(p.profession_system !== null && p.profession_code !== null ? { profession: { system: p.profession_system, code: p.profession_code } } : {}),
    specialties: stmt(db, 'SELECT system, code FROM practitioner_specialties WHERE practitioner = ? ORDER BY rank, system, code').all(id) as Coding[],
    ...(p.capacity !== null ? { capacity: p.capacity } : {}),
    openRequests: countOpenRequests(db, id),
    absences: (stmt(db, Q.absencesFrom).all(id, day) as { first_day: string; last_day: string }[]).map((a) => ({ firstDay: a.first_day, lastDay: a.last_day })),
    hubFor: (stmt(db, Q.spokesOf).all(id) as { spoke: string }[]).map((r) => r.spoke),
    hasCertificate: stmt(db, Q.certificateAt).get(id, when, when) !== undefined,
  };
}

/**
 * The active practitioners having any of these specialties (a code without a system matches it in any system),
 * as routing candidates on `day`, in id order. Absent and full ones are included: routing decides (and says why).
 */
export function listExpertCandidates(db: Db, o: { specialtyCodes: readonly { system?: string; code: string }[]; day: string; at?: Date }): ExpertCandidate[] {
  const ids = new Set<string>();
  for (const s of o.specialtyCodes) {
    const rows = s.system
      ? (stmt(db, Q.bySpecialty).all(s.code.trim(), normalizeSystem(s.system)) as { practitioner: string }[])
      : (stmt(db, Q.bySpecialtyCode).all(s.code.trim()) as { practitioner: string }[]);
    for (const r of rows) ids.add(r.practitioner);
  }
  return [...ids].sort().flatMap((id) => expertCandidate(db, id, o.day, o.at) ?? []);
}

/** The hubs that serve a spoke practitioner (ids). */
export function hubsOf(db: Db, spoke: string): string[] {
  return (stmt(db, Q.hubsOf).all(spoke) as { hub: string }[]).map((r) => r.hub);
}

/** Attaches a certificate (DER) to a practitioner; the same certificate again moves it. Returns its SHA-256 and whether it was new. */
export function addCertificate(db: Db, practitioner: string, der: Buffer, notBefore: Date, notAfter: Date): { sha256: string; added: boolean } {
  const hash = sha256(der);
  const existed = stmt(db, 'SELECT 1 FROM practitioner_certificates WHERE sha256 = ?').get(hash) !== undefined;
  stmt(db,
    `INSERT INTO practitioner_certificates (sha256, practitioner, not_before, not_after, der) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(sha256) DO UPDATE SET practitioner = excluded.practitioner`,
  ).run(hash, practitioner, notBefore.getTime(), notAfter.getTime(), der);
  return { sha256: hash, added: !existed };
}

export interface StoredCertificate extends CertificateInfo {
  practitioner: string;
  der: Buffer;
}

/** The certificates of the practitioner an address belongs to that are valid at `at`, newest first. */
export function findCertificates(db: Db, address: string, at: Date): StoredCertificate[] {
  const t = at.getTime();
  return (stmt(db, Q.certificatesOfAddress).all(address.trim(), t, t) as { sha256: string; practitioner: string; not_before: number; not_after: number; der: Buffer }[]).map((c) => ({
    sha256: c.sha256,
    practitioner: c.practitioner,
    notBefore: new Date(c.not_before),
    notAfter: new Date(c.not_after),
    der: c.der,
  }));
}

/** How many certificates the directory holds. */
export function countCertificates(db: Db): number {
  return (stmt(db, 'SELECT COUNT(*) AS n FROM practitioner_certificates').get() as { n: number }).n;
}

/** A certificate to attach, with the addresses it binds (rfc822Name). */
export interface CertificateToAttach {
  der: Buffer;
  notBefore: Date;
  notAfter: Date;
  addresses: readonly string[];
}

export type AttachOutcome =
  | { attached: true; sha256: string; practitioner: string; address: string; added: boolean }
  | { attached: false; sha256: string; addresses: readonly string[] };

/** Attaches each certificate, in one transaction, to the practitioner of the first of its addresses the directory knows. */
export function attachCertificates(db: Db, certs: readonly CertificateToAttach[]): AttachOutcome[] {
  const run = db.transaction(() =>
    certs.map((c): AttachOutcome => {
      for (const address of c.addresses) {
        const practitioner = practitionerOfAddress(db, address);
        if (practitioner === undefined) continue;
        const { sha256: hash, added } = addCertificate(db, practitioner, c.der, c.notBefore, c.notAfter);
        return { attached: true, sha256: hash, practitioner, address, added };
      }
      return { attached: false, sha256: sha256(c.der), addresses: c.addresses };
    }),
  );
  return durableWrite(db, () => run.immediate());
}

/**
 * The query plan of each lookup and of the availability search (for tests and the operator): every one is served by
 * an index, none scans a table.
 */
export function explainDirectoryLookups(db: Db): Record<string, string> {
  const plans: Record<string, string> = {};
  const explain = (sql: string, params: unknown[] | Record<string, unknown>) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('; ');
  for (const [name, sql] of Object.entries(Q)) plans[name] = explain(sql, Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null));
  plans.searchAvailable = explain(searchSql({ specialty: { system: 's', code: 'c' }, available: { day: 'd' } }), { code: 'c', system: 's', day: 'd', limit: 1 });
  return plans;
}

/** The practitioner a certificate was attached to (`txgate directory cert`), by the SHA-256 of its DER. */
export function findPractitionerByCertificate(db: Db, sha256: string): PractitionerRecord | undefined {
  const r = stmt(db, 'SELECT practitioner FROM practitioner_certificates WHERE sha256 = ?').get(sha256) as { practitioner: string } | undefined;
  return r ? getPractitioner(db, r.practitioner) : undefined;
}
