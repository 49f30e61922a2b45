/**
 * Zod issues turned into problems an operator can act on: the setting's dotted path and a short text
 * ("smtp.port: must be ≤ 65535"), one problem per unknown key.
 */
import type { z } from 'zod';
import type { Problem } from '../errors/result.ts';

type PathKey = string | number | symbol;

/** A setting path in dotted form: smtp.port, smime.keys.0.cert, outbound.routes["hopital.example"].port. */
export function formatSettingPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    const text = String(key);
    if (typeof key === 'string' && !/^[A-Za-z0-9_$-]+$/.test(text)) out += `[${JSON.stringify(text)}]`;
    else out += out === '' ? text : `.${text}`;
  }
  return out;
}

/** What was found instead: short values shown, others by their JSON type. */
function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length <= 40 ? `the string ${JSON.stringify(value)}` : 'a string';
  return String(value);
}

const EXPECTED: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
  record: 'an object',
};

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathKey, unknown>)[key];
  }
  return cur;
}

function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${Number(n) === 1 ? '' : 's'}`;
}

function describeSize(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, big: boolean): string {
  const limit = big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum;
  const most = big ? 'at most' : 'at least';
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `must have ${most} ${limit} ${Number(limit) === 1 ? 'entry' : 'entries'}`;
    case 'string':
      return !big && Number(limit) === 1 ? 'must not be empty' : `must be ${most} ${plural(limit, 'character')} long`;
    default:
      if (issue.inclusive === false) return `must be ${big ? '<' : '>'} ${limit}`;
      return `must be ${big ? '≤' : '≥'} ${limit}`;
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = valueAt(input, issue.path);
      if (received === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeFound(received)}`;
    }
    case 'too_big':
      return describeSize(issue, true);
    case 'too_small':
      return describeSize(issue, false);
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_key':
      return `the key is refused: ${issue.issues.map((i) => describeIssue(i, undefined)).join('; ')}`;
    case 'invalid_element':
      return `an element is refused: ${issue.issues.map((i) => describeIssue(i, undefined)).join('; ')}`;
    case 'invalid_union':
      return 'matches none of the accepted forms';
    default:
      // invalid_format (our patterns carry their own message), custom (refinements)
      return issue.message;
  }
}

/** One problem per issue (per unknown key for unrecognized_keys), path in dotted form. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown, code = 'CONFIG_INVALID'): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ code, path: formatSettingPath([...issue.path, key]), message: 'unknown setting' });
    } else {
      problems.push({ code, path: formatSettingPath(issue.path), message: describeIssue(issue, input) });
    }
  }
  return problems;
}
