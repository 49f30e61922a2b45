import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalRequestSchema } from '../../../src/domain/canonical-request.ts';
import type { Problem, Result } from '../../../src/errors/result.ts';
import { sha256Hex } from '../../../src/payload/mime/payload-document.ts';
import { parseFhirPayload, parseFhirRequest } from '../../../src/payload/fhir/parse-fhir-request.ts';
import { SAMPLE_PDF } from '../xdm/sample-xdm.ts';
import { buildRequestBundle, entryUrl, PATIENT_INS, REQUESTER_ID, requestBundleBytes, type Json } from './request-bundle.ts';

function problemsOf<T>(r: Result<T>): Problem[] {
  return r.ok ? [] : r.problems;
}

/** The bundle with one change made to entry i's resource. */
function withResource(i: number, change: (r: Json) => void): Buffer {
  const bundle = buildRequestBundle();
  change((bundle.entry as Array<{ resource: Json }>)[i]!.resource);
  return requestBundleBytes(bundle);
}

describe('FHIR request Bundle (assembled from the R4 examples) to the canonical request', () => {
  it('reads every element into the canonical request', () => {
    const r = parseFhirPayload(requestBundleBytes());
    expect(problemsOf(r)).toEqual([]);
    if (!r.ok) return;
    const q = r.value.request;
    expect(q.dialect).toBe('fhir');
    expect(q.channel).toBe('fhir');
    expect(q.ids.sender).toEqual({ system: 'http://orionhealth.com/fhir/apps/referralids', value: 'ret4421' });
    expect(q.requester).toEqual({
      identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: REQUESTER_ID, type: 'IDNPS' }],
      name: { family: 'Shrink', given: ['Serena'], prefix: [] },
      profession: expect.objectContaining({ code: '10' }),
      specialty: expect.objectContaining({ code: 'SM54' }),
      address: 'serena.shrink@cabinet.mssante.fr',
      organization: { name: 'Cabinet du Parc', identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.2', value: '750000001', type: 'FINESS' }] },
    });
    expect(q.requested.expert).toEqual({ identifiers: [], name: { family: 'Dave', given: [], prefix: ['Dr'] }, address: 'dave@ent.example' });
    expect(q.requested.specialty).toEqual({ system: 'http://orionhealth.com/fhir/apps/specialties', code: 'ent', display: 'ENT' });
    expect(q.patient).toEqual({
      identifiers: [
        { system: 'urn:oid:1.2.250.1.213.1.4.8', value: PATIENT_INS, type: 'INS' },
        { system: 'http:/example.org/fhir/ids', value: '234234' },
      ],
      names: [{ family: 'Chalmers', given: ['Peter', 'James'], prefix: [] }],
      birthDate: '1974-12-25',
      sex: 'male',
    });
    expect(q.reason).toEqual({ codes: [], text: 'For consideration of Grommets' });
    expect(q.question).toBe('Would grommets help, or should we wait another season?');
    expect(q.notes[0]).toMatch(/^In the past 2 years Beverly/);
    expect(q.notes[1]).toMatch(/^Patient 1 has a very high serum potassium/);
    expect(q.priority).toBe('routine');
    expect(q.neededBy).toBe('2016-11-02T09:45:05+10:00');
    expect(q.coverage).toEqual({ insurer: { name: 'Benefits Inc.', identifiers: [{ system: 'http://benefitsinc.com/ids', value: 'CBI' }] }, memberId: '12345' });
    expect(q.consent).toEqual({
      granted: true,
      date: '2016-05-11',
      covers: { reason: true, requestedIdentity: true, requestedSpecialty: true, modeOfReturn: true },
      modeOfReturn: 'phone-call',
      source: 'fhir-consent',
    });
    expect(q.attachments).toEqual([
      { contentType: 'application/pdf', sniffedType: 'application/pdf', name: 'ECG.pdf', size: SAMPLE_PDF.length, sha256: sha256Hex(SAMPLE_PDF), kind: 'ecg' },
    ]);
    expect(r.value.documents[0]!.bytes.equals(SAMPLE_PDF)).toBe(true);
    expect(CanonicalRequestSchema.parse(q)).toEqual(q);
  });

  it('reads a collection Bundle and Type/id references as well, and gives channel smtp when asked', () => {
    const bundle = buildRequestBundle();
    bundle.type = 'collection';
    const entries = bundle.entry as Array<{ fullUrl?: string; resource: Json }>;
    entries[2]!.resource.id = 'p1';
    delete entries[2]!.fullUrl;
    for (const i of [0, 7]) entries[i]!.resource[i === 0 ? 'subject' : 'patient'] = { reference: 'Patient/p1' };
    entries[1]!.resource.for = { reference: 'Patient/p1' };
    const r = parseFhirRequest(requestBundleBytes(bundle), { channel: 'smtp' });
    expect(problemsOf(r)).toEqual([]);
    if (r.ok) {
      expect(r.value.channel).toBe('smtp');
      expect(r.value.patient.names[0]?.family).toBe('Chalmers');
    }
  });

  it('lists every problem with a FHIRPath-like path', () => {
    const bundle = buildRequestBundle();
    const entries = bundle.entry as Array<{ resource: Json }>;
    entries[0]!.resource.subject = { reference: 'urn:uuid:99999999-0000-4000-8000-000000000000' };
    entries[0]!.resource.priority = 'whenever';
    entries[4]!.resource.identifier = [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '999' }];
    const r = parseFhirRequest(requestBundleBytes(bundle));
    expect(problemsOf(r)).toEqual(
      expect.arrayContaining([
        { code: 'FHIR_UNRESOLVED_REFERENCE', path: 'Bundle.entry[0].resource.subject.reference', message: expect.any(String) },
        { code: 'FHIR_INVALID', path: 'Bundle.entry[0].resource.priority', message: expect.any(String) },
        { code: 'FHIR_IDENTIFIER_INVALID', path: 'Bundle.entry[4].resource.identifier[0].value', message: expect.any(String) },
      ]),
    );
  });

  it('checks INS/NIR and CNS identifiers of the patient', () => {
    const badIns = withResource(2, (p) => ((p.identifier as Json[])[0]!.value = '174127512345600'));
    expect(problemsOf(parseFhirRequest(badIns))).toEqual([{ code: 'FHIR_IDENTIFIER_INVALID', path: 'Bundle.entry[2].resource.identifier[0].value', message: 'NIR key does not match' }]);
    const cns = withResource(2, (p) => (p.identifier = [{ system: 'urn:oid:2.16.840.1.113883.13.236', value: '898001160660001' }]));
    const ok = parseFhirRequest(cns);
    expect(ok.ok && ok.value.patient.identifiers).toEqual([{ system: 'urn:oid:2.16.840.1.113883.13.236', value: '898001160660001', type: 'CNS' }]);
    const badCns = withResource(2, (p) => (p.identifier = [{ system: 'urn:oid:2.16.840.1.113883.13.236', value: '898001160660002' }]));
    expect(problemsOf(parseFhirRequest(badCns)).map((p) => p.code)).toEqual(['FHIR_IDENTIFIER_INVALID']);
  });

  it('refuses what is not a request Bundle', () => {
    expect(problemsOf(parseFhirRequest(Buffer.from('{"resourceType":"Patient"}')))[0]?.code).toBe('FHIR_NOT_BUNDLE');
    expect(problemsOf(parseFhirRequest(Buffer.from('{not json')))[0]?.code).toBe('FHIR_MALFORMED');
    expect(problemsOf(parseFhirRequest(Buffer.from([0x7b, 0xff, 0x7d])))[0]?.code).toBe('FHIR_MALFORMED');
    // an object with two members of one name: which one counts is not certain (RFC 7493 §2.3)
    const twice = requestBundleBytes(buildRequestBundle()).toString('utf8').replace('"intent":', '"intent":"proposal","intent":');
    expect(problemsOf(parseFhirRequest(Buffer.from(twice)))).toEqual([{ code: 'FHIR_DUPLICATE_MEMBER', path: expect.stringMatching(/^Bundle\.entry\[\d+\]\.resource\.intent$/), message: expect.any(String) }]);
    const searchset = buildRequestBundle();
    searchset.type = 'searchset';
    expect(problemsOf(parseFhirRequest(requestBundleBytes(searchset))).map((p) => p.code)).toEqual(['FHIR_BUNDLE_TYPE']);
    const empty = { resourceType: 'Bundle', type: 'transaction', entry: [] };
    expect(problemsOf(parseFhirRequest(Buffer.from(JSON.stringify(empty))))).toEqual([{ code: 'FHIR_MISSING', path: 'Bundle.entry', message: expect.any(String) }]);
  });

  it('wants the subject to be a Patient and the requester a professional', () => {
    const wrong = withResource(0, (sr) => (sr.subject = { reference: entryUrl(6) }));
    expect(problemsOf(parseFhirRequest(wrong))).toEqual([{ code: 'FHIR_WRONG_TYPE', path: 'Bundle.entry[0].resource.subject.reference', message: expect.any(String) }]);
    const noRequester = withResource(0, (sr) => delete sr.requester);
    expect(problemsOf(parseFhirRequest(noRequester))).toEqual([{ code: 'FHIR_MISSING', path: 'Bundle.entry[0].resource.requester', message: expect.any(String) }]);
  });

  it('accepts logical references by identifier', () => {
    const logical = withResource(0, (sr) => (sr.performer = [{ type: 'Practitioner', identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810009876543' } }]));
    const r = parseFhirRequest(logical);
    expect(r.ok && r.value.requested.expert).toEqual({ identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810009876543', type: 'IDNPS' }] });
  });

  it('checks declared sizes and hashes of documents, and fetches nothing from outside', () => {
    const badHash = withResource(9, (d) => ((d.content as Array<{ attachment: Json }>)[0]!.attachment.hash = 'AAAA'));
    expect(problemsOf(parseFhirRequest(badHash))).toEqual([{ code: 'FHIR_ATTACHMENT_MISMATCH', path: 'Bundle.entry[9].resource.content[0].attachment.hash', message: expect.any(String) }]);
    const external = withResource(9, (d) => ((d.content as Array<{ attachment: Json }>)[0]!.attachment.url = 'https://elsewhere.example/Binary/1'));
    expect(problemsOf(parseFhirRequest(external)).map((p) => p.code)).toEqual(['FHIR_ATTACHMENT_EXTERNAL']);
    const badData = withResource(11, (b) => (b.data = 'not base64!'));
    expect(problemsOf(parseFhirRequest(badData)).map((p) => p.path)).toEqual(['Bundle.entry[11].resource.data']);
  });

  it('reads the consent as refused when it is not active or denies, and checks its patient', () => {
    const denied = withResource(7, (c) => ((c.provision as Json).type = 'deny'));
    const r = parseFhirRequest(denied);
    expect(r.ok && r.value.consent?.granted).toBe(false);
    const draft = withResource(7, (c) => (c.status = 'proposed'));
    const d = parseFhirRequest(draft);
    expect(d.ok && d.value.consent?.granted).toBe(false);
    const other = withResource(7, (c) => (c.patient = { reference: entryUrl(5) }));
    expect(problemsOf(parseFhirRequest(other)).map((p) => p.code)).toEqual(['FHIR_WRONG_TYPE']);
    const partial = withResource(7, (c) => ((c.provision as Json).purpose = [{ system: 'urn:txgate:fhir:consent-coverage', code: 'reason' }]));
    const p = parseFhirRequest(partial);
    expect(p.ok && p.value.consent).toEqual({ granted: true, date: '2016-05-11', covers: { reason: true, requestedIdentity: false, requestedSpecialty: false, modeOfReturn: false }, source: 'fhir-consent' });
  });

  it('reads reasonReference to a contained Condition (as in the R4 physiotherapy example)', () => {
    const bytes = withResource(0, (sr) => {
      sr.contained = [{ resourceType: 'Condition', id: 'c1', code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'H66.9' }], text: 'Otitis media' }, subject: { reference: entryUrl(2) } }];
      sr.reasonReference = [{ reference: '#c1' }];
    });
    const r = parseFhirRequest(bytes);
    expect(r.ok && r.value.reason).toEqual({ codes: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'H66.9' }], text: 'For consideration of Grommets\nOtitis media' });
    const dangling = withResource(0, (sr) => (sr.reasonReference = [{ reference: '#nope' }]));
    expect(problemsOf(parseFhirRequest(dangling))).toEqual([{ code: 'FHIR_UNRESOLVED_REFERENCE', path: 'Bundle.entry[0].resource.reasonReference[0].reference', message: expect.any(String) }]);
  });

  it('finds duplicate fullUrls', () => {
    const bundle = buildRequestBundle();
    (bundle.entry as Array<{ fullUrl: string }>)[12]!.fullUrl = entryUrl(11);
    expect(problemsOf(parseFhirRequest(requestBundleBytes(bundle)))).toEqual(
      expect.arrayContaining([{ code: 'FHIR_DUPLICATE_FULLURL', path: 'Bundle.entry[12].fullUrl', message: expect.any(String) }]),
    );
  });
});

/** Every path (list of keys) to a value of a JSON tree. */
function pathsOf(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function mutate(root: Json, path: Array<string | number>, action: 'delete' | 'replace', replacement: unknown): void {
  if (path.length === 0) return;
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path[path.length - 1]!;
  const p = parent as Record<string | number, unknown>;
  if (action === 'delete') {
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else delete p[last];
  } else {
    p[last] = replacement;
  }
}

function checkOutcome(r: Result<unknown>): void {
  if (r.ok) {
    expect(CanonicalRequestSchema.safeParse(r.value).success).toBe(true);
  } else {
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) {
      expect(p.code).toMatch(/^FHIR_[A-Z_]+$/);
      expect(typeof p.path).toBe('string');
      expect(p.path.startsWith('Bundle')).toBe(true);
      expect(p.message.length).toBeGreaterThan(0);
    }
  }
}

describe('FHIR request parsing under random damage', () => {
  const base = buildRequestBundle();
  const paths = pathsOf(base);
  const json = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.constant([]), fc.constant({}), fc.constant({ reference: 'Patient/nope' }), fc.jsonValue({ maxDepth: 2 }));

  it('gives problems or a valid request, never an exception, whatever element is removed or replaced', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(paths.length - 1), fc.constantFrom('delete' as const, 'replace' as const), json), { minLength: 1, maxLength: 4 }), (mutations) => {
        const bundle = structuredClone(base);
        for (const [k, action, replacement] of mutations) {
          const all = pathsOf(bundle);
          const path = all[k % all.length]!;
          mutate(bundle, path, action, replacement);
        }
        checkOutcome(parseFhirRequest(Buffer.from(JSON.stringify(bundle))));
      }),
      { numRuns: 300 },
    );
  });

  it('gives problems, never an exception, for damaged bytes', () => {
    const bytes = requestBundleBytes(base);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(bytes.length), (flips, cut) => {
        const damaged = Buffer.from(bytes.subarray(0, Math.max(cut, bytes.length - 50)));
        for (const [at, b] of flips) if (at < damaged.length) damaged[at] = b;
        checkOutcome(parseFhirRequest(damaged));
      }),
      { numRuns: 300 },
    );
  });
});
