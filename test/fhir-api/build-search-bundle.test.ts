import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSearchBundle, pageLinks } from '../../src/fhir-api/build-search-bundle.ts';
import { buildTaskView } from '../../src/fhir-api/build-task-view.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { messageSource, taskSource } from './sample-request.ts';

type Json = Record<string, any>;

const BASE = 'https://txgate.example/fhir';

describe('buildSearchBundle', () => {
  it('is a searchset Bundle with the total, the links and each match with its full URL', () => {
    const routed = buildTaskView(taskSource('routed'));
    const other = buildTaskView({ ...messageSource('received'), id: 'rq-000mabc12de34f57' });
    const bundle = buildSearchBundle({
      baseUrl: `${BASE}/`,
      resources: [routed, other],
      total: 5,
      self: `${BASE}/Task?_offset=2&_count=2`,
      next: `${BASE}/Task?_offset=4&_count=2`,
      previous: `${BASE}/Task?_offset=0&_count=2`,
    }) as Json;
    expect(bundle).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 5,
      link: [
        { relation: 'self', url: `${BASE}/Task?_offset=2&_count=2` },
        { relation: 'next', url: `${BASE}/Task?_offset=4&_count=2` },
        { relation: 'previous', url: `${BASE}/Task?_offset=0&_count=2` },
      ],
      entry: [
        { fullUrl: `${BASE}/Task/rq-000mabc12de34f56`, resource: routed, search: { mode: 'match' } },
        { fullUrl: `${BASE}/Task/rq-000mabc12de34f57`, resource: other, search: { mode: 'match' } },
      ],
    });
    expect(validateFhirResource(bundle)).toEqual([]);
  });

  it('has no entry when nothing matches', () => {
    const bundle = buildSearchBundle({ baseUrl: BASE, resources: [], total: 0, self: `${BASE}/Task?_offset=0&_count=20` }) as Json;
    expect(bundle).toEqual({ resourceType: 'Bundle', type: 'searchset', total: 0, link: [{ relation: 'self', url: `${BASE}/Task?_offset=0&_count=20` }] });
    expect(validateFhirResource(bundle)).toEqual([]);
  });
});

describe('pageLinks', () => {
  const params = new URLSearchParams('status=received&_count=99&patient=urn:oid:1.2.250.1.213.1.4.8|279035121518989');
  const url = (offset: number, count: number) => {
    const p = new URLSearchParams(params);
    p.set('_offset', String(offset));
    p.set('_count', String(count));
    return `${BASE}/Task?${p.toString()}`;
  };

  it.each([
    ['the only page', 0, 20, 5, undefined, undefined],
    ['the first of several', 0, 2, 5, 2, undefined],
    ['a middle page', 2, 2, 5, 4, 0],
    ['the last page', 4, 2, 5, undefined, 2],
    ['a page ending exactly at the total', 3, 2, 5, undefined, 1],
    ['an offset past the end', 10, 2, 5, undefined, 8],
    ['an offset not on a page boundary', 1, 2, 5, 3, 0],
    ['no match', 0, 20, 0, undefined, undefined],
    ['a count of 0 (only the total)', 0, 0, 5, undefined, undefined],
  ])('%s: offset %i, count %i of %i', (_label, offset, count, total, next, previous) => {
    const links = pageLinks(BASE, 'Task', params, offset, count, total);
    expect(links).toEqual({
      self: url(offset, count),
      ...(next === undefined ? {} : { next: url(next, count) }),
      ...(previous === undefined ? {} : { previous: url(previous, count) }),
    });
  });

  it('keeps the other parameters, replaces _offset and _count, and leaves the given params unchanged', () => {
    const links = pageLinks(`${BASE}/`, 'ServiceRequest', params, 0, 10, 30);
    const next = new URL(links.next!);
    expect(next.pathname).toBe('/fhir/ServiceRequest');
    expect(next.searchParams.get('status')).toBe('received');
    expect(next.searchParams.get('patient')).toBe('urn:oid:1.2.250.1.213.1.4.8|279035121518989');
    expect(next.searchParams.getAll('_count')).toEqual(['10']);
    expect(next.searchParams.getAll('_offset')).toEqual(['10']);
    expect(params.get('_count')).toBe('99');
    expect(params.has('_offset')).toBe(false);
  });

  it('property: following next from offset 0 visits every page once and ends; previous from there leads back to 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 500 }), (count, total) => {
        const offsets: number[] = [];
        let offset: number | undefined = 0;
        while (offset !== undefined) {
          offsets.push(offset);
          const next: string | undefined = pageLinks(BASE, 'Task', new URLSearchParams(), offset, count, total).next;
          offset = next ? Number(new URL(next).searchParams.get('_offset')) : undefined;
        }
        expect(offsets).toEqual(Array.from({ length: Math.max(1, Math.ceil(total / count)) }, (_, k) => k * count));
        let back: number | undefined = offsets.at(-1)!;
        let steps = 0;
        while (back !== undefined && back > 0) {
          const previous: string | undefined = pageLinks(BASE, 'Task', new URLSearchParams(), back, count, total).previous;
          back = previous ? Number(new URL(previous).searchParams.get('_offset')) : undefined;
          steps += 1;
        }
        expect(back).toBe(0);
        expect(steps).toBe(offsets.length - 1);
      }),
    );
  });
});
