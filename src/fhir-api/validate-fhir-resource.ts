/**
 * A resource checked against the FHIR R4 definitions by FHIR.js (the `fhir` package, one instance made on first use):
 * every error (and fatal), and every "unexpected property" warning, as a problem with the given code. Pure.
 *
 * - Path: FHIR.js's location, which starts at the resource the message is about: "Task.status" also for a Task in
 *   a Bundle entry or contained in another resource (FHIR.js does not say which one).
 * - Message: FHIR.js quotes the value it refused ('Invalid date format for value "1961-…"', a reference as JSON);
 *   such values may be patient data, so the message keeps only the fixed part.
 * - Not a JSON object (a string would be parsed by FHIR.js as JSON or XML): one problem. FHIR.js throwing (it does
 *   on some shapes, e.g. a Bundle entry whose resource is null): one problem.
 */
import { Fhir } from 'fhir';
import type { Problem } from '../errors/result.ts';

let fhir: Fhir | undefined;

function validator(): Fhir {
  fhir ??= new Fhir();
  return fhir;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The path of a FHIR.js message: its location. A resource FHIR.js could not read at all (no or an unknown
 * resourceType) has none; FHIR.js then names it by its tree path in the resource holding it, which is used instead.
 */
function pathOf(location: string, resourceId: string | undefined): string {
  if (location !== '') return location;
  return resourceId !== undefined && /^[A-Z][A-Za-z]*[.[]/.test(resourceId) ? resourceId : '';
}

/** FHIR.js message templates whose variable part (a value sent) is cut off. */
const MESSAGE_RULES: { test: RegExp; text: (m: RegExpExecArray) => string }[] = [
  { test: /^Code "/, text: () => 'Code not found in the value set' },
  { test: /^Invalid format for boolean value/, text: () => 'Invalid format for a boolean value' },
  { test: /^Number type expected but string received/, text: () => 'Number type expected but string received' },
  { test: /^Invalid ([A-Za-z ]{1,30}) format for value/, text: (m) => `Invalid ${m[1]} format` },
  { test: /^Invalid type for reference/, text: () => 'Invalid type for reference' },
];

/** The fixed part of a FHIR.js message: never a value from the resource. */
function safeMessage(message: string | undefined): string {
  const m = message ?? '';
  for (const rule of MESSAGE_RULES) {
    const match = rule.test.exec(m);
    if (match) return rule.text(match);
  }
  if (m !== '' && m.length <= 200 && !/["'{}[\]]/.test(m)) return m;
  return 'Not valid against the FHIR R4 definitions';
}

/** Problems with `resource` against the R4 definitions (FHIR.js), each with `code`; [] when it is valid. */
export function validateFhirResource(resource: unknown, code = 'FHIR_INVALID_RESOURCE'): Problem[] {
  if (!isObject(resource)) return [{ code, path: '', message: 'A FHIR resource is a JSON object with a resourceType' }];
  let messages;
  try {
    messages = validator().validate(resource).messages ?? [];
  } catch {
    return [{ code, path: '', message: 'The resource could not be validated against the FHIR R4 definitions' }];
  }
  const problems: Problem[] = [];
  for (const m of messages) {
    const error = m.severity === 'error' || m.severity === 'fatal';
    const unexpected = m.severity === 'warning' && /unexpected property/i.test(m.message ?? '');
    if (!error && !unexpected) continue;
    problems.push({ code, path: pathOf(m.location ?? '', m.resourceId), message: safeMessage(m.message) });
  }
  return problems;
}
