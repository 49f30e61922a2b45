/**
 * What an operator's tools watch, on its own port (loopback by default): `/healthz` (the process answers),
 * `/readyz` (the database takes a write, the workers run, no certificate of the gateway expires within 30 days:
 * 503 with the reasons otherwise) and `/metrics` for Prometheus (prom-client): messages by state and code,
 * requests by state, deadlines at risk, the outbox's depth and age, claims to the insurer by state and by the
 * insurer's outcome with the age of the oldest not yet submitted, certificate expiry dates. Read only.
 */
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { Db } from '../store/open-database.ts';
import { countClaims, countMessagesByCode, probeWritable } from '../store/ops-counts.ts';
import { readStatusSummary } from '../store/status-summary.ts';

const DAY_MS = 86_400_000;

export interface OpsOptions {
  host: string;
  port: number;
  db: Db;
  now: () => Date;
  /** whether the pipeline and delivery workers run */
  workersAlive: () => boolean;
  /** the gateway's own certificates (S/MIME keys, TLS, anchors) with their expiry */
  certificates: () => { what: string; notAfter: Date }[];
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export interface Readiness {
  ready: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
}

export function checkReadiness(o: Pick<OpsOptions, 'db' | 'now' | 'workersAlive' | 'certificates'>): Readiness {
  const soon = o.now().getTime() + 30 * DAY_MS;
  const expiring = o.certificates().filter((c) => c.notAfter.getTime() < soon);
  const checks = [
    { name: 'database-writable', ok: probeWritable(o.db) },
    { name: 'workers-alive', ok: o.workersAlive() },
    { name: 'certificates-valid-30-days', ok: expiring.length === 0, ...(expiring.length ? { detail: expiring.map((c) => `${c.what} ${c.notAfter.toISOString()}`).join('; ') } : {}) },
  ];
  return { ready: checks.every((c) => c.ok), checks };
}

/** The metrics registry, its gauges filled from the database at each scrape. */
export function buildMetrics(o: Pick<OpsOptions, 'db' | 'now' | 'certificates'>): Registry {
  const registry = new Registry();
  const g = <L extends string>(name: string, help: string, labelNames: L[], collect: (gauge: Gauge<L>) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  g('txgate_messages', 'Messages by state and refusal code', ['state', 'code'], (gauge) => {
    for (const r of countMessagesByCode(o.db)) gauge.set({ state: r.state, code: r.code }, r.n);
  });
  const summary = () => {
    const now = o.now();
    return readStatusSummary(o.db, { now, riskBefore: new Date(now.getTime() + DAY_MS), certificatesBefore: new Date(now.getTime() + 30 * DAY_MS), limit: 10_000 });
  };
  g('txgate_requests', 'Requests by state', ['state'], (gauge) => {
    for (const [state, n] of Object.entries(summary().requests)) gauge.set({ state }, n);
  });
  g('txgate_deadlines_at_risk', 'Assigned requests whose answer is due within a day (or overdue)', [], (gauge) => gauge.set(summary().deadlinesAtRisk.length));
  g('txgate_outbox_pending', 'Outgoing messages not yet delivered', [], (gauge) => gauge.set(summary().outbox.pending));
  g('txgate_outbox_failed', 'Outgoing messages given up', [], (gauge) => gauge.set(summary().outbox.failed));
  g('txgate_outbox_oldest_pending_seconds', 'Age of the oldest outgoing message not yet delivered', [], (gauge) => {
    const oldest = summary().outbox.oldestPendingAt;
    gauge.set(oldest ? (o.now().getTime() - oldest.getTime()) / 1000 : 0);
  });
  g('txgate_claims', 'Claims to the insurer by state (pending, submitted, error, invalid)', ['state'], (gauge) => {
    for (const r of countClaims(o.db).byState) gauge.set({ state: r.state }, r.n);
  });
  g('txgate_claim_responses', "Claims by the outcome of the insurer's ClaimResponse (complete, partial, queued, error)", ['outcome'], (gauge) => {
    for (const r of countClaims(o.db).byOutcome) gauge.set({ outcome: r.outcome }, r.n);
  });
  g('txgate_claims_oldest_pending_seconds', 'Age of the oldest claim not yet submitted to the insurer (state pending)', [], (gauge) => {
    const oldest = countClaims(o.db).oldestPendingAt;
    gauge.set(oldest ? Math.max(0, (o.now().getTime() - oldest.getTime()) / 1000) : 0);
  });
  g('txgate_certificate_not_after_seconds', "Expiry of the gateway's certificates (Unix time)", ['certificate'], (gauge) => {
    for (const c of o.certificates()) gauge.set({ certificate: c.what }, Math.floor(c.notAfter.getTime() / 1000));
  });
  return registry;
}

export async function startOpsServer(o: OpsOptions): Promise<OpsServer> {
  const registry = buildMetrics(o);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      const r = checkReadiness(o);
      return send(r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r)}\n`);
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (err: Error) => send(500, 'text/plain', `metrics failed: ${err.message}\n`),
      );
      return;
    }
    send(404, 'text/plain', 'not found\n');
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      const a = server.address();
      if (a === null || typeof a === 'string') reject(new Error('no TCP address'));
      else resolve(a.port);
    });
  });
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
