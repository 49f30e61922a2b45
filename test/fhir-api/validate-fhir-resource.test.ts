import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';

type Json = Record<string, any>;

const fixture = (name: string): Json => JSON.parse(readFileSync(new URL(`../../fixtures/fhir/${name}`, import.meta.url), 'utf8')) as Json;

const task = (extra: Json = {}): Json => ({ resourceType: 'Task', id: 't1', status: 'requested', intent: 'order', ...extra });

describe('validateFhirResource', () => {
  it.each(['r4-Task-example1.json', 'r4-ServiceRequest-myringotomy.json', 'r4-Bundle-bundle-transaction.json', 'r4-Consent-consent-example-basic.json', 'r4-Communication-example.json'])(
    'finds nothing wrong with the official R4 example %s',
    (name) => {
      expect(validateFhirResource(fixture(name))).toEqual([]);
    },
  );

  it('refuses a Task whose status is not in the R4 value set, at Task.status, with the default code', () => {
    expect(validateFhirResource(task({ status: 'bogus' }))).toEqual([{ code: 'FHIR_INVALID_RESOURCE', path: 'Task.status', message: 'Code not found in the value set' }]);
  });

  it('refuses an unknown property (a warning in FHIR.js)', () => {
    expect(validateFhirResource(task({ colour: 'blue' }))).toEqual([{ code: 'FHIR_INVALID_RESOURCE', path: 'Task.colour', message: 'Unexpected property' }]);
  });

  it('lists every problem, with the code it is given', () => {
    const problems = validateFhirResource(task({ status: 'bogus', intent: undefined, colour: 'blue' }), 'CLAIM_INVALID_FHIR');
    expect(problems.map((p) => [p.code, p.path]).sort()).toEqual([
      ['CLAIM_INVALID_FHIR', 'Task.colour'],
      ['CLAIM_INVALID_FHIR', 'Task.intent'],
      ['CLAIM_INVALID_FHIR', 'Task.status'],
    ]);
  });

  it('gives FHIR.js’s location, which starts at the resource it is about, for a resource in a Bundle entry', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: task() }, { resource: task({ id: 't2', status: 'bogus' }) }] };
    expect(validateFhirResource(bundle).map((p) => p.path)).toEqual(['Task.status']);
  });

  it('places a resource FHIR.js cannot read (unknown resourceType) at its tree path, a fatal message being an error', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Nope' } }] };
    expect(validateFhirResource(bundle)).toEqual([
      { code: 'FHIR_INVALID_RESOURCE', path: 'Bundle.entry[0].resource', message: 'Resource does not have resourceType property, or value is not a valid resource type.' },
    ]);
  });

  it.each([
    ['a date of birth', { resourceType: 'Patient', birthDate: 'SECRET' }, 'Patient.birthDate'],
    ['a code', task({ status: 'Jean Dupont' }), 'Task.status'],
    ['a reference', task({ requester: { reference: 'Observation/1', display: 'Jean Dupont' } }), 'Task.requester'],
    ['a boolean', { resourceType: 'Patient', active: 'Jean Dupont' }, 'Patient.active'],
  ])('never repeats the value it refused (%s) in the message', (_what, resource, path) => {
    const problems = validateFhirResource(resource);
    expect(problems.map((p) => p.path)).toContain(path);
    for (const p of problems) expect(p.message).not.toMatch(/SECRET|Jean|Dupont|Observation/);
  });

  it.each([
    ['null', null],
    ['an array', [task()]],
    ['a number', 42],
    ['a string (FHIR.js would parse it)', JSON.stringify(task())],
  ])('refuses %s as not a resource', (_what, value) => {
    expect(validateFhirResource(value)).toEqual([{ code: 'FHIR_INVALID_RESOURCE', path: '', message: expect.any(String) }]);
  });

  it('gives a problem, not an exception, where FHIR.js throws (a Bundle entry whose resource is null)', () => {
    expect(validateFhirResource({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: null }] })).toEqual([
      { code: 'FHIR_INVALID_RESOURCE', path: '', message: expect.any(String) },
    ]);
    expect(validateFhirResource({ resourceType: 'toString' }).map((p) => p.code)).toEqual(['FHIR_INVALID_RESOURCE']);
  });

  it('does not change the resource it validates', () => {
    const resource = fixture('r4-Bundle-bundle-transaction.json');
    const before = structuredClone(resource);
    validateFhirResource(resource);
    expect(resource).toEqual(before);
  });
});
