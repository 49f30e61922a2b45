import { canonicalizeJson } from './jcs.ts';

/** Bundle members that are not signed (Da Vinci CDex, FHIR R4 signatures: the JSON "document" canonicalization). */
export const UNSIGNED_BUNDLE_MEMBERS = ['id', 'meta', 'signature'] as const;

/** The JWS payload of a Bundle signature: the UTF-8 JCS form of the Bundle without id, meta and signature. Throws JcsError. */
export function buildSigningPayload(bundle: Record<string, unknown>): Buffer {
  // fromEntries defines own properties: a member named "__proto__" stays a member
  const rest = Object.fromEntries(Object.entries(bundle).filter(([k]) => !(UNSIGNED_BUNDLE_MEMBERS as readonly string[]).includes(k)));
  return Buffer.from(canonicalizeJson(rest), 'utf8');
}
