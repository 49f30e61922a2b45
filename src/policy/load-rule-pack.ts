/**
 * Rule packs from data: the shipped ones (src/policy/packs/NAME.json) by name, or an operator's JSON file by path.
 * Every problem is listed with its path in the pack (RULE_PACK_INVALID), or RULE_PACK_NOT_FOUND.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { problemsFromIssues } from '../config/issue-problems.ts';
import { parseJsonText } from '../config/parse-json-text.ts';
import { fail, ok, type Result } from '../errors/result.ts';
import { RulePackSchema, type RulePack } from './rule-pack-schema.ts';

export const SHIPPED_PACKS: readonly string[] = ['fr-teleexpertise', 'br-telessaude', 'ru-federal-centres', 'vn-hub-spoke', 'generic'];

const PACKS_DIR = fileURLToPath(new URL('./packs/', import.meta.url));

/** Validates a pack (already parsed JSON); pure. */
export function parseRulePack(json: unknown): Result<RulePack> {
  const parsed = RulePackSchema.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  return fail(...problemsFromIssues(parsed.error.issues, json, 'RULE_PACK_INVALID').map((p) => (p.message === 'unknown setting' ? { ...p, message: 'unknown field' } : p)));
}

/** A shipped pack by name (fr-teleexpertise…) or a pack file by path. */
export function loadRulePack(nameOrPath: string): Result<RulePack> {
  const shipped = SHIPPED_PACKS.includes(nameOrPath);
  if (!shipped && !/[/\\]|\.json$/i.test(nameOrPath)) {
    return fail({ code: 'RULE_PACK_NOT_FOUND', path: nameOrPath, message: `no shipped pack of that name (${SHIPPED_PACKS.join(', ')}); give a file path for your own` });
  }
  const file = shipped ? `${PACKS_DIR}${nameOrPath}.json` : nameOrPath;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail({ code: 'RULE_PACK_NOT_FOUND', path: nameOrPath, message: `cannot read the pack file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
  }
  const json = parseJsonText(text);
  if (!json.ok) return fail(...json.problems.map((p) => ({ ...p, code: 'RULE_PACK_INVALID' })));
  return parseRulePack(json.value);
}
