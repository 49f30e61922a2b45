/**
 * What an identifier system is (INS, NIR, CNS, RPPS…) and the check its values pass, for every dialect.
 */
import { IDENTIFIER_SYSTEMS } from '../../domain/canonical-request.ts';
import { checkAdeli, checkCns, checkCpf, checkNir, checkRpps } from '../../domain/check-identifiers.ts';

const TYPES: Record<string, string> = {
  [IDENTIFIER_SYSTEMS.INS_NIR]: 'INS',
  [IDENTIFIER_SYSTEMS.NIR]: 'NIR',
  [IDENTIFIER_SYSTEMS.PS_NATIONAL]: 'IDNPS',
  [IDENTIFIER_SYSTEMS.RPPS]: 'RPPS',
  [IDENTIFIER_SYSTEMS.ADELI]: 'ADELI',
  [IDENTIFIER_SYSTEMS.FINESS]: 'FINESS',
  [IDENTIFIER_SYSTEMS.CNS]: 'CNS',
  [IDENTIFIER_SYSTEMS.CPF]: 'CPF',
  [IDENTIFIER_SYSTEMS.NPI]: 'NPI',
};

const CHECKS: Record<string, (value: string) => string | undefined> = {
  [IDENTIFIER_SYSTEMS.INS_NIR]: checkNir,
  [IDENTIFIER_SYSTEMS.NIR]: checkNir,
  [IDENTIFIER_SYSTEMS.CNS]: checkCns,
  [IDENTIFIER_SYSTEMS.CPF]: checkCpf,
  [IDENTIFIER_SYSTEMS.RPPS]: checkRpps,
  [IDENTIFIER_SYSTEMS.ADELI]: checkAdeli,
  [IDENTIFIER_SYSTEMS.PS_NATIONAL]: (v) => (/^(8\d{11}|0(\d{2}|2A|2B)\d{7})$/i.test(v) ? undefined : 'national PS id must be 8 + RPPS or 0 + ADELI'),
};

/** Accepts an OID written bare or as urn:oid:, and gives the urn:oid: form (other systems unchanged). */
export function normalizeSystem(system: string): string {
  const s = system.trim();
  if (/^\d+(\.\d+)+$/.test(s)) return `urn:oid:${s}`;
  if (/^urn:oid:/i.test(s)) return `urn:oid:${s.slice(8)}`;
  return s;
}

/** The kind of identifier a system holds (INS, NIR, CNS…), when it is a well-known one. */
export function typeOfSystem(system: string): string | undefined {
  return TYPES[normalizeSystem(system)];
}

/** Checks a value against the rules of its system; undefined when valid or when the system has no known rule. */
export function checkIdentifierValue(system: string, value: string): string | undefined {
  const check = CHECKS[normalizeSystem(system)];
  return check ? check(value) : undefined;
}
