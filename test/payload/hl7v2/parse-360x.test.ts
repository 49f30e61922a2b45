import { describe, expect, it } from 'vitest';
import { CanonicalRequestSchema, IDENTIFIER_SYSTEMS } from '../../../src/domain/canonical-request.ts';
import { makeField, makeSegment } from '../../../src/payload/hl7v2/make-er7.ts';
import { parseHl7v2Request } from '../../../src/payload/hl7v2/parse-hl7v2-request.ts';
import { edited, sample } from './samples.ts';

describe('IHE 360X OMG^O19 → canonical request', () => {
  const r = parseHl7v2Request(sample('omg'));

  it('parses the 360X sample with no problem, and passes CanonicalRequestSchema', () => {
    expect(r.ok).toBe(true);
    if (r.ok) expect(CanonicalRequestSchema.parse(r.value)).toEqual(r.value);
  });

  it('gives the referral id with its assigning authority (ORC-2)', () => {
    expect(r.ok && r.value.ids.sender).toEqual({
      system: 'urn:oid:1.3.6.1.4.1.21367.2016.10.1.21.15',
      value: '889342',
      assigner: '1.3.6.1.4.1.21367.2016.10.1.21.15',
    });
  });

  it('gives the patient: MRN with its authority, name, birth date, sex', () => {
    if (!r.ok) throw new Error('not ok');
    expect(r.value.patient.identifiers).toEqual([
      { system: 'urn:oid:1.3.6.1.4.1.21367.2016.10.1.21.5', value: 'T7190334', type: 'MRN', assigner: '1.3.6.1.4.1.21367.2016.10.1.21.5' },
    ]);
    expect(r.value.patient.names[0]).toMatchObject({ family: 'Packton', given: ['Peter'] });
    expect(r.value.patient.birthDate).toBe('1958-08-17');
    expect(r.value.patient.sex).toBe('male');
  });

  it('gives the requester from ORC-12', () => {
    if (!r.ok) throw new Error('not ok');
    expect(r.value.requester.identifiers).toEqual([
      { system: 'urn:oid:1.3.6.1.4.1.21367.2016.10.1.21.10', value: '34225PC', assigner: '1.3.6.1.4.1.21367.2016.10.1.21.10' },
    ]);
    expect(r.value.requester.name).toMatchObject({ family: 'Allen', given: ['Anthony', 'M'] });
  });

  it('gives the reason (OBR-31), the deadline (TQ1-8) and the dialect', () => {
    if (!r.ok) throw new Error('not ok');
    expect(r.value.reason).toEqual({ codes: [], text: 'Rule out headache' });
    expect(r.value.neededBy).toBe('2016-10-18T23:59:59+00:00');
    expect(r.value.dialect).toBe('hl7v2-360x');
    expect(r.value.channel).toBe('smtp');
    expect(r.value.priority).toBe('routine');
  });

  it('gives the same request for CR, LF and CRLF line ends', () => {
    expect(parseHl7v2Request(sample('omg', '\n'))).toEqual(r);
    expect(parseHl7v2Request(sample('omg', '\r\n'))).toEqual(r);
  });

  it('reads coded reasons, priority, consent, a question, notes and an attached document', () => {
    const pdf = Buffer.from('%PDF-1.4 referral letter').toString('base64');
    const bytes = edited(
      'omg',
      { 'OBR-31': [[['R51'], ['Headache'], ['I10']], [['25064002'], ['Headache'], ['SCT']]], 'TQ1-9': 'A' },
      {
        add: [
          makeSegment('OBX', { 1: makeField('1'), 2: makeField('FT'), 3: makeField('57133-1', '', 'LN'), 5: makeField('Is an MRI needed?\nThanks.') }),
          makeSegment('OBX', { 1: makeField('2'), 2: makeField('ED'), 3: makeField('57133-1', '', 'LN'), 5: makeField('', 'AP', 'PDF', 'Base64', pdf) }),
          makeSegment('CON', { 1: makeField('1'), 2: makeField('TE', 'Tele-expertise'), 11: makeField('A'), 13: makeField('20160929') }),
          makeSegment('NTE', { 1: makeField('1'), 3: makeField('Patient prefers mornings.') }),
        ],
      },
    );
    const v = parseHl7v2Request(bytes);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value.reason.codes).toEqual([
      { system: 'http://hl7.org/fhir/sid/icd-10', code: 'R51', display: 'Headache' },
      { system: 'http://snomed.info/sct', code: '25064002', display: 'Headache' },
    ]);
    expect(v.value.priority).toBe('asap');
    expect(v.value.question).toBe('Is an MRI needed?\nThanks.');
    expect(v.value.consent).toEqual({
      granted: true,
      date: '2016-09-29',
      covers: { reason: false, requestedIdentity: false, requestedSpecialty: false, modeOfReturn: false },
      source: 'hl7-con',
    });
    expect(v.value.notes).toEqual(['Patient prefers mornings.']);
    expect(v.value.attachments).toEqual([{ contentType: 'application/pdf', size: 24, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  it('checks identifiers with a known rule, and names the path, not the value', () => {
    const bytes = edited('omg', {
      'PID-3': [
        [['T7190334'], [], [], ['', '1.3.6.1.4.1.21367.2016.10.1.21.5', 'ISO'], ['MRN']],
        [['184127645108947'], [], [], ['', '1.2.250.1.213.1.4.8', 'ISO'], ['INS']],
      ],
    });
    const v = parseHl7v2Request(bytes);
    expect(v).toEqual({ ok: false, problems: [{ code: 'HL7_INVALID_IDENTIFIER', path: 'PID-3[2].1', message: 'NIR key does not match' }] });
    const good = parseHl7v2Request(
      edited('omg', { 'PID-3': [[['184127645108946'], [], [], ['', '1.2.250.1.213.1.4.8', 'ISO'], ['INS']]] }),
    );
    expect(good.ok && good.value.patient.identifiers[0]).toEqual({ system: IDENTIFIER_SYSTEMS.INS_NIR, value: '184127645108946', type: 'INS', assigner: '1.2.250.1.213.1.4.8' });
  });

  it('reads a report sent one OBX per line (40 000 lines), each problem at its OBX', () => {
    // readObservations counted the OBX before each one again: 11 s for these 3 MB
    const lines = Array.from({ length: 40_000 }, (_, i) => `OBX|${i + 1}|TX|11488-4^^LN||Line ${i} of the typed report.||||||F\r`).join('');
    const broken = 'OBX|40001|ED|11524-6^^LN||^AP^PDF^Base64^not base64!||||||F\r';
    const v = parseHl7v2Request(Buffer.concat([sample('omg'), Buffer.from(lines + broken)]));
    expect(!v.ok && v.problems.map((p) => [p.code, p.path])).toEqual([['HL7_UNEXPECTED_VALUE', 'OBX[40001]-5.4']]);
    const ok = parseHl7v2Request(Buffer.concat([sample('omg'), Buffer.from(lines)]));
    expect(ok.ok && ok.value.question?.split('\n\n')).toHaveLength(40_000);
  });

  it('lists every problem of a broken request, with HL7 paths', () => {
    const bytes = edited('omg', {
      'MSH-21': '',
      'ORC-1': 'XO',
      'OBR-2': [[['999'], [], ['1.3.6.1.4.1.21367.2016.10.1.21.15'], ['ISO']]],
      'OBR-4': [[['11488-4'], [], ['LN']]],
      'OBR-31': '',
      'TQ1-8': '20161018256000',
      'PID-3': [[['T7190334'], [], [], [], ['MRN']]],
      'PID-7': '19580835',
      'PID-8': 'Q',
    });
    const v = parseHl7v2Request(bytes);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problems.map((p) => [p.code, p.path])).toEqual([
      ['HL7_UNEXPECTED_VALUE', 'MSH-21'],
      ['HL7_UNEXPECTED_VALUE', 'ORC-1'],
      ['HL7_INCONSISTENT', 'OBR-2'],
      ['HL7_UNEXPECTED_VALUE', 'OBR-4'],
      ['HL7_MISSING_FIELD', 'OBR-31'],
      ['HL7_INVALID_DATE', 'TQ1-8'],
      ['HL7_MISSING_FIELD', 'PID-3.4'],
      ['HL7_INVALID_DATE', 'PID-7'],
      ['HL7_UNKNOWN_CODE', 'PID-8'],
    ]);
    expect(v.problems.find((p) => p.path === 'TQ1-8')?.message).toBe("invalid date '20161018256000': hour out of range");
    const patientProblems = v.problems.filter((p) => p.path.startsWith('PID'));
    for (const p of patientProblems) expect(p.message).not.toMatch(/T7190334|19580835|Packton|Peter/);
  });

  it('needs ORC, OBR and PID', () => {
    const v = parseHl7v2Request(edited('omg', {}, { remove: ['ORC', 'OBR', 'PID', 'TQ1'] }));
    expect(!v.ok && v.problems.map((p) => [p.code, p.path])).toEqual([
      ['HL7_MISSING_SEGMENT', 'ORC'],
      ['HL7_MISSING_SEGMENT', 'OBR'],
      ['HL7_MISSING_SEGMENT', 'PID'],
    ]);
  });

  it('takes OBR-2 and OBR-16 when ORC-2 and ORC-12 are empty, TQ1-7 when TQ1-8 is', () => {
    const v = parseHl7v2Request(edited('omg', { 'ORC-2': '', 'ORC-12': '', 'TQ1-8': '', 'TQ1-7': '20161020' }));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value.ids.sender?.value).toBe('889342');
    expect(v.value.requester.identifiers[0]?.value).toBe('34225PC');
    expect(v.value.neededBy).toBe('2016-10-20');
  });

  it('treats names like constructor or toString as plain data', () => {
    const v = parseHl7v2Request(
      edited('omg', {
        'PID-3': [[['X1'], [], [], ['constructor'], ['toString']]],
        'PID-8': 'constructor',
        'TQ1-9': '__proto__',
        'OBR-31': [[['hasOwnProperty'], ['x'], ['valueOf']]],
      }),
    );
    expect(!v.ok && v.problems.map((p) => [p.code, p.path])).toEqual([
      ['HL7_UNKNOWN_CODE', 'TQ1-9'],
      ['HL7_UNKNOWN_CODE', 'PID-8'],
    ]);
    const ok = parseHl7v2Request(edited('omg', { 'PID-3': [[['X1'], [], [], ['constructor'], ['toString']]], 'OBR-31': [[['hasOwnProperty'], ['x'], ['valueOf']]] }));
    expect(ok.ok && ok.value.patient.identifiers).toEqual([{ system: 'constructor', value: 'X1', type: 'toString', assigner: 'constructor' }]);
    expect(ok.ok && ok.value.reason.codes).toEqual([{ system: 'valueOf', code: 'hasOwnProperty', display: 'x' }]);
  });
});
