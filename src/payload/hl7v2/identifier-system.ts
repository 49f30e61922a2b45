/**
 * Identifier and coding systems as HL7 v2 names them, in the canonical request's terms: an assigning authority
 * (HD: namespace, universal id, universal id type) becomes `urn:oid:…` when it is an ISO OID, the known
 * identifier systems get their kind (INS, NIR, CNS…) and their check (src/domain/check-identifiers.ts), and HL7
 * table 0396 coding system names become their URIs.
 */
import { IDENTIFIER_SYSTEMS } from '../../domain/canonical-request.ts';
import { checkIdentifierValue, typeOfSystem } from '../../domain/identifier-systems.ts';
import { lookup } from './lookup.ts';

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The system of an identifier from its assigning authority (HD), and the authority as the sender named it. */
export function systemOfAuthority(namespace: string, universalId: string, universalIdType: string): { system: string; assigner: string } | undefined {
  const type = universalIdType.toUpperCase();
  const assigner = namespace || universalId;
  if (universalId) {
    if ((type === 'ISO' || type === '') && OID.test(universalId)) return { system: `urn:oid:${universalId}`, assigner };
    if (type === 'UUID' && UUID.test(universalId)) return { system: `urn:uuid:${universalId.toLowerCase()}`, assigner };
    if (type === 'URI') return { system: universalId, assigner };
  }
  if (namespace) return { system: OID.test(namespace) ? `urn:oid:${namespace}` : namespace, assigner };
  if (universalId) return { system: universalId, assigner };
  return undefined;
}

/** The urn:oid: form of an OID, the value unchanged otherwise. */
export function systemOfOid(oid: string): string {
  return OID.test(oid) ? `urn:oid:${oid}` : oid;
}

/** INS, NIR, CNS… for a well-known system. */
export const kindOfSystem = typeOfSystem;

export { checkIdentifierValue };

/** PLN-2 / XCN-13 identifier type codes that name a system on their own. */
const SYSTEM_OF_TYPE: Record<string, string> = {
  NPI: IDENTIFIER_SYSTEMS.NPI,
  RPPS: IDENTIFIER_SYSTEMS.RPPS,
  ADELI: IDENTIFIER_SYSTEMS.ADELI,
  CPF: IDENTIFIER_SYSTEMS.CPF,
  CNS: IDENTIFIER_SYSTEMS.CNS,
};

export function systemOfIdentifierType(type: string): string | undefined {
  return lookup(SYSTEM_OF_TYPE, type.toUpperCase());
}

/** HL7 table 0396 names and their URIs; any other name is kept as sent (an OID as urn:oid:). */
const CODING_SYSTEMS: Record<string, string> = {
  LN: 'http://loinc.org',
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  ICD10CM: 'http://hl7.org/fhir/sid/icd-10-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9CDX: 'http://hl7.org/fhir/sid/icd-9-cm',
  UCUM: 'http://unitsofmeasure.org',
};

/** The URI of a coding system named in CWE-3/CWE-6; a code sent without one is local ('L', as table 0396 says). */
export function systemOfCoding(name: string): string {
  if (name === '') return 'L';
  return lookup(CODING_SYSTEMS, name.toUpperCase()) ?? systemOfOid(name);
}

/** The table 0396 name of a coding system URI (the inverse of systemOfCoding), for builders. */
export function codingSystemName(system: string): string {
  for (const [name, uri] of Object.entries(CODING_SYSTEMS)) if (uri === system) return name;
  return system.startsWith('urn:oid:') ? system.slice(8) : system;
}
