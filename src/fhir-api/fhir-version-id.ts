/**
 * Version ids and ETags of the FHIR views: a view's version id is derived from its content (without `meta`), so
 * it changes exactly when the resource does, and the same resource built twice has the same version. Pure.
 */
import { createHash } from 'node:crypto';
import { canonicalizeJson } from '../fhir-signature/jcs.ts';

/** The first 16 hex digits of the SHA-256 of the RFC 8785 (JCS) form of the resource without `meta`. Throws JcsError on a non-JSON value. */
export function fhirVersionIdOf(resourceWithoutMeta: unknown): string {
  const value =
    resourceWithoutMeta && typeof resourceWithoutMeta === 'object' && !Array.isArray(resourceWithoutMeta)
      ? Object.fromEntries(Object.entries(resourceWithoutMeta).filter(([k]) => k !== 'meta'))
      : resourceWithoutMeta;
  return createHash('sha256').update(canonicalizeJson(value), 'utf8').digest('hex').slice(0, 16);
}

/**
 * The resource with its `meta` (versionId from the rest, and lastUpdated when given) placed after `resourceType`
 * and `id`, where FHIR writes it.
 */
export function withVersionMeta(resource: Record<string, unknown>, lastUpdated?: Date): Record<string, unknown> {
  const { resourceType, id, meta: _meta, ...rest } = resource;
  const meta = { versionId: fhirVersionIdOf(resource), ...(lastUpdated ? { lastUpdated: lastUpdated.toISOString() } : {}) };
  return { ...(resourceType === undefined ? {} : { resourceType }), ...(id === undefined ? {} : { id }), meta, ...rest };
}

/** The weak ETag of a version: `W/"<versionId>"` (FHIR R4 http.html#versioning). */
export function etagOf(versionId: string): string {
  return `W/"${versionId}"`;
}

/** The version an If-Match header names: `W/"x"`, `"x"` or `x` → `x`; absent or empty → undefined. */
export function parseIfMatch(header: string | undefined): string | undefined {
  const h = header?.trim();
  if (!h) return undefined;
  const m = /^(?:W\/)?"([^"]*)"$/.exec(h);
  const version = m ? m[1]! : h;
  return version === '' ? undefined : version;
}
