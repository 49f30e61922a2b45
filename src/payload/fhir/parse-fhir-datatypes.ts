/**
 * FHIR data types to canonical ones: Identifier, HumanName, CodeableConcept, ContactPoint, dates.
 */
import type { Coding, Identifier } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import { getObject, getObjects, getString, getStrings, type JsonObject } from './fhir-json.ts';
import { checkIdentifierValue, normalizeSystem, typeOfSystem } from '../../domain/identifier-systems.ts';

export interface HumanName {
  family?: string;
  given: string[];
  prefix: string[];
}

/** Titles written before a name in a Humanname.text (Dr, Pr, Prof, Mr, Mrs, Ms, Mme, M.). */
const TITLE = /^(dr|pr|prof|mr|mrs|ms|mme|mlle|m)\.?$/i;

export const FHIR_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
export const FHIR_DATE_TIME =
  /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d{1,9})?)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

/**
 * An Identifier with its system. Without a system, the assigner's display stands for it; an identifier with
 * neither says nothing and is left out. Values of known systems (INS/NIR, CNS, CPF, RPPS, ADELI) are checked:
 * FHIR_IDENTIFIER_INVALID.
 */
export function parseIdentifier(o: JsonObject, path: string, problems: Problem[]): Identifier | undefined {
  const value = getString(o, 'value');
  const rawSystem = getString(o, 'system');
  const assigner = getString(getObject(o, 'assigner'), 'display');
  if (value === undefined || (rawSystem === undefined && assigner === undefined)) return undefined;
  const system = rawSystem === undefined ? assigner! : normalizeSystem(rawSystem);
  const invalid = rawSystem === undefined ? undefined : checkIdentifierValue(system, value);
  if (invalid) problems.push({ code: 'FHIR_IDENTIFIER_INVALID', path: `${path}.value`, message: invalid });
  const type = typeOfSystem(system) ?? firstCoding(getObject(o, 'type'))?.code;
  return { system, value, ...(type ? { type } : {}), ...(rawSystem !== undefined && assigner ? { assigner } : {}) };
}

export function parseIdentifiers(o: JsonObject, key: string, path: string, problems: Problem[]): Identifier[] {
  return getObjects(o, key).flatMap(({ value, index }) => parseIdentifier(value, `${path}.${key}[${index}]`, problems) ?? []);
}

/** Names in the order given, the `official` one first. A name with only `text` is split: last word family. */
export function parseHumanNames(o: JsonObject, key = 'name'): HumanName[] {
  const names = getObjects(o, key).map(({ value }) => value);
  names.sort((a, b) => Number(getString(b, 'use') === 'official') - Number(getString(a, 'use') === 'official'));
  return names.flatMap((n) => {
    const family = getString(n, 'family');
    const given = getStrings(n, 'given');
    const prefix = getStrings(n, 'prefix');
    if (family === undefined && given.length === 0) {
      const words = (getString(n, 'text') ?? '').split(/\s+/).filter(Boolean);
      const titles: string[] = [];
      while (words.length > 1 && TITLE.test(words[0]!)) titles.push(words.shift()!);
      const last = words.pop();
      if (last === undefined) return [];
      return [{ family: last, given: words, prefix: [...prefix, ...titles] }];
    }
    return [{ ...(family ? { family } : {}), given, prefix }];
  });
}

/** The codings of a CodeableConcept that have a system and a code. */
export function parseCodings(concept: JsonObject | undefined): Coding[] {
  return getObjects(concept, 'coding').flatMap(({ value }) => parseCoding(value) ?? []);
}

export function parseCoding(c: JsonObject | undefined): Coding | undefined {
  const system = getString(c, 'system');
  const code = getString(c, 'code');
  const display = getString(c, 'display');
  if (system === undefined || code === undefined) return undefined;
  return { system: normalizeSystem(system), code, ...(display ? { display } : {}) };
}

export function firstCoding(concept: JsonObject | undefined): Coding | undefined {
  return parseCodings(concept)[0];
}

/** The first e-mail address of a telecom list (a mailto: prefix dropped). */
export function parseEmail(o: JsonObject | undefined): string | undefined {
  for (const { value } of getObjects(o, 'telecom')) {
    if (getString(value, 'system') !== 'email') continue;
    const v = getString(value, 'value');
    if (v) return v.replace(/^mailto:/i, '');
  }
  return undefined;
}
