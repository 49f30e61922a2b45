import { describe, expect, it } from 'vitest';
import { checkFhirSubmission, type FhirSubmissionCheck } from '../../src/fhir-api/check-fhir-submission.ts';
import { gpRequestBundle, issueClientParty, signedBy } from '../helpers/fhir-client.ts';
import { testTrust } from '../helpers/test-pki.ts';
import { PATIENT_INS } from '../payload/fhir/request-bundle.ts';

const gp = issueClientParty('Dr Serena Shrink', 'serena.shrink@cabinet.test');
const expert = issueClientParty('Dr Claire Durand', 'cardio.durand@chu-b.test');
const request = gpRequestBundle(gp, expert, PATIENT_INS);
const signed = JSON.stringify(signedBy(request, gp));
const ENTRY_TYPES = (request.entry as { resource: { resourceType: string } }[]).map((e) => e.resource.resourceType);

function check(body: string, o: { requireSignature?: boolean; signer?: string } = {}): FhirSubmissionCheck {
  return checkFhirSubmission(Buffer.from(body), {
    trust: testTrust(),
    requireCrl: false,
    at: new Date(),
    expectedSigner: { email: o.signer ?? gp.address },
    requireSignature: o.requireSignature ?? true,
  });
}

const codeOf = (c: FhirSubmissionCheck) => (c.ok ? 'ok' : c.code);

describe('checkFhirSubmission', () => {
  it('accepts a request signed by the client, with the shape the answer needs', () => {
    expect(check(signed)).toEqual({ ok: true, signed: true, shape: { type: 'transaction', entryTypes: ENTRY_TYPES } });
  });

  it.each([
    ['not JSON', '{"resourceType":', {}, 'FHIR_BAD_JSON', false],
    ['a member named twice', signed.replace('"intent":', '"intent":"plan","intent":'), {}, 'FHIR_DUPLICATE_MEMBER', false],
    ['not a Bundle', '{"resourceType":"Patient"}', {}, 'FHIR_NOT_A_BUNDLE', false],
    ['a searchset', JSON.stringify({ ...request, type: 'searchset' }), {}, 'FHIR_BUNDLE_TYPE', false],
    ['unsigned, a signature required', JSON.stringify(request), {}, 'FHIR_SIGNATURE_REQUIRED', true],
    ['signed by someone else than the client', signed, { signer: expert.address }, 'FHIR_SIGNATURE_WRONG_SIGNER', true],
    ['edited after signing', signed.replace('"priority":"routine"', '"priority":"stat"'), {}, 'FHIR_SIGNATURE_INVALID', true],
    ['a request that cannot be read', JSON.stringify({ ...request, entry: [] }), { requireSignature: false }, 'FHIR_INVALID_RESOURCE', true],
  ] as const)('refuses %s (%s), with the shape once the Bundle is one', (_, body, o, code, hasShape) => {
    const c = check(body, o);
    expect(codeOf(c)).toBe(code);
    expect(c.shape !== undefined).toBe(hasShape);
  });

  it('takes an unsigned request when no signature is required (development mode)', () => {
    expect(check(JSON.stringify(request), { requireSignature: false })).toMatchObject({ ok: true, signed: false });
  });
});
