import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JSON_PATCH_LIMITS } from '../../src/fhir-api/apply-json-patch.ts';
import type { Result } from '../../src/errors/result.ts';

function valueOf(r: Result<unknown>): unknown {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.problems)}`);
  return r.value;
}

function problemsOf(r: Result<unknown>): { code: string; path: string }[] {
  if (r.ok) throw new Error('expected problems');
  return r.problems.map(({ code, path }) => ({ code, path }));
}

/** Escapes a member name as a JSON Pointer token (RFC 6901 §4). */
const token = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

describe('applyJsonPatch: RFC 6902 appendix A', () => {
  it.each([
    ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    [
      'A.6 moving a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    ['A.7 moving an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    [
      'A.8 testing a value: success',
      { baz: 'qux', foo: ['a', 2, 'c'] },
      [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
      ],
      { baz: 'qux', foo: ['a', 2, 'c'] },
    ],
    ['A.10 adding a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
    ['A.11 ignoring unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ])('%s', (_name, doc, patch, expected) => {
    expect(valueOf(applyJsonPatch(doc, patch))).toEqual(expected);
  });

  it.each([
    ['A.9 testing a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], { code: 'FHIR_PATCH_TEST_FAILED', path: 'patch[0].path' }],
    ['A.12 adding to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], { code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }],
    ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], { code: 'FHIR_PATCH_TEST_FAILED', path: 'patch[0].path' }],
  ])('%s', (_name, doc, patch, expected) => {
    expect(problemsOf(applyJsonPatch(doc, patch))).toEqual([expected]);
  });

  it('A.13 (several op members) cannot be seen after JSON.parse, which keeps the last one: that one runs', () => {
    const patch = JSON.parse('[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]') as unknown;
    expect(problemsOf(applyJsonPatch({ foo: 'bar' }, patch))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }]);
  });
});

describe('applyJsonPatch: RFC 6901 pointers', () => {
  const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };
  it.each([
    ['', doc],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
  ])('the pointer %j names the RFC 6901 §5 value', (pointer, value) => {
    expect(applyJsonPatch(doc, [{ op: 'test', path: pointer, value }]).ok).toBe(true);
  });

  it.each([
    ['no leading slash', 'foo'],
    ['~ followed by something else than 0 or 1', '/m~2n'],
    ['a trailing ~', '/m~'],
    ['not a string', 42],
    ['missing', undefined],
  ])('refuses a path with %s', (_what, path) => {
    expect(problemsOf(applyJsonPatch(doc, [{ op: 'remove', path }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }]);
  });

  it.each([
    ['an index past the end', '/foo/2', 'remove'],
    ['a leading zero', '/foo/01', 'remove'],
    ['a negative index', '/foo/-1', 'remove'],
    ['- outside an add', '/foo/-', 'remove'],
    ['- outside an add (replace)', '/foo/-', 'replace'],
    ['an index past the end + 1 for add', '/foo/3', 'add'],
    ['- in the middle of a pointer', '/foo/-/x', 'add'],
    ['a member that does not exist', '/nope', 'remove'],
    ['a member of a string', '/foo/0/x', 'replace'],
    ['an inherited member (not own)', '/toString', 'remove'],
  ])('refuses %s', (_what, path, op) => {
    expect(problemsOf(applyJsonPatch(doc, [{ op, path, value: 1 }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }]);
  });

  it('adds at the end of an array with the index equal to its length, as with -', () => {
    expect(valueOf(applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }]))).toEqual({ a: [1, 2] });
  });
});

describe('applyJsonPatch: operations', () => {
  it('replaces the whole document with add or replace at the root, and refuses to remove it', () => {
    expect(valueOf(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: [1] }]))).toEqual([1]);
    expect(valueOf(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: 'x' }]))).toEqual('x');
    expect(problemsOf(applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '' }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }]);
  });

  it('copies a value, deeply: changing the copy later leaves the original', () => {
    const out = valueOf(
      applyJsonPatch({ a: { b: [1] } }, [
        { op: 'copy', from: '/a', path: '/c' },
        { op: 'add', path: '/c/b/-', value: 2 },
      ]),
    );
    expect(out).toEqual({ a: { b: [1] }, c: { b: [1, 2] } });
  });

  it('refuses a move into one of its own children, and a from that does not exist', () => {
    expect(problemsOf(applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/c' }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }]);
    expect(problemsOf(applyJsonPatch({ a: 1 }, [{ op: 'copy', from: '/x', path: '/y' }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].from' }]);
  });

  it('moves a value onto itself as a no-op', () => {
    expect(valueOf(applyJsonPatch({ a: 1 }, [{ op: 'move', from: '/a', path: '/a' }]))).toEqual({ a: 1 });
  });

  it('tests with JSON equality: member order does not count, array order and types do', () => {
    const doc = { a: { x: 1, y: [1, 2] } };
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/a', value: { y: [1, 2], x: 1 } }]).ok).toBe(true);
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/a/y', value: [2, 1] }]).ok).toBe(false);
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/a/x', value: true }]).ok).toBe(false);
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/a', value: { x: 1 } }]).ok).toBe(false);
    expect(applyJsonPatch({ a: null }, [{ op: 'test', path: '/a', value: null }]).ok).toBe(true);
  });

  it('stops at the first operation that does not apply (RFC 6902 §5): nothing of the patch is applied', () => {
    const doc = { a: 1 };
    const r = applyJsonPatch(doc, [
      { op: 'replace', path: '/a', value: 2 },
      { op: 'test', path: '/a', value: 3 },
      { op: 'remove', path: '/nope' },
    ]);
    expect(problemsOf(r)).toEqual([{ code: 'FHIR_PATCH_TEST_FAILED', path: 'patch[1].path' }]);
    expect(doc).toEqual({ a: 1 });
  });

  it('lists every malformed operation before applying any', () => {
    const r = applyJsonPatch({}, [
      { op: 'add', path: '/a' },
      'remove /a',
      { op: 'delete', path: '/a' },
      { op: 'copy', path: '/a' },
      { op: 'replace', path: 'a', value: 1 },
      { op: 'add', path: '/b', value: () => 1 },
    ]);
    expect(problemsOf(r)).toEqual([
      { code: 'FHIR_PATCH_INVALID', path: 'patch[0].value' },
      { code: 'FHIR_PATCH_INVALID', path: 'patch[1]' },
      { code: 'FHIR_PATCH_INVALID', path: 'patch[2].op' },
      { code: 'FHIR_PATCH_INVALID', path: 'patch[3].from' },
      { code: 'FHIR_PATCH_INVALID', path: 'patch[4].path' },
      { code: 'FHIR_PATCH_INVALID', path: 'patch[5].value' },
    ]);
  });

  it.each([['an object', { op: 'add', path: '/a', value: 1 }], ['a string', '[]'], ['null', null]])('refuses a patch that is %s, not an array', (_what, patch) => {
    expect(problemsOf(applyJsonPatch({}, patch))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch' }]);
  });

  it('accepts an empty patch, giving a copy of the document', () => {
    const doc = { a: [1, { b: 2 }] };
    const out = valueOf(applyJsonPatch(doc, []));
    expect(out).toEqual(doc);
    expect(out).not.toBe(doc);
  });

  it('never changes the document it is given, nor the patch, and shares nothing with them', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    const value = { deep: [1] };
    const patch = [
      { op: 'add', path: '/a/b/0', value: 0 },
      { op: 'remove', path: '/c' },
      { op: 'add', path: '/v', value },
      { op: 'move', from: '/a/b', path: '/b' },
    ];
    const before = structuredClone({ doc, patch });
    const out = valueOf(applyJsonPatch(doc, patch)) as { v: { deep: number[] } };
    expect({ doc, patch }).toEqual(before);
    out.v.deep.push(2);
    expect(value.deep).toEqual([1]);
  });
});

describe('applyJsonPatch: prototype pollution and bounds', () => {
  it.each([
    ['/__proto__/polluted', 'add'],
    ['/constructor/prototype/polluted', 'add'],
    ['/a/prototype', 'replace'],
    ['/__proto__', 'remove'],
  ])('refuses the pointer %s', (path, op) => {
    expect(problemsOf(applyJsonPatch({ a: {} }, [{ op, path, value: true }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses __proto__ in a from and in a value (as JSON.parse makes it: an own member)', () => {
    expect(problemsOf(applyJsonPatch({ a: 1 }, [{ op: 'copy', from: '/__proto__', path: '/b' }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].from' }]);
    const patch = JSON.parse('[{"op":"add","path":"/a","value":{"__proto__":{"polluted":true}}}]') as unknown;
    expect(problemsOf(applyJsonPatch({}, patch))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].value' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps an own __proto__ member of the document as a member, never as the prototype', () => {
    const doc = JSON.parse('{"__proto__":{"x":1},"a":1}') as Record<string, unknown>;
    const out = valueOf(applyJsonPatch(doc, [{ op: 'remove', path: '/a' }])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });

  it('refuses a patch of too many operations, a too deep value and a too long pointer', () => {
    const tooMany = Array.from({ length: JSON_PATCH_LIMITS.maxOperations + 1 }, () => ({ op: 'test', path: '', value: {} }));
    expect(problemsOf(applyJsonPatch({}, tooMany))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch' }]);
    let deep: unknown = 1;
    for (let i = 0; i <= JSON_PATCH_LIMITS.maxValueDepth; i++) deep = [deep];
    expect(problemsOf(applyJsonPatch({}, [{ op: 'add', path: '/a', value: deep }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].value' }]);
    const longPointer = '/a'.repeat(JSON_PATCH_LIMITS.maxPointerTokens + 1);
    expect(problemsOf(applyJsonPatch({}, [{ op: 'remove', path: longPointer }]))).toEqual([{ code: 'FHIR_PATCH_INVALID', path: 'patch[0].path' }]);
  });

  it('refuses copies that would make the document grow without bound (each copy doubling it)', () => {
    const doublings = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/a', path: '/a/-' }));
    expect(problemsOf(applyJsonPatch({ a: [1] }, doublings))[0]).toEqual({ code: 'FHIR_PATCH_INVALID', path: expect.stringMatching(/^patch\[\d+\]$/) });
  });
});

describe('applyJsonPatch: properties', () => {
  const key = fc.string({ maxLength: 6 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
  // values without the member names the patch refuses on purpose (prototype pollution)
  const json = fc
    .jsonValue({ maxDepth: 4 })
    .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
    .filter((v) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v)));
  const object = fc.dictionary(key, json, { maxKeys: 6 });

  it('add of a new member then remove of it gives back the original', () => {
    fc.assert(
      fc.property(object, key, json, (doc, name, value) => {
        fc.pre(!Object.hasOwn(doc, name));
        const path = `/${token(name)}`;
        const out = applyJsonPatch(doc, [
          { op: 'add', path, value },
          { op: 'remove', path },
        ]);
        expect(valueOf(out)).toEqual(doc);
      }),
    );
  });

  it('replace then test of the same pointer holds, whatever the value', () => {
    fc.assert(
      fc.property(object, json, (doc, value) => {
        const names = Object.keys(doc);
        fc.pre(names.length > 0);
        const path = `/${token(names[0]!)}`;
        const out = valueOf(applyJsonPatch(doc, [{ op: 'replace', path, value }])) as Record<string, unknown>;
        expect(out[names[0]!]).toEqual(value);
        expect(applyJsonPatch(out, [{ op: 'test', path, value }]).ok).toBe(true);
      }),
    );
  });

  it('an empty patch and a test of the whole document give an equal copy', () => {
    fc.assert(
      fc.property(json, (doc) => {
        expect(valueOf(applyJsonPatch(doc, [{ op: 'test', path: '', value: doc }]))).toEqual(doc);
      }),
    );
  });

  it('never throws and never changes the document, whatever the patch', () => {
    const pointer = fc.oneof(
      fc.constant(''),
      fc.array(fc.oneof(key, fc.constantFrom('-', '0', '1', '01', '~', '~2', '__proto__')), { maxLength: 4 }).map((ts) => ts.map((t) => `/${t}`).join('')),
      fc.anything(),
    );
    const op = fc.record(
      { op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), fc.anything()), path: pointer, from: pointer, value: fc.anything() },
      { requiredKeys: [] },
    );
    const patch = fc.oneof(fc.array(fc.oneof(op, fc.anything()), { maxLength: 6 }), fc.anything());
    fc.assert(
      fc.property(object, patch, (doc, p) => {
        const before = structuredClone(doc);
        const r = applyJsonPatch(doc, p);
        expect(doc).toEqual(before);
        if (!r.ok) for (const problem of r.problems) expect(problem.code).toMatch(/^FHIR_PATCH_(INVALID|TEST_FAILED)$/);
      }),
      { numRuns: 500 },
    );
  });
});
