/**
 * The resources of a Bundle, found by fullUrl (urn:uuid:…, absolute URLs) or by Type/id, and the resolution of
 * References between them (FHIR R4 §2.36.4, "Resolving references in Bundles"), contained resources included.
 */
import type { Problem } from '../../errors/result.ts';
import { getObjects, getString, isObject, type JsonObject } from './fhir-json.ts';

export interface IndexedResource {
  resource: JsonObject;
  resourceType: string;
  id?: string;
  fullUrl?: string;
  /** FHIRPath-like path of the resource, e.g. Bundle.entry[2].resource */
  path: string;
  /** for a contained resource, the resource that contains it */
  container?: IndexedResource;
}

export interface BundleIndex {
  entries: IndexedResource[];
  byFullUrl: Map<string, IndexedResource>;
  /** "Type/id" of the resources whose fullUrl does not say another server */
  byTypeId: Map<string, IndexedResource>;
}

export const MAX_BUNDLE_ENTRIES = 1000;
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OID_URN = /^urn:oid:[0-2](\.(0|[1-9]\d*))+$/;
const RESTFUL = /^(?:(.*)\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Indexes the entries; duplicate fullUrls, bad fullUrls and entries without a resource are problems. */
export function indexBundle(bundle: JsonObject, problems: Problem[]): BundleIndex {
  const index: BundleIndex = { entries: [], byFullUrl: new Map(), byTypeId: new Map() };
  const entries = bundle.entry;
  if (entries !== undefined && !Array.isArray(entries)) {
    problems.push({ code: 'FHIR_INVALID', path: 'Bundle.entry', message: 'entry must be an array' });
    return index;
  }
  const list = entries ?? [];
  if (list.length > MAX_BUNDLE_ENTRIES) {
    problems.push({ code: 'FHIR_TOO_LARGE', path: 'Bundle.entry', message: `more than ${MAX_BUNDLE_ENTRIES} entries` });
    return index;
  }
  list.forEach((entry, i) => {
    const path = `Bundle.entry[${i}]`;
    if (!isObject(entry)) {
      problems.push({ code: 'FHIR_INVALID', path, message: 'an entry must be an object' });
      return;
    }
    const resource = entry.resource;
    const resourceType = isObject(resource) ? getString(resource, 'resourceType') : undefined;
    if (!isObject(resource) || !resourceType) {
      problems.push({ code: 'FHIR_INVALID', path: `${path}.resource`, message: 'an entry must hold a resource with a resourceType' });
      return;
    }
    const fullUrl = getString(entry, 'fullUrl');
    const id = getString(resource, 'id');
    const item: IndexedResource = { resource, resourceType, path: `${path}.resource`, ...(id ? { id } : {}), ...(fullUrl ? { fullUrl } : {}) };
    if (fullUrl !== undefined) {
      if (/^urn:uuid:/i.test(fullUrl) && !UUID_URN.test(fullUrl)) {
        problems.push({ code: 'FHIR_INVALID', path: `${path}.fullUrl`, message: 'not a valid urn:uuid' });
      } else if (index.byFullUrl.has(fullUrl)) {
        problems.push({ code: 'FHIR_DUPLICATE_FULLURL', path: `${path}.fullUrl`, message: 'the same fullUrl is used by another entry' });
      } else {
        index.byFullUrl.set(fullUrl, item);
      }
      const m = RESTFUL.exec(fullUrl);
      if (m && m[2] === resourceType && id !== undefined && m[3] !== id) {
        problems.push({ code: 'FHIR_INVALID', path: `${path}.fullUrl`, message: 'the fullUrl does not end with the resource type and id' });
      }
    }
    if (id !== undefined) {
      const key = `${resourceType}/${id}`;
      if (!index.byTypeId.has(key)) index.byTypeId.set(key, item);
    }
    index.entries.push(item);
  });
  return index;
}

/** The contained resources of a resource, as indexed resources. */
export function containedOf(container: IndexedResource): IndexedResource[] {
  return getObjects(container.resource, 'contained').flatMap(({ value, index }) => {
    const resourceType = getString(value, 'resourceType');
    const id = getString(value, 'id');
    if (!resourceType) return [];
    return [{ resource: value, resourceType, path: `${container.path}.contained[${index}]`, container, ...(id ? { id } : {}) }];
  });
}

export type ResolvedReference =
  | { kind: 'resource'; target: IndexedResource }
  /** a logical reference: Reference.identifier, with the type when given */
  | { kind: 'identifier'; system?: string; value: string; type?: string; display?: string }
  /** only a display text */
  | { kind: 'display'; display: string };

/**
 * Resolves a Reference met at `path` in resource `from`. A literal reference must resolve inside the Bundle (the
 * gateway fetches nothing): otherwise FHIR_UNRESOLVED_REFERENCE. A resolved resource of another type than
 * `types` is FHIR_WRONG_TYPE. Returns undefined when the reference is absent or is a problem.
 */
export function resolveReference(
  index: BundleIndex,
  reference: unknown,
  from: IndexedResource,
  path: string,
  /** the resource types allowed; undefined for any */
  types: readonly string[] | undefined,
  problems: Problem[],
): ResolvedReference | undefined {
  if (reference === undefined) return undefined;
  if (!isObject(reference)) {
    problems.push({ code: 'FHIR_INVALID', path, message: 'a Reference must be an object' });
    return undefined;
  }
  const literal = getString(reference, 'reference');
  const display = getString(reference, 'display');
  if (literal === undefined) {
    const identifier = isObject(reference.identifier) ? reference.identifier : undefined;
    const value = getString(identifier, 'value');
    if (value !== undefined) {
      const system = getString(identifier, 'system');
      const type = getString(reference, 'type');
      if (type !== undefined && types !== undefined && !types.includes(type)) {
        problems.push({ code: 'FHIR_WRONG_TYPE', path: `${path}.type`, message: `expected a reference to ${types.join(' or ')}` });
        return undefined;
      }
      return { kind: 'identifier', value, ...(system ? { system } : {}), ...(type ? { type } : {}), ...(display ? { display } : {}) };
    }
    if (display !== undefined) return { kind: 'display', display };
    problems.push({ code: 'FHIR_INVALID', path, message: 'a Reference needs a reference, an identifier or a display' });
    return undefined;
  }
  const target = findTarget(index, literal, from);
  if (!target) {
    problems.push({ code: 'FHIR_UNRESOLVED_REFERENCE', path: `${path}.reference`, message: 'the reference does not resolve to a resource of the Bundle' });
    return undefined;
  }
  if (types !== undefined && !types.includes(target.resourceType)) {
    problems.push({ code: 'FHIR_WRONG_TYPE', path: `${path}.reference`, message: `expected a reference to ${types.join(' or ')}, found ${target.resourceType}` });
    return undefined;
  }
  return { kind: 'resource', target };
}

function findTarget(index: BundleIndex, literal: string, from: IndexedResource): IndexedResource | undefined {
  if (literal.startsWith('#')) {
    const top = from.container ?? from;
    const id = literal.slice(1);
    return containedOf(top).find((c) => c.id === id);
  }
  const exact = index.byFullUrl.get(literal);
  if (exact) return exact;
  if (UUID_URN.test(literal) || OID_URN.test(literal) || /^urn:/i.test(literal)) return undefined;
  const m = RESTFUL.exec(literal);
  if (!m) return undefined;
  const [, base, type, id] = m;
  const key = `${type}/${id}`;
  const top = from.container ?? from;
  if (base !== undefined) {
    // absolute: only an entry with that very fullUrl (history dropped) is the target
    return index.byFullUrl.get(`${base}/${key}`);
  }
  // relative: against the base of the referencing entry's fullUrl when it is a RESTful URL, else by Type/id
  const fromBase = top.fullUrl ? RESTFUL.exec(top.fullUrl)?.[1] : undefined;
  if (fromBase !== undefined) {
    const byBase = index.byFullUrl.get(`${fromBase}/${key}`);
    if (byBase) return byBase;
  }
  return index.byTypeId.get(key);
}
