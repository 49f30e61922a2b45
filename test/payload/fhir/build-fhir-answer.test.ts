import { describe, expect, it } from 'vitest';
import { AnswerSchema, type AnswerInput } from '../../../src/domain/answer.ts';
import { buildFhirAnswer } from '../../../src/payload/fhir/build-fhir-answer.ts';
import { parseFhirAnswer } from '../../../src/payload/fhir/parse-fhir-answer.ts';
import { parseFhirRequest } from '../../../src/payload/fhir/parse-fhir-request.ts';
import { SAMPLE_PDF } from '../xdm/sample-xdm.ts';
import { requestBundleBytes } from './request-bundle.ts';

const parsed = parseFhirRequest(requestBundleBytes());
if (!parsed.ok) throw new Error('the sample request does not parse');
const request = parsed.value;

const expert = {
  identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810009876543', type: 'IDNPS' }],
  name: { family: 'Dave', given: ['David'], prefix: ['Dr'] },
  specialty: { system: 'http://orionhealth.com/fhir/apps/specialties', code: 'ent', display: 'ENT' },
  address: 'dave@ent.example',
  organization: { name: 'ENT clinic', identifiers: [] },
};

function answer(input: Partial<AnswerInput>) {
  return AnswerSchema.parse({ kind: 'accepted', at: '2026-01-16T10:00:00Z', expert, id: 'answer-1', ...input });
}

describe('the FHIR answer: Task update and document Bundle', () => {
  it('gives a Task for each kind of answer, with the status R4 uses', () => {
    const cases = [
      ['accepted', 'accepted'],
      ['declined', 'rejected'],
      ['information-requested', 'on-hold'],
      ['cancelled', 'cancelled'],
    ] as const;
    for (const [kind, status] of cases) {
      const a = answer({ kind, ...(kind === 'accepted' ? {} : { reason: 'Please send the audiogram' }) });
      const built = buildFhirAnswer(request, a, { taskId: 'task-1' });
      expect(built.task).toMatchObject({ resourceType: 'Task', id: 'task-1', status, intent: 'order', businessStatus: { coding: [{ code: kind }] } });
      expect(built.document).toBeUndefined();
      expect(built.task.focus).toEqual({ type: 'ServiceRequest', identifier: { system: 'http://orionhealth.com/fhir/apps/referralids', value: 'ret4421' } });
      const back = parseFhirAnswer(JSON.parse(JSON.stringify(built.task)));
      expect(back).toEqual({ ok: true, value: a });
    }
  });

  it('puts a finalized opinion in a document Bundle, Composition first, and reads it back', () => {
    const a = answer({
      kind: 'finalized',
      opinion: { text: 'No grommets for now: <watchful waiting> & review in 3 months.\nAudiogram then.', documents: [{ contentType: 'application/pdf', name: 'report.pdf', data: SAMPLE_PDF.toString('base64') }] },
    });
    const built = buildFhirAnswer(request, a);
    expect(built.task.status).toBe('completed');
    const doc = built.document as { type: string; entry: Array<{ fullUrl: string; resource: Record<string, unknown> }> };
    expect(doc.type).toBe('document');
    expect(doc.entry.map((e) => e.resource.resourceType)).toEqual(['Composition', 'Patient', 'PractitionerRole', 'Practitioner', 'Organization', 'DocumentReference', 'Binary']);
    const composition = doc.entry[0]!.resource as { subject: { reference: string }; section: Array<{ text: { div: string } }> };
    expect(composition.subject.reference).toBe(doc.entry[1]!.fullUrl);
    expect(composition.section[0]!.text.div).toContain('&lt;watchful waiting&gt; &amp; review');
    expect(doc.entry[1]!.resource.identifier).toEqual([{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: request.patient.identifiers[0]!.value }, { system: 'http:/example.org/fhir/ids', value: '234234' }]);

    const back = parseFhirAnswer(JSON.parse(JSON.stringify(built.task)), JSON.parse(JSON.stringify(built.document)));
    expect(back).toEqual({ ok: true, value: a });
    // the document Bundle is itself a readable Bundle: its patient is the request's patient
    expect(buildFhirAnswer(request, a)).toEqual(built);
  });

  it('marks a correction as an amended Composition with its version', () => {
    const a = answer({ kind: 'corrected', opinion: { text: 'Corrected: grommets advised.', documents: [], version: 2 } });
    const built = buildFhirAnswer(request, a);
    const composition = (built.document as { entry: Array<{ resource: Record<string, unknown> }> }).entry[0]!.resource;
    expect(composition.status).toBe('amended');
    expect(parseFhirAnswer(built.task, built.document)).toEqual({ ok: true, value: a });
  });

  it('refuses a Task that is not an answer', () => {
    const r = parseFhirAnswer({ resourceType: 'Task', status: 'requested', lastModified: '2026-01-16T10:00:00Z' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toEqual(['Task.status', 'Task.owner']);
    expect(parseFhirAnswer({ resourceType: 'Patient' }).ok).toBe(false);
  });
});
