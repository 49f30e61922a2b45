import { describe, expect, it } from 'vitest';
import { buildCommunicationView, type CommunicationSource } from '../../src/fhir-api/build-communication-view.ts';
import { fhirVersionIdOf } from '../../src/fhir-api/fhir-version-id.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { ECG_SHA256, EXPERT_ADDRESS, REQUESTER_ADDRESS } from './sample-request.ts';

type Json = Record<string, any>;

const question: CommunicationSource = {
  id: 'cm-000mabc99aa11bb22',
  request: 'rq-000mabc12de34f56',
  sender: EXPERT_ADDRESS,
  recipient: REQUESTER_ADDRESS,
  text: 'Pouvez-vous envoyer l’ECG de repos ?',
  sentAt: new Date('2026-01-16T10:00:00Z'),
};

describe('buildCommunicationView', () => {
  it('is a completed Communication, part of the Task, based on the ServiceRequest, from and to secure addresses', () => {
    const c = buildCommunicationView(question) as Json;
    expect(c).toEqual({
      resourceType: 'Communication',
      id: 'cm-000mabc99aa11bb22',
      meta: { versionId: expect.stringMatching(/^[0-9a-f]{16}$/), lastUpdated: '2026-01-16T10:00:00.000Z' },
      basedOn: [{ reference: 'ServiceRequest/rq-000mabc12de34f56' }],
      partOf: [{ reference: 'Task/rq-000mabc12de34f56' }],
      status: 'completed',
      sent: '2026-01-16T10:00:00.000Z',
      recipient: [{ identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${REQUESTER_ADDRESS}` } }],
      sender: { identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${EXPERT_ADDRESS}` } },
      payload: [{ contentString: 'Pouvez-vous envoyer l’ECG de repos ?' }],
    });
    expect(c.meta.versionId).toBe(fhirVersionIdOf(c));
    expect(validateFhirResource(c)).toEqual([]);
  });

  it('adds one payload per document, a reference to its Binary', () => {
    const c = buildCommunicationView({
      ...question,
      sender: REQUESTER_ADDRESS,
      recipient: EXPERT_ADDRESS,
      text: 'Voici l’ECG.',
      documents: [{ contentType: 'application/pdf', name: 'ecg.pdf', sha256: ECG_SHA256 }, { contentType: 'image/png', sha256: 'b'.repeat(64) }],
    }) as Json;
    expect(c.payload).toEqual([
      { contentString: 'Voici l’ECG.' },
      { contentReference: { reference: `Binary/${ECG_SHA256}`, display: 'ecg.pdf' } },
      { contentReference: { reference: `Binary/${'b'.repeat(64)}` } },
    ]);
    expect(validateFhirResource(c)).toEqual([]);
  });

  it('leaves out an empty text (FHIR strings are never empty)', () => {
    const c = buildCommunicationView({ ...question, text: '', documents: [{ contentType: 'application/pdf', sha256: ECG_SHA256 }] }) as Json;
    expect(c.payload).toEqual([{ contentReference: { reference: `Binary/${ECG_SHA256}` } }]);
    expect(validateFhirResource(c)).toEqual([]);
    expect((buildCommunicationView({ ...question, text: '' }) as Json).payload).toBeUndefined();
  });

  it('is pure: the same message gives the same resource and version', () => {
    expect(buildCommunicationView(question)).toEqual(buildCommunicationView(question));
    expect((buildCommunicationView({ ...question, text: 'autre' }) as Json).meta.versionId).not.toBe((buildCommunicationView(question) as Json).meta.versionId);
  });
});
