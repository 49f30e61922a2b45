import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsServer } from '../../src/ops/ops-server.ts';
import { claimPendingClaims, insertClaim, markClaimError, markClaimSubmitted } from '../../src/store/claims.ts';
import { storeInboundMessage } from '../../src/store/messages.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';

let server: OpsServer | undefined;
let db: Db | undefined;
afterEach(async () => {
  await server?.close();
  db?.close();
  server = undefined;
  db = undefined;
});

const NOW = new Date('2026-11-25T12:00:00Z');

async function start(o: { workersAlive?: boolean; notAfter?: Date; seed?: (db: Db) => void } = {}): Promise<string> {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), 'txgate-ops-')), 'txgate.db'));
  storeInboundMessage(db, {
    id: 'msg-1',
    channel: 'smtp',
    envelopeFrom: 'dr.martin@hopital-a.test',
    envelopeTo: ['gateway@txgate.localhost'],
    messageId: '<a@b>',
    dedupKey: 'k1',
    remoteAddress: '127.0.0.1',
    tls: true,
    clientCert: undefined,
    raw: Buffer.from('x'),
    state: 'accepted',
    at: NOW,
  });
  o.seed?.(db);
  const d = db;
  server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    db: d,
    now: () => NOW,
    workersAlive: () => o.workersAlive ?? true,
    certificates: () => [{ what: 'tls.cert', notAfter: o.notAfter ?? new Date('2030-01-01T00:00:00Z') }],
  });
  return `http://127.0.0.1:${server.port}`;
}

describe('the operator endpoint', () => {
  it('answers /healthz, /readyz (ready) and /metrics with the gauges filled from the database', async () => {
    const base = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('txgate_messages{state="accepted",code=""} 1');
    expect(metrics).toContain('txgate_outbox_pending 0');
    expect(metrics).toContain('txgate_certificate_not_after_seconds{certificate="tls.cert"} 1893456000');
    // no claim yet: every state and outcome at 0, nothing waiting
    for (const state of ['pending', 'submitted', 'error', 'invalid']) expect(metrics).toContain(`txgate_claims{state="${state}"} 0`);
    for (const outcome of ['complete', 'partial', 'queued', 'error']) expect(metrics).toContain(`txgate_claim_responses{outcome="${outcome}"} 0`);
    expect(metrics).toContain('txgate_claims_oldest_pending_seconds 0');
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('counts the claims to the insurer by state and by outcome, and gives the age of the oldest not yet submitted', async () => {
    const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
    const claim = (id: string, state: 'pending' | 'invalid', at: Date) =>
      insertClaim(db!, { id, request: 'req-1', actCode: 'TE2', idempotencyKey: `key-${id}`, bundle: { resourceType: 'Bundle' }, state, ...(state === 'invalid' ? { lastError: 'invalid' } : {}) }, at);
    const base = await start({
      seed: (d) => {
        claim('c-complete', 'pending', ago(600));
        claim('c-refused', 'pending', ago(600));
        claim('c-waiting-1', 'pending', ago(90));
        claim('c-waiting-2', 'pending', ago(30));
        claim('c-invalid', 'invalid', ago(10));
        // the two oldest sent: one taken (outcome complete), one refused by the insurer (outcome error)
        const taken = claimPendingClaims(d, ago(500), 60_000, 'worker', 10);
        expect(taken.map((c) => c.id).sort()).toEqual(['c-complete', 'c-refused']);
        markClaimSubmitted(d, 'c-complete', 'worker', { resourceType: 'ClaimResponse', outcome: 'complete' }, 'complete', ago(400));
        markClaimError(d, 'c-refused', 'worker', 'refused by the insurer', ago(400), { response: { resourceType: 'ClaimResponse', outcome: 'error' }, outcome: 'error' });
      },
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const values = (name: string) => metrics.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).sort();
    expect(values('txgate_claims')).toEqual(['txgate_claims{state="error"} 1', 'txgate_claims{state="invalid"} 1', 'txgate_claims{state="pending"} 2', 'txgate_claims{state="submitted"} 1']);
    expect(values('txgate_claim_responses')).toEqual([
      'txgate_claim_responses{outcome="complete"} 1',
      'txgate_claim_responses{outcome="error"} 1',
      'txgate_claim_responses{outcome="partial"} 0',
      'txgate_claim_responses{outcome="queued"} 0',
    ]);
    // the oldest pending claim was written 90 s before now (the two older ones left the queue)
    expect(values('txgate_claims_oldest_pending_seconds')).toEqual(['txgate_claims_oldest_pending_seconds 90']);
  });

  it.each([
    ['the workers have stopped', { workersAlive: false }, 'workers-alive'],
    ['a certificate expires within 30 days', { notAfter: new Date('2026-12-10T00:00:00Z') }, 'certificates-valid-30-days'],
  ])('is not ready (503) when %s, and says which check failed', async (_rule, o, check) => {
    const base = await start(o);
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(503);
    const body = (await r.json()) as { checks: { name: string; ok: boolean }[] };
    expect(body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([check]);
  });
});
