import { problemsFromIssues } from '../../config/issue-problems.ts';
import { parseJsonText } from '../../config/parse-json-text.ts';
import { CanonicalRequestSchema } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import { decideRequest } from '../../policy/decide-request.ts';
import { loadRulePack, SHIPPED_PACKS } from '../../policy/load-rule-pack.ts';
import { readAll, str, UsageError, type Command } from '../command.ts';

/** the largest canonical request read */
const MAX_INPUT_BYTES = 10 * 1024 * 1024;

function printProblems(out: NodeJS.WritableStream, problems: Problem[]): number {
  out.write(`${JSON.stringify({ ok: false, problems: problems.map(({ code, path, message }) => ({ code, path, message })) })}\n`);
  return 2;
}

function parseAt(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const at = /^\d{4}-\d{2}-\d{2}(T.+)?$/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--at must be an ISO 8601 date or date-time, got '${text}'`);
  return at;
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--quota-used must be a whole number ≥ 0, got '${text}'`);
  return Number(text);
}

export const policyCheckCommand: Command = {
  path: ['policy', 'check'],
  summary: 'decide a canonical request (standard input) under a rule pack and print the verdict',
  details: `Reads a canonical request (JSON, as \`txgate payload parse\` prints it) and prints the verdict (JSON):
admitted, every failing reason with its code, the answer deadline, the billable acts with their tariff on the
request date, the quota place the request takes (--at with a date alone is midnight UTC). The pack is a shipped one (${SHIPPED_PACKS.join(', ')}) or a
JSON pack file. The profession and specialty must be in the request (the directory is not read here).
Exit 0: admitted. Exit 1: refused. Exit 2: a usage error, an unreadable pack, or input that is not a valid
canonical request ({"ok":false,"problems":[{"code","path","message"}]} on standard output).`,
  options: {
    pack: { type: 'string', value: 'NAME|FILE', description: 'the rule pack', required: true },
    at: { type: 'string', value: 'ISO-8601', description: 'when the request was received (default: now)' },
    'quota-used': { type: 'string', value: 'N', description: "places already taken in the request's quota window (default 0)" },
  },
  async run(values, _positionals, io) {
    const at = parseAt(str(values, 'at'));
    const quotaUsed = parseCount(str(values, 'quota-used'));
    const pack = loadRulePack(str(values, 'pack')!);
    if (!pack.ok) return printProblems(io.stdout, pack.problems);

    const bytes = await readAll(io.stdin);
    if (bytes.length > MAX_INPUT_BYTES) return printProblems(io.stdout, [{ code: 'REQUEST_TOO_LARGE', path: '', message: `over ${MAX_INPUT_BYTES} bytes` }]);
    const json = parseJsonText(bytes.toString('utf8'));
    if (!json.ok) return printProblems(io.stdout, json.problems.map((p) => ({ ...p, code: 'REQUEST_INVALID' })));
    const request = CanonicalRequestSchema.safeParse(json.value);
    if (!request.success) {
      const problems = problemsFromIssues(request.error.issues, json.value, 'REQUEST_INVALID').map((p) => (p.message === 'unknown setting' ? { ...p, message: 'unknown field' } : p));
      return printProblems(io.stdout, problems);
    }

    const verdict = decideRequest(request.data, pack.value, { at, quotaUsed });
    io.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
    return verdict.admitted ? 0 : 1;
  },
};
