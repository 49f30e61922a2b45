import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsServer } from '../../src/ops/ops-server.ts';
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

async function start(o: { workersAlive?: boolean; notAfter?: Date } = {}): Promise<string> {
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
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
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
