import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStrictBase64, isHexBytes, isStrictBase64 } from '../../src/payload/strict-base64.ts';

/** The definition, as a regular expression (fine on short text; V8 overflows its stack on megabytes of it). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe('isStrictBase64', () => {
  it.each([
    ['', true],
    ['QUJD', true],
    ['QUI=', true],
    ['QQ==', true],
    ['Q===', false],
    ['QUJ', false],
    ['QU=D', false],
    ['Q=I=', false],
    ['QUJD\n', false],
    ['QUJ-', false],
    ['====', false],
  ])('%j is %s', (text, expected) => {
    expect(isStrictBase64(text)).toBe(expected);
  });

  it('agrees with the definition on any text over the alphabet and the pad', () => {
    const char = fc.constantFrom(...'AZaz09+/=-_ '.split(''));
    fc.assert(fc.property(fc.array(char, { maxLength: 24 }).map((a) => a.join('')), (t) => {
      expect(isStrictBase64(t)).toBe(BASE64.test(t));
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(isStrictBase64(Buffer.from(bytes).toString('base64'))).toBe(true);
    }));
  });

  it('reads a document of 24 MB (the regular expression it replaces overflowed the stack from about 5 MB)', () => {
    const bytes = Buffer.alloc(24 * 1024 * 1024, 0xa5);
    const text = bytes.toString('base64');
    expect(() => BASE64.test(text)).toThrow(RangeError);
    expect(decodeStrictBase64(text)?.equals(bytes)).toBe(true);
    expect(isHexBytes(bytes.subarray(0, 8 * 1024 * 1024).toString('hex'))).toBe(true);
  });
});

describe('decodeStrictBase64', () => {
  it('allows white space between characters, as pretty-printed or folded text has', () => {
    expect(decodeStrictBase64(' QUJD\n  REVG\r\n')?.toString()).toBe('ABCDEF');
    expect(decodeStrictBase64('QUJD REV')).toBeUndefined();
  });
});

describe('isHexBytes', () => {
  it.each([
    ['', true],
    ['0aFF', true],
    ['0aF', false],
    ['0g', false],
  ])('%j is %s', (text, expected) => {
    expect(isHexBytes(text)).toBe(expected);
  });
});
