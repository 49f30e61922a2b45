import { describe, expect, it } from 'vitest';
import { STANDARD_DELIMITERS, type Er7Charset } from '../../../src/payload/hl7v2/er7-types.ts';
import { escapeEr7, unescapeEr7, type EscapeIssue } from '../../../src/payload/hl7v2/escape.ts';

const d = STANDARD_DELIMITERS;

describe('unescapeEr7', () => {
  it.each([
    ['no escape at all', 'plain text', 'plain text'],
    ['field separator', 'a\\F\\b', 'a|b'],
    ['component separator', 'a\\S\\b', 'a^b'],
    ['sub-component separator', 'a\\T\\b', 'a&b'],
    ['repetition separator', 'a\\R\\b', 'a~b'],
    ['escape character', 'C:\\E\\temp', 'C:\\temp'],
    ['line break', 'one\\.br\\two', 'one\ntwo'],
    ['two line breaks in a row', 'a\\.br\\\\.br\\b', 'a\n\nb'],
    ['skip 2 lines', 'a\\.sp 2\\b', 'a\n\nb'],
    ['.sp without a number is one line', 'a\\.sp\\b', 'a\nb'],
    ['center: a new line', 'a\\.ce\\b', 'a\nb'],
    ['skip 3 spaces', 'a\\.sk 3\\b', 'a   b'],
    ['layout commands dropped', '\\.fi\\\\.nf\\\\.in +4\\\\.ti -2\\x', 'x'],
    ['highlighting dropped', 'a \\H\\bold\\N\\ b', 'a bold b'],
    ['hex CR LF', 'a\\X0D0A\\b', 'a\r\nb'],
    ['hex lower case', 'a\\X0d\\b', 'a\rb'],
    ['escapes at both ends', '\\F\\x\\S\\', '|x^'],
  ])('%s', (_name, input, expected) => {
    const issues: EscapeIssue[] = [];
    expect(unescapeEr7(input, d, 'ASCII', issues)).toBe(expected);
    expect(issues).toEqual([]);
  });

  it.each<[string, string, Er7Charset, string]>([
    ['hex Latin-1 byte in 8859/1', 'caf\\XE9\\', '8859/1', 'café'],
    ['hex UTF-8 bytes in UNICODE UTF-8', 'caf\\XC3A9\\', 'UNICODE UTF-8', 'café'],
    ['hex multi-byte emoji in UTF-8', '\\XF09F9880\\', 'UNICODE UTF-8', '😀'],
  ])('%s', (_name, input, charset, expected) => {
    const issues: EscapeIssue[] = [];
    expect(unescapeEr7(input, d, charset, issues)).toBe(expected);
    expect(issues).toEqual([]);
  });

  it.each<[string, string, Er7Charset, string]>([
    ['unknown letter', 'a\\Q\\b', 'ASCII', 'HL7_UNKNOWN_ESCAPE'],
    ['empty sequence', 'a\\\\b', 'ASCII', 'HL7_UNKNOWN_ESCAPE'],
    ['locally defined \\Z..\\', 'a\\Zabc\\b', 'ASCII', 'HL7_UNKNOWN_ESCAPE'],
    ['unknown formatting command', 'a\\.xx\\b', 'ASCII', 'HL7_UNKNOWN_ESCAPE'],
    ['.br with an argument', 'a\\.br 2\\b', 'ASCII', 'HL7_UNKNOWN_ESCAPE'],
    ['\\P\\ without a truncation character', 'a\\P\\b', 'ASCII', 'HL7_UNKNOWN_ESCAPE'],
    ['character set switching \\C..\\', 'a\\C2842\\b', 'ASCII', 'HL7_UNSUPPORTED_ESCAPE'],
    ['multi-byte switching \\M..\\', 'a\\M2442\\b', 'ASCII', 'HL7_UNSUPPORTED_ESCAPE'],
    ['unterminated', 'a\\F', 'ASCII', 'HL7_UNTERMINATED_ESCAPE'],
    ['odd hex', 'a\\X0\\b', 'ASCII', 'HL7_BAD_HEX_ESCAPE'],
    ['non-hex digit', 'a\\XZZ\\b', 'ASCII', 'HL7_BAD_HEX_ESCAPE'],
    ['byte above 7F in ASCII', 'a\\XE9\\b', 'ASCII', 'HL7_BAD_HEX_ESCAPE'],
    ['bytes that are not UTF-8', 'a\\XC3\\b', 'UNICODE UTF-8', 'HL7_BAD_HEX_ESCAPE'],
  ])('%s is a problem, and stays as written', (_name, input, charset, code) => {
    const issues: EscapeIssue[] = [];
    const out = unescapeEr7(input, d, charset, issues);
    expect(issues.map((i) => i.code)).toEqual([code]);
    expect(out).toContain('a');
  });

  it('caps \\.sp n\\ so that a few bytes cannot ask for megabytes', () => {
    expect(unescapeEr7('\\.sp 999999\\', d)).toBe('\n'.repeat(99));
  });

  it('decodes the v2.7 truncation character when MSH-2 declares one', () => {
    expect(unescapeEr7('a\\P\\b', { ...d, truncation: '#' })).toBe('a#b');
  });
});

describe('escapeEr7', () => {
  it.each([
    ['plain', 'plain', 'plain'],
    ['every delimiter', 'a|b^c&d~e\\f', 'a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f'],
    ['new lines as \\.br\\', 'one\ntwo', 'one\\.br\\two'],
    ['CR as hex (so that CRLF comes back as it was)', 'a\r\nb', 'a\\X0D\\\\.br\\b'],
    ['other control characters as hex', 'a\u0000b\u001fc\u007f', 'a\\X00\\b\\X1F\\c\\X7F\\'],
    ['TAB kept', 'a\tb', 'a\tb'],
    ['non-ASCII kept (the character set encodes it)', 'Élise Dupré', 'Élise Dupré'],
  ])('%s', (_name, input, expected) => {
    expect(escapeEr7(input, d)).toBe(expected);
    expect(unescapeEr7(expected, d, 'UNICODE UTF-8')).toBe(input);
  });

  it('escapes with the message own delimiters', () => {
    const custom = { field: '#', component: '$', repetition: '%', escape: '!', subComponent: '@' };
    expect(escapeEr7('a#b$c%d@e!f|g^h', custom)).toBe('a!F!b!S!c!R!d!T!e!E!f|g^h');
  });
});
