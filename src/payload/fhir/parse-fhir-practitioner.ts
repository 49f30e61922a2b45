/**
 * A professional named by a Reference: a Practitioner, or a PractitionerRole (its practitioner, profession code,
 * specialty, telecom and organization), or a logical reference by identifier.
 */
import type { Identifier, Practitioner } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import { getObject, getObjects, getString } from './fhir-json.ts';
import { firstCoding, parseEmail, parseHumanNames, parseIdentifier, parseIdentifiers } from './parse-fhir-datatypes.ts';
import { resolveReference, type BundleIndex, type IndexedResource } from './index-bundle.ts';

export const PRACTITIONER_TYPES = ['Practitioner', 'PractitionerRole'] as const;

/** Reads a Practitioner or a PractitionerRole resource. */
export function parsePractitionerResource(index: BundleIndex, target: IndexedResource, problems: Problem[]): Practitioner {
  if (target.resourceType === 'Practitioner') return parsePractitioner(target, problems);
  const role = target.resource;
  let base: Practitioner = { identifiers: [] };
  const who = resolveReference(index, role.practitioner, target, `${target.path}.practitioner`, ['Practitioner'], problems);
  if (who?.kind === 'resource') base = parsePractitioner(who.target, problems);
  else if (who?.kind === 'identifier') base = { identifiers: [logicalIdentifier(who, `${target.path}.practitioner`, problems)] };
  const ownIds = parseIdentifiers(role, 'identifier', target.path, problems);
  const profession = firstCoding(getObjects(role, 'code')[0]?.value);
  const specialty = firstCoding(getObjects(role, 'specialty')[0]?.value);
  const address = parseEmail(role) ?? base.address;
  const organization = parseOrganizationReference(index, role.organization, target, `${target.path}.organization`, problems) ?? base.organization;
  return {
    ...base,
    identifiers: [...base.identifiers, ...ownIds],
    ...(profession ? { profession } : {}),
    ...(specialty ? { specialty } : {}),
    ...(address ? { address } : {}),
    ...(organization ? { organization } : {}),
  };
}

function parsePractitioner(target: IndexedResource, problems: Problem[]): Practitioner {
  const p = target.resource;
  const identifiers = parseIdentifiers(p, 'identifier', target.path, problems);
  const name = parseHumanNames(p)[0];
  const address = parseEmail(p);
  const profession = firstCoding(getObject(getObjects(p, 'qualification')[0]?.value, 'code'));
  return { identifiers, ...(name ? { name } : {}), ...(address ? { address } : {}), ...(profession ? { profession } : {}) };
}

/** Reads a Reference to a professional; undefined (with problems) when absent or unusable. */
export function parsePractitionerReference(
  index: BundleIndex,
  reference: unknown,
  from: IndexedResource,
  path: string,
  problems: Problem[],
): Practitioner | undefined {
  const resolved = resolveReference(index, reference, from, path, PRACTITIONER_TYPES, problems);
  if (!resolved || resolved.kind === 'display') return undefined;
  if (resolved.kind === 'identifier') return { identifiers: [logicalIdentifier(resolved, path, problems)] };
  return parsePractitionerResource(index, resolved.target, problems);
}

/** An Organization reference: its name and identifiers (a display alone gives the name). */
export function parseOrganizationReference(
  index: BundleIndex,
  reference: unknown,
  from: IndexedResource,
  path: string,
  problems: Problem[],
): { name?: string; identifiers: Identifier[] } | undefined {
  const resolved = resolveReference(index, reference, from, path, ['Organization'], problems);
  if (!resolved) return undefined;
  if (resolved.kind === 'display') return { name: resolved.display, identifiers: [] };
  if (resolved.kind === 'identifier') return { identifiers: [logicalIdentifier(resolved, path, problems)], ...(resolved.display ? { name: resolved.display } : {}) };
  const o = resolved.target.resource;
  const name = getString(o, 'name');
  return { ...(name ? { name } : {}), identifiers: parseIdentifiers(o, 'identifier', resolved.target.path, problems) };
}

/** The identifier of a logical reference (checked like any other; 'urn:txgate:no-system' when it has no system). */
export function logicalIdentifier(ref: { system?: string; value: string }, path: string, problems: Problem[]): Identifier {
  const parsed = parseIdentifier({ system: ref.system, value: ref.value }, `${path}.identifier`, problems);
  return parsed ?? { system: 'urn:txgate:no-system', value: ref.value };
}
