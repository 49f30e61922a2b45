/**
 * Log fields with patient data taken out, at any depth, before anything is serialised: every member whose name
 * says patient data (in an object, however deeply nested, inside arrays too) becomes "[redacted]", whatever its value.
 * Errors keep their message only (no stack, no cause, no extra properties); bytes give their length only.
 * The result is plain data (null-prototype objects, arrays, strings, numbers, booleans, null).
 */
export const REDACTED = '[redacted]';

/**
 * Names of members holding patient data (whole name, case-insensitive): the patient and its FHIR/HL7 parts
 * (name, given, family, birth…, identifier, telecom, phone, address, narrative text), national identifiers
 * (INS, NIR, CNS, CPF, SNILS, MRN) and free text that may quote them (subject, content, body, question).
 * `address` is redacted whatever its value: the gateway logs practitioners' secure mail addresses and socket
 * addresses under other names (requester, expert, client, host, baseUrl), never under `address`.
 */
const PATIENT_DATA_KEY =
  /^(patient.*|names?|given|family|birth.*|identifiers?|ins|nir|cns|cpf|snils|mrn|telecom|phones?|address(es)?|text|div|subject|content|body|question)$/i;

/** Deeper than this, a value is cut (a log line is not a dump). */
const MAX_DEPTH = 32;

/** Whether a member of this name holds patient data (and is therefore redacted). */
export function isPatientDataKey(key: string): boolean {
  return PATIENT_DATA_KEY.test(key);
}

/** The fields with every member named like patient data redacted, at any depth. */
export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  return redactMembers(Object.entries(fields), [fields], 1);
}

function redactMembers(entries: [string, unknown][], ancestors: object[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) out[k] = isPatientDataKey(k) ? REDACTED : redactValue(v, ancestors, depth);
  return out;
}

function redactValue(value: unknown, ancestors: object[], depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (isError(obj)) return String((obj as Error).message ?? '');
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (obj instanceof ArrayBuffer || ArrayBuffer.isView(obj)) return `[${(obj as ArrayBuffer).byteLength} bytes]`;
  if (ancestors.includes(obj)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  const inner = [...ancestors, obj];
  if (Array.isArray(obj)) return obj.map((v) => redactValue(v, inner, depth + 1));
  if (obj instanceof Set) return [...obj].map((v) => redactValue(v, inner, depth + 1));
  if (obj instanceof Map) return redactMembers([...obj].map(([k, v]) => [String(k), v]), inner, depth + 1);
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redactValue(toJSON.call(obj), inner, depth + 1);
  return redactMembers(Object.entries(obj), inner, depth + 1);
}

function isError(v: object): boolean {
  return v instanceof Error || Object.prototype.toString.call(v) === '[object Error]';
}
