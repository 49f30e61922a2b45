import { describe, expect, it } from 'vitest';
import { buildOpinionDocumentView } from '../../src/fhir-api/build-opinion-document-view.ts';
import { buildTaskView } from '../../src/fhir-api/build-task-view.ts';
import { EXPERT_TASK_STATUSES, prepareTaskReply } from '../../src/fhir-api/prepare-task-reply.ts';
import { parseFhirApiReply } from '../../src/relay/parse-expert-reply.ts';
import { ECG, EXPERT, FULL_REQUEST, taskSource } from './sample-request.ts';

type Json = Record<string, any>;

const ID = 'rq-000mabc12de34f56';
const CONSULT_NOTE = { coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }] };
const PDF = Buffer.from('%PDF-1.4\n% the report\n%%EOF\n');

/** The Task as the expert reads it: assigned, accepted, with a first opinion already given (an output pointing to Bundle/<id>-opinion-1). */
function current(): Json {
  return buildTaskView(taskSource('accepted', {}, [{ version: 1, at: new Date('2026-01-16T10:00:00Z'), text: 'first', documents: [] }])) as Json;
}

/** The current Task with the expert's changes (its meta is the server's, dropped as the handler does). */
function changed(over: Json): Json {
  const { meta: _meta, ...rest } = current();
  return { ...rest, ...over };
}

function opinionDocument(version = 1, text = 'Échographie cardiaque sous un mois.'): Json {
  return buildOpinionDocumentView({ requestId: ID, version, request: FULL_REQUEST, expert: EXPERT, at: new Date('2026-01-17T10:00:00Z'), text, documents: [{ contentType: 'application/pdf', name: 'cr.pdf', data: ECG }] }) as Json;
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

function prepared(next: unknown): { resources: Json[]; status: string } {
  const r = prepareTaskReply(current(), next);
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.problems)}`);
  return r as { resources: Json[]; status: string };
}

describe('prepareTaskReply: what is refused', () => {
  it.each([
    ['a Communication', { resourceType: 'Communication', id: ID, status: 'completed' }],
    ['a string', 'Task'],
    ['null', null],
    ['an array', [{ resourceType: 'Task', id: ID, status: 'accepted' }]],
  ])('%s is not a Task: FHIR_INVALID_RESOURCE at Task', (_name, next) => {
    expect(prepareTaskReply(current(), next)).toEqual({ ok: false, problems: [{ code: 'FHIR_INVALID_RESOURCE', path: 'Task', message: 'not a Task' }] });
  });

  it.each([
    ['another id', 'rq-000other'],
    ['no id', undefined],
  ])('a Task with %s: FHIR_INVALID_RESOURCE at Task.id', (_name, id) => {
    const r = prepareTaskReply(current(), changed({ id, status: 'accepted' }));
    expect(r.ok ? r : r.problems.map((p) => [p.code, p.path])).toEqual([['FHIR_INVALID_RESOURCE', 'Task.id']]);
  });

  it.each(['requested', 'draft', 'received', 'ready', 'cancelled', 'failed', 'entered-in-error', '', 'ACCEPTED'])('the status %j is not the expert’s to set: FHIR_INVALID_TRANSITION', (status) => {
    const r = prepareTaskReply(current(), changed({ status }));
    expect(r.ok ? r : r.problems.map((p) => [p.code, p.path])).toEqual([['FHIR_INVALID_TRANSITION', 'Task.status']]);
  });

  it('a Task without a status: FHIR_INVALID_TRANSITION', () => {
    const { status: _status, ...rest } = changed({});
    const r = prepareTaskReply(current(), rest);
    expect(r.ok ? r : r.problems.map((p) => p.code)).toEqual(['FHIR_INVALID_TRANSITION']);
  });
});

describe('prepareTaskReply: the statuses an expert sets', () => {
  it('are accepted, in-progress, rejected, on-hold and completed', () => {
    expect(EXPERT_TASK_STATUSES).toEqual(['accepted', 'in-progress', 'rejected', 'on-hold', 'completed']);
  });

  it.each(EXPERT_TASK_STATUSES)('%s gives the changed Task, its status said', (status) => {
    const next = changed({ status, statusReason: { text: 'why' } });
    const r = prepared(next);
    expect(r.status).toBe(status);
    expect(r.resources).toHaveLength(1);
    // the gateway's earlier output (Bundle/...) is not the expert's word: gone, and nothing else touched
    const { output: _output, ...withoutOutput } = next;
    expect(r.resources[0]).toEqual(withoutOutput);
  });
});

describe('prepareTaskReply: the outputs', () => {
  it('takes a document Bundle given as an output attachment (base64 JSON) out as a resource of its own', () => {
    const doc = opinionDocument();
    const r = prepared(changed({ status: 'completed', output: [{ type: CONSULT_NOTE, valueAttachment: { contentType: 'application/fhir+json', data: base64Json(doc) } }] }));
    expect(r.resources).toHaveLength(2);
    expect(r.resources[0]!.output).toBeUndefined();
    expect(r.resources[1]).toEqual(doc);
  });

  it('reads the document Bundle whatever the JSON content type and the line breaks of the base64', () => {
    const doc = opinionDocument();
    const data = base64Json(doc).replace(/(.{76})/g, '$1\r\n');
    const r = prepared(changed({ status: 'completed', output: [{ type: CONSULT_NOTE, valueAttachment: { contentType: 'application/json; charset=utf-8', data } }] }));
    expect(r.resources[1]).toEqual(doc);
  });

  it.each([
    ['a PDF', { contentType: 'application/pdf', data: PDF.toString('base64'), title: 'cr.pdf' }],
    ['JSON that is not a document Bundle', { contentType: 'application/fhir+json', data: base64Json({ resourceType: 'Bundle', type: 'collection' }) }],
    ['JSON that is no resource', { contentType: 'application/json', data: base64Json([1, 2]) }],
    ['bytes that are not JSON', { contentType: 'application/fhir+json', data: Buffer.from('{not json').toString('base64') }],
    ['data that is not base64', { contentType: 'application/fhir+json', data: '*** not base64 ***' }],
    ['a document Bundle said to be a PDF', { contentType: 'application/pdf', data: base64Json({ resourceType: 'Bundle', type: 'document' }) }],
  ])('keeps an output attachment holding %s as it is', (_name, valueAttachment) => {
    const output = { type: CONSULT_NOTE, valueAttachment };
    const r = prepared(changed({ status: 'completed', output: [output] }));
    expect(r.resources).toEqual([expect.objectContaining({ output: [output] })]);
  });

  it('turns an output pointing to a contained DocumentReference into its attachment', () => {
    const attachment = { contentType: 'application/pdf', data: PDF.toString('base64'), title: 'cr.pdf' };
    const dr = { resourceType: 'DocumentReference', id: 'report', status: 'current', content: [{ attachment }] };
    const r = prepared(changed({ status: 'completed', contained: [dr], output: [{ type: CONSULT_NOTE, valueReference: { reference: '#report' } }] }));
    expect(r.resources).toHaveLength(1);
    expect(r.resources[0]!.output).toEqual([{ type: CONSULT_NOTE, valueAttachment: attachment }]);
  });

  it('takes the document Bundle out of a contained DocumentReference’s attachment', () => {
    const doc = opinionDocument();
    const dr = { resourceType: 'DocumentReference', id: 'opinion', status: 'current', content: [{ attachment: { contentType: 'application/fhir+json', data: base64Json(doc) } }] };
    const r = prepared(changed({ status: 'completed', contained: [dr], output: [{ type: CONSULT_NOTE, valueReference: { reference: '#opinion' } }] }));
    expect(r.resources).toHaveLength(2);
    expect(r.resources[0]!.output).toBeUndefined();
    expect(r.resources[1]).toEqual(doc);
  });

  it('keeps a reference to a contained resource that is no DocumentReference, and to one not contained', () => {
    const outputs = [
      { type: CONSULT_NOTE, valueReference: { reference: '#obs' } },
      { type: CONSULT_NOTE, valueReference: { reference: '#missing' } },
      { type: CONSULT_NOTE, valueReference: { reference: 'DocumentReference/42' } },
    ];
    const r = prepared(changed({ status: 'completed', contained: [{ resourceType: 'Observation', id: 'obs', status: 'final', code: { text: 'x' } }], output: outputs }));
    expect(r.resources[0]!.output).toEqual(outputs);
  });

  it('drops the outputs the gateway put there (Bundle/… earlier opinions) and keeps a valueString', () => {
    const r = prepared(
      changed({
        status: 'completed',
        output: [
          { type: CONSULT_NOTE, valueReference: { reference: `Bundle/${ID}-opinion-1` } },
          { type: CONSULT_NOTE, valueString: 'Échographie sous un mois.' },
          { type: CONSULT_NOTE, valueReference: { reference: `Bundle/${ID}-opinion-2` } },
        ],
      }),
    );
    expect(r.resources).toEqual([expect.objectContaining({ output: [{ type: CONSULT_NOTE, valueString: 'Échographie sous un mois.' }] })]);
  });
});

describe('prepareTaskReply then parseFhirApiReply: what the relay stage reads', () => {
  function read(over: Json) {
    const r = parseFhirApiReply(prepared(changed(over)).resources);
    if (!r.ok) throw new Error(`not read: ${JSON.stringify(r.problems)}`);
    return { verb: r.value.verb, text: r.value.text, documents: r.value.documents.map((d) => d.attachment.contentType), source: r.value.source };
  }

  it.each([
    ['accepted', {}, 'accept', undefined],
    ['in-progress', {}, 'accept', undefined],
    ['rejected', { statusReason: { text: 'Hors de mon champ : voir un rythmologue.' } }, 'decline', 'Hors de mon champ : voir un rythmologue.'],
    ['on-hold', { statusReason: { text: 'Quelle est la fraction d’éjection ?' } }, 'ask', 'Quelle est la fraction d’éjection ?'],
    ['completed', { output: [{ type: CONSULT_NOTE, valueString: 'Échographie sous un mois.' }] }, 'opinion', 'Échographie sous un mois.'],
  ])('%s is read as %s', (status, over, verb, text) => {
    expect(read({ status, ...over })).toEqual({ verb, text, documents: [], source: 'fhir' });
  });

  it('an opinion given as a document Bundle in an output attachment: the opinion, its text and its document', () => {
    const doc = opinionDocument(1, 'Échographie cardiaque sous un mois.');
    const got = read({ status: 'completed', output: [{ type: CONSULT_NOTE, valueAttachment: { contentType: 'application/fhir+json', data: base64Json(doc) } }] });
    expect(got).toEqual({ verb: 'opinion', text: 'Échographie cardiaque sous un mois.', documents: ['application/pdf'], source: 'fhir' });
  });

  it('a version 2 document Bundle in a contained DocumentReference: a correction', () => {
    const doc = opinionDocument(2, 'Correction : ECG d’effort inutile.');
    const dr = { resourceType: 'DocumentReference', id: 'opinion', status: 'current', content: [{ attachment: { contentType: 'application/fhir+json', data: base64Json(doc) } }] };
    const got = read({ status: 'completed', contained: [dr], output: [{ type: CONSULT_NOTE, valueReference: { reference: '#opinion' } }] });
    expect(got).toEqual({ verb: 'correction', text: 'Correction : ECG d’effort inutile.', documents: ['application/pdf'], source: 'fhir' });
  });

  it('a completed Task completed again with a new output: a correction', () => {
    const answered = buildTaskView(taskSource('answered', {}, [{ version: 1, at: new Date('2026-01-16T10:00:00Z'), text: 'first', documents: [] }])) as Json;
    const { meta: _meta, ...rest } = answered;
    const r = prepareTaskReply(answered, { ...rest, output: [{ type: CONSULT_NOTE, valueString: 'Correction : contrôle à 3 mois.' }] });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const reply = parseFhirApiReply(r.resources);
    expect(reply.ok && { verb: reply.value.verb, text: reply.value.text }).toEqual({ verb: 'correction', text: 'Correction : contrôle à 3 mois.' });
  });

  it('an opinion with a report in a contained DocumentReference and its text as valueString', () => {
    const dr = { resourceType: 'DocumentReference', id: 'report', status: 'current', content: [{ attachment: { contentType: 'application/pdf', data: PDF.toString('base64') } }] };
    const got = read({
      status: 'completed',
      contained: [dr],
      output: [
        { type: CONSULT_NOTE, valueString: 'Voir le compte rendu.' },
        { type: CONSULT_NOTE, valueReference: { reference: '#report' } },
      ],
    });
    expect(got).toEqual({ verb: 'opinion', text: 'Voir le compte rendu.', documents: ['application/pdf'], source: 'fhir' });
  });

  it.each([
    ['a decline without its reason', { status: 'rejected' }],
    ['a question without the question', { status: 'on-hold' }],
    ['a completed Task whose only output is the earlier opinion', { status: 'completed' }],
  ])('%s: REPLY_TEXT_MISSING', (_name, over) => {
    const r = parseFhirApiReply(prepared(changed(over)).resources);
    expect(r.ok ? r.value : r.problems.map((p) => p.code)).toEqual(['REPLY_TEXT_MISSING']);
  });
});
