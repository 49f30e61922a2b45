/**
 * The practitioner directory in SQLite: imports stored in one transaction and matched on re-import (by identifier,
 * else address), lookups, search by specialty and availability (absences, capacity against open requests),
 * routing candidates, hub links and certificates by address and validity. Real database files.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryEntry, DirectoryEntryInput } from '../../src/directory/directory-entry.ts';
import { DirectoryEntrySchema } from '../../src/directory/directory-entry.ts';
import { parseAnnuaireExtract } from '../../src/directory/parse-annuaire-extract.ts';
import { parseDirectoryCsv } from '../../src/directory/parse-directory-csv.ts';
import { buildCertificate } from '../../src/pki/build-certificate.ts';
import { parseCertificates } from '../../src/pki/certificate.ts';
import {
  addAbsence,
  addCertificate,
  countOpenRequests,
  explainDirectoryLookups,
  findCertificates,
  findPractitionerByAddress,
  findPractitionerByIdentifier,
  findPractitionerFor,
  getPractitioner,
  hubsOf,
  listExpertCandidates,
  removeAbsence,
  searchPractitioners,
  setCapacity,
  storeDirectoryEntries,
} from '../../src/store/directory.ts';
import { storeInboundMessage } from '../../src/store/messages.ts';
import { insertRequest } from '../../src/store/requests.ts';
import type { Db } from '../../src/store/open-database.ts';
import { ANNUAIRE_SAMPLE, CSV_SAMPLE, PS_NATIONAL, RPPS, SPECIALTY, tableCounts, tempDb, type TempDb } from '../directory/directory-db.ts';
import { CERTS } from '../helpers/paths.ts';

const NOW = new Date('2026-03-01T09:00:00Z');

function annuaire() {
  const r = parseAnnuaireExtract(readFileSync(ANNUAIRE_SAMPLE, 'utf8'));
  if (!r.ok) throw new Error('sample unreadable');
  return r.value.entries;
}

function csv() {
  const r = parseDirectoryCsv(readFileSync(CSV_SAMPLE, 'utf8'));
  if (!r.ok) throw new Error('sample unreadable');
  return r.value.entries;
}

const entry = (e: DirectoryEntryInput): DirectoryEntry => DirectoryEntrySchema.parse(e);
const rpps = (value: string) => ({ system: RPPS, value });

/** A request assigned to an expert, in a state (the message it came from stored first). */
function assign(db: Db, expert: string, state: string): void {
  const id = `m-${Math.random().toString(36).slice(2)}`;
  storeInboundMessage(db, { id, channel: 'smtp', envelopeFrom: 'a@b.test', envelopeTo: ['gw@txgate.localhost'], messageId: undefined, dedupKey: id, remoteAddress: undefined, tls: true, clientCert: undefined, raw: Buffer.from('x'), state: 'parsed', at: NOW });
  insertRequest(db, { id: `rq-${id}`, message: id, channel: 'smtp', dialect: 'form', state, canonical: {} }, NOW);
  db.prepare('UPDATE requests SET expert = ? WHERE id = ?').run(expert, `rq-${id}`);
}

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.close());

describe('storeDirectoryEntries', () => {
  it('stores the Annuaire sample: 20 practitioners with everything attached', () => {
    const r = storeDirectoryEntries(t.db, annuaire(), 'annuaire:sample', NOW);
    expect(r).toMatchObject({ created: 20, updated: 0, problems: [] });
    expect(r.ids.every((id) => /^pr-/.test(id ?? ''))).toBe(true);
    const martin = findPractitionerByIdentifier(t.db, RPPS, '10100000011')!;
    expect(martin).toMatchObject({
      name: { family: 'MARTIN', given: ['CLAIRE'], prefix: ['Dr'] },
      profession: { code: '10' },
      specialties: [{ system: SPECIALTY, code: 'SM54' }],
      municipality: '69123',
      organization: { name: 'CABINET MEDICAL DES TILLEULS', municipality: '69123' },
      addresses: ['claire.martin@medecin.mssante.fr'],
      active: true,
      source: 'annuaire:sample',
      openRequests: 0,
    });
    expect(martin.identifiers.map((i) => `${i.system}|${i.value}`).sort()).toEqual([`${RPPS}|10100000011`, `${PS_NATIONAL}|810100000011`]);
    expect(tableCounts(t.db)).toMatchObject({ practitioners: 20, practitioner_identifiers: 40 });
  });

  it('updates in place on re-import: the same ids, no duplicate rows', () => {
    const first = storeDirectoryEntries(t.db, annuaire(), 'annuaire:sample', NOW);
    const counts = tableCounts(t.db);
    const again = storeDirectoryEntries(t.db, annuaire(), 'annuaire:sample', new Date(NOW.getTime() + 1000));
    expect(again).toMatchObject({ created: 0, updated: 20, problems: [] });
    expect(again.ids).toEqual(first.ids);
    expect(tableCounts(t.db)).toEqual(counts);
  });

  it('lets a CSV add addresses, capacity, absences and memberships, which a re-import of the Annuaire keeps', () => {
    storeDirectoryEntries(t.db, annuaire(), 'annuaire', NOW);
    const r = storeDirectoryEntries(t.db, csv(), 'csv', NOW);
    expect(r).toMatchObject({ created: 7, updated: 4, problems: [] });
    storeDirectoryEntries(t.db, annuaire(), 'annuaire', NOW);
    const durand = findPractitionerByAddress(t.db, 'Paul.Durand@cardio.mssante.fr')!;
    expect(durand).toMatchObject({
      name: { family: 'DURAND' },
      specialties: [{ code: 'SM04' }],
      // in the directory's order (the CSV's): the first is where mail goes
      addresses: ['paul.durand@cardio.mssante.fr', 'cardio.durand@chu-b.test'],
      capacity: 2,
      absences: [{ firstDay: '2026-03-02', lastDay: '2026-03-06' }],
      programmes: ['fr-teleexpertise'],
    });
  });

  it('replaces specialties, addresses, absences and memberships when an import gives them', () => {
    const [id] = storeDirectoryEntries(t.db, [entry({ identifiers: [rpps('10100000011')], specialties: [{ system: SPECIALTY, code: 'SM04' }], addresses: ['a@x.test'], absences: [{ firstDay: '2026-01-01', lastDay: '2026-01-02' }], programmes: ['p1'] })], 'csv', NOW).ids;
    storeDirectoryEntries(t.db, [entry({ identifiers: [rpps('10100000011')], specialties: [{ system: SPECIALTY, code: 'SM15' }], addresses: ['b@x.test'], absences: [], programmes: ['p2'] })], 'csv', NOW);
    expect(getPractitioner(t.db, id!)).toMatchObject({ specialties: [{ code: 'SM15' }], addresses: ['b@x.test'], absences: [], programmes: ['p2'] });
  });

  it('matches an entry by its address when no identifier matches, and adds the identifiers', () => {
    const [id] = storeDirectoryEntries(t.db, [entry({ addresses: ['dr.x@hopital.test'], capacity: 2 })], 'csv', NOW).ids;
    const r = storeDirectoryEntries(t.db, [entry({ identifiers: [rpps('10100000999')], addresses: ['DR.X@hopital.test'] })], 'fhir', NOW);
    expect(r).toMatchObject({ created: 0, updated: 1 });
    expect(findPractitionerByIdentifier(t.db, 'urn:oid:1.2.250.1.71.4.2.1', '810100000999')?.id).toBe(id);
    expect(getPractitioner(t.db, id!)?.capacity).toBe(2);
  });

  it.each([
    ['identifiers of two different practitioners', entry({ identifiers: [rpps('10100000011'), rpps('10100000029')] }), 'DIRECTORY_AMBIGUOUS'],
    ['addresses of two different practitioners', entry({ addresses: ['one@x.test', 'two@x.test'] }), 'DIRECTORY_AMBIGUOUS'],
    ["an address of another practitioner than the identifier's", entry({ identifiers: [rpps('10100000011')], addresses: ['two@x.test'] }), 'DIRECTORY_ADDRESS_TAKEN'],
  ])('skips an entry with %s, and stores the others', (_rule, bad, code) => {
    storeDirectoryEntries(t.db, [entry({ identifiers: [rpps('10100000011')], addresses: ['one@x.test'] }), entry({ identifiers: [rpps('10100000029')], addresses: ['two@x.test'] })], 'csv', NOW);
    const r = storeDirectoryEntries(t.db, [{ line: 7, entry: bad }, { line: 8, entry: entry({ addresses: ['three@x.test'] }) }], 'csv', NOW);
    expect(r.problems).toEqual([expect.objectContaining({ line: 7, code })]);
    expect(r.ids[0]).toBeUndefined();
    expect(r.created).toBe(1);
    expect(findPractitionerByAddress(t.db, 'one@x.test')?.identifiers.map((i) => i.value)).toEqual(['810100000011', '10100000011']);
  });

  it('links a hub to its spokes once every entry is stored, and reports unknown spokes', () => {
    const r = storeDirectoryEntries(t.db, csv(), 'csv', NOW);
    expect(r.problems).toEqual([]);
    const hub = findPractitionerByAddress(t.db, 'an.nguyen@hub.example.vn')!;
    expect(hub.spokes).toHaveLength(4);
    const spoke = findPractitionerByAddress(t.db, 'binh.tran@spoke1.example.vn')!;
    expect(hubsOf(t.db, spoke.id)).toEqual([hub.id]);
    expect(spoke.hubs).toEqual([hub.id]);
    const again = storeDirectoryEntries(t.db, [{ line: 3, entry: entry({ identifiers: [{ system: 'urn:txgate:vn:staff', value: 'HUB-1' }], hubFor: [{ system: 'urn:txgate:vn:staff', value: 'SP-1' }, { system: 'urn:txgate:vn:staff', value: 'SP-9' }] }) }], 'csv', NOW);
    expect(again.problems).toEqual([expect.objectContaining({ line: 3, code: 'DIRECTORY_SPOKE_UNKNOWN' })]);
    expect(getPractitioner(t.db, hub.id)?.spokes).toEqual([spoke.id]);
  });

  it('writes nothing when a write fails midway: one transaction', () => {
    storeDirectoryEntries(t.db, [entry({ addresses: ['kept@x.test'] })], 'csv', NOW);
    const before = tableCounts(t.db);
    t.db.exec("CREATE TRIGGER boom BEFORE INSERT ON practitioner_specialties WHEN NEW.code = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END");
    const entries = annuaire();
    entries.splice(10, 0, { line: 99, entry: entry({ identifiers: [rpps('10100000888')], specialties: [{ system: SPECIALTY, code: 'BOOM' }] }) });
    expect(() => storeDirectoryEntries(t.db, entries, 'annuaire', NOW)).toThrow(/boom/);
    expect(tableCounts(t.db)).toEqual(before);
  });
});

describe('lookups', () => {
  it('serves every lookup and the availability search by an index, none scanning a table', () => {
    const plans = explainDirectoryLookups(t.db);
    expect(Object.keys(plans).length).toBeGreaterThan(10);
    for (const [name, plan] of Object.entries(plans)) {
      expect(plan, name).toMatch(/SEARCH/);
      expect(plan, name).not.toMatch(/\bSCAN\b/);
    }
  });

  beforeEach(() => {
    storeDirectoryEntries(t.db, annuaire(), 'annuaire', NOW);
    storeDirectoryEntries(t.db, csv(), 'csv', NOW);
  });

  it.each([
    ['an RPPS', { identifiers: [{ system: RPPS, value: '10100000029' }] }],
    ['the national id 8+RPPS, its system a bare OID', { identifiers: [{ system: '1.2.250.1.71.4.2.1', value: '810100000029' }] }],
    ['an unknown identifier, then the address', { identifiers: [{ system: RPPS, value: '19999999999' }], address: 'CARDIO.DURAND@chu-b.test' }],
  ])('finds the practitioner a request names by %s', (_rule, p) => {
    expect(findPractitionerFor(t.db, p)?.name?.family).toBe('DURAND');
  });

  it('finds nobody for unknown identifiers and addresses', () => {
    expect(findPractitionerFor(t.db, { identifiers: [{ system: RPPS, value: '19999999999' }], address: 'nobody@x.test' })).toBeUndefined();
    expect(getPractitioner(t.db, 'pr-unknown')).toBeUndefined();
  });
});

describe('searchPractitioners and listExpertCandidates', () => {
  let durand: string;
  let leroy: string;
  beforeEach(() => {
    storeDirectoryEntries(t.db, annuaire(), 'annuaire', NOW);
    storeDirectoryEntries(t.db, csv(), 'csv', NOW);
    durand = findPractitionerByIdentifier(t.db, RPPS, '10100000029')!.id;
    leroy = findPractitionerByIdentifier(t.db, RPPS, '10100000045')!.id;
  });

  it('finds the practitioners of a specialty, in any system or in one, by family name', () => {
    expect(searchPractitioners(t.db, { specialty: { code: 'SM04' } }).map((p) => p.name?.family)).toEqual(['DURAND', 'LEROY']);
    expect(searchPractitioners(t.db, { specialty: { system: SPECIALTY, code: 'SM04' } })).toHaveLength(2);
    expect(searchPractitioners(t.db, { specialty: { system: 'urn:oid:1.2.250.1.213.2.28', code: 'SM04' } })).toEqual([]);
    expect(searchPractitioners(t.db, { limit: 5 })).toHaveLength(5);
  });

  // Durand: capacity 2, absent 2026-03-02..06; Leroy: capacity 3, absent 2026-03-16
  it.each<[string, string, () => void, string[]]>([
    ['both present and below capacity', '2026-03-10', () => {}, ['DURAND', 'LEROY']],
    ['an absent one left out (first day)', '2026-03-02', () => {}, ['LEROY']],
    ['an absent one left out (last day)', '2026-03-06', () => {}, ['LEROY']],
    ['a one-day absence', '2026-03-16', () => {}, ['DURAND']],
    ['a full one left out (open requests = capacity)', '2026-03-10', () => ['routed', 'information-requested'].forEach((s) => assign(t.db, durand, s)), ['LEROY']],
    ['closed requests do not count', '2026-03-10', () => ['admitted', 'answered', 'cancelled', 'routed'].forEach((s) => assign(t.db, durand, s)), ['DURAND', 'LEROY']],
    ['no capacity: never full', '2026-03-10', () => {
      setCapacity(t.db, durand, null, NOW);
      for (let i = 0; i < 5; i++) assign(t.db, durand, 'accepted');
    }, ['DURAND', 'LEROY']],
    ['an absence added then removed', '2026-03-10', () => removeAbsence(t.db, addAbsence(t.db, leroy, { firstDay: '2026-03-09', lastDay: '2026-03-11' })), ['DURAND', 'LEROY']],
    ['an absence added', '2026-03-10', () => addAbsence(t.db, leroy, { firstDay: '2026-03-09', lastDay: '2026-03-11' }), ['DURAND']],
  ])('available on a day: %s', (_rule, day, setup, families) => {
    setup();
    expect(searchPractitioners(t.db, { specialty: { code: 'SM04' }, available: { day } }).map((p) => p.name?.family)).toEqual(families);
  });

  it('counts the open requests of an expert (routed, accepted, information requested)', () => {
    for (const s of ['routed', 'accepted', 'information-requested', 'answered']) assign(t.db, durand, s);
    expect(countOpenRequests(t.db, durand)).toBe(3);
    expect(getPractitioner(t.db, durand)?.openRequests).toBe(3);
  });

  it('lists routing candidates with what routing needs, absent and full ones included', () => {
    assign(t.db, durand, 'routed');
    const c = listExpertCandidates(t.db, { specialtyCodes: [{ system: SPECIALTY, code: 'SM04' }, { system: SPECIALTY, code: 'SM73' }], day: '2026-03-03' });
    expect(c.map((x) => x.id).sort()).toEqual([durand, leroy].sort());
    expect(c.find((x) => x.id === durand)).toEqual({
      id: durand,
      address: 'paul.durand@cardio.mssante.fr',
      // in the directory's order (the CSV's): the first is where mail goes
      addresses: ['paul.durand@cardio.mssante.fr', 'cardio.durand@chu-b.test'],
      profession: { system: expect.stringContaining('TRE_G15'), code: '10' },
      specialties: [{ system: SPECIALTY, code: 'SM04' }],
      capacity: 2,
      openRequests: 1,
      absences: [{ firstDay: '2026-03-02', lastDay: '2026-03-06' }],
      hubFor: [],
      hasCertificate: false,
    });
    expect(listExpertCandidates(t.db, { specialtyCodes: [{ system: SPECIALTY, code: 'SM04' }], day: '2026-03-07' }).find((x) => x.id === durand)?.absences).toEqual([]);
  });

  it('leaves inactive practitioners out of the candidates, and gives a hub its spokes', () => {
    storeDirectoryEntries(t.db, [entry({ identifiers: [rpps('10100000045')], active: false })], 'csv', NOW);
    expect(listExpertCandidates(t.db, { specialtyCodes: [{ code: 'SM04' }], day: '2026-03-10' }).map((x) => x.id)).toEqual([durand]);
    const hub = listExpertCandidates(t.db, { specialtyCodes: [{ system: 'urn:txgate:vn:specialty', code: 'cardiology' }], day: '2026-03-10' });
    expect(hub).toHaveLength(1);
    expect(hub[0]!.hubFor).toHaveLength(4);
  });
});

describe('certificates', () => {
  const ca = parseCertificates(readFileSync(join(CERTS, 'ca.crt.pem')))[0]!;
  const caKey = createPrivateKey(readFileSync(join(CERTS, 'ca.key.pem')));
  const key = createPrivateKey(readFileSync(join(CERTS, 'specialist.key.pem')));
  const issue = (from: string, to: string) =>
    buildCertificate({ subject: { cn: 'Dr Paul Durand', o: 'CHU B', c: 'FR' }, publicKey: key, issuerKey: caKey, issuerCert: ca, profile: 'smime-person', email: 'cardio.durand@chu-b.test', notBefore: new Date(from), notAfter: new Date(to) });

  it('finds the certificates valid at a time by address, newest first; the same certificate twice is kept once', () => {
    const [id] = storeDirectoryEntries(t.db, [entry({ identifiers: [rpps('10100000029')], addresses: ['cardio.durand@chu-b.test'] })], 'csv', NOW).ids;
    const old = issue('2025-01-01T00:00:00Z', '2026-06-30T00:00:00Z');
    const next = issue('2026-01-01T00:00:00Z', '2027-12-31T00:00:00Z');
    const expired = issue('2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z');
    for (const der of [old, next, expired]) expect(addCertificate(t.db, id!, der, parseCertificates(der)[0]!.notBefore, parseCertificates(der)[0]!.notAfter).added).toBe(true);
    expect(addCertificate(t.db, id!, next, new Date('2026-01-01T00:00:00Z'), new Date('2027-12-31T00:00:00Z')).added).toBe(false);
    const at = (iso: string) => findCertificates(t.db, 'Cardio.Durand@CHU-B.test', new Date(iso)).map((c) => c.der);
    expect(at('2026-03-01T00:00:00Z')).toEqual([next, old]);
    expect(at('2027-01-01T00:00:00Z')).toEqual([next]);
    expect(at('2020-06-01T00:00:00Z')).toEqual([expired]);
    expect(at('2030-01-01T00:00:00Z')).toEqual([]);
    expect(findCertificates(t.db, 'nobody@x.test', NOW)).toEqual([]);
    expect(getPractitioner(t.db, id!)?.certificates).toHaveLength(3);
    expect(listExpertCandidates(t.db, { specialtyCodes: [], day: '2026-03-01' })).toEqual([]);
  });

  it('says whether a candidate has a certificate valid on the day', () => {
    const [id] = storeDirectoryEntries(t.db, [entry({ identifiers: [rpps('10100000029')], addresses: ['cardio.durand@chu-b.test'], specialties: [{ system: SPECIALTY, code: 'SM04' }] })], 'csv', NOW).ids;
    addCertificate(t.db, id!, issue('2026-01-01T00:00:00Z', '2026-06-30T00:00:00Z'), new Date('2026-01-01T00:00:00Z'), new Date('2026-06-30T00:00:00Z'));
    const has = (day: string) => listExpertCandidates(t.db, { specialtyCodes: [{ code: 'SM04' }], day })[0]!.hasCertificate;
    expect(has('2026-03-01')).toBe(true);
    expect(has('2026-07-01')).toBe(false);
  });
});
