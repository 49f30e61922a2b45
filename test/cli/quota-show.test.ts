import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quotaShowCommand } from '../../src/cli/commands/quota-show.ts';
import { dayNumber } from '../../src/policy/local-date.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { takeQuotaPlace } from '../../src/store/quota.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { runCommand } from '../helpers/run-command.ts';

const INS = 'urn:oid:1.2.250.1.213.1.4.8';

function run(args: string[]): Promise<{ status: number; stdout: string }> {
  return runCommand(quotaShowCommand, args);
}

/** A configuration file and a database holding places for one patient: two in 2026, one in 2025. */
function setUp(): string {
  const { config, dir } = testGatewayConfig(1);
  const file = join(dir, 'txgate.json');
  writeFileSync(file, JSON.stringify(config));
  const db = openDatabase(config.database.path);
  // places only (their requests are not the point here)
  db.pragma('foreign_keys = OFF');
  const take = (request: string, day: string) =>
    db.transaction(() => takeQuotaPlace(db, { pack: 'fr-teleexpertise', key: `${INS}|284037512345640`, firstDay: 0, lastDay: 99_999, day: dayNumber(day), limit: 10, request }, new Date()))();
  take('req-a', '2025-12-31');
  take('req-b', '2026-01-01');
  take('req-c', '2026-06-30');
  db.close();
  return file;
}

describe('txgate quota show', () => {
  it("counts the patient's places in the calendar year of --at, with the ones of the year before left out", async () => {
    const file = setUp();
    const r = await run(['--config', file, '--patient', `${INS}|2 84 03 75 123 456 40`, '--at', '2026-11-25T10:00:00Z', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      pack: 'fr-teleexpertise',
      window: { kind: 'calendar-year', from: '2026-01-01', to: '2026-12-31' },
      limit: 4,
      used: 2,
      remaining: 2,
      requests: [
        { request: 'req-b', day: '2026-01-01' },
        { request: 'req-c', day: '2026-06-30' },
      ],
    });
    const text = await run(['--config', file, '--patient', `${INS}|284037512345640`, '--at', '2025-12-31T12:00:00Z']);
    expect(text.stdout).toMatch(/^fr-teleexpertise: 1 of 4 used, 3 remaining \(calendar-year 2025-01-01 – 2025-12-31\)\n {2}2025-12-31 {2}req-a\n$/);
  });

  it('says when the pack has no quota, and refuses a patient without a system (usage error)', async () => {
    const file = setUp();
    expect((await run(['--config', file, '--patient', `${INS}|1`, '--pack', 'vn-hub-spoke'])).stdout).toMatch(/has no quota|"quota":null/);
    await expect(run(['--config', file, '--patient', '284037512345640'])).rejects.toThrow(/SYSTEM\|VALUE/);
  });
});
