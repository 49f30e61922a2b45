import { describe, expect, it } from 'vitest';
import { buildEr7, buildEr7Text } from '../../../src/payload/hl7v2/build-er7.ts';
import { getField, getValue, parseEr7Path } from '../../../src/payload/hl7v2/get-value.ts';
import { parseEr7, readEr7 } from '../../../src/payload/hl7v2/parse-er7.ts';
import { SAMPLES, sample, type SampleName } from './samples.ts';

const names = Object.keys(SAMPLES) as SampleName[];

function parsed(input: Buffer | string) {
  const r = parseEr7(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

describe('parseEr7 on the five samples', () => {
  it.each(names)('%s parses with no problem', (name) => {
    expect(readEr7(sample(name)).problems).toEqual([]);
  });

  it.each(names)('%s: CR, LF and CRLF line ends give the same structure', (name) => {
    const cr = parsed(sample(name, '\r'));
    expect(parsed(sample(name, '\n'))).toEqual(cr);
    expect(parsed(sample(name, '\r\n'))).toEqual(cr);
  });

  it.each(names)('%s: build → parse gives the same values, with no trailing separators', (name) => {
    const m = parsed(sample(name));
    const built = buildEr7(m);
    expect(parsed(built)).toEqual(m);
    for (const line of built.toString('latin1').split('\r').filter(Boolean)) expect(line).not.toMatch(/[|^&~]$/);
  });

  it('reads repetitions, components and sub-components by the standard numbering', () => {
    const m = parsed(sample('siu'));
    expect(getValue(m, 'MSH-1')).toBe('|');
    expect(getValue(m, 'MSH-2')).toBe('^~\\&');
    expect(getValue(m, 'MSH-9.2')).toBe('S26');
    expect(getValue(m, 'MSH-21')).toBe('360X');
    expect(getValue(m, 'PID-3')).toBe('T7190334');
    expect(getValue(m, 'PID-3[2]')).toBe('L53HG67');
    expect(getValue(m, 'PID-3[2].4.2')).toBe('1.3.6.1.4.1.21367.2016.10.1.32.11');
    expect(getValue(m, 'PID-3[2].4.3')).toBe('ISO');
    expect(getValue(m, 'PID-3[3]')).toBe('');
    expect(getValue(m, 'SCH-26.3')).toBe('1.3.6.1.4.1.21367.2016.10.1.21.15');
    expect(getValue(m, 'TQ1-8')).toBe('20161009143000+0000');
    expect(getValue(m, 'ZZZ-1')).toBe('');
    expect(getField(m, 'PID-3')).toHaveLength(2);
  });

  it('addresses a later occurrence of a segment', () => {
    const m = parsed(sample('ref'));
    expect(getValue(m, 'PRD-1')).toBe('RP');
    expect(getValue(m, 'PRD[2]-1')).toBe('CP');
    expect(getValue(m, 'PRD[2]-2.1')).toBe('Kilbane');
  });

  it('decodes \\.br\\ in a text observation', () => {
    const m = parsed(sample('ref'));
    expect(getValue(m, 'OBX-5')).toMatch(/^Referral to Cardiology\n\n52yo male/);
  });

  it('refuses malformed paths', () => {
    expect(() => parseEr7Path('PID3')).toThrow(TypeError);
    expect(() => parseEr7Path('PID-0')).toThrow(TypeError);
    expect(parseEr7Path('OBX[2]-5[3].1.2')).toEqual({ segment: 'OBX', occurrence: 2, field: 5, repetition: 3, component: 1, subComponent: 2 });
  });
});

describe('parseEr7 delimiters', () => {
  it('takes any delimiters MSH-1 and MSH-2 declare', () => {
    const standard = parsed(sample('omg'));
    const custom = buildEr7({ ...standard, delimiters: { field: '#', component: '$', repetition: '*', escape: '!', subComponent: '@' } });
    expect(custom.toString('latin1')).toMatch(/^MSH#\$\*!@#/);
    const m = parsed(custom);
    expect(m.segments).toEqual(standard.segments.map((s, i) => (i === 0 ? { ...s, fields: [s.fields[0], [[['#']]], [[['$*!@']]], ...s.fields.slice(3)] } : s)));
    expect(getValue(m, 'PID-3.4.2')).toBe('1.3.6.1.4.1.21367.2016.10.1.21.5');
  });

  it('reads escapes of the message own delimiters', () => {
    const m = parsed('MSH#$*!@#A\rNTE#1##pipe | hat ^ hash !F! dollar !S! bang !E!\r');
    expect(getValue(m, 'NTE-3')).toBe('pipe | hat ^ hash # dollar $ bang !');
  });

  it('keeps the v2.7 truncation character', () => {
    const m = parsed('MSH|^~\\&#|A\rNTE|1||a\\P\\b\r');
    expect(m.delimiters.truncation).toBe('#');
    expect(getValue(m, 'NTE-3')).toBe('a#b');
    expect(buildEr7Text(m)).toBe('MSH|^~\\&#|A\rNTE|1||a\\P\\b\r');
  });

  it.each([
    ['no MSH', 'PID|1\r', 'HL7_NO_MSH', 'MSH'],
    ['empty input', '', 'HL7_NO_MSH', 'MSH'],
    ['a batch', 'FHS|^~\\&\rMSH|^~\\&\r', 'HL7_NO_MSH', 'MSH'],
    ['a letter as field separator', 'MSHA^~\\&\r', 'HL7_BAD_DELIMITERS', 'MSH-1'],
    ['three encoding characters', 'MSH|^~\\|A\r', 'HL7_BAD_DELIMITERS', 'MSH-2'],
    ['a repeated delimiter', 'MSH|^^\\&|A\r', 'HL7_BAD_DELIMITERS', 'MSH-2'],
    ['a digit delimiter', 'MSH|^~1&|A\r', 'HL7_BAD_DELIMITERS', 'MSH-2'],
  ])('%s: no structure, one problem', (_name, input, code, path) => {
    const r = readEr7(input);
    expect(r.message).toBeUndefined();
    expect(r.problems).toEqual([expect.objectContaining({ code, path })]);
    expect(parseEr7(input).ok).toBe(false);
  });
});

describe('parseEr7 problems (strict: all listed, with paths)', () => {
  it('lists every problem with its HL7 path', () => {
    const text = 'MSH|^~\\&|A\rpid|1\rPID|1||X\\Q\\Y~Z\\F||N^A\\Xzz\\\r\rOBX|1\rOBX|2|FT|||a\\b\r';
    const r = readEr7(text);
    expect(r.problems).toEqual([
      { code: 'HL7_BAD_SEGMENT', path: 'segment 2', message: expect.any(String) },
      { code: 'HL7_UNKNOWN_ESCAPE', path: 'PID-3', message: "unknown escape sequence '\\Q\\'" },
      { code: 'HL7_UNTERMINATED_ESCAPE', path: 'PID-3[2]', message: expect.any(String) },
      { code: 'HL7_BAD_HEX_ESCAPE', path: 'PID-5.2', message: expect.any(String) },
      { code: 'HL7_EMPTY_SEGMENT', path: 'segment 4', message: expect.any(String) },
      { code: 'HL7_UNTERMINATED_ESCAPE', path: 'OBX[2]-5', message: expect.any(String) },
    ]);
    const strict = parseEr7(text);
    expect(strict.ok).toBe(false);
    const lenient = parseEr7(text, { strict: false });
    expect(lenient.ok && lenient.value.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'OBX', 'OBX']);
  });

  it('refuses a second MSH', () => {
    expect(readEr7('MSH|^~\\&|A\rMSH|^~\\&|B\r').problems).toEqual([expect.objectContaining({ code: 'HL7_UNEXPECTED_MSH', path: 'segment 2' })]);
  });

  it('takes a segment with no fields, and a trailing line end or none', () => {
    expect(readEr7('MSH|^~\\&|A\rZAB\rPID|1').problems).toEqual([]);
    expect(readEr7('MSH|^~\\&|A\r\n\r\n').problems).toEqual([]);
  });

  it('drops trailing empties: a^b^^|~| and a^b are the same value', () => {
    const a = parsed('MSH|^~\\&\rPID|1||a^b^^&~||\r');
    const b = parsed('MSH|^~\\&\rPID|1||a^b\r');
    expect(a).toEqual(b);
    expect(getField(a, 'PID-3')).toEqual([[['a'], ['b']]]);
  });

  it('keeps leading and inner empties', () => {
    const m = parsed('MSH|^~\\&\rPID|||~^b&&c\r');
    expect(getField(m, 'PID-3')).toEqual([[], [[], ['b', '', 'c']]]);
  });

  it('keeps the HL7 null "" as written', () => {
    expect(getValue(parsed('MSH|^~\\&\rPID|1||""\r'), 'PID-3')).toBe('""');
  });
});

describe('parseEr7 character sets (MSH-18)', () => {
  const msh = (charset: string) => `MSH|^~\\&|||||20260101||ADT^A01|1|P|2.5.1||||||${charset}\r`;

  it('ASCII by default: a byte above 7F is a problem at its field', () => {
    const bytes = Buffer.concat([Buffer.from(msh('') + 'PID|1||X||Dupr'), Buffer.from([0xe9]), Buffer.from('\r')]);
    expect(readEr7(bytes).problems).toEqual([expect.objectContaining({ code: 'HL7_INVALID_CHARACTER', path: 'PID-5' })]);
  });

  it('gives each problem the occurrence of its segment: 40 000 OBX lines in UTF-8 under ASCII', () => {
    // the occurrence was counted again over every segment read for each problem: 10 s for these 3 MB
    const lines = Array.from({ length: 40_000 }, (_, i) => `OBX|${i + 1}|TX|||Échographie ${i}\r`).join('');
    const problems = readEr7(Buffer.from(msh('') + 'PID|1\r' + lines, 'utf8')).problems;
    expect(problems).toHaveLength(40_000);
    expect([problems[0]!.path, problems[1]!.path, problems[39_999]!.path]).toEqual(['OBX-5', 'OBX[2]-5', 'OBX[40000]-5']);
  });

  it('8859/1 decodes Latin-1 bytes', () => {
    const bytes = Buffer.from(msh('8859/1') + 'PID|1||X||Dupré^Élise\r', 'latin1');
    expect(getValue(parsed(bytes), 'PID-5.2')).toBe('Élise');
  });

  it('UNICODE UTF-8 decodes UTF-8, and reports bytes that are not', () => {
    const good = Buffer.from(msh('UNICODE UTF-8') + 'PID|1||X||Nguyễn^Thị Ánh\r', 'utf8');
    expect(getValue(parsed(good), 'PID-5')).toBe('Nguyễn');
    const bad = Buffer.concat([Buffer.from(msh('UNICODE UTF-8') + 'PID|1||X||'), Buffer.from([0xc3, 0x28]), Buffer.from('\r')]);
    expect(readEr7(bad).problems).toEqual([expect.objectContaining({ code: 'HL7_INVALID_CHARACTER', path: 'PID-5' })]);
  });

  it('an unsupported character set is a problem at MSH-18', () => {
    expect(readEr7(Buffer.from(msh('ISO IR87') + 'PID|1\r')).problems).toEqual([expect.objectContaining({ code: 'HL7_UNSUPPORTED_CHARSET', path: 'MSH-18' })]);
  });

  it('a UTF-8 byte order mark is skipped', () => {
    expect(readEr7(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sample('omg')])).problems).toEqual([]);
  });

  it('builds in the declared character set, and refuses what it cannot write', () => {
    const m = parsed(Buffer.from(msh('8859/1') + 'PID|1||X||Dupré\r', 'latin1'));
    expect(buildEr7(m).includes(Buffer.from([0xe9]))).toBe(true);
    const ascii = parsed(msh('') + 'PID|1||X||Dupré\r');
    expect(() => buildEr7(ascii)).toThrow(RangeError);
  });
});
