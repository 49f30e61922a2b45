import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.ts';
import { policyCheckCommand } from '../../src/cli/commands/policy-check.ts';
import { BIN, ROOT } from '../helpers/paths.ts';
import { runCommand } from '../helpers/run-command.ts';
import { FR, frRequest, FULL_CONSENT } from '../policy/policy-fixtures.ts';

const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TXGATE_')));
const base = mkdtempSync(join(tmpdir(), 'txgate-policy-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const ADMISSIBLE = JSON.stringify(frRequest());

/** The real binary: exit codes and streams as a shell sees them. */
function txgate(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'policy', 'check', ...args], { input, encoding: 'utf8', env: ENV });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(args: string[], input: Buffer | string): Promise<{ status: number; stdout: string }> {
  return runCommand(policyCheckCommand, args, input);
}

describe('txgate policy check', () => {
  it('prints the verdict (2-space JSON) and exits 0 when admitted, 1 when refused', () => {
    const ok = txgate(['--pack', 'fr-teleexpertise', '--at', '2026-01-10T09:00:00Z', '--quota-used', '3'], ADMISSIBLE);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^\{\n {2}"admitted": true,/);
    expect(JSON.parse(ok.stdout)).toMatchObject({ admitted: true, pack: { name: 'fr-teleexpertise' }, deadline: '2026-01-17', acts: [{ code: 'TE2' }, { code: 'RQD' }] });

    const refused = txgate(['--pack', 'fr-teleexpertise', '--at', '2026-01-10T09:00:00Z', '--quota-used', '4'], ADMISSIBLE);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ admitted: false, reasons: [{ code: 'POLICY_QUOTA_EXCEEDED', params: { limit: 4, window: 'calendar-year' } }] });
  });

  it('lists every failing reason of a refused request', async () => {
    const request = frRequest({ consent: { ...FULL_CONSENT, covers: {} }, priority: 'urgent' }, FR.cardiologist, FR.dermatologist);
    const r = await run(['--pack', 'fr-teleexpertise', '--at', '2026-01-10T09:00:00Z'], JSON.stringify(request));
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { reasons: { code: string }[] }).reasons.map((x) => x.code)).toEqual([
      'POLICY_CONSENT_INCOMPLETE',
      'POLICY_URGENT_NOT_ALLOWED',
      'POLICY_PAIR_NOT_ELIGIBLE',
    ]);
  });

  it('--at defaults to now: the TE2 tariff of today', async () => {
    const r = await run(['--pack', 'fr-teleexpertise'], JSON.stringify(frRequest({ consent: { ...FULL_CONSENT, date: undefined } })));
    const verdict = JSON.parse(r.stdout) as { acts: { code: string; amount: { value: number } }[] };
    expect(verdict.acts.find((a) => a.code === 'TE2')?.amount.value).toBe(new Date() >= new Date('2026-01-01T00:00:00+01:00') ? 23 : 20);
  });

  it('takes a pack file', async () => {
    const file = join(base, 'lenient.json');
    const fr = JSON.parse(readFileSync(join(ROOT, 'src/policy/packs/fr-teleexpertise.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...fr, name: 'lenient', urgency: { refuse: false } }));
    const r = await run(['--pack', file, '--at', '2026-01-10T09:00:00Z'], JSON.stringify(frRequest({ priority: 'urgent' })));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pack: { name: 'lenient' } });
  });

  it.each([
    ['bad JSON', 'fr-teleexpertise', '{"ids": {', 'REQUEST_INVALID', ''],
    ['a request failing the canonical schema', 'fr-teleexpertise', JSON.stringify({ ...frRequest(), priority: 'whenever' }), 'REQUEST_INVALID', 'priority'],
    ['an unknown field', 'fr-teleexpertise', JSON.stringify({ ...frRequest(), colour: 'blue' }), 'REQUEST_INVALID', 'colour'],
    ['an unknown pack', 'xx-nowhere', ADMISSIBLE, 'RULE_PACK_NOT_FOUND', 'xx-nowhere'],
  ])('exits 2 on %s, with the problems as JSON', async (_what, packName, input, code, path) => {
    const r = await run(['--pack', packName, '--at', '2026-01-10T09:00:00Z'], input);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, problems: expect.arrayContaining([expect.objectContaining({ code, path })]) });
  });

  it.each([
    [['--pack', 'fr-teleexpertise', '--at', 'yesterday']],
    [['--pack', 'fr-teleexpertise', '--quota-used', '-1']],
    [['--pack', 'fr-teleexpertise', '--quota-used', '2.5']],
  ])('a usage error for %j', async (args) => {
    await expect(run(args, ADMISSIBLE)).rejects.toBeInstanceOf(UsageError);
  });

  it('exits 2 without --pack (the real binary)', () => {
    const r = txgate([], ADMISSIBLE);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('missing required option --pack');
  });
});
