import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpinionClaims } from '../../src/billing/build-opinion-claims.ts';
import { newId } from '../../src/pipeline/new-id.ts';
import { insertClaim } from '../../src/store/claims.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { runTxgate } from '../helpers/run-txgate.ts';
import { EXPERT, FRENCH_REQUEST, frenchActs, INSURER } from '../billing/french-request.ts';

function dbWithClaims(): { path: string; ids: string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'txgate-cli-claims-')), 'txgate.db');
  const db = openDatabase(path);
  const claims = buildOpinionClaims({ requestId: 'req-cli', request: FRENCH_REQUEST, requestedAt: new Date(), acts: frenchActs('2026-02-02'), expert: EXPERT, insurer: INSURER, at: new Date(), timeZone: 'Europe/Paris', newId: (p) => newId(p) });
  for (const c of claims) insertClaim(db, c, new Date());
  db.prepare("UPDATE claims SET state = 'error', last_error = 'BILLING_REFUSED: HTTP 400' WHERE act_code = 'TE2'").run();
  db.close();
  return { path, ids: claims.map((c) => c.id) };
}

describe('txgate claims', () => {
  it('list --status filters, show prints the bundle, resend puts an error back to pending and refuses a pending one', async () => {
    const { path, ids } = dbWithClaims();
    const errors = await runTxgate(['claims', 'list', '--status', 'error', '--db', path, '--json']);
    expect(errors.status).toBe(0);
    expect(errors.stdout.trim().split('\n').map((l) => JSON.parse(l) as { act: string; state: string })).toMatchObject([{ act: 'TE2', state: 'error' }]);
    const show = await runTxgate(['claims', 'show', ids[0]!, '--db', path, '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: ids[0], identifier: 'req-cli/TE2', bundle: { resourceType: 'Bundle', type: 'collection' }, response: null });
    expect((await runTxgate(['claims', 'resend', ids[1]!, '--db', path])).status).toBe(1);
    const resent = await runTxgate(['claims', 'resend', ids[0]!, '--db', path]);
    expect(resent.status, resent.stderr).toBe(0);
    const all = await runTxgate(['claims', 'list', '--db', path, '--json']);
    expect(all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { state: string }).state)).toEqual(['pending', 'pending']);
    expect((await runTxgate(['claims', 'list', '--status', 'nope', '--db', path])).status).toBe(2);
    expect((await runTxgate(['claims', 'show', 'clm-none', '--db', path])).status).toBe(1);
  }, 30_000);
});
