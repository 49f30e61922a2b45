/**
 * Log fields with patient data taken out, at any depth, before anything is serialised: every member whose name
 * says patient data (in an object, however deeply nested, inside arrays too) becomes "[redacted]", whatever its value.
 * Errors keep their message only (no stack, no cause, no extra properties), and free text (an error's message, a
 * member named error, reason, detail…) loses what it quotes and its identifier-like numbers; bytes give their length.
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

/**
 * Members holding free text that a fault or a peer wrote (an exception's message, a reason, a detail): their text
 * is kept, but what it quotes and any run of digits long enough to be an identifier are masked, at any depth. Node's
 * own messages quote their input (`Unexpected token 'J', "Jean Dupont"... is not valid JSON`).
 */
const FREE_TEXT_KEY = /^(errors?|reason|detail|diagnostics|why|cause)$/i;

/**
 * A quoted piece ("…", “…”, «…», `…`, and '…' opened after no letter), 6 digits or more (single spaces inside, as a
 * NIR is written), or a CPF (123.456.789-09). Dotted numbers otherwise are kept: they are IP addresses and versions.
 */
const QUOTED_OR_NUMBER = /"[^"]*"?|“[^”]*”?|«[^»]*»?|`[^`]*`?|(?<![\p{L}\p{N}])'[^']*'?|\d{3}\.\d{3}\.\d{3}-\d{2}|\d(?: ?\d){5,}/gu;

/** Free text with what it quotes and its identifier-like numbers masked. */
export function maskFreeText(text: string): string {
  return text.replace(QUOTED_OR_NUMBER, REDACTED);
}

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

function redactMembers(entries: [string, unknown][], ancestors: object[], depth: number, freeText = false): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) out[k] = isPatientDataKey(k) ? REDACTED : redactValue(v, ancestors, depth, freeText || FREE_TEXT_KEY.test(k));
  return out;
}

function redactValue(value: unknown, ancestors: object[], depth: number, freeText: boolean): unknown {
  switch (typeof value) {
    case 'string':
      return freeText ? maskFreeText(value) : value;
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
  if (isError(obj)) return maskFreeText(String((obj as Error).message ?? ''));
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (obj instanceof ArrayBuffer || ArrayBuffer.isView(obj)) return `[${(obj as ArrayBuffer).byteLength} bytes]`;
  if (ancestors.includes(obj)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  const inner = [...ancestors, obj];
  if (Array.isArray(obj)) return obj.map((v) => redactValue(v, inner, depth + 1, freeText));
  if (obj instanceof Set) return [...obj].map((v) => redactValue(v, inner, depth + 1, freeText));
  if (obj instanceof Map) return redactMembers([...obj].map(([k, v]) => [String(k), v]), inner, depth + 1, freeText);
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redactValue(toJSON.call(obj), inner, depth + 1, freeText);
  return redactMembers(Object.entries(obj), inner, depth + 1, freeText);
}

function isError(v: object): boolean {
  return v instanceof Error || Object.prototype.toString.call(v) === '[object Error]';
}
