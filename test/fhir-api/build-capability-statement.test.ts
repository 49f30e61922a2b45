import { describe, expect, it } from 'vitest';
import { buildCapabilityStatement, type CapabilityStatementOptions } from '../../src/fhir-api/build-capability-statement.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';

type Json = Record<string, any>;

const options = (o: Partial<CapabilityStatementOptions> = {}): CapabilityStatementOptions => ({
  baseUrl: 'https://txgate.example.org/fhir',
  version: '0.1.0',
  date: '2026-01-15T10:00:00Z',
  clientCertificateRequired: true,
  signatureRequired: true,
  maxPageSize: 100,
  ...o,
});

const rest = (o?: Partial<CapabilityStatementOptions>): Json => (buildCapabilityStatement(options(o)) as Json).rest[0];
const resource = (type: string): Json => rest().resource.find((r: Json) => r.type === type);
const codes = (interactions: Json[] | undefined) => (interactions ?? []).map((i) => i.code);

describe('buildCapabilityStatement', () => {
  it.each([
    ['both required', {}],
    ['neither required', { clientCertificateRequired: false, signatureRequired: false }],
  ])('is a valid R4 CapabilityStatement for FHIR.js (%s)', (_what, o) => {
    expect(validateFhirResource(buildCapabilityStatement(options(o)))).toEqual([]);
  });

  it('describes this instance: active, R4 4.0.1, JSON only, JSON Patch, txgate and its version, the base URL', () => {
    expect(buildCapabilityStatement(options())).toMatchObject({
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-01-15T10:00:00Z',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['json'],
      patchFormat: ['application/json-patch+json'],
      software: { name: 'txgate', version: '0.1.0' },
      implementation: { url: 'https://txgate.example.org/fhir', description: expect.any(String) },
    });
    expect(rest().mode).toBe('server');
  });

  it('lists exactly the interactions the server has', () => {
    expect(codes(rest().interaction)).toEqual(['transaction']);
    const byType = Object.fromEntries(rest().resource.map((r: Json) => [r.type, codes(r.interaction)]));
    expect(byType).toEqual({
      Task: ['read', 'update', 'patch', 'search-type'],
      ServiceRequest: ['read', 'search-type'],
      Communication: ['read', 'create', 'search-type'],
      Binary: ['read'],
      Bundle: ['read'],
    });
  });

  it('says Task is versioned, with no history, no update-as-create, no conditional update and no _revinclude', () => {
    expect(resource('Task')).toMatchObject({ versioning: 'versioned', readHistory: false, updateCreate: false, conditionalUpdate: false });
    expect(resource('Task').searchRevInclude).toBeUndefined();
    expect(codes(resource('Task').interaction)).not.toContain('vread');
  });

  it('lists the search parameters with their R4 definitions and types', () => {
    const params = (type: string) => resource(type).searchParam.map((p: Json) => [p.name, p.type, p.definition]);
    expect(params('Task')).toEqual([
      ['requester', 'reference', 'http://hl7.org/fhir/SearchParameter/Task-requester'],
      ['owner', 'reference', 'http://hl7.org/fhir/SearchParameter/Task-owner'],
      ['status', 'token', 'http://hl7.org/fhir/SearchParameter/Task-status'],
      ['_lastUpdated', 'date', 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated'],
      ['_count', 'number', undefined],
    ]);
    expect(params('ServiceRequest')).toEqual([
      ['patient', 'reference', 'http://hl7.org/fhir/SearchParameter/clinical-patient'],
      ['_count', 'number', undefined],
    ]);
    expect(params('Communication')).toEqual([
      ['part-of', 'reference', 'http://hl7.org/fhir/SearchParameter/Communication-part-of'],
      ['based-on', 'reference', 'http://hl7.org/fhir/SearchParameter/Communication-based-on'],
      ['_count', 'number', undefined],
    ]);
    expect(resource('Binary').searchParam).toBeUndefined();
  });

  it('documents how a practitioner is named in requester and owner, the patient search and the page size', () => {
    const doc = (type: string, name: string) => resource(type).searchParam.find((p: Json) => p.name === name).documentation as string;
    for (const name of ['requester', 'owner']) {
      expect(doc('Task', name)).toContain('system|value');
      expect(doc('Task', name)).toContain('mailto:');
    }
    expect(doc('ServiceRequest', 'patient')).toContain('patient:identifier=system|value');
    expect(doc('Task', '_count')).toContain('100');
  });

  it('declares mutual TLS (restful-security-service Certificates), no CORS, and who sees what', () => {
    const security = rest().security as Json;
    expect(security.cors).toBe(false);
    expect(security.service).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'Certificates' }] }]);
    expect(security.description).toMatch(/mutual TLS/i);
    expect(security.description).toMatch(/directory/);
    expect(security.description).toMatch(/requester/);
  });

  it('documents the signed transaction as Da Vinci CDex defines it, required or not as configured', () => {
    const transaction = (o?: Partial<CapabilityStatementOptions>) => rest(o).interaction[0].documentation as string;
    for (const text of [transaction(), transaction({ signatureRequired: false })]) {
      expect(text).toMatch(/transaction or collection/);
      expect(text).toMatch(/CDex/);
      expect(text).toMatch(/RFC 8785/);
      expect(text).toMatch(/RS256 or PS256/);
    }
    expect(transaction()).toMatch(/must be signed/);
    expect(transaction({ signatureRequired: false })).not.toMatch(/must be signed/);
  });
});
