/**
 * Environment overrides of the configuration: TXGATE_ + the setting path in SCREAMING_SNAKE
 * (smtp.maxMessageBytes ← TXGATE_SMTP_MAX_MESSAGE_BYTES). Every object of the schema is a setting too
 * (TXGATE_SMTP='{"port":25}' replaces the whole section; deeper variables apply after it). Arrays and
 * per-domain maps are set whole, as JSON. A TXGATE_ variable that names no setting is a problem.
 */
import { z } from 'zod';
import type { Problem } from '../errors/result.ts';
import { ConfigObjectSchema } from './config-schema.ts';
import { formatSettingPath } from './issue-problems.ts';

export const ENV_PREFIX = 'TXGATE_';

/** TXGATE_ variables that are not settings: exact names, and prefixes. */
export const ENV_NOT_SETTINGS: { names: readonly string[]; prefixes: readonly string[] } = {
  names: ['TXGATE_CONFIG', 'TXGATE_DEBUG'],
  prefixes: ['TXGATE_BENCH_'],
};

export interface Setting {
  /** e.g. ['smtp', 'maxMessageBytes'] */
  path: string[];
  /** e.g. TXGATE_SMTP_MAX_MESSAGE_BYTES */
  envName: string;
  /** a string or an enum: the variable's text is taken as is unless it is a JSON string literal */
  text: boolean;
}

export type Env = Record<string, string | undefined>;

/** maxMessageBytes → MAX_MESSAGE_BYTES */
function toScreamingSnake(word: string): string {
  return word.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The environment variable of a setting path. */
export function envNameFor(path: readonly string[]): string {
  return ENV_PREFIX + path.map(toScreamingSnake).join('_');
}

function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

function collectSettings(schema: z.ZodType, path: string[], out: Setting[]): void {
  const inner = unwrapSchema(schema);
  if (path.length > 0) out.push({ path, envName: envNameFor(path), text: inner.def.type === 'string' || inner.def.type === 'enum' });
  if (inner instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) collectSettings(child, [...path, key], out);
  }
}

/** Every setting that an environment variable can set, sections first. */
export function listSettings(): Setting[] {
  const out: Setting[] = [];
  collectSettings(ConfigObjectSchema, [], out);
  return out;
}

const SETTINGS = listSettings();
const SETTING_BY_ENV = new Map<string, Setting>();
for (const s of SETTINGS) {
  const clash = SETTING_BY_ENV.get(s.envName);
  if (clash) throw new Error(`config settings ${clash.path.join('.')} and ${s.path.join('.')} share ${s.envName}`);
  SETTING_BY_ENV.set(s.envName, s);
}

function isExempt(name: string): boolean {
  return ENV_NOT_SETTINGS.names.includes(name) || ENV_NOT_SETTINGS.prefixes.some((p) => name.startsWith(p));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function suggestSetting(name: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const s of SETTINGS) {
    const d = editDistance(name, s.envName);
    if (!best || d < best.d) best = { name: s.envName, d };
  }
  return best && best.d <= 3 ? best.name : undefined;
}

/** JSON when the text parses as JSON, else the text itself; a text setting keeps its text unless it is a JSON string. */
function parseEnvValue(text: string, setting: Setting): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  return setting.text && typeof parsed !== 'string' ? text : parsed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of root with value at path, creating (or replacing non-object) sections on the way. */
function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return root;
  if (rest.length === 0) return { ...root, [head]: value };
  const child = root[head];
  return { ...root, [head]: setAt(isPlainObject(child) ? child : {}, rest, value) };
}

export interface EnvOverrides {
  /** the configuration with the overrides applied */
  config: Record<string, unknown>;
  /** unknown TXGATE_ variables */
  problems: Problem[];
  /** setting path (dotted) → the variable that set it */
  sources: Map<string, string>;
}

/** Applies the TXGATE_ variables of env to a parsed configuration object. */
export function applyEnvOverrides(config: Record<string, unknown>, env: Env): EnvOverrides {
  const problems: Problem[] = [];
  const found: { setting: Setting; value: string }[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || isExempt(name)) continue;
    const setting = SETTING_BY_ENV.get(name);
    if (setting) {
      found.push({ setting, value });
      continue;
    }
    const suggestion = suggestSetting(name);
    problems.push({ code: 'CONFIG_INVALID', path: name, message: `names no setting${suggestion ? ` (did you mean ${suggestion}?)` : ''}` });
  }
  // sections before their settings, so that TXGATE_SMTP_PORT wins over a port inside TXGATE_SMTP
  found.sort((a, b) => a.setting.path.length - b.setting.path.length || a.setting.envName.localeCompare(b.setting.envName));
  let out = config;
  const sources = new Map<string, string>();
  for (const { setting, value } of found) {
    out = setAt(out, setting.path, parseEnvValue(value, setting));
    sources.set(formatSettingPath(setting.path), setting.envName);
  }
  return { config: out, problems, sources };
}
