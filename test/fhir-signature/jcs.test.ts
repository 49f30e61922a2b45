import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeJson, JcsError } from '../../src/fhir-signature/jcs.ts';

function fromIeeeHex(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonicalizeJson (RFC 8785)', () => {
  it('gives the RFC 8785 §3.2.2 / README sample output (whitespace, escaping, numbers, member order)', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalizeJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts members by UTF-16 code units, not code points nor locale (RFC 8785 §3.2.3 sample)', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    // read the values in the order they appear in the text (JSON.parse would put the integer-like "1" first)
    const values = [...canonicalizeJson(JSON.parse(input)).matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(canonicalizeJson(JSON.parse(input)).startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
  });

  it('sorts nested objects and keeps array order (cyberphone arrays.json)', () => {
    expect(canonicalizeJson(JSON.parse('[56, {"d": true, "10": null, "1": [ ]}]'))).toBe('[56,{"1":[],"10":null,"d":true}]');
  });

  it.each([
    ['0000000000000000', '0', 'zero'],
    ['8000000000000000', '0', 'minus zero'],
    ['0000000000000001', '5e-324', 'min pos number'],
    ['8000000000000001', '-5e-324', 'min neg number'],
    ['7fefffffffffffff', '1.7976931348623157e+308', 'max pos number'],
    ['ffefffffffffffff', '-1.7976931348623157e+308', 'max neg number'],
    ['4340000000000000', '9007199254740992', 'max pos int'],
    ['c340000000000000', '-9007199254740992', 'max neg int'],
    ['4430000000000000', '295147905179352830000', '~2**68'],
    ['44b52d02c7e14af5', '9.999999999999997e+22', ''],
    ['44b52d02c7e14af6', '1e+23', ''],
    ['44b52d02c7e14af7', '1.0000000000000001e+23', ''],
    ['444b1ae4d6e2ef4e', '999999999999999700000', ''],
    ['444b1ae4d6e2ef4f', '999999999999999900000', ''],
    ['444b1ae4d6e2ef50', '1e+21', 'exponent from 1e21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7', ''],
    ['3eb0c6f7a0b5ed8d', '0.000001', 'no exponent down to 1e-6'],
    ['41b3de4355555553', '333333333.3333332', ''],
    ['41b3de4355555554', '333333333.33333325', ''],
    ['41b3de4355555555', '333333333.3333333', ''],
    ['41b3de4355555556', '333333333.3333334', ''],
    ['41b3de4355555557', '333333333.33333343', ''],
    ['becbf647612f3696', '-0.0000033333333333333333', ''],
    ['43143ff3c1cb0959', '1424953923781206.2', 'round to even'],
  ])('serializes the IEEE 754 value %s as %s (RFC 8785 appendix B %s)', (hex, expected) => {
    expect(canonicalizeJson(fromIeeeHex(hex))).toBe(expected);
  });

  it.each([
    ['NaN (appendix B)', fromIeeeHex('7fffffffffffffff')],
    ['Infinity (appendix B)', fromIeeeHex('7ff0000000000000')],
    ['a lone high surrogate (I-JSON)', { a: '\ud800' }],
    ['a lone low surrogate in a member name (I-JSON)', { '\udc00x': 1 }],
    ['undefined', { a: undefined }],
    ['a bigint', 1n],
    ['a non-plain object', new Date(0)],
  ])('refuses %s', (_what, value) => {
    expect(() => canonicalizeJson(value)).toThrow(JcsError);
  });

  it('refuses a cyclic value', () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    expect(() => canonicalizeJson(a)).toThrow(JcsError);
  });

  it('keeps a member named __proto__ as a member', () => {
    expect(canonicalizeJson(JSON.parse('{"b":1,"__proto__":{"x":2}}'))).toBe('{"__proto__":{"x":2},"b":1}');
  });

  it('parses back to the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(canonicalizeJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent: canonicalizing the parsed canonical form changes nothing (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = canonicalizeJson(v);
        expect(canonicalizeJson(JSON.parse(once))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on member insertion order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 })), (d) => {
        const reversed = Object.fromEntries(Object.entries(d).reverse());
        expect(canonicalizeJson(reversed)).toBe(canonicalizeJson(d));
      }),
    );
  });
});
