import { describe, expect, it } from 'vitest';
import { parseEr7 } from '../../../src/payload/hl7v2/parse-er7.ts';
import { parseHl7v2Message } from '../../../src/payload/hl7v2/parse-hl7v2-message.ts';
import { parseHl7v2Request } from '../../../src/payload/hl7v2/parse-hl7v2-request.ts';
import { readRriI12 } from '../../../src/payload/hl7v2/parse-rri-i12.ts';
import { parseSiu } from '../../../src/payload/hl7v2/parse-siu.ts';
import { parseOsuO51 } from '../../../src/payload/hl7v2/parse-osu-o51.ts';
import { edited, sample, sampleMessage } from './samples.ts';

const REFERRAL = { system: 'urn:oid:1.3.6.1.4.1.21367.2016.10.1.21.15', value: '889342', assigner: '1.3.6.1.4.1.21367.2016.10.1.21.15' };

describe('OSU^O51 (status updates)', () => {
  it('reads the 360X cancellation: ORC-1 CA, the referral id, the ORC-16 reason', () => {
    const r = parseOsuO51(sampleMessage('osu'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      messageId: '23882',
      sentAt: '2016-10-07T09:28:57+00:00',
      referral: REFERRAL,
      orderControl: 'CA',
      event: 'cancel-requested',
      reason: 'Headache disappeared',
    });
    expect(r.value.orderingProvider?.identifiers[0]?.value).toBe('34225PC');
    expect(r.value.patient?.identifiers[0]?.value).toBe('T7190334');
  });

  it.each([
    ['DC', '', 'discontinue-requested'],
    ['HD', '', 'hold-requested'],
    ['OK', 'IP', 'accepted'],
    ['UA', 'CA', 'declined'],
    ['SC', 'IP', 'in-progress'],
    ['SC', 'HD', 'information-requested'],
    ['SC', 'CM', 'finalized'],
    ['SC', 'SC', 'scheduled'],
    ['OC', 'CA', 'cancelled'],
    ['CR', '', 'cancelled'],
    ['OH', '', 'on-hold'],
    ['SC', '', 'status-changed'],
  ])('ORC-1 %s, ORC-5 %s → %s', (control, status, event) => {
    const r = parseHl7v2Message(edited('osu', { 'ORC-1': control, 'ORC-5': status }));
    expect(r.ok && r.value.kind === 'order-status' && r.value.update.event).toBe(event);
  });

  it('an order control it does not map is a problem; so is a missing ORC-2', () => {
    const r = parseHl7v2Message(edited('osu', { 'ORC-1': 'NW', 'ORC-2': '' }));
    expect(!r.ok && r.problems.map((p) => [p.code, p.path])).toEqual([
      ['HL7_UNKNOWN_CODE', 'ORC-1'],
      ['HL7_MISSING_FIELD', 'ORC-2'],
    ]);
  });

  it('is not a request', () => {
    expect(parseHl7v2Request(sample('osu'))).toEqual({
      ok: false,
      problems: [{ code: 'HL7_UNSUPPORTED_MESSAGE', path: 'MSH-9', message: 'not a referral request (OMG^O19 or REF^I12)' }],
    });
  });
});

describe('SIU (appointments)', () => {
  it('records the 360X no-show: SCH-2 appointment, SCH-26 referral, the event, start and end', () => {
    const r = parseSiu(sampleMessage('siu'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      messageId: '25882',
      trigger: 'S26',
      event: 'no-show',
      appointment: { system: 'urn:oid:1.3.6.1.4.1.21367.2016.10.1.32.14', value: '18467' },
      referral: REFERRAL,
      start: '2016-10-09T14:00:00+00:00',
      end: '2016-10-09T14:30:00+00:00',
      reason: { codings: [{ system: 'http://loinc.org', code: '57133-1' }] },
    });
    expect(r.value.patient?.identifiers.map((i) => i.value)).toEqual(['T7190334', 'L53HG67']);
  });

  it('an S12 is a booking', () => {
    const r = parseHl7v2Message(edited('siu', { 'MSH-9': [[['SIU'], ['S12'], ['SIU_S12']]] }));
    expect(r.ok && r.value.kind === 'appointment' && r.value.appointment.event).toBe('booked');
  });

  it('a trigger event named like an object property is not an appointment event', () => {
    const bytes = edited('siu', { 'MSH-9': [[['SIU'], ['constructor']]] });
    const r = parseHl7v2Message(bytes);
    expect(!r.ok && r.problems).toEqual([expect.objectContaining({ code: 'HL7_UNSUPPORTED_MESSAGE', path: 'MSH-9' })]);
    const m = parseEr7(bytes);
    const direct = m.ok ? parseSiu(m.value) : undefined;
    expect(direct?.ok === false && direct.problems).toEqual([expect.objectContaining({ code: 'HL7_UNSUPPORTED_MESSAGE', path: 'MSH-9' })]);
  });

  it('needs the referral id (SCH-26)', () => {
    const r = parseHl7v2Message(edited('siu', { 'SCH-26': '' }));
    expect(!r.ok && r.problems).toEqual([expect.objectContaining({ code: 'HL7_MISSING_FIELD', path: 'SCH-26' })]);
  });
});

describe('RRI^I12 (referral responses)', () => {
  it('reads the synthetic response: the opinion, the expert, what to match it on, and its two defects', () => {
    const r = readRriI12(sampleMessage('rri'));
    expect(r.problems.map((p) => [p.code, p.path])).toEqual([
      ['HL7_UNEXPECTED_VALUE', 'RF1-5'],
      ['HL7_INVALID_DATE', 'PID-7'],
    ]);
    expect(r.value).toMatchObject({
      messageId: 'RRI20260818104100001',
      sentAt: '2026-08-18T10:41:00',
      status: 'A',
      kind: 'finalized',
      placerOrderNumber: 'GP20260803001',
      externalIds: [],
      expert: { name: { family: 'Kilbane', given: ['Fergal'], prefix: ['Prof.'] } },
      requester: { name: { family: 'Grealish', given: ['Emer'], prefix: ['Dr.'] } },
      notes: ['Angiography date confirmed 28/08/2026 at Mater cath lab. Fasting from midnight. Contact Mater cardiac day ward for queries (01) 803 4556.'],
    });
    expect(r.value?.referral).toBeUndefined();
    expect(r.value?.acknowledges).toBeUndefined();
    expect(r.value?.opinion?.text).toMatch(/^Referral acknowledged\. Seen in cardiology OPD 16\/08\/2026\.\nExercise stress test/);
  });

  it('parses strictly once its defects are fixed', () => {
    const r = parseHl7v2Message(edited('rri', { 'PID-7': '19761225', 'RF1-5': '' }));
    expect(r.ok && r.value.kind).toBe('referral-response');
  });

  it('with nothing to match it on, says so', () => {
    const r = readRriI12(sampleMessage('rri'));
    expect(r.problems.some((p) => p.path === 'RF1-6')).toBe(false);
    const bare = parseHl7v2Message(edited('rri', { 'PID-7': '19761225', 'RF1-5': '', 'OBR-2': '' }));
    expect(!bare.ok && bare.problems).toEqual([expect.objectContaining({ code: 'HL7_MISSING_FIELD', path: 'RF1-6' })]);
  });
});

describe('parseHl7v2Message dispatch', () => {
  it('refuses message types it does not take', () => {
    const r = parseHl7v2Message(edited('omg', { 'MSH-9': [[['ADT'], ['A01']]] }));
    expect(!r.ok && r.problems).toEqual([expect.objectContaining({ code: 'HL7_UNSUPPORTED_MESSAGE', path: 'MSH-9' })]);
    const none = parseHl7v2Message(edited('omg', { 'MSH-9': '' }));
    expect(!none.ok && none.problems).toEqual([expect.objectContaining({ code: 'HL7_MISSING_FIELD', path: 'MSH-9' })]);
  });
});
