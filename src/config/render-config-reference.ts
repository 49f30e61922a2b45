/**
 * The configuration reference (docs/configuration.md, written by `npm run docs`), generated from the zod schema.
 *
 * It walks the JSON Schema that zod 4 makes of ConfigObjectSchema (`z.toJSONSchema(…, { io: 'input' })`, the same
 * view as schemas/config.schema.json: what a file may contain) rather than zod's internal `_zod.def`: the JSON
 * Schema is a stable, documented format, and every wrapper (default, optional, nullable) is already folded into
 * plain keywords. One table row per setting, nested objects included; settings inside list elements and per-domain
 * map entries get `[]` / `<domain>` in their path (they have no environment variable of their own: the list or map
 * is set whole). The output depends only on the schema, so it is deterministic.
 */
import { z } from 'zod';
import { ConfigObjectSchema } from './config-schema.ts';
import { envNameFor } from './env-overrides.ts';

/** The subset of JSON Schema that zod emits for the configuration. */
interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  default?: unknown;
  description?: string;
  title?: string;
}

/** One step of a setting path: an object key, any element of a list, or any entry of a map. */
type Segment = { kind: 'key'; name: string } | { kind: 'item' } | { kind: 'entry'; label: string };

/** One row of a table, each cell already Markdown. */
export interface ReferenceRow {
  setting: string;
  type: string;
  default: string;
  env: string;
  description: string;
}

interface Section {
  title: string;
  intro: string | undefined;
  rows: ReferenceRow[];
}

const COLUMNS = ['Setting', 'Type', 'Default', 'Environment variable', 'Description'] as const;

/** Default cell of a setting that must be given (when the object holding it is given). */
export const REQUIRED_MARK = '—';
/** Default cell of an optional setting without a default whose description says what it defaults to. */
export const DERIVED_MARK = 'derived';
/** Default cell of an optional setting without a default that is simply absent when left out. */
export const UNSET_MARK = 'not set';
/** Default cell of an object whose default is exactly the defaults of its own settings. */
export const OWN_DEFAULTS_MARK = "its settings' defaults";

// ---------------------------------------------------------------------------------------------------------------
// The schema

function configJsonSchema(): JsonSchema {
  return z.toJSONSchema(ConfigObjectSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
}

/** Follows local $refs (zod inlines reused schemas by default, but a schema with a meta id lands in $defs). */
function deref(node: JsonSchema, root: JsonSchema, seen: ReadonlySet<string> = new Set()): JsonSchema {
  if (node.$ref === undefined) return node;
  const ref = node.$ref;
  if (seen.has(ref)) throw new Error(`the configuration schema refers to itself through ${ref}`);
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const target = ref === '#' ? root : match ? root[match[1] as '$defs' | 'definitions']?.[decodeURIComponent(match[2]!)] : undefined;
  if (!target) throw new Error(`cannot follow ${ref} in the configuration schema`);
  // keywords beside the $ref (description, default) win over the target's
  const { $ref: _ref, ...beside } = node;
  return { ...deref(target, root, new Set([...seen, ref])), ...beside };
}

function alternatives(node: JsonSchema): JsonSchema[] | undefined {
  return node.anyOf ?? node.oneOf;
}

function isNullSchema(node: JsonSchema): boolean {
  return node.type === 'null' || (node.const === null && node.type === undefined);
}

function typeNames(node: JsonSchema): string[] {
  return node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
}

/** The one non-null alternative of a nullable schema (anyOf [X, null]), else the schema itself. */
function withoutNull(node: JsonSchema, root: JsonSchema): { base: JsonSchema; nullable: boolean } {
  const alts = alternatives(node);
  if (alts) {
    const others = alts.filter((a) => !isNullSchema(deref(a, root)));
    if (others.length === 1 && others.length < alts.length) return { base: deref(others[0]!, root), nullable: true };
  }
  const types = typeNames(node);
  if (types.length === 2 && types.includes('null')) return { base: { ...node, type: types.find((t) => t !== 'null')! }, nullable: true };
  return { base: node, nullable: false };
}

function isObjectWithProperties(node: JsonSchema): boolean {
  return node.properties !== undefined && (node.type === undefined || typeNames(node).includes('object'));
}

/** A map: an object whose keys are free (but for a pattern) and whose values share one schema. */
function mapValues(node: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  if (node.properties !== undefined || typeof node.additionalProperties !== 'object') return undefined;
  return deref(node.additionalProperties, root);
}

/**
 * What the keys of a map are called in paths and types: the key schema's title when it has one, "domain" when
 * its pattern accepts host names and refuses addresses, else "key".
 */
function mapKeyLabel(node: JsonSchema): string {
  const keys = node.propertyNames;
  if (keys?.title) return keys.title;
  if (keys?.pattern) {
    const pattern = new RegExp(keys.pattern);
    const hostNames = ['hopital.example', 'mssante.fr', 'localhost'];
    const notHostNames = ['gateway@hopital.example', 'two words', '-bad.example'];
    if (hostNames.every((k) => pattern.test(k)) && !notHostNames.some((k) => pattern.test(k))) return 'domain';
  }
  return 'key';
}

// ---------------------------------------------------------------------------------------------------------------
// Cells

function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Plain text made safe for a table cell: no line breaks, no column breaks, no HTML tags (`gateway@<domain>`). */
function cellText(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\\/g, '\\\\').replace(/</g, '\\<');
}

/** A cell's final form: a literal `|` would end the cell, even inside a code span. */
function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|');
}

function pluralOf(noun: string): string {
  if (/^(list|map|one) of /.test(noun) || noun.includes(' or ')) return `(${noun})`;
  if (/(s|x|ch|sh)$/.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

/** The Type cell: string, number, boolean, mail address, object, list of …, map of domain → …, one of `a`, `b`. */
function typeOf(node: JsonSchema, root: JsonSchema): string {
  const n = deref(node, root);
  if (n.enum !== undefined) return `one of ${n.enum.map((v) => codeSpan(typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
  if (n.const !== undefined) return codeSpan(JSON.stringify(n.const));
  const alts = alternatives(n);
  if (alts) return [...new Set(alts.map((a) => typeOf(a, root)))].join(' or ');
  const types = typeNames(n);
  if (types.length > 1) return types.map((t) => typeOf({ ...n, type: t }, root)).join(' or ');
  switch (types[0]) {
    case 'string':
      return n.format === 'email' ? 'mail address' : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return n.items ? `list of ${pluralOf(typeOf(n.items, root))}` : 'list';
    case 'object':
    case undefined: {
      const values = mapValues(n, root);
      if (values) return `map of ${mapKeyLabel(n)} → ${typeOf(values, root)}`;
      if (types[0] === 'object' || n.properties) return 'object';
      return 'any';
    }
    default:
      return types[0]!;
  }
}

/** JSON with object keys in order, for comparing defaults. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The object an object schema's settings make when each is left out (settings without a default are absent). */
function ownDefaults(node: JsonSchema, root: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const c = deref(child, root);
    if ('default' in c) out[key] = c.default;
  }
  return out;
}

/** The Default cell. */
function defaultOf(node: JsonSchema, base: JsonSchema, required: boolean, root: JsonSchema): string {
  if ('default' in node) {
    if (isObjectWithProperties(base) && stableJson(node.default) === stableJson(ownDefaults(base, root))) return OWN_DEFAULTS_MARK;
    return codeSpan(JSON.stringify(node.default));
  }
  if (required) return REQUIRED_MARK;
  return /\(default: /.test(node.description ?? '') ? DERIVED_MARK : UNSET_MARK;
}

function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (s.kind === 'item') out += '[]';
    else out += `${out === '' ? '' : '.'}${s.kind === 'key' ? s.name : `<${s.label}>`}`;
  }
  return out;
}

/** The keys of a path up to its first list element or map entry: the setting an environment variable sets whole. */
function settablePrefix(segments: readonly Segment[]): string[] {
  const keys: string[] = [];
  for (const s of segments) {
    if (s.kind !== 'key') break;
    keys.push(s.name);
  }
  return keys;
}

/** The Environment variable cell. */
function envOf(segments: readonly Segment[]): string {
  const prefix = settablePrefix(segments);
  if (prefix.length === segments.length) return codeSpan(envNameFor(prefix));
  return `${REQUIRED_MARK} (in ${codeSpan(envNameFor(prefix))})`;
}

// ---------------------------------------------------------------------------------------------------------------
// The walk

/**
 * The row of the setting at `segments` (when it is a setting: list elements and map entries are not), then the
 * rows of the settings inside it: an object's properties (nullable or not), a list's element properties, a map's
 * entry properties.
 */
function collectRows(node: JsonSchema, segments: Segment[], required: boolean, root: JsonSchema, rows: ReferenceRow[], description?: string): void {
  const n = deref(node, root);
  const { base } = withoutNull(n, root);
  const last = segments[segments.length - 1];
  if (last?.kind === 'key') {
    rows.push({
      setting: codeSpan(formatPath(segments)),
      type: typeOf(n, root),
      default: defaultOf(n, base, required, root),
      env: envOf(segments),
      description: description ?? cellText(n.description ?? ''),
    });
  }
  if (isObjectWithProperties(base)) {
    const requiredKeys = new Set(base.required ?? []);
    for (const [key, child] of Object.entries(base.properties!)) {
      collectRows(child, [...segments, { kind: 'key', name: key }], requiredKeys.has(key), root, rows);
    }
    return;
  }
  if (typeNames(base).includes('array') && base.items) {
    collectRows(base.items, [...segments, { kind: 'item' }], true, root, rows);
    return;
  }
  const values = mapValues(base, root);
  if (values) collectRows(values, [...segments, { kind: 'entry', label: mapKeyLabel(base) }], true, root, rows);
}

/** Top-level objects get a section each; consecutive top-level settings that are not objects share one. */
function buildSections(root: JsonSchema): Section[] {
  const sections: Section[] = [];
  let loose: { keys: string[]; rows: ReferenceRow[] } | undefined;
  const flushLoose = () => {
    if (!loose) return;
    sections.push({ title: loose.keys.map(codeSpan).join(', '), intro: undefined, rows: loose.rows });
    loose = undefined;
  };
  const requiredKeys = new Set(root.required ?? []);
  for (const [key, child] of Object.entries(root.properties ?? {})) {
    const node = deref(child, root);
    const rows: ReferenceRow[] = [];
    if (isObjectWithProperties(withoutNull(node, root).base)) {
      flushLoose();
      const whole = 'The whole section, as one JSON object; the variables of its settings apply after this one.';
      collectRows(node, [{ kind: 'key', name: key }], requiredKeys.has(key), root, rows, whole);
      sections.push({ title: codeSpan(key), intro: node.description, rows });
    } else {
      collectRows(node, [{ kind: 'key', name: key }], requiredKeys.has(key), root, rows);
      loose ??= { keys: [], rows: [] };
      loose.keys.push(key);
      loose.rows.push(...rows);
    }
  }
  flushLoose();
  return sections;
}

/** Every row of the reference, in order (for tests and tools). */
export function configReferenceRows(): ReferenceRow[] {
  return buildSections(configJsonSchema()).flatMap((s) => s.rows);
}

// ---------------------------------------------------------------------------------------------------------------
// The document

const INTRO = `# Configuration reference

<!-- Generated from src/config/config-schema.ts by \`npm run docs\` (scripts/export-docs.ts): do not edit by hand. -->

The txgate daemon reads one JSON file (\`txgate.json\` by convention), named with \`--config FILE\` or the
\`TXGATE_CONFIG\` environment variable. Relative paths in it are relative to the folder of that file. Every setting
has a default unless its Default says otherwise, so a file need hold only what differs: \`txgate init --dir DIR\`
writes a complete one (every setting with its default, and a development PKI to try it), and
\`txgate config check --config FILE\` checks a file (with the environment below) and prints the effective
configuration, or every problem at once. The JSON Schema of the file is \`schemas/config.schema.json\`.

Every setting can also come from an environment variable, which wins over the file: \`TXGATE_\` and the setting's
path in SCREAMING_SNAKE case (\`smtp.maxMessageBytes\` ← \`TXGATE_SMTP_MAX_MESSAGE_BYTES\`). The value of a string or
enum setting is taken as written; any other value is JSON (\`TXGATE_SMTP_PORT=2526\`,
\`TXGATE_TLS_CA='["extra-ca.pem"]'\`). Lists and maps are set whole, as JSON: the settings inside their elements
have no variable of their own. A variable naming an object (\`TXGATE_SMTP='{"port":25}'\`) replaces all of it, and
the variables of the settings inside apply after it. A \`TXGATE_\` variable that names no setting is reported as a
problem.

In the tables, Default is the value used when the setting is left out, as JSON, or: "${REQUIRED_MARK}", it must be given
(when the object holding it is); "${DERIVED_MARK}", computed as its description says; "${UNSET_MARK}", absent. In a path,
\`[]\` stands for every element of a list and \`<domain>\` for every entry of a per-domain map.
`;

function renderTable(rows: readonly ReferenceRow[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(COLUMNS), `|${COLUMNS.map(() => '---').join('|')}|`, ...rows.map((r) => line([r.setting, r.type, r.default, r.env, r.description]))].join('\n');
}

/** The Markdown configuration reference (final newline). */
export function renderConfigReference(): string {
  const parts = [INTRO];
  for (const section of buildSections(configJsonSchema())) {
    parts.push(`## ${section.title}\n`);
    if (section.intro) parts.push(`${cellText(section.intro)}\n`);
    parts.push(`${renderTable(section.rows)}\n`);
  }
  return parts.join('\n');
}
