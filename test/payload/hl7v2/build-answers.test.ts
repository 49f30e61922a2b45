import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../../src/domain/canonical-request.ts';
import { AnswerSchema, type Answer, type AnswerInput } from '../../../src/domain/answer.ts';
import { buildOsuO51 } from '../../../src/payload/hl7v2/build-osu-o51.ts';
import { buildRriI12 } from '../../../src/payload/hl7v2/build-rri-i12.ts';
import { getValue } from '../../../src/payload/hl7v2/get-value.ts';
import { parseEr7 } from '../../../src/payload/hl7v2/parse-er7.ts';
import { parseHl7v2Message } from '../../../src/payload/hl7v2/parse-hl7v2-message.ts';
import { parseOsuO51 } from '../../../src/payload/hl7v2/parse-osu-o51.ts';
import { parseRriI12 } from '../../../src/payload/hl7v2/parse-rri-i12.ts';
import { readMessageHeader, type Hl7MessageHeader } from '../../../src/payload/hl7v2/read-message-header.ts';
import { edited, sample } from './samples.ts';

function requestOf(bytes: Buffer): { request: CanonicalRequest; header: Hl7MessageHeader } {
  const r = parseHl7v2Message(bytes);
  if (!r.ok || r.value.kind !== 'request') throw new Error(JSON.stringify(r));
  return { request: r.value.request, header: readMessageHeader(r.value.message, []) };
}

const omg = requestOf(sample('omg'));
const ref = requestOf(edited('ref', { 'PID-7': '19761225', 'RF1-5': 'O' }));

const expert = {
  identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1#rpps', value: '10003123456' }],
  name: { family: 'Dupré', given: ['Élise'], prefix: ['Dr'] },
  address: 'elise.dupre@cardio.test',
};
const pdf = Buffer.from('%PDF-1.7\n% opinion\n').toString('base64');

const answers: AnswerInput[] = [
  { kind: 'accepted', at: '2016-10-01T08:30:00Z', id: 'A-1', expert },
  { kind: 'declined', at: '2016-10-01T08:30:00+02:00', id: 'A-2', expert, reason: 'Outside my specialty | please ask neurology ^_^' },
  { kind: 'information-requested', at: '2016-10-02T09:00:00.250Z', id: 'A-3', expert, reason: 'Any MRI?\nPlease attach it.' },
  { kind: 'finalized', at: '2016-10-05T17:45:10+00:00', id: 'A-4', expert, opinion: { text: 'Tension-type headache.\nNo imaging needed; reassess in 3 months.\\ end', documents: [{ contentType: 'application/pdf', data: pdf }] } },
  { kind: 'corrected', at: '2016-10-06T10:00:00Z', id: 'A-5', expert, opinion: { text: 'Correction: migraine without aura.', documents: [], version: 2 } },
  { kind: 'cancelled', at: '2016-10-07T10:00:00Z', id: 'A-6', expert, reason: 'Deadline passed' },
];

function sameInstant(a: string | undefined, b: string): void {
  expect(a).toBeDefined();
  expect(Date.parse(a!)).toBe(Date.parse(b));
}

function noTrailingSeparators(bytes: Buffer): void {
  for (const line of bytes.toString('utf8').split('\r').filter(Boolean)) expect(line).not.toMatch(/[|^&~]$/);
  expect(bytes.toString('utf8').endsWith('\r')).toBe(true);
  expect(bytes.toString('utf8')).not.toContain('\n');
}

describe('buildOsuO51 (360X answers)', () => {
  it.each(answers.map((a) => [a.kind, a] as const))('%s: builds an OSU^O51 that parses back to the same values', (_kind, input) => {
    const answer: Answer = AnswerSchema.parse(input);
    const bytes = buildOsuO51(omg.request, answer, omg.header);
    noTrailingSeparators(bytes);
    const m = parseEr7(bytes);
    if (!m.ok) throw new Error(JSON.stringify(m.problems));
    const r = parseOsuO51(m.value);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const u = r.value;
    expect(u.event).toBe(answer.kind);
    expect(u.messageId).toBe(answer.id);
    sameInstant(u.sentAt, answer.at);
    sameInstant(u.at, answer.at);
    expect(u.referral).toEqual(omg.request.ids.sender);
    expect(u.actionBy?.identifiers[0]).toMatchObject({ system: expert.identifiers[0]!.system, value: expert.identifiers[0]!.value });
    expect(u.actionBy?.name).toEqual(expert.name);
    expect(u.orderingProvider?.identifiers).toEqual(omg.request.requester.identifiers);
    expect(u.patient?.identifiers).toEqual(omg.request.patient.identifiers);
    expect(u.patient?.birthDate).toBe(omg.request.patient.birthDate);
    if (answer.kind === 'declined' || answer.kind === 'cancelled' || answer.kind === 'information-requested') expect(u.reason).toBe(answer.reason);
    else expect(u.reason).toBeUndefined();
    if (answer.opinion) {
      expect(u.opinion?.text).toBe(answer.opinion.text);
      expect(u.opinion?.documents).toEqual(answer.opinion.documents.map(({ contentType, data }) => ({ contentType, data })));
    } else {
      expect(u.opinion).toBeUndefined();
    }
  });

  it('writes the 360X header: sender and receiver swapped, NE/NE, 360X, the version of the request', () => {
    const bytes = buildOsuO51(omg.request, AnswerSchema.parse(answers[0]), omg.header);
    const m = parseEr7(bytes);
    if (!m.ok) throw new Error('bad');
    const v = (p: string) => getValue(m.value, p);
    expect(v('MSH-4.2')).toBe('1.3.6.1.4.1.21367.2016.10.1.32');
    expect(v('MSH-6.2')).toBe('1.3.6.1.4.1.21367.2016.10.1.21');
    expect(v('MSH-9')).toBe('OSU');
    expect(v('MSH-9.2')).toBe('O51');
    expect(v('MSH-10')).toBe('A-1');
    expect(v('MSH-12')).toBe('2.5.1');
    expect([v('MSH-15'), v('MSH-16'), v('MSH-21')]).toEqual(['NE', 'NE', '360X']);
    expect([v('ORC-1'), v('ORC-5')]).toEqual(['OK', 'IP']);
    expect(v('MSH-7')).toBe('20161001083000+0000');
  });

  it.each([
    ['accepted', 'OK', 'IP'],
    ['declined', 'UA', 'CA'],
    ['information-requested', 'SC', 'HD'],
    ['finalized', 'SC', 'CM'],
    ['corrected', 'SC', 'CM'],
    ['cancelled', 'OC', 'CA'],
  ])('%s → ORC-1 %s, ORC-5 %s', (kind, control, status) => {
    const answer = AnswerSchema.parse(answers.find((a) => a.kind === kind));
    const m = parseEr7(buildOsuO51(omg.request, answer, omg.header));
    expect(m.ok && [getValue(m.value, 'ORC-1'), getValue(m.value, 'ORC-5')]).toEqual([control, status]);
  });

  it('keeps an ASCII request ASCII when the answer fits, and declares UNICODE UTF-8 when it does not', () => {
    const ascii = AnswerSchema.parse({ ...answers[0], expert: { identifiers: [], name: { family: 'Martin', given: ['Paul'] } } });
    const a = parseEr7(buildOsuO51(omg.request, ascii, omg.header));
    expect(a.ok && getValue(a.value, 'MSH-18')).toBe('');
    const utf8 = parseEr7(buildOsuO51(omg.request, AnswerSchema.parse(answers[0]), omg.header));
    expect(utf8.ok && getValue(utf8.value, 'MSH-18')).toBe('UNICODE UTF-8');
  });

  it('refuses a request without a referral id to answer to', () => {
    expect(() => buildOsuO51({ ...omg.request, ids: {} }, AnswerSchema.parse(answers[0]), omg.header)).toThrow(RangeError);
  });
});

describe('buildRriI12 (REF answers)', () => {
  it.each(answers.map((a) => [a.kind, a] as const))('%s: builds an RRI^I12 that parses back to the same values', (_kind, input) => {
    const answer: Answer = AnswerSchema.parse(input);
    const bytes = buildRriI12(ref.request, answer, ref.header);
    noTrailingSeparators(bytes);
    const m = parseEr7(bytes);
    if (!m.ok) throw new Error(JSON.stringify(m.problems));
    const r = parseRriI12(m.value);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const v = r.value;
    expect(v.kind).toBe(answer.kind);
    expect(v.messageId).toBe(answer.id);
    expect(v.acknowledges).toBe('REF20260803124100001');
    sameInstant(v.sentAt, answer.at);
    sameInstant(v.processedAt, answer.at);
    expect(v.referral).toEqual(ref.request.ids.sender);
    expect(v.placerOrderNumber === undefined || v.placerOrderNumber === ref.request.ids.sender?.value).toBe(true);
    expect(v.expert?.identifiers[0]).toMatchObject({ system: expert.identifiers[0]!.system, value: expert.identifiers[0]!.value });
    expect(v.expert?.name).toEqual(expert.name);
    expect(v.expert?.address).toBe(expert.address);
    expect(v.requester?.identifiers.map((i) => [i.system, i.value])).toEqual(ref.request.requester.identifiers.map((i) => [i.system, i.value]));
    expect(v.requester?.name).toEqual(ref.request.requester.name);
    expect(v.patient?.identifiers).toEqual(ref.request.patient.identifiers);
    expect(v.patient?.names).toEqual(ref.request.patient.names);
    if (answer.kind === 'declined' || answer.kind === 'cancelled' || answer.kind === 'information-requested') expect(v.reason).toBe(answer.reason);
    else expect(v.reason).toBeUndefined();
    if (answer.opinion) {
      expect(v.opinion?.text).toBe(answer.opinion.text);
      expect(v.opinion?.documents).toEqual(answer.opinion.documents.map(({ contentType, data }) => ({ contentType, data })));
    } else {
      expect(v.opinion).toBeUndefined();
    }
  });

  it('writes MSA with the REF control id, RF1-6 the original referral id, the version of the request, no 360X header', () => {
    const m = parseEr7(buildRriI12({ ...ref.request, ids: { ...ref.request.ids, txgate: 'TXG-7' } }, AnswerSchema.parse(answers[3]), ref.header));
    if (!m.ok) throw new Error('bad');
    const v = (p: string) => getValue(m.value, p);
    expect([v('MSH-9'), v('MSH-9.2'), v('MSH-9.3')]).toEqual(['RRI', 'I12', 'RRI_I12']);
    expect([v('MSH-3'), v('MSH-4'), v('MSH-5'), v('MSH-6')]).toEqual(['Healthlink', 'MATER', 'COMPLETEGP.Healthlink.77', 'GP78901']);
    expect(v('MSH-12')).toBe('2.4');
    expect([v('MSH-15'), v('MSH-21')]).toEqual(['', '']);
    expect([v('MSA-1'), v('MSA-2')]).toEqual(['AA', 'REF20260803124100001']);
    expect([v('RF1-6'), v('RF1-6.2')]).toEqual(['GP20260803001', 'GP78901']);
    expect([v('RF1-11'), v('RF1-11.2')]).toEqual(['TXG-7', 'TXGATE']);
    expect([v('PRD-1'), v('PRD[2]-1')]).toEqual(['CP', 'RP']);
    expect([v('OBX-2'), v('OBX[2]-2'), v('OBX-11')]).toEqual(['FT', 'ED', 'F']);
  });

  it.each([
    ['accepted', 'A'],
    ['finalized', 'A'],
    ['corrected', 'A'],
    ['declined', 'R'],
    ['information-requested', 'P'],
    ['cancelled', 'C'],
  ])('%s → RF1-1 %s', (kind, status) => {
    const m = parseEr7(buildRriI12(ref.request, AnswerSchema.parse(answers.find((a) => a.kind === kind)), ref.header));
    expect(m.ok && getValue(m.value, 'RF1-1')).toBe(status);
  });
});
