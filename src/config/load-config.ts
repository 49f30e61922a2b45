/**
 * Loads the daemon's configuration: the JSON file, the TXGATE_ environment overrides, the schema, and the files
 * it names. Every problem is reported at once, each with the setting it concerns.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadRulePack } from '../policy/load-rule-pack.ts';
import { fail, ok, type Problem, type Result } from '../errors/result.ts';
import { checkConfigFiles, listConfigFiles, resolveConfigPaths, type FileSections } from './config-files.ts';
import { ConfigObjectSchema, ConfigSchema, type Config } from './config-schema.ts';
import { applyEnvOverrides, type Env } from './env-overrides.ts';
import { problemsFromIssues } from './issue-problems.ts';
import { parseJsonText } from './parse-json-text.ts';

/** The configuration with every path absolute, and where it came from. */
export type LoadedConfig = Config & {
  /** the configuration file, absolute */
  configFile: string;
  /** its folder: relative paths were resolved against it */
  baseDir: string;
};

/** The variable naming the configuration file when no --config is given. */
export const CONFIG_ENV = 'TXGATE_CONFIG';

/** The configuration file to use: the --config option, else TXGATE_CONFIG, else none. */
export function selectConfigFile(option: string | undefined, env: Env = process.env): string | undefined {
  return option ?? (env[CONFIG_ENV] || undefined);
}

function readConfigText(file: string): Result<string> {
  try {
    return ok(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file} (${code ?? (err as Error).message})`;
    return fail({ code: 'CONFIG_FILE_MISSING', path: '', message });
  }
}

/** The file sections that validate on their own, so that their files are checked even when other settings are wrong. */
function validSections(input: Record<string, unknown>): FileSections {
  const shape = ConfigObjectSchema.shape;
  const sections: FileSections = {};
  const tls = shape.tls.safeParse(input.tls);
  if (tls.success) sections.tls = tls.data;
  const smime = shape.smime.safeParse(input.smime);
  if (smime.success) sections.smime = smime.data;
  const outbound = shape.outbound.safeParse(input.outbound);
  if (outbound.success) sections.outbound = outbound.data;
  const billing = shape.billing.safeParse(input.billing);
  if (billing.success) sections.billing = billing.data;
  return sections;
}

/**
 * The problems of domain, addresses and gatewayAddress on their own. The full parse skips the address checks when
 * another setting stopped it early (a non-integer number does), and every problem must be listed at once.
 */
function addressProblems(input: Record<string, unknown>): Problem[] {
  const result = ConfigSchema.safeParse({ domain: input.domain, addresses: input.addresses, gatewayAddress: input.gatewayAddress });
  return result.success ? [] : problemsFromIssues(result.error.issues, input);
}

function mergeProblems(first: Problem[], more: Problem[]): Problem[] {
  const seen = new Set(first.map((p) => `${p.path}\n${p.message}`));
  return [...first, ...more.filter((p) => !seen.has(`${p.path}\n${p.message}`))];
}

/** Says which variable set a setting whose value is refused. */
function noteSources(problems: Problem[], sources: Map<string, string>): Problem[] {
  return problems.map((p) => {
    for (const [setting, envName] of sources) {
      if (p.path === setting || p.path.startsWith(`${setting}.`) || p.path.startsWith(`${setting}[`)) {
        return { ...p, message: `${p.message} (set by ${envName})` };
      }
    }
    return p;
  });
}

/**
 * Loads and checks the configuration file `file` with the TXGATE_ overrides of `env`.
 * Problems: CONFIG_FILE_MISSING (the file, or a file it names), CONFIG_INVALID (JSON syntax, a setting, an unknown
 * setting or TXGATE_ variable).
 */
export function loadConfig(file: string, env: Env = process.env): Result<LoadedConfig> {
  const configFile = resolve(file);
  const baseDir = dirname(configFile);
  const text = readConfigText(configFile);
  if (!text.ok) return text;
  const parsed = parseJsonText(text.value);
  if (!parsed.ok) return parsed;
  const json = parsed.value;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail({ code: 'CONFIG_INVALID', path: '', message: `must be a JSON object, not ${Array.isArray(json) ? 'an array' : json === null ? 'null' : `a ${typeof json}`}` });
  }
  const overridden = applyEnvOverrides(json as Record<string, unknown>, env);
  const input = overridden.config;
  const result = ConfigSchema.safeParse(input);
  const problems = [...overridden.problems];
  if (!result.success) {
    const schemaProblems = mergeProblems(problemsFromIssues(result.error.issues, input), addressProblems(input));
    problems.push(...noteSources(schemaProblems, overridden.sources));
  }
  const sections = result.success ? result.data : validSections(input);
  problems.push(...checkConfigFiles(listConfigFiles(sections), baseDir));
  if (problems.length > 0 || !result.success) return fail(...problems);
  const resolved = resolveConfigPaths(result.data, baseDir);
  // the rule pack: a shipped one or a file, which must be a valid pack
  const pack = loadRulePack(resolved.policy.pack);
  if (!pack.ok) {
    return fail(
      ...pack.problems.map((p) => ({
        code: p.code === 'RULE_PACK_NOT_FOUND' ? 'CONFIG_FILE_MISSING' : 'CONFIG_INVALID',
        path: 'policy.pack',
        message: `${p.path ? `${p.path}: ` : ''}${p.message}`,
      })),
    );
  }
  return ok({ ...resolved, configFile, baseDir });
}

/** One line per problem: `config smtp.port: must be ≤ 65535`. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `config${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('\n');
}
