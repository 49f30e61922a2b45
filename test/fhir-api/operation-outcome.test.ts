import { describe, expect, it } from 'vitest';
import { buildOperationOutcome, FHIR_API_ERRORS, FHIR_PROBLEM_TEXTS, httpStatusOf, isFhirPathLike, type FhirApiErrorCode } from '../../src/fhir-api/operation-outcome.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { FHIR_SIGNATURE_REFUSALS } from '../../src/fhir-signature/signature-refusal.ts';
import { noticeText } from '../../src/policy/notice-texts.ts';

type Issue = { severity: string; code: string; details: { coding: { system: string; code: string }[]; text?: string }; diagnostics: string; expression?: string[] };
const issuesOf = (body: Record<string, unknown>) => body.issue as Issue[];

/** The R4 issue-type value set (http://hl7.org/fhir/ValueSet/issue-type). */
const R4_ISSUE_TYPES = [
  'invalid', 'structure', 'required', 'value', 'invariant', 'security', 'login', 'unknown', 'expired', 'forbidden', 'suppressed',
  'processing', 'not-supported', 'duplicate', 'multiple-matches', 'not-found', 'deleted', 'too-long', 'code-invalid', 'extension',
  'too-costly', 'business-rule', 'conflict', 'transient', 'lock-error', 'no-store', 'exception', 'timeout', 'incomplete', 'throttled',
  'informational',
];

describe('FHIR_API_ERRORS', () => {
  it.each([
    ['FHIR_NOT_FOUND', 404, 'not-found'],
    ['FHIR_CLIENT_CERT_REQUIRED', 401, 'login'],
    ['FHIR_UNKNOWN_PRACTITIONER', 403, 'security'],
    ['FHIR_SIGNATURE_REQUIRED', 422, 'security'],
    ['FHIR_BAD_JSON', 400, 'structure'],
    ['FHIR_DUPLICATE_MEMBER', 400, 'structure'],
    ['FHIR_NOT_A_BUNDLE', 400, 'structure'],
    ['FHIR_BUNDLE_TYPE', 422, 'not-supported'],
    ['FHIR_INVALID_RESOURCE', 422, 'invalid'],
    ['FHIR_UNSUPPORTED_MEDIA_TYPE', 415, 'not-supported'],
    ['FHIR_TOO_LARGE', 413, 'too-long'],
    ['FHIR_METHOD_NOT_ALLOWED', 405, 'not-supported'],
    ['FHIR_UNKNOWN_RESOURCE_TYPE', 404, 'not-supported'],
    ['FHIR_BAD_SEARCH', 400, 'invalid'],
    ['FHIR_VERSION_CONFLICT', 412, 'conflict'],
    ['FHIR_INVALID_TRANSITION', 409, 'business-rule'],
    ['FHIR_NOT_ASSIGNED', 403, 'forbidden'],
    ['FHIR_PATCH_INVALID', 422, 'invalid'],
    ['FHIR_PATCH_TEST_FAILED', 409, 'conflict'],
    ['FHIR_UNAVAILABLE', 503, 'transient'],
    ['FHIR_INTERNAL', 500, 'exception'],
  ] as const)('%s is %i %s', (code, status, issue) => {
    expect(FHIR_API_ERRORS[code]).toMatchObject({ status, issue });
    expect(httpStatusOf(code)).toBe(status);
    const o = buildOperationOutcome(code);
    expect(o.status).toBe(status);
    expect(issuesOf(o.body)[0]).toMatchObject({ severity: 'error', code: issue });
  });

  it('uses only R4 issue types, HTTP error statuses, and short fixed texts', () => {
    for (const [code, e] of Object.entries(FHIR_API_ERRORS)) {
      expect(R4_ISSUE_TYPES, code).toContain(e.issue);
      expect(e.status, code).toBeGreaterThanOrEqual(400);
      expect(e.status, code).toBeLessThan(600);
      expect(e.text.length, code).toBeLessThan(160);
    }
  });
});

describe('buildOperationOutcome', () => {
  it('writes one issue for the code: severity error, its issue type, the code in details.coding, the fixed text', () => {
    expect(buildOperationOutcome('FHIR_NOT_FOUND')).toEqual({
      status: 404,
      body: {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'not-found',
            details: { coding: [{ system: 'urn:txgate:refusal-code', code: 'FHIR_NOT_FOUND' }], text: FHIR_API_ERRORS.FHIR_NOT_FOUND.text },
            diagnostics: FHIR_API_ERRORS.FHIR_NOT_FOUND.text,
          },
        ],
      },
    });
  });

  it('adds one issue per problem with its code, its path as expression, and a fixed text, never its message', () => {
    const problems = [
      { code: 'FHIR_PATCH_INVALID', path: 'patch[0].path', message: 'Jean Dupont 1961-04-23' },
      { code: 'FHIR_MISSING', path: 'Bundle.entry[2].resource.status', message: 'Jean Dupont' },
      { code: 'FHIR_SIGNATURE_CERT_REVOKED', path: 'signature.data', message: 'serial 1234' },
    ];
    const { body } = buildOperationOutcome('FHIR_INVALID_RESOURCE', problems);
    expect(issuesOf(body).slice(1)).toEqual([
      {
        severity: 'error',
        code: 'invalid',
        details: { coding: [{ system: 'urn:txgate:refusal-code', code: 'FHIR_PATCH_INVALID' }], text: FHIR_API_ERRORS.FHIR_PATCH_INVALID.text },
        diagnostics: FHIR_API_ERRORS.FHIR_PATCH_INVALID.text,
        expression: ['patch[0].path'],
      },
      {
        severity: 'error',
        code: 'invalid',
        details: { coding: [{ system: 'urn:txgate:refusal-code', code: 'FHIR_MISSING' }], text: FHIR_PROBLEM_TEXTS.FHIR_MISSING },
        diagnostics: FHIR_PROBLEM_TEXTS.FHIR_MISSING,
        expression: ['Bundle.entry[2].resource.status'],
      },
      {
        severity: 'error',
        code: 'security',
        details: { coding: [{ system: 'urn:txgate:refusal-code', code: 'FHIR_SIGNATURE_CERT_REVOKED' }], text: FHIR_SIGNATURE_REFUSALS.FHIR_SIGNATURE_CERT_REVOKED },
        diagnostics: FHIR_SIGNATURE_REFUSALS.FHIR_SIGNATURE_CERT_REVOKED,
        expression: ['signature.data'],
      },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/Jean|Dupont|1961|1234/);
  });

  it('gives a problem code it has no text for as its own diagnostics', () => {
    const [, issue] = issuesOf(buildOperationOutcome('FHIR_INVALID_TRANSITION', [{ code: 'RELAY_INVALID_TRANSITION', path: 'Task.status' }]).body);
    expect(issue).toMatchObject({ code: 'business-rule', diagnostics: 'RELAY_INVALID_TRANSITION', details: { coding: [{ code: 'RELAY_INVALID_TRANSITION' }] } });
    expect(issue!.details.text).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['free text', 'the status of Jean Dupont'],
    ['a search parameter with a modifier', 'patient:identifier'],
    ['a JSON Pointer', '/status'],
    ['too long', `Task.${'a'.repeat(400)}`],
  ])('writes no expression for a path that is not FHIRPath-like (%s)', (_what, path) => {
    expect(isFhirPathLike(path)).toBe(false);
    const [, issue] = issuesOf(buildOperationOutcome('FHIR_BAD_SEARCH', [{ code: 'FHIR_BAD_SEARCH', path }]).body);
    expect(issue!.expression).toBeUndefined();
  });

  it.each([
    ['POLICY_QUOTA_EXCEEDED', 'processing', noticeText('POLICY_QUOTA_EXCEEDED', 'en')],
    ['POLICY_CONSENT_MISSING', 'processing', noticeText('POLICY_CONSENT_MISSING', 'en')],
    ['FHIR_SIGNATURE_INVALID', 'security', FHIR_SIGNATURE_REFUSALS.FHIR_SIGNATURE_INVALID],
    ['FHIR_SIGNATURE_SOMETHING_NEW', 'security', 'The request was refused'],
    ['ROUTING_NO_EXPERT', 'processing', 'The request was refused'],
  ])('answers a code it does not know (%s) 422 %s, with the text of its own table when there is one', (code, issue, text) => {
    const o = buildOperationOutcome(code);
    expect(o.status).toBe(422);
    expect(httpStatusOf(code)).toBe(422);
    expect(issuesOf(o.body)[0]).toMatchObject({ code: issue, diagnostics: text, details: { coding: [{ code }], text } });
  });

  it('never echoes a code that is not a code (a caller bug): 500 FHIR_INTERNAL', () => {
    const o = buildOperationOutcome('Jean Dupont <jean@example.org>');
    expect(o.status).toBe(500);
    expect(JSON.stringify(o.body)).not.toMatch(/Jean|Dupont|example/);
    const [, issue] = issuesOf(buildOperationOutcome('FHIR_NOT_FOUND', [{ code: 'jean@example.org', path: 'Task' }]).body);
    expect(issue!.details.coding[0]!.code).toBe('UNKNOWN');
  });

  it('writes an OperationOutcome FHIR.js finds valid, for every code of the table', () => {
    for (const code of Object.keys(FHIR_API_ERRORS) as FhirApiErrorCode[]) {
      const { body } = buildOperationOutcome(code, [{ code: 'FHIR_MISSING', path: 'Task.status' }, { code: 'X', path: '' }]);
      expect(validateFhirResource(body), code).toEqual([]);
    }
  });
});
