import type { Problem } from '../errors/result.ts';

/** Every refusal of a FHIR Bundle signature, with the fixed text a peer may see. */
export const FHIR_SIGNATURE_REFUSALS = {
  FHIR_SIGNATURE_MISSING: 'The Bundle is not signed',
  FHIR_SIGNATURE_MALFORMED: 'The Bundle signature is not a well-formed detached JWS as Da Vinci CDex defines it',
  FHIR_SIGNATURE_ALGORITHM: 'The Bundle signature uses an algorithm or key that is not accepted',
  FHIR_SIGNATURE_INVALID: 'The Bundle signature does not match its content',
  FHIR_SIGNATURE_CERT_UNTRUSTED: "The signer's certificate is not trusted",
  FHIR_SIGNATURE_CERT_EXPIRED: "The signer's certificate is expired or not yet valid",
  FHIR_SIGNATURE_CERT_REVOKED: "The signer's certificate is revoked",
  FHIR_SIGNATURE_CERT_USAGE: "The signer's certificate is not meant for signing",
  FHIR_SIGNATURE_TIME_MISMATCH: 'The signing time in the JWS does not agree with Signature.when',
  FHIR_SIGNATURE_WRONG_SIGNER: 'The signer is not who the Bundle or the request says',
} as const;

export type FhirSignatureCode = keyof typeof FHIR_SIGNATURE_REFUSALS;

export function signatureProblem(code: FhirSignatureCode, path: string, detail?: string): Problem {
  return { code, path, message: detail ? `${FHIR_SIGNATURE_REFUSALS[code]}: ${detail}` : FHIR_SIGNATURE_REFUSALS[code] };
}
