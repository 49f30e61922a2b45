import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildOpinionDocumentView, opinionAnswerId, type OpinionDocumentSource } from '../../src/fhir-api/build-opinion-document-view.ts';
import { buildFhirAnswer } from '../../src/payload/fhir/build-fhir-answer.ts';
import { parseFhirAnswer } from '../../src/payload/fhir/parse-fhir-answer.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { ECG, EXPERT, FULL_REQUEST, MINIMAL_REQUEST } from './sample-request.ts';

type Json = Record<string, any>;

const source = (version: number, over: Partial<OpinionDocumentSource> = {}): OpinionDocumentSource => ({
  requestId: 'rq-000mabc12de34f56',
  version,
  request: FULL_REQUEST,
  expert: EXPERT,
  at: new Date('2026-01-17T10:00:00Z'),
  text: version === 1 ? 'Échographie cardiaque à prévoir <sous 1 mois> & ECG d’effort.' : 'Correction : ECG d’effort inutile.',
  documents: [{ contentType: 'application/pdf', name: 'compte-rendu.pdf', data: ECG }],
  ...over,
});

describe('buildOpinionDocumentView', () => {
  it.each([
    [1, 'finalized', 'final'],
    [2, 'corrected', 'amended'],
    [3, 'corrected', 'amended'],
  ])('version %i is the document of a %s answer (Composition %s), with the server id and no signature', (version, kind, compositionStatus) => {
    const doc = buildOpinionDocumentView(source(version)) as Json;
    expect(doc.resourceType).toBe('Bundle');
    expect(doc.id).toBe(`rq-000mabc12de34f56-opinion-${version}`);
    expect(doc.type).toBe('document');
    expect(doc.signature).toBeUndefined();
    expect(doc.timestamp).toBe('2026-01-17T10:00:00.000Z');
    const composition = doc.entry[0].resource;
    expect(composition.status).toBe(compositionStatus);
    expect(composition.identifier).toEqual({ system: 'urn:txgate:answer-id', value: `opinion-rq-000mabc12de34f56-${version}` });
    expect(composition.extension).toEqual([{ url: 'urn:txgate:fhir:StructureDefinition:opinion-version', valueInteger: version }]);
    // the same document as buildFhirAnswer's, but for the id
    const answer = {
      kind: kind as 'finalized' | 'corrected',
      at: '2026-01-17T10:00:00.000Z',
      expert: EXPERT,
      id: opinionAnswerId('rq-000mabc12de34f56', version),
      opinion: { text: source(version).text, version, documents: [{ contentType: 'application/pdf', name: 'compte-rendu.pdf', data: ECG.toString('base64') }] },
    };
    const built = buildFhirAnswer(FULL_REQUEST, answer);
    const { id: _id, ...rest } = doc;
    expect(rest).toEqual(built.document);
    // and the document reads back as the opinion it carries
    const back = parseFhirAnswer(built.task, JSON.parse(JSON.stringify(doc)));
    expect(back.ok && { kind: back.value.kind, at: back.value.at, id: back.value.id, opinion: back.value.opinion }).toEqual({ kind, at: answer.at, id: answer.id, opinion: answer.opinion });
    expect(validateFhirResource(doc)).toEqual([]);
  });

  it('carries each document as DocumentReference + Binary, the bytes intact', () => {
    const doc = buildOpinionDocumentView(source(1)) as Json;
    expect(doc.entry.map((e: Json) => e.resource.resourceType)).toEqual(['Composition', 'Patient', 'PractitionerRole', 'Practitioner', 'Organization', 'DocumentReference', 'Binary']);
    const binary = doc.entry[6].resource;
    expect(Buffer.from(binary.data, 'base64')).toEqual(ECG);
    expect(doc.entry[5].resource.content[0].attachment).toMatchObject({ contentType: 'application/pdf', size: ECG.length, hash: createHash('sha1').update(ECG).digest('base64'), title: 'compte-rendu.pdf' });
  });

  it('is a valid document without documents, and for a minimal request', () => {
    const doc = buildOpinionDocumentView(source(1, { documents: [], request: MINIMAL_REQUEST })) as Json;
    expect(doc.entry.map((e: Json) => e.resource.resourceType)).toEqual(['Composition', 'Patient', 'PractitionerRole', 'Practitioner', 'Organization']);
    expect(validateFhirResource(doc)).toEqual([]);
  });

  it('is pure: the same opinion gives the same Bundle; another version another one', () => {
    expect(buildOpinionDocumentView(source(1))).toEqual(buildOpinionDocumentView(source(1)));
    const one = buildOpinionDocumentView(source(1)) as Json;
    const two = buildOpinionDocumentView(source(2, { text: source(1).text })) as Json;
    expect(two.identifier).not.toEqual(one.identifier);
  });
});
