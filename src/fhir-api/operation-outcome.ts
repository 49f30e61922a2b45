/**
 * The FHIR API's refusals as R4 OperationOutcomes: the fixed table of refusal codes → HTTP status, issue type
 * (http://hl7.org/fhir/issue-type) and a fixed English text that names the rule, never the data. A refusal becomes
 * one issue for its code, then one issue per problem (its code, its location as `expression` when the location is a
 * FHIRPath-like path, a fixed text for that code). `Problem.message` is never copied: it may carry what was sent.
 *
 * Codes this table does not know (a pipeline refusal such as POLICY_QUOTA_EXCEEDED, a FHIR_SIGNATURE_* code) are
 * 422 `processing`, or 422 `security` for FHIR_SIGNATURE_*; their text comes from the signature or policy tables
 * when those know them. FHIR_PATCH_TEST_FAILED is 409 `conflict`: RFC 5789 §2.2 names 409 for a patch that "cannot be
 * applied given the state of the resource", which is what a failed RFC 6902 `test` says.
 */
import { FHIR_SIGNATURE_REFUSALS } from '../fhir-signature/signature-refusal.ts';
import { noticeText, POLICY_REFUSAL_CODES } from '../policy/notice-texts.ts';

/** The R4 issue-type codes this API uses (a subset of http://hl7.org/fhir/ValueSet/issue-type). */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'processing'
  | 'not-supported'
  | 'not-found'
  | 'too-long'
  | 'business-rule'
  | 'conflict'
  | 'transient'
  | 'throttled'
  | 'exception';

export interface FhirApiError {
  status: number;
  issue: IssueType;
  text: string;
}

/** Every refusal the FHIR API gives itself. */
export const FHIR_API_ERRORS = {
  FHIR_CLIENT_CERT_REQUIRED: { status: 401, issue: 'login', text: 'A TLS client certificate is required' },
  FHIR_UNKNOWN_PRACTITIONER: { status: 403, issue: 'security', text: 'The client certificate names no practitioner the directory knows' },
  FHIR_NOT_ASSIGNED: { status: 403, issue: 'forbidden', text: 'Only the expert assigned to this request may change its Task' },
  FHIR_NOT_FOUND: { status: 404, issue: 'not-found', text: 'No such resource' },
  FHIR_UNKNOWN_RESOURCE_TYPE: { status: 404, issue: 'not-supported', text: 'This resource type is not served here' },
  FHIR_METHOD_NOT_ALLOWED: { status: 405, issue: 'not-supported', text: 'This interaction is not supported on this resource' },
  FHIR_INVALID_TRANSITION: { status: 409, issue: 'business-rule', text: "The Task's status cannot go there from where it is" },
  FHIR_PATCH_TEST_FAILED: { status: 409, issue: 'conflict', text: 'A test operation of the JSON Patch does not hold on the current resource' },
  FHIR_VERSION_CONFLICT: { status: 412, issue: 'conflict', text: 'The resource has changed since the version named in If-Match' },
  FHIR_TOO_LARGE: { status: 413, issue: 'too-long', text: 'The request body is too large' },
  FHIR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    issue: 'not-supported',
    text: 'The media type is not supported: send application/fhir+json (or application/json-patch+json for a PATCH)',
  },
  FHIR_BAD_JSON: { status: 400, issue: 'structure', text: 'The body is not well-formed JSON' },
  FHIR_DUPLICATE_MEMBER: { status: 400, issue: 'structure', text: 'An object has two members of the same name (RFC 7493 I-JSON)' },
  FHIR_NOT_A_BUNDLE: { status: 400, issue: 'structure', text: 'The body is not a FHIR Bundle' },
  FHIR_BAD_SEARCH: { status: 400, issue: 'invalid', text: 'A search parameter is unknown or malformed' },
  FHIR_SIGNATURE_REQUIRED: {
    status: 422,
    issue: 'security',
    text: 'The Bundle must be signed: Bundle.signature, a detached JWS (RS256 or PS256) as Da Vinci CDex defines it',
  },
  FHIR_BUNDLE_TYPE: { status: 422, issue: 'not-supported', text: 'Only a Bundle of type transaction or collection is accepted' },
  FHIR_INVALID_RESOURCE: { status: 422, issue: 'invalid', text: 'The resource is not valid FHIR R4' },
  FHIR_PATCH_INVALID: { status: 422, issue: 'invalid', text: 'The JSON Patch is not valid or does not apply to the resource' },
  FHIR_INTERNAL: { status: 500, issue: 'exception', text: 'Internal error' },
  FHIR_UNAVAILABLE: { status: 503, issue: 'transient', text: 'Temporarily unavailable: retry later' },
} as const satisfies Record<string, FhirApiError>;

export type FhirApiErrorCode = keyof typeof FHIR_API_ERRORS;

/**
 * Fixed texts for problem codes that are not refusals of the API itself: those of the request parser
 * (src/payload/fhir), of the signature check (src/fhir-signature/signature-refusal.ts) and of the policy.
 */
export const FHIR_PROBLEM_TEXTS: Readonly<Record<string, string>> = {
  FHIR_MISSING: 'A required element is missing',
  FHIR_INVALID: 'An element is not valid here',
  FHIR_MALFORMED: 'The body is not JSON in UTF-8',
  FHIR_NOT_BUNDLE: 'A Bundle is expected here',
  FHIR_NOT_TASK: 'A Task is expected here',
  FHIR_AMBIGUOUS: 'The Bundle does not say which resource is meant',
  FHIR_IDENTIFIER_INVALID: 'An identifier is not valid for its system',
  FHIR_DUPLICATE_FULLURL: 'The same fullUrl is used by two entries',
  FHIR_WRONG_TYPE: 'A reference points to a resource of the wrong type',
  FHIR_UNRESOLVED_REFERENCE: 'A reference does not resolve to a resource of the Bundle',
  FHIR_CONSENT_PATIENT_MISMATCH: 'The Consent is about another patient than the request',
  FHIR_ATTACHMENT_EXTERNAL: 'A document is not in the Bundle (the gateway fetches nothing)',
  FHIR_ATTACHMENT_MISMATCH: 'A document does not match its declared size or hash',
  ...FHIR_SIGNATURE_REFUSALS,
};

const SIGNATURE_PREFIX = 'FHIR_SIGNATURE_';
const CODE_SHAPE = /^[A-Z][A-Z0-9_]{0,79}$/;
/** Identifiers with optional [n] indexes, joined by dots: `Bundle.entry[2].resource.status`, `patch[0].path`. */
const FHIRPATH_LIKE = /^[A-Za-z_][A-Za-z0-9_]*(?:\[\d{1,6}\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d{1,6}\])*)*$/;

function isTableCode(code: string): code is FhirApiErrorCode {
  return Object.hasOwn(FHIR_API_ERRORS, code);
}

function isPolicyCode(code: string): boolean {
  return (POLICY_REFUSAL_CODES as readonly string[]).includes(code);
}

/** A code as it may be shown: a well-formed code, else FHIR_INTERNAL (a caller's bug, never a peer's data). */
function shownCode(code: string): string {
  return CODE_SHAPE.test(code) ? code : 'FHIR_INTERNAL';
}

function errorOf(code: string): FhirApiError {
  if (isTableCode(code)) return FHIR_API_ERRORS[code];
  const text = textOf(code) ?? 'The request was refused';
  return { status: 422, issue: code.startsWith(SIGNATURE_PREFIX) ? 'security' : 'processing', text };
}

/** The fixed text of a code, from this table, the problem texts or the policy's English notices. */
function textOf(code: string): string | undefined {
  if (isTableCode(code)) return FHIR_API_ERRORS[code].text;
  if (Object.hasOwn(FHIR_PROBLEM_TEXTS, code)) return FHIR_PROBLEM_TEXTS[code];
  if (isPolicyCode(code)) return noticeText(code, 'en');
  return undefined;
}

/** True when `path` can be given as an OperationOutcome `expression` (a FHIRPath-like location, bounded). */
export function isFhirPathLike(path: string): boolean {
  return path.length > 0 && path.length <= 300 && FHIRPATH_LIKE.test(path);
}

/** The HTTP status of a refusal code (422 for codes the table does not know; 500 for a malformed code). */
export function httpStatusOf(code: FhirApiErrorCode | string): number {
  return errorOf(shownCode(code)).status;
}

/** A problem's issue type: its own when the table knows it, `security` for a signature, else the refusal's. */
function issueOfProblem(code: string, refusalIssue: IssueType): IssueType {
  if (isTableCode(code)) return FHIR_API_ERRORS[code].issue;
  return code.startsWith(SIGNATURE_PREFIX) ? 'security' : refusalIssue;
}

function codingOf(code: string): Record<string, unknown> {
  return { coding: [{ system: 'urn:txgate:refusal-code', code }] };
}

/**
 * The OperationOutcome of a refusal and its HTTP status: the refusal's issue first, then one issue per problem.
 * Only codes, locations and fixed texts are written; never a problem's message.
 */
export function buildOperationOutcome(
  code: FhirApiErrorCode | string,
  problems: readonly { code: string; path: string }[] = [],
): { status: number; body: Record<string, unknown> } {
  const refusal = shownCode(code);
  const error = errorOf(refusal);
  const issues: Record<string, unknown>[] = [
    { severity: 'error', code: error.issue, details: { ...codingOf(refusal), text: error.text }, diagnostics: error.text },
  ];
  for (const p of problems) {
    const problemCode = CODE_SHAPE.test(p.code) ? p.code : 'UNKNOWN';
    const text = textOf(problemCode);
    const issue: Record<string, unknown> = {
      severity: 'error',
      code: issueOfProblem(problemCode, error.issue),
      details: text === undefined ? codingOf(problemCode) : { ...codingOf(problemCode), text },
      diagnostics: text ?? problemCode,
    };
    if (typeof p.path === 'string' && isFhirPathLike(p.path)) issue.expression = [p.path];
    issues.push(issue);
  }
  return { status: error.status, body: { resourceType: 'OperationOutcome', issue: issues } };
}
