/** The subject of the request: a Patient resource (or a logical reference by identifier) to the canonical patient. */
import type { Patient } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import { getString } from './fhir-json.ts';
import { FHIR_DATE, parseHumanNames, parseIdentifiers } from './parse-fhir-datatypes.ts';
import type { IndexedResource } from './index-bundle.ts';

const SEXES = ['male', 'female', 'other', 'unknown'] as const;

export function parsePatientResource(target: IndexedResource, problems: Problem[]): Patient {
  const p = target.resource;
  const identifiers = parseIdentifiers(p, 'identifier', target.path, problems);
  const names = parseHumanNames(p);
  const birthDate = getString(p, 'birthDate');
  const gender = getString(p, 'gender');
  if (birthDate !== undefined && !FHIR_DATE.test(birthDate)) {
    problems.push({ code: 'FHIR_INVALID', path: `${target.path}.birthDate`, message: 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)' });
  }
  const sex = SEXES.find((s) => s === gender);
  if (gender !== undefined && sex === undefined) {
    problems.push({ code: 'FHIR_INVALID', path: `${target.path}.gender`, message: 'gender must be male, female, other or unknown' });
  }
  if (identifiers.length === 0 && names.length === 0) {
    problems.push({ code: 'FHIR_MISSING', path: `${target.path}.identifier`, message: 'the patient has neither an identifier nor a name' });
  }
  return {
    identifiers,
    names,
    ...(birthDate !== undefined && FHIR_DATE.test(birthDate) ? { birthDate } : {}),
    ...(sex ? { sex } : {}),
  };
}
