/**
 * Canonical people to FHIR resources (the reverse of parse-fhir-patient and parse-fhir-practitioner): Patient,
 * Practitioner + PractitionerRole (+ Organization). Pure.
 */
import type { Identifier, Patient, Practitioner } from '../../domain/canonical-request.ts';
import type { JsonObject } from './fhir-json.ts';

export type FhirResource = Record<string, unknown>;

export function buildIdentifier(i: Identifier): JsonObject {
  return { system: i.system, value: i.value, ...(i.assigner ? { assigner: { display: i.assigner } } : {}) };
}

function buildName(n: { family?: string | undefined; given: string[]; prefix: string[] }): JsonObject {
  return { ...(n.family ? { family: n.family } : {}), ...(n.given.length ? { given: n.given } : {}), ...(n.prefix.length ? { prefix: n.prefix } : {}) };
}

export function buildPatientResource(patient: Patient, id?: string): FhirResource {
  return {
    resourceType: 'Patient',
    ...(id ? { id } : {}),
    ...(patient.identifiers.length ? { identifier: patient.identifiers.map(buildIdentifier) } : {}),
    ...(patient.names.length ? { name: patient.names.map((n, k) => ({ ...(k === 0 ? { use: 'official' } : {}), ...buildName(n) })) } : {}),
    ...(patient.sex ? { gender: patient.sex } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
  };
}

/**
 * A professional as a Practitioner (identifiers, name) and a PractitionerRole (profession code, specialty,
 * secure address, organization) that points to it; `refs` are the references to use between them
 * (`#id` when contained, urn:uuid fullUrls in a Bundle).
 */
export function buildPractitionerResources(
  p: Practitioner,
  refs: { practitioner: string; organization: string },
  ids: { practitioner?: string; role?: string; organization?: string } = {},
): { practitioner: FhirResource; role: FhirResource; organization?: FhirResource } {
  const practitioner: FhirResource = {
    resourceType: 'Practitioner',
    ...(ids.practitioner ? { id: ids.practitioner } : {}),
    ...(p.identifiers.length ? { identifier: p.identifiers.map(buildIdentifier) } : {}),
    ...(p.name ? { name: [buildName(p.name)] } : {}),
  };
  const organization: FhirResource | undefined = p.organization
    ? {
        resourceType: 'Organization',
        ...(ids.organization ? { id: ids.organization } : {}),
        ...(p.organization.identifiers.length ? { identifier: p.organization.identifiers.map(buildIdentifier) } : {}),
        ...(p.organization.name ? { name: p.organization.name } : {}),
      }
    : undefined;
  const role: FhirResource = {
    resourceType: 'PractitionerRole',
    ...(ids.role ? { id: ids.role } : {}),
    practitioner: { reference: refs.practitioner },
    ...(organization ? { organization: { reference: refs.organization } } : {}),
    ...(p.profession ? { code: [{ coding: [p.profession] }] } : {}),
    ...(p.specialty ? { specialty: [{ coding: [p.specialty] }] } : {}),
    ...(p.address ? { telecom: [{ system: 'email', value: p.address }] } : {}),
  };
  return { practitioner, role, ...(organization ? { organization } : {}) };
}
