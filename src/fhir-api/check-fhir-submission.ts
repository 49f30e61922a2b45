/**
 * What the FHIR API checks of a request Bundle before it stores it, as one pure function of the bytes received: I-JSON,
 * a Bundle of type transaction or collection, the signature (CDex) of the practitioner of the TLS client certificate,
 * and a request the pipeline can read. It is CPU on the whole body (a JSON parse, the JCS form, a hash, the parse
 * of the documents: about a second for a 30 MB Bundle), so the gateway runs it in a stage thread when it has one;
 * the result is plain data (structured clone).
 */
import type { Problem } from '../errors/result.ts';
import { verifyBundleSignature, type ExpectedSigner } from '../fhir-signature/verify-bundle-signature.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { getObject, getObjects, getString, isObject } from '../payload/fhir/fhir-json.ts';
import { parseFhirPayloadJson } from '../payload/fhir/parse-fhir-request.ts';
import { parseIJson, type IJsonResult } from '../payload/fhir/parse-i-json.ts';

/** What the API needs of the Bundle to answer (a transaction-response has one entry per entry). */
export interface BundleShape {
  type: 'transaction' | 'collection';
  entryTypes: (string | undefined)[];
}

/** What a check depends on besides the trust: the client's identity, the clock, the mode. */
export interface FhirSubmissionRequest {
  at: Date;
  expectedSigner: ExpectedSigner;
  requireSignature: boolean;
}

export interface FhirSubmissionOptions extends FhirSubmissionRequest {
  trust: TrustStore;
  requireCrl: boolean;
}

/**
 * `shape` is there whenever the body is a Bundle of an accepted type, even when refused: a retry of bytes already
 * stored is answered with their Task whatever the checks that depend on time say now.
 */
export type FhirSubmissionCheck =
  | { ok: true; signed: boolean; shape: BundleShape }
  | { ok: false; code: string; problems: Problem[]; shape?: BundleShape };

/** The API's refusal of a body that is not I-JSON: not JSON at all, or an object naming a member twice. */
export function jsonRefusal(read: IJsonResult & { ok: false }): { code: 'FHIR_BAD_JSON' | 'FHIR_DUPLICATE_MEMBER'; problems: Problem[] } {
  return read.reason === 'malformed'
    ? { code: 'FHIR_BAD_JSON', problems: [] }
    : { code: 'FHIR_DUPLICATE_MEMBER', problems: [{ code: 'FHIR_DUPLICATE_MEMBER', path: read.path, message: '' }] };
}

export function checkFhirSubmission(body: Buffer, o: FhirSubmissionOptions): FhirSubmissionCheck {
  const read = parseIJson(body, 'Bundle');
  if (!read.ok) return { ok: false, ...jsonRefusal(read) };
  const json = read.value;
  if (!isObject(json) || json.resourceType !== 'Bundle') return { ok: false, code: 'FHIR_NOT_A_BUNDLE', problems: [] };
  if (json.type !== 'transaction' && json.type !== 'collection') return { ok: false, code: 'FHIR_BUNDLE_TYPE', problems: [] };
  const shape: BundleShape = { type: json.type, entryTypes: getObjects(json, 'entry').map(({ value }) => getString(getObject(value, 'resource'), 'resourceType')) };
  const signed = json.signature !== undefined;
  if (signed || o.requireSignature) {
    if (!signed) return { ok: false, code: 'FHIR_SIGNATURE_REQUIRED', problems: [], shape };
    // the parsed form of the bytes received, never a rewritten one
    const verified = verifyBundleSignature(json, { trust: o.trust, at: o.at, requireCrl: o.requireCrl, expectedSigner: o.expectedSigner });
    if (!verified.ok) return { ok: false, code: verified.problems[0]!.code, problems: verified.problems, shape };
  }
  // read now, so that a request that cannot be read is refused in the answer rather than in the Task (from the JSON
  // read above: the size is the HTTP body limit's)
  const parsed = parseFhirPayloadJson(json, { channel: 'fhir' });
  if (!parsed.ok) return { ok: false, code: 'FHIR_INVALID_RESOURCE', problems: parsed.problems, shape };
  return { ok: true, signed, shape };
}
