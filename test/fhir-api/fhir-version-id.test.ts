import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { etagOf, fhirVersionIdOf, parseIfMatch, withVersionMeta } from '../../src/fhir-api/fhir-version-id.ts';

const task = { resourceType: 'Task', id: 'rq-1', status: 'received', intent: 'order', identifier: [{ system: 'urn:txgate:request-id', value: 'rq-1' }] };

describe('fhirVersionIdOf: a version id that changes exactly when the resource does', () => {
  it('is 16 lowercase hex digits', () => {
    expect(fhirVersionIdOf(task)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is the same for the same content, whatever the order of the members and whatever meta says', () => {
    const reordered = { intent: 'order', identifier: [{ value: 'rq-1', system: 'urn:txgate:request-id' }], status: 'received', id: 'rq-1', resourceType: 'Task' };
    expect(fhirVersionIdOf(reordered)).toBe(fhirVersionIdOf(task));
    expect(fhirVersionIdOf({ ...task, meta: { versionId: 'old', lastUpdated: '2026-01-01T00:00:00Z' } })).toBe(fhirVersionIdOf(task));
  });

  it.each([
    ['a changed value', { ...task, status: 'accepted' }],
    ['an added member', { ...task, priority: 'urgent' }],
    ['a removed member', { resourceType: 'Task', id: 'rq-1', status: 'received', intent: 'order' }],
    ['a changed array order', { ...task, identifier: [...task.identifier, { system: 's', value: 'v' }] }],
    ['another id', { ...task, id: 'rq-2' }],
  ])('changes with %s', (_change, changed) => {
    expect(fhirVersionIdOf(changed)).not.toBe(fhirVersionIdOf(task));
  });

  it('property: meta never counts, and equal JSON gives equal ids', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== 'meta'), fc.jsonValue()), fc.jsonValue(), (resource, meta) => {
        const parsedBack = JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
        expect(fhirVersionIdOf({ ...resource, meta })).toBe(fhirVersionIdOf(resource));
        expect(fhirVersionIdOf(parsedBack)).toBe(fhirVersionIdOf(resource));
      }),
    );
  });
});

describe('withVersionMeta', () => {
  it('puts meta (versionId of the rest, lastUpdated) right after resourceType and id', () => {
    const at = new Date('2026-01-15T09:45:00Z');
    const out = withVersionMeta({ ...task, meta: { versionId: 'stale' } }, at);
    expect(Object.keys(out).slice(0, 3)).toEqual(['resourceType', 'id', 'meta']);
    expect(out.meta).toEqual({ versionId: fhirVersionIdOf(task), lastUpdated: '2026-01-15T09:45:00.000Z' });
    expect(withVersionMeta(task).meta).toEqual({ versionId: fhirVersionIdOf(task) });
  });
});

describe('etagOf and parseIfMatch', () => {
  it('writes a weak ETag', () => {
    expect(etagOf('0123456789abcdef')).toBe('W/"0123456789abcdef"');
  });

  it.each([
    ['W/"abc"', 'abc'],
    ['"abc"', 'abc'],
    ['abc', 'abc'],
    ['  W/"abc"  ', 'abc'],
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['W/""', undefined],
    ['""', undefined],
  ])('reads If-Match %j as %j', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('property: reads back every ETag it writes', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-f]{16}$/), (v) => parseIfMatch(etagOf(v)) === v));
  });
});
