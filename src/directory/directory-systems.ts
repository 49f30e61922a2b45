/**
 * The code and identifier systems the directory's imports write, and the short names the CSV accepts for them.
 */
import { IDENTIFIER_SYSTEMS } from '../domain/canonical-request.ts';
import { normalizeSystem } from '../domain/identifier-systems.ts';

/** ANS TRE_G15 (professions: 10 doctor, 50 midwife, 60 nurse…), as the rule packs name it. */
export const PROFESSION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
/** ANS TRE_R38 (ordinal specialties: SM04 cardiology, SM54 general medicine…), as the rule packs name it. */
export const SPECIALTY_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
/** SIRET of a site: no official URI was found; txgate's own, like the packs' urn:txgate:ngap. */
export const SIRET_SYSTEM = 'urn:txgate:siret';
/** The Annuaire Santé's technical id of a structure (Identifiant technique de la structure). */
export const ANNUAIRE_STRUCTURE_SYSTEM = 'urn:txgate:annuaire:structure';

/** Short identifier system names a CSV may write instead of a URI (case-insensitive). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  RPPS: IDENTIFIER_SYSTEMS.RPPS,
  ADELI: IDENTIFIER_SYSTEMS.ADELI,
  IDNPS: IDENTIFIER_SYSTEMS.PS_NATIONAL,
  FINESS: IDENTIFIER_SYSTEMS.FINESS,
  SIRET: SIRET_SYSTEM,
  CPF: IDENTIFIER_SYSTEMS.CPF,
  CNS: IDENTIFIER_SYSTEMS.CNS,
  NPI: IDENTIFIER_SYSTEMS.NPI,
};

/** A system as written in a CSV: a short name (RPPS, ADELI, IDNPS, FINESS, SIRET, CPF, CNS, NPI), an OID or a URI. */
export function systemOfName(name: string): string {
  const short = name.trim().toUpperCase();
  return Object.hasOwn(SHORT_NAMES, short) ? SHORT_NAMES[short]! : normalizeSystem(name);
}

/** MSSanté addresses are on a domain ending in mssante.fr (e.g. medecin.mssante.fr, or an operator's sub-domain). */
export function isMssanteAddress(address: string): boolean {
  return /^[^\s@]+@([a-z0-9-]+\.)*mssante\.fr$/i.test(address.trim());
}
