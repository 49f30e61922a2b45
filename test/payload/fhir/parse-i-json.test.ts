import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIJson } from '../../../src/payload/fhir/parse-i-json.ts';

describe('parseIJson', () => {
  it.each([
    ['a member twice at the top', '{"resourceType":"Bundle","type":"collection","type":"transaction"}', 'Bundle.type'],
    ['a member twice deep in an array', '{"entry":[{"resource":{}},{"resource":{"status":"draft","id":"x","status":"active"}}]}', 'Bundle.entry[1].resource.status'],
    ['the same name written with an escape', '{"a":1,"\\u0061":2}', 'Bundle.a'],
    ['a name that is no element name, not shown', '{"x":{"Jean Dupont":1,"Jean Dupont":2}}', 'Bundle.x.*'],
    ['after strings holding quotes, braces and backslashes', '{"a":"}\\"{,\\\\","b":["{\\"a\\":1,\\"a\\":2}"],"b":0}', 'Bundle.b'],
    ['in objects nested in arrays of arrays', '[[{"k":1}],[{"k":1},{"k":1,"k":2}]]', 'Bundle[1][1].k'],
  ])('refuses %s, naming where', (_, text, path) => {
    expect(parseIJson(Buffer.from(text), 'Bundle')).toEqual({ ok: false, reason: 'duplicate-member', path });
  });

  it.each([
    ['the same name in sibling objects', '{"entry":[{"a":1},{"a":2}],"a":{"a":{"a":3}}}'],
    ['a value equal to a name', '{"a":"a","b":"a"}'],
    ['names differing by case', '{"id":1,"ID":2,"Id":3}'],
    ['an empty object and empty names', '{"":{},"x":[{}],"y":{"":1}}'],
    ['no object at all', '["a","a",1]'],
  ])('reads %s as JSON.parse does', (_, text) => {
    expect(parseIJson(Buffer.from(text))).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it.each([
    ['broken JSON', Buffer.from('{"a":')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ['an empty body', Buffer.alloc(0)],
  ])('refuses %s as malformed', (_, bytes) => {
    expect(parseIJson(bytes)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('reads any JSON without duplicates as JSON.parse does, in any layout', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t'), (value, space) => {
        const text = JSON.stringify(value, null, space);
        expect(parseIJson(Buffer.from(text))).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
  });

  it('finds a member repeated anywhere in any document', () => {
    const object = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 });
    fc.assert(
      fc.property(object, fc.jsonValue({ maxDepth: 2 }), fc.nat(), (o, extra, at) => {
        // the object's text with one of its names written again, as the last member
        const names = Object.keys(o);
        const name = names[at % names.length]!;
        const text = `{"wrapper":[${JSON.stringify(o).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(extra)}}]}`;
        const result = parseIJson(Buffer.from(text));
        expect(result.ok).toBe(false);
        expect(result).toMatchObject({ reason: 'duplicate-member', path: expect.stringMatching(/^\$\.wrapper\[0\]\./) });
      }),
    );
  });
});
