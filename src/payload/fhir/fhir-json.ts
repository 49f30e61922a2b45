/**
 * Typed reading of parsed FHIR JSON: every accessor checks the JSON type and answers undefined (or an empty list)
 * for anything else, so that a damaged resource gives problems, never exceptions.
 */
export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string (trimmed), or undefined. */
export function getString(o: JsonObject | undefined, key: string): string | undefined {
  const v = o?.[key];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

export function getBoolean(o: JsonObject | undefined, key: string): boolean | undefined {
  const v = o?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function getNumber(o: JsonObject | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function getObject(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

/** The objects of an array element with their index (items that are not objects are skipped). */
export function getObjects(o: JsonObject | undefined, key: string): Array<{ value: JsonObject; index: number }> {
  const v = o?.[key];
  if (!Array.isArray(v)) return [];
  const out: Array<{ value: JsonObject; index: number }> = [];
  v.forEach((item, index) => {
    if (isObject(item)) out.push({ value: item, index });
  });
  return out;
}

/** The non-empty strings of an array element. */
export function getStrings(o: JsonObject | undefined, key: string): string[] {
  const v = o?.[key];
  if (!Array.isArray(v)) return [];
  return v.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
}
