import { describe, expect, it } from 'vitest';
import { makeField, makeSegment } from '../../../src/payload/hl7v2/make-er7.ts';
import { parseHl7v2Request } from '../../../src/payload/hl7v2/parse-hl7v2-request.ts';
import { edited, sample } from './samples.ts';

describe('REF^I12 → canonical request', () => {
  it('reports the synthetic sample defects: an invalid birth date at PID-7, a date in RF1-5', () => {
    const r = parseHl7v2Request(sample('ref'));
    expect(r).toEqual({
      ok: false,
      problems: [
        { code: 'HL7_UNEXPECTED_VALUE', path: 'RF1-5', message: "the referral category holds a date ('20260803') where a code of table 0284 is expected" },
        { code: 'HL7_INVALID_DATE', path: 'PID-7', message: 'invalid date: month out of range' },
      ],
    });
  });

  it('the birth date is never quoted in the problem (patient data)', () => {
    const r = parseHl7v2Request(sample('ref'));
    expect(JSON.stringify(r)).not.toContain('19761325');
  });

  it('gives the same problems for CR, LF and CRLF line ends', () => {
    const cr = parseHl7v2Request(sample('ref', '\r'));
    expect(parseHl7v2Request(sample('ref', '\n'))).toEqual(cr);
    expect(parseHl7v2Request(sample('ref', '\r\n'))).toEqual(cr);
  });

  describe('once its two defects are fixed', () => {
    const r = parseHl7v2Request(edited('ref', { 'PID-7': '19761225', 'RF1-5': 'O' }));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const req = r.value;

    it('maps RF1: priority R → routine, category O → outpatient', () => {
      expect(req.dialect).toBe('hl7v2-ref');
      expect(req.priority).toBe('routine');
      expect(req.category).toBe('outpatient');
    });

    it('takes the referral id from OBR-2 (no RF1-6, no RF1-11), in the sending facility id space', () => {
      expect(req.ids.sender).toEqual({ system: 'GP78901', value: 'GP20260803001', assigner: 'GP78901' });
    });

    it('maps PRD roles: RP requester, CP expert', () => {
      expect(req.requester.name).toEqual({ family: 'Grealish', given: ['Emer'], prefix: ['Dr.'] });
      expect(req.requester.identifiers).toEqual([{ system: 'IMC', value: '66889', type: 'IRL', assigner: 'IMC' }]);
      expect(req.requested.expert?.name).toEqual({ family: 'Kilbane', given: ['Fergal'], prefix: ['Prof.'] });
    });

    it('maps PID', () => {
      expect(req.patient.identifiers.map((i) => [i.system, i.value, i.type])).toEqual([
        ['GP78901', 'GP678901', 'PI'],
        ['PPS', '7613255789', 'PPSN'],
      ]);
      expect(req.patient.names).toEqual([{ family: 'Redmond', given: ['Ciaran', 'D'], prefix: ['Mr.'] }]);
      expect(req.patient.birthDate).toBe('1976-12-25');
      expect(req.patient.sex).toBe('male');
    });

    it('gives the OBX FT referral note as the question, \\.br\\ as new lines', () => {
      expect(req.question).toMatch(/^Referral to Cardiology\n\n52yo male, 3 month history exertional chest pain/);
      expect(req.question).toContain('\nBloods: Total cholesterol 6.8');
      expect(req.question).toMatch(/stress test\/angiography\.$/);
    });

    it('gives NTE as notes', () => {
      expect(req.notes).toEqual(['Urgent referral. ECG attached. Patient informed of smoking cessation supports.']);
    });
  });

  it('prefers RF1-6, maps priority S/A, DG1 diagnoses, RT over CP', () => {
    const r = parseHl7v2Request(
      edited(
        'ref',
        {
          'PID-7': '19761225',
          'RF1-5': '',
          'RF1-2': 'S',
          'RF1-6': [[['REF-42'], ['DRUMCON']]],
          'PRD[2]-1': 'RT',
        },
        { add: [makeSegment('DG1', { 1: makeField('1'), 3: makeField('I20.9', '', 'I10'), 4: makeField('Angina pectoris, unspecified') })] },
      ),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.ids.sender).toEqual({ system: 'DRUMCON', value: 'REF-42', assigner: 'DRUMCON' });
    expect(r.value.priority).toBe('urgent');
    expect(r.value.reason).toEqual({
      codes: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I20.9', display: 'Angina pectoris, unspecified' }],
      text: 'Angina pectoris, unspecified',
    });
    expect(r.value.requested.expert?.name?.family).toBe('Kilbane');
    const asap = parseHl7v2Request(edited('ref', { 'PID-7': '19761225', 'RF1-5': '', 'RF1-2': 'A' }));
    expect(asap.ok && asap.value.priority).toBe('asap');
  });

  it('needs a referring provider, a known priority, and checks RF1 dates', () => {
    const r = parseHl7v2Request(edited('ref', { 'PID-7': '19761225', 'RF1-5': '', 'RF1-2': 'Z', 'RF1-7': '20261301', 'PRD-1': 'PP' }));
    expect(!r.ok && r.problems.map((p) => [p.code, p.path])).toEqual([
      ['HL7_UNKNOWN_CODE', 'RF1-2'],
      ['HL7_INVALID_DATE', 'RF1-7'],
      ['HL7_MISSING_SEGMENT', 'PRD'],
    ]);
  });
});
