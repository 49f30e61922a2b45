/**
 * What an identifier system is (INS, NIR, CNS, RPPS…) and the check its values pass, for every dialect.
 */
import { IDENTIFIER_SYSTEMS } from './canonical-request.ts';
import { checkAdeli, checkCns, checkCpf, checkNir, checkRpps } from './check-identifiers.ts';

const TYPES: Readonly<Record<string, string>> = {
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

/** France's national id of health professionals: 8 + RPPS, or 0 + ADELI. */
function checkPsNational(value: string): string | undefined {
  if (value.startsWith('8')) return checkRpps(value.slice(1)) && 'national PS id must be 8 + RPPS (11 digits)';
  if (value.startsWith('0')) return checkAdeli(value.slice(1)) && 'national PS id must be 0 + ADELI (9 characters)';
  return 'national PS id must be 8 + RPPS or 0 + ADELI';
}

const CHECKS: Readonly<Record<string, (value: string) => string | undefined>> = {
  [IDENTIFIER_SYSTEMS.INS_NIR]: checkNir,
  [IDENTIFIER_SYSTEMS.NIR]: checkNir,
  [IDENTIFIER_SYSTEMS.CNS]: checkCns,
  [IDENTIFIER_SYSTEMS.CPF]: checkCpf,
  [IDENTIFIER_SYSTEMS.RPPS]: checkRpps,
  [IDENTIFIER_SYSTEMS.ADELI]: checkAdeli,
  [IDENTIFIER_SYSTEMS.PS_NATIONAL]: checkPsNational,
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
  const key = normalizeSystem(system);
  return Object.hasOwn(TYPES, key) ? TYPES[key] : undefined;
}

/** Why `value` breaks its system's rule (never quoting it), or undefined (valid, or no known rule). */
export function checkIdentifierValue(system: string, value: string): string | undefined {
  const key = normalizeSystem(system);
  return Object.hasOwn(CHECKS, key) ? CHECKS[key]!(value) : undefined;
}
