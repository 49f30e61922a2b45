/**
 * A claim bundle checked before it leaves: against the R4 definitions by FHIR.js (validateFhirResource: every
 * error, and unexpected properties), and for the shape txgate promises the insurer (a collection Bundle, the Claim
 * first, its identifier, every reference resolved inside the bundle, each full URL once). Every problem listed.
 */
import type { Problem } from '../errors/result.ts';
import { validateFhirResource } from '../fhir-api/validate-fhir-resource.ts';

type Json = Record<string, unknown>;

function collectReferences(value: unknown, path: string, out: { path: string; reference: string }[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectReferences(v, `${path}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Json)) {
      if (k === 'reference' && typeof v === 'string') out.push({ path: `${path}.reference`, reference: v });
      else collectReferences(v, `${path}.${k}`, out);
    }
  }
}

export function validateClaimBundle(bundle: unknown): Problem[] {
  const problems: Problem[] = validateFhirResource(bundle, 'CLAIM_INVALID_FHIR');
  const b = bundle as Json;
  if (b?.resourceType !== 'Bundle' || b.type !== 'collection') problems.push({ code: 'CLAIM_NOT_COLLECTION', path: 'Bundle.type', message: 'a claim bundle is a Bundle of type collection' });
  const entries = (Array.isArray(b?.entry) ? b.entry : []) as { fullUrl?: string; resource?: Json }[];
  const first = entries[0]?.resource;
  if (first?.resourceType !== 'Claim') problems.push({ code: 'CLAIM_NOT_FIRST', path: 'Bundle.entry[0]', message: 'the Claim comes first' });
  else if (!Array.isArray(first.identifier) || !(first.identifier as Json[]).some((i) => typeof i.value === 'string' && typeof i.system === 'string')) {
    problems.push({ code: 'CLAIM_NO_IDENTIFIER', path: 'Bundle.entry[0].resource.identifier', message: 'the Claim carries its idempotency key as identifier' });
  }
  const urls = new Set<string>();
  entries.forEach((e, i) => {
    if (!e.fullUrl || !/^urn:uuid:[0-9a-f-]{36}$/.test(e.fullUrl)) problems.push({ code: 'CLAIM_BAD_FULL_URL', path: `Bundle.entry[${i}].fullUrl`, message: 'each entry has a urn:uuid full URL' });
    else if (urls.has(e.fullUrl)) problems.push({ code: 'CLAIM_DUPLICATE_ENTRY', path: `Bundle.entry[${i}].fullUrl`, message: `${e.fullUrl} is in the bundle twice` });
    else urls.add(e.fullUrl);
  });
  const references: { path: string; reference: string }[] = [];
  entries.forEach((e, i) => collectReferences(e.resource, `Bundle.entry[${i}].resource`, references));
  for (const r of references) {
    if (!urls.has(r.reference)) problems.push({ code: 'CLAIM_UNRESOLVED_REFERENCE', path: r.path, message: `${r.reference} is not in the bundle` });
  }
  return problems;
}
