import { describe, expect, it } from 'vitest';
import { CanonicalRequestSchema } from '../../src/domain/canonical-request.ts';
import { buildServiceRequestView } from '../../src/fhir-api/build-service-request-view.ts';
import { fhirVersionIdOf } from '../../src/fhir-api/fhir-version-id.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { ECG_SHA256, EXPERT_ADDRESS, FULL_REQUEST, MINIMAL_REQUEST, PATIENT_FAMILY, PATIENT_INS, RECEIVED_AT, REQUESTER_ADDRESS, UPDATED_AT } from './sample-request.ts';

type Json = Record<string, any>;

const view = (state: string, request = FULL_REQUEST, requester = REQUESTER_ADDRESS) =>
  buildServiceRequestView('rq-000mabc12de34f56', request, state, requester, UPDATED_AT, RECEIVED_AT) as Json;

describe('buildServiceRequestView', () => {
  it.each([
    ['parsed', 'active'],
    ['admitted', 'active'],
    ['routed', 'active'],
    ['waiting', 'active'],
    ['accepted', 'active'],
    ['information-requested', 'active'],
    ['answered', 'completed'],
    ['refused', 'revoked'],
    ['cancelled', 'revoked'],
  ])('the request state %s is the status %s', (state, status) => {
    const sr = view(state);
    expect(sr.status).toBe(status);
    expect(validateFhirResource(sr)).toEqual([]);
  });

  it('writes what was asked, about whom, by whom and of whom', () => {
    const sr = view('routed');
    expect(sr).toEqual({
      resourceType: 'ServiceRequest',
      id: 'rq-000mabc12de34f56',
      meta: { versionId: expect.stringMatching(/^[0-9a-f]{16}$/), lastUpdated: '2026-01-15T09:45:00.000Z' },
      identifier: [{ use: 'usual', system: 'urn:oid:1.2.250.1.999.1', value: 'DEM-2025-0042', assigner: { display: 'Hôpital A' } }],
      status: 'active',
      intent: 'order',
      category: [{ text: 'cardiac' }],
      priority: 'urgent',
      code: { text: 'tele-expertise' },
      subject: { type: 'Patient', identifier: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: PATIENT_INS } },
      authoredOn: '2026-01-15T08:30:00.000Z',
      requester: { identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${REQUESTER_ADDRESS}` }, display: 'Dr Claire Martin' },
      performerType: { coding: [FULL_REQUEST.requested.specialty] },
      performer: [{ identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${EXPERT_ADDRESS}` }, display: 'Dr Paul Durand' }],
      reasonCode: [{ coding: [{ system: 'http://snomed.info/sct', code: '88610006', display: 'Heart murmur' }], text: 'Souffle cardiaque à l’auscultation' }],
      supportingInfo: [{ reference: `Binary/${ECG_SHA256}`, display: 'ecg.pdf' }],
      note: [{ text: 'Faut-il une échographie cardiaque ?' }, { text: 'Patiente sous bêtabloquants.' }],
    });
    expect(sr.meta.versionId).toBe(fhirVersionIdOf(sr));
    expect(JSON.stringify(sr)).not.toContain(PATIENT_FAMILY);
  });

  it('names an expert without an address by their first identifier', () => {
    const { address: _address, ...expert } = FULL_REQUEST.requested.expert!;
    const sr = view('routed', { ...FULL_REQUEST, requested: { expert } });
    expect(sr.performer).toEqual([{ identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810009876543' }, display: 'Dr Paul Durand' }]);
    expect(sr.performerType).toBeUndefined();
    expect(validateFhirResource(sr)).toEqual([]);
  });

  it('builds a valid ServiceRequest from a minimal request (the subject says there is no patient identifier, never a name)', () => {
    const sr = view('parsed', MINIMAL_REQUEST, '');
    expect(sr.subject).toEqual({ type: 'Patient', display: 'no patient identifier' });
    for (const absent of ['identifier', 'category', 'requester', 'performer', 'performerType', 'reasonCode', 'supportingInfo', 'note']) expect(sr[absent]).toBeUndefined();
    expect(sr.priority).toBe('routine');
    expect(validateFhirResource(sr)).toEqual([]);
  });

  it('writes reason text alone, reason codes alone, and documents without a name', () => {
    const textOnly = view('routed', { ...FULL_REQUEST, reason: { codes: [], text: 'Souffle' } });
    expect(textOnly.reasonCode).toEqual([{ text: 'Souffle' }]);
    const codesOnly = view('routed', { ...FULL_REQUEST, reason: { codes: FULL_REQUEST.reason.codes } });
    expect(codesOnly.reasonCode).toEqual([{ coding: FULL_REQUEST.reason.codes }]);
    const unnamed = CanonicalRequestSchema.parse({ ...FULL_REQUEST, attachments: [{ contentType: 'image/png', size: 3, sha256: 'a'.repeat(64) }] });
    expect(view('routed', unnamed).supportingInfo).toEqual([{ reference: `Binary/${'a'.repeat(64)}` }]);
    for (const sr of [textOnly, codesOnly]) expect(validateFhirResource(sr)).toEqual([]);
  });

  it('is pure, and a change of state is a new version', () => {
    expect(view('routed')).toEqual(view('routed'));
    expect(view('answered').meta.versionId).not.toBe(view('routed').meta.versionId);
  });
});
