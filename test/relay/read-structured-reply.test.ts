import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerSchema, type AnswerInput } from '../../src/domain/answer.ts';
import type { CanonicalRequest } from '../../src/domain/canonical-request.ts';
import type { Result } from '../../src/errors/result.ts';
import { buildFhirAnswer } from '../../src/payload/fhir/build-fhir-answer.ts';
import { parseFhirRequest } from '../../src/payload/fhir/parse-fhir-request.ts';
import { buildOsuO51 } from '../../src/payload/hl7v2/build-osu-o51.ts';
import { buildRriI12 } from '../../src/payload/hl7v2/build-rri-i12.ts';
import { parseHl7v2Message } from '../../src/payload/hl7v2/parse-hl7v2-message.ts';
import { parseHl7v2Request } from '../../src/payload/hl7v2/parse-hl7v2-request.ts';
import { readMessageHeader, type Hl7MessageHeader } from '../../src/payload/hl7v2/read-message-header.ts';
import { sha256Hex } from '../../src/payload/mime/payload-document.ts';
import { parseExpertReply, type ExpertReply } from '../../src/relay/parse-expert-reply.ts';
import { FIXTURES } from '../helpers/paths.ts';
import { requestBundleBytes } from '../payload/fhir/request-bundle.ts';
import { edited, sample } from '../payload/hl7v2/samples.ts';
import { SAMPLE_PDF } from '../payload/xdm/sample-xdm.ts';
import { replyMail, type ReplyPart } from './reply-mail.ts';

function hl7Request(bytes: Buffer): { request: CanonicalRequest; header: Hl7MessageHeader } {
  const request = parseHl7v2Request(bytes);
  const message = parseHl7v2Message(bytes);
  if (!request.ok || !message.ok) throw new Error('the sample request does not parse');
  return { request: request.value, header: readMessageHeader(message.value.message, []) };
}

const omg = hl7Request(Buffer.from(readFileSync(join(FIXTURES, 'hl7v2', '360x', 'OMG_O19_referral_request.hl7'), 'latin1').replace(/\r?\n/g, '\r'), 'latin1'));
const ref = hl7Request(edited('ref', { 'PID-7': '19761225', 'RF1-5': 'O' }));
const fhir = parseFhirRequest(requestBundleBytes());
if (!fhir.ok) throw new Error('the sample FHIR request does not parse');
const fhirRequest = fhir.value;

const expert = {
  identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1#rpps', value: '10003123456' }],
  name: { family: 'Dupré', given: ['Élise'], prefix: ['Dr'] },
  address: 'elise.dupre@cardio.test',
};
const pdf = SAMPLE_PDF.toString('base64');

const ANSWERS: Array<[ExpertReply['verb'], AnswerInput, string | undefined, number]> = [
  ['accept', { kind: 'accepted', at: '2026-02-02T08:30:00Z', id: 'A-1', expert }, undefined, 0],
  ['decline', { kind: 'declined', at: '2026-02-02T08:30:00Z', id: 'A-2', expert, reason: 'Outside my specialty; please ask neurology' }, 'Outside my specialty; please ask neurology', 0],
  ['ask', { kind: 'information-requested', at: '2026-02-02T09:00:00Z', id: 'A-3', expert, reason: 'Any MRI?\nPlease attach it.' }, 'Any MRI?\nPlease attach it.', 0],
  [
    'opinion',
    { kind: 'finalized', at: '2026-02-05T17:45:10Z', id: 'A-4', expert, opinion: { text: 'Tension-type headache.\nNo imaging needed.', documents: [{ contentType: 'application/pdf', name: 'report.pdf', data: pdf }] } },
    'Tension-type headache.\nNo imaging needed.',
    1,
  ],
  ['correction', { kind: 'corrected', at: '2026-02-06T10:00:00Z', id: 'A-5', expert, opinion: { text: 'Correction: migraine without aura.', documents: [], version: 2 } }, 'Correction: migraine without aura.', 0],
];

function ok(r: Result<ExpertReply>): ExpertReply {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

function codes(r: Result<ExpertReply>): string[] {
  return r.ok ? [] : r.problems.map((p) => p.code);
}

const hl7Part = (bytes: Buffer, name = 'answer.hl7'): ReplyPart => ({ type: 'application/hl7-v2', name, data: bytes });
const jsonPart = (value: unknown, name = 'answer.json'): ReplyPart => ({ type: 'application/fhir+json', name, data: JSON.stringify(value) });

describe('parseExpertReply: HL7 v2 answers', () => {
  it.each(ANSWERS)('360X OSU^O51 built for %s gives that verb, its text, its documents and the referral id (ORC-2)', (verb, input, text, documents) => {
    const bytes = buildOsuO51(omg.request, AnswerSchema.parse(input), omg.header);
    const r = ok(parseExpertReply(replyMail('See the attached message.', { parts: [hl7Part(bytes)] })));
    expect(r).toMatchObject({ verb, source: 'hl7v2', referral: omg.request.ids.sender });
    expect(r.text).toBe(text);
    expect(r.documents).toHaveLength(documents);
    if (documents) expect(r.documents[0]!.attachment).toMatchObject({ contentType: 'application/pdf', sha256: sha256Hex(SAMPLE_PDF) });
  });

  it.each(ANSWERS)('RRI^I12 built for %s gives that verb, its text, its documents and the referral id (RF1-6)', (verb, input, text, documents) => {
    const bytes = buildRriI12(ref.request, AnswerSchema.parse(input), ref.header);
    const r = ok(parseExpertReply(replyMail('', { parts: [hl7Part(bytes, 'RRI.er7')] })));
    expect(r).toMatchObject({ verb, source: 'hl7v2', referral: ref.request.ids.sender });
    expect(r.text).toBe(text);
    expect(r.documents).toHaveLength(documents);
  });

  it('ignores the original request sent back with the reply, and reads the text', () => {
    const r = ok(parseExpertReply(replyMail('QUESTION: any MRI?', { parts: [hl7Part(sample('omg'), 'request.hl7')] })));
    expect(r).toMatchObject({ verb: 'ask', text: 'any MRI?', source: 'text' });
  });

  it('keeps an HL7 message that is neither an answer nor the request (an ORU^R01 result) as a document of a plain reply', () => {
    const oru = Buffer.from('MSH|^~\\&|LAB||EXPERT||20260202||ORU^R01|9|P|2.5.1\rPID|1||123\rOBX|1|NM|2160-0^Creatinine^LN||88|umol/L\r');
    const r = ok(parseExpertReply(replyMail('AVIS: fonction rénale normale.', { parts: [hl7Part(oru, 'creatinine.hl7')] })));
    expect(r).toMatchObject({ verb: 'opinion', source: 'text', text: 'fonction rénale normale.' });
    expect(r.documents.map((d) => [d.attachment.name, d.attachment.sha256])).toEqual([['creatinine.hl7', sha256Hex(oru)]]);
  });

  it('does not count the same PDF twice when it is both in the OBX and attached to the mail', () => {
    const bytes = buildOsuO51(omg.request, AnswerSchema.parse(ANSWERS[3]![1]), omg.header);
    const r = ok(parseExpertReply(replyMail('', { parts: [hl7Part(bytes), { type: 'application/pdf', name: 'report.pdf', data: SAMPLE_PDF }] })));
    expect(r.documents).toHaveLength(1);
  });

  it.each([
    ['REPLY_UNSUPPORTED_STATUS: the requester\'s cancellation (ORC-1 CA) is no expert answer', [hl7Part(sample('osu'))], ['REPLY_UNSUPPORTED_STATUS']],
    [
      'REPLY_TEXT_MISSING: a decline (UA) without ORC-16',
      [hl7Part(buildOsuO51(omg.request, AnswerSchema.parse({ kind: 'declined', at: '2026-02-02T08:30:00Z', id: 'A-9', expert }), omg.header))],
      ['REPLY_TEXT_MISSING'],
    ],
    [
      'REPLY_AMBIGUOUS: two answers attached',
      [hl7Part(buildOsuO51(omg.request, AnswerSchema.parse(ANSWERS[0]![1]), omg.header), 'a.hl7'), hl7Part(buildRriI12(ref.request, AnswerSchema.parse(ANSWERS[0]![1]), ref.header), 'b.hl7')],
      ['REPLY_AMBIGUOUS', 'REPLY_AMBIGUOUS'],
    ],
  ])('%s', (_rule, parts, expected) => {
    expect(codes(parseExpertReply(replyMail('ACCEPT', { parts })))).toEqual(expected);
  });

  it('reports the HL7 problems of an answer that cannot be read, with the part it came from', () => {
    const r = parseExpertReply(replyMail('', { parts: [hl7Part(Buffer.from('MSH|^~\\&|EXPERT||GW||20260202||OSU^O51|1|P|2.5.1\rORC|OK\r'))] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.code)).toContain('HL7_MISSING_FIELD');
    expect(r.problems.every((p) => p.path.startsWith('message.part[1]:'))).toBe(true);
  });
});

describe('parseExpertReply: FHIR answers', () => {
  it.each(ANSWERS)('the Task (and document Bundle) buildFhirAnswer makes for %s, attached as two parts', (verb, input, text, documents) => {
    const built = buildFhirAnswer(fhirRequest, AnswerSchema.parse(input));
    const parts = [jsonPart(built.task, 'task.json'), ...(built.document ? [jsonPart(built.document, 'opinion.json')] : [])];
    const r = ok(parseExpertReply(replyMail('', { parts })));
    expect(r).toMatchObject({ verb, source: 'fhir', referral: fhirRequest.ids.sender });
    expect(r.text).toBe(text);
    expect(r.documents).toHaveLength(documents);
    if (documents) expect(r.documents[0]!.attachment).toMatchObject({ contentType: 'application/pdf', name: 'report.pdf', sha256: sha256Hex(SAMPLE_PDF) });
  });

  it('reads the Task and the document Bundle sent together in one collection Bundle', () => {
    const built = buildFhirAnswer(fhirRequest, AnswerSchema.parse(ANSWERS[3]![1]));
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: built.task }, { resource: built.document }] };
    expect(ok(parseExpertReply(replyMail('', { parts: [jsonPart(bundle)] })))).toMatchObject({ verb: 'opinion', text: ANSWERS[3]![2] });
  });

  it('reads a lone opinion document Bundle; an amended Composition is a correction', () => {
    const built = buildFhirAnswer(fhirRequest, AnswerSchema.parse(ANSWERS[3]![1]));
    expect(ok(parseExpertReply(replyMail('', { parts: [jsonPart(built.document)] })))).toMatchObject({ verb: 'opinion', text: ANSWERS[3]![2], source: 'fhir' });
    const amended = structuredClone(built.document) as { entry: Array<{ resource: Record<string, unknown> }> };
    amended.entry[0]!.resource.status = 'amended';
    expect(ok(parseExpertReply(replyMail('', { parts: [jsonPart(amended)] }))).verb).toBe('correction');
  });

  const basedOn = [{ identifier: { system: 'urn:oid:1.2.3.4', value: 'REF-77' } }];
  it.each([
    ['accepted, without owner or lastModified', { status: 'accepted', basedOn }, [], { verb: 'accept' }],
    ['in-progress is an acceptance', { status: 'in-progress', basedOn }, [], { verb: 'accept' }],
    ['rejected + statusReason', { status: 'rejected', statusReason: { text: 'Not my field' }, basedOn }, [], { verb: 'decline', text: 'Not my field' }],
    ['rejected + a coded statusReason', { status: 'rejected', statusReason: { coding: [{ system: 'urn:x', code: 'out', display: 'Out of scope' }] } }, [], { verb: 'decline', text: 'Out of scope' }],
    ['on-hold + a Communication', { status: 'on-hold', basedOn }, [{ resourceType: 'Communication', status: 'completed', payload: [{ contentString: 'Is there an audiogram?' }] }], { verb: 'ask', text: 'Is there an audiogram?' }],
    ['on-hold + a note', { status: 'on-hold', note: [{ text: 'Please send the last ECG.' }] }, [], { verb: 'ask', text: 'Please send the last ECG.' }],
    ['completed + output valueString', { status: 'completed', output: [{ type: { text: 'opinion' }, valueString: 'Watchful waiting.' }] }, [], { verb: 'opinion', text: 'Watchful waiting.' }],
  ] as const)('a Task from the expert\'s own software: %s', (_case, task, others, expected) => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Task', intent: 'order', ...task } }, ...others.map((resource) => ({ resource }))] };
    const r = ok(parseExpertReply(replyMail('', { parts: [jsonPart(bundle)] })));
    expect(r).toMatchObject({ source: 'fhir', ...expected });
    if ('basedOn' in task) expect(r.referral).toMatchObject({ system: 'urn:oid:1.2.3.4', value: 'REF-77' });
  });

  it('takes documents given inline in Task.output valueAttachment', () => {
    const task = { resourceType: 'Task', status: 'completed', intent: 'order', output: [{ type: { text: 'report' }, valueAttachment: { contentType: 'application/pdf', title: 'cr.pdf', data: pdf } }] };
    const r = ok(parseExpertReply(replyMail('', { parts: [jsonPart(task)] })));
    expect(r.verb).toBe('opinion');
    expect(r.text).toBeUndefined();
    expect(r.documents.map((d) => d.attachment.name)).toEqual(['cr.pdf']);
  });

  it('ignores the original request Bundle sent back with the reply, and reads the text', () => {
    const r = ok(parseExpertReply(replyMail('PARECER: otite serosa, observar.', { parts: [{ type: 'application/fhir+json', name: 'request.json', data: requestBundleBytes() }] })));
    expect(r).toMatchObject({ verb: 'opinion', text: 'otite serosa, observar.', source: 'text' });
  });

  it.each([
    ['REPLY_PAYLOAD_INVALID: an attachment that is not JSON', [{ type: 'application/fhir+json', name: 'task.json', data: '{"resourceType": "Task", ' }], ['REPLY_PAYLOAD_INVALID']],
    ['REPLY_UNSUPPORTED_STATUS: a failed Task', [jsonPart({ resourceType: 'Task', status: 'failed', intent: 'order' })], ['REPLY_UNSUPPORTED_STATUS']],
    ['REPLY_AMBIGUOUS: two answering Tasks', [jsonPart({ resourceType: 'Task', status: 'accepted' }, 'a.json'), jsonPart({ resourceType: 'Task', status: 'rejected' }, 'b.json')], ['REPLY_AMBIGUOUS', 'REPLY_AMBIGUOUS']],
    ['REPLY_TEXT_MISSING: a rejected Task without a reason', [jsonPart({ resourceType: 'Task', status: 'rejected' })], ['REPLY_TEXT_MISSING']],
    ['REPLY_AMBIGUOUS: an HL7 answer and a FHIR answer', [jsonPart({ resourceType: 'Task', status: 'accepted' }), hl7Part(buildOsuO51(omg.request, AnswerSchema.parse(ANSWERS[0]![1]), omg.header))], ['REPLY_AMBIGUOUS', 'REPLY_AMBIGUOUS']],
  ])('%s', (_rule, parts, expected) => {
    expect(codes(parseExpertReply(replyMail('ACCEPT', { parts })))).toEqual(expected);
  });
});
