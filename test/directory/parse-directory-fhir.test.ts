/**
 * FHIR R4 bundles of Practitioner / PractitionerRole / Organization: one entry per practitioner, with the
 * specialties, e-mail telecoms, organization and unavailability of its roles.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedDirectory } from '../../src/directory/directory-entry.ts';
import { parseDirectoryFhir } from '../../src/directory/parse-directory-fhir.ts';
import { FHIR_SAMPLE, PROFESSION, PS_NATIONAL, RPPS, SPECIALTY } from './directory-db.ts';

function parsed(text: string): ParsedDirectory {
  const r = parseDirectoryFhir(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

describe('parseDirectoryFhir: the sample bundle', () => {
  const p = parsed(readFileSync(FHIR_SAMPLE, 'utf8'));
  const byValue = (v: string) => p.entries.find((e) => e.entry.identifiers.some((i) => i.value === v))!.entry;

  it('gives one entry per practitioner (and per logical reference) and reports the rest with paths', () => {
    expect(p.rows).toBe(8);
    expect(p.entries).toHaveLength(3);
    expect(p.problems.map((x) => [x.path, x.code])).toEqual([
      ['Bundle.entry[7].resource.practitioner.reference', 'FHIR_UNRESOLVED_REFERENCE'],
      ['Bundle.entry[6].resource.identifier[0].value', 'FHIR_IDENTIFIER_INVALID'],
    ]);
  });

  it('reads a Practitioner with its role: identifiers in both forms, addresses of both, specialty, organization, absence', () => {
    const durand = byValue('810100000029');
    expect(durand.identifiers).toEqual([
      { system: PS_NATIONAL, value: '810100000029', type: 'IDNPS' },
      { system: RPPS, value: '10100000029', type: 'RPPS' },
    ]);
    expect(durand.name).toEqual({ family: 'DURAND', given: ['Paul'], prefix: ['Dr'] });
    expect(durand.profession).toEqual({ system: PROFESSION, code: '10', display: 'Médecin' });
    expect(durand.specialties).toEqual([{ system: SPECIALTY, code: 'SM04', display: 'Cardiologie et maladies vasculaires' }]);
    expect(durand.addresses).toEqual(['paul.durand@cardio.mssante.fr', 'cardio.durand@chu-b.test']);
    expect(durand.organization).toEqual({ name: 'CENTRE HOSPITALIER DE LA SAONE (FICTIF)', identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.2', value: '690099991', type: 'FINESS' }] });
    expect(durand.absences).toEqual([{ firstDay: '2026-04-13', lastDay: '2026-04-17' }]);
    expect(durand.active).toBe(true);
  });

  it('takes the profession from the role code when the Practitioner has no qualification, and every specialty', () => {
    const vidal = byValue('810100000193');
    expect(vidal.name).toEqual({ family: 'Vidal', given: ['Inès'], prefix: ['Dr'] });
    expect(vidal.profession?.code).toBe('10');
    expect(vidal.specialties?.map((s) => `${s.system}|${s.code}`)).toEqual([`${SPECIALTY}|SM15`, 'urn:oid:1.2.250.1.213.2.28|SM57']);
  });

  it('makes an entry of a role whose practitioner is named by identifier, and gives no specialties when no role has any', () => {
    const roux = byValue('631234568');
    expect(roux.addresses).toEqual(['camille.roux@orthophonie.mssante.fr']);
    expect(roux.specialties).toBeUndefined();
  });
});

describe('parseDirectoryFhir: rules', () => {
  it.each([
    ['text that is not JSON', '{"resourceType": ', 'FHIR_INVALID_JSON'],
    ['a resource that is not a Bundle', '{"resourceType": "Practitioner"}', 'FHIR_NOT_A_BUNDLE'],
    ['a Bundle whose entry is not an array', '{"resourceType": "Bundle", "entry": {}}', 'FHIR_NOT_A_BUNDLE'],
  ])('cannot read %s: a failure, nothing to store', (_rule, text, code) => {
    const r = parseDirectoryFhir(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.code).toBe(code);
  });

  it('skips a practitioner with neither identifier nor e-mail', () => {
    const p = parsed(JSON.stringify({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Practitioner', id: 'x', name: [{ family: 'Nobody' }] } }] }));
    expect(p.entries).toEqual([]);
    expect(p.problems).toEqual([expect.objectContaining({ code: 'DIRECTORY_INVALID', path: 'Bundle.entry[0].resource' })]);
  });

  it('reads more entries than a request bundle may hold (a directory export is large)', () => {
    const entry = Array.from({ length: 1500 }, (_, i) => ({ resource: { resourceType: 'Practitioner', telecom: [{ system: 'email', value: `p${i}@example.test` }] } }));
    expect(parsed(JSON.stringify({ resourceType: 'Bundle', entry })).entries).toHaveLength(1500);
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        parseDirectoryFhir(text);
        parseDirectoryFhir(JSON.stringify({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'PractitionerRole', ...(JSON.parse(text) as object) } }] }));
      }),
    );
  });
});
