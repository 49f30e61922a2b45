/** What the policy learns from the directory about a professional a request names. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Practitioner } from '../../src/domain/canonical-request.ts';
import { importDirectoryFile } from '../../src/directory/import-directory-file.ts';
import { practitionerFactsOf, toPractitionerFacts } from '../../src/directory/practitioner-facts.ts';
import { ANNUAIRE_SAMPLE, CSV_SAMPLE, PROFESSION, PS_NATIONAL, RPPS, SPECIALTY, tempDb, type TempDb } from './directory-db.ts';

describe('toPractitionerFacts', () => {
  it.each([
    ['everything known', { profession: { system: PROFESSION, code: '10' }, specialties: [{ system: SPECIALTY, code: 'SM04' }, { system: SPECIALTY, code: 'SM73' }], council: { name: 'CRM', number: '1', state: 'MS' }, municipality: '5002704' }, { profession: { system: PROFESSION, code: '10' }, specialty: { system: SPECIALTY, code: 'SM04' }, council: { name: 'CRM', number: '1', state: 'MS' }, municipality: '5002704' }],
    ['nothing known', { specialties: [] }, {}],
  ])('maps %s (the first specialty)', (_rule, record, facts) => {
    expect(toPractitionerFacts(record)).toEqual(facts);
  });
});

describe('practitionerFactsOf', () => {
  let t: TempDb;
  beforeAll(() => {
    t = tempDb();
    const now = new Date('2026-03-01T00:00:00Z');
    importDirectoryFile(t.db, ANNUAIRE_SAMPLE, { now });
    importDirectoryFile(t.db, CSV_SAMPLE, { now });
  });
  afterAll(() => t.close());

  it.each<[string, Practitioner, Record<string, unknown> | undefined]>([
    ['by the national id a 360X request carries', { identifiers: [{ system: PS_NATIONAL, value: '810100000029' }] }, { profession: { system: PROFESSION, code: '10' }, specialty: { system: SPECIALTY, code: 'SM04' }, municipality: '69123' }],
    ['by RPPS', { identifiers: [{ system: RPPS, value: '10100000037' }] }, { profession: { system: PROFESSION, code: '10' }, specialty: { system: SPECIALTY, code: 'SM15' }, municipality: '38185' }],
    ['by address when no identifier is known', { identifiers: [], address: 'ana.souza@telessaude.example.br' }, { profession: { system: 'http://www.saude.gov.br/fhir/r4/CodeSystem/BRCBO', code: '225120' }, specialty: { system: 'http://www.saude.gov.br/fhir/r4/CodeSystem/BRCBO', code: '225120' }, council: { name: 'CRM', number: '123456', state: 'MS' }, municipality: '5002704' }],
    ['nobody known', { identifiers: [{ system: RPPS, value: '19999999999' }], address: 'nobody@x.test' }, undefined],
  ])('finds the facts %s', (_rule, p, facts) => {
    expect(practitionerFactsOf(t.db, p)).toEqual(facts);
  });
});
