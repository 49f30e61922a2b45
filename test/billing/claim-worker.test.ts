/**
 * The claim worker against the development insurer (a real FHIR server on loopback): each claim held once by its
 * identifier whatever fails on the way (the insurer down then up, a 500 once, a resend of a claim already held),
 * in $submit and transaction modes, over mutual TLS; an invalid bundle held and never sent.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOpinionClaims } from '../../src/billing/build-opinion-claims.ts';
import { startClaimWorker, type ClaimWorkerOptions } from '../../src/billing/claim-worker.ts';
import { startDevInsurer, type DevInsurer } from '../../src/billing/dev-insurer.ts';
import { createInsurerDispatcher } from '../../src/billing/insurer-dispatcher.ts';
import { createLogger, silentLogger } from '../../src/log/logger.ts';
import { newId } from '../../src/pipeline/new-id.ts';
import { getClaim, insertClaim, listClaims, resendClaim } from '../../src/store/claims.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';
import { CERTS } from '../helpers/paths.ts';
import { EXPERT, FRENCH_REQUEST, frenchActs, INSURER } from './french-request.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function freshDb(): Db {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'txgate-claims-')), 'txgate.db'));
  closers.push(async () => {
    db.close();
  });
  return db;
}

/** The two claims (TE2, RQD) of a French request, stored pending. */
function storeClaims(db: Db, requestId = 'req-1'): string[] {
  const claims = buildOpinionClaims({ requestId, request: FRENCH_REQUEST, requestedAt: new Date('2026-02-02T08:00:00Z'), acts: frenchActs('2026-02-02'), expert: EXPERT, insurer: INSURER, at: new Date('2026-02-03T10:00:00Z'), timeZone: 'Europe/Paris', newId: (p) => newId(p) });
  for (const c of claims) insertClaim(db, c, new Date());
  return claims.map((c) => c.id);
}

function worker(db: Db, url: string, extra: Partial<ClaimWorkerOptions> = {}) {
  const w = startClaimWorker({
    db,
    insurer: { baseUrl: url, mode: 'submit', timeoutMs: 2000 },
    retry: { initialDelayMs: 20, maxDelayMs: 50, giveUpAfterMs: 60_000 },
    concurrency: 2,
    leaseMs: 10_000,
    pollMs: 10,
    owner: 'test',
    now: () => new Date(),
    log: silentLogger,
    ...extra,
  });
  closers.push(() => w.stop());
  return w;
}

async function insurer(opts: Parameters<typeof startDevInsurer>[0] = {}): Promise<DevInsurer> {
  const i = await startDevInsurer(opts);
  closers.push(() => i.close());
  return i;
}

async function until(what: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const identifiersAt = async (i: DevInsurer) => (await i.claims()).map((c) => (c.identifier as { value: string }[])[0]!.value).sort();
const allSubmitted = (db: Db) => listClaims(db).every((c) => c.state === 'submitted');

describe('the claim worker and the development insurer: exactly once', () => {
  it('the insurer down, then up: retried with backoff, each claim held once, shown submitted with its ClaimResponse', async () => {
    const db = freshDb();
    const ids = storeClaims(db);
    const port = await freePort();
    worker(db, `http://127.0.0.1:${port}/fhir`);
    await until(() => listClaims(db).every((c) => c.attempts >= 2 && c.lastError !== undefined));
    expect(listClaims(db).map((c) => c.state)).toEqual(['pending', 'pending']);
    expect(listClaims(db)[0]!.lastError).toMatch(/^BILLING_UNREACHABLE/);
    const i = await insurer({ port });
    await until(() => allSubmitted(db));
    expect(await identifiersAt(i)).toEqual(['req-1/RQD', 'req-1/TE2']);
    for (const id of ids) expect(getClaim(db, id)).toMatchObject({ state: 'submitted', outcome: 'complete', response: { resourceType: 'ClaimResponse', outcome: 'complete' } });
  });

  it('a 500 once: retried, each claim held once', async () => {
    const db = freshDb();
    storeClaims(db);
    const i = await insurer();
    i.failNext(1, 500);
    worker(db, i.url, { concurrency: 1 });
    await until(() => allSubmitted(db));
    expect(i.received.failed).toBe(1);
    expect(await identifiersAt(i)).toEqual(['req-1/RQD', 'req-1/TE2']);
  });

  it('a resend of a claim already held: the insurer keeps one and answers the same ClaimResponse', async () => {
    const db = freshDb();
    const [te2] = storeClaims(db);
    const i = await insurer();
    const w = worker(db, i.url);
    await w.drain();
    const first = getClaim(db, te2!)!.response as { id: string };
    // the operator resends it (as after a crash between sending and recording, the same identifier goes again)
    db.prepare("UPDATE claims SET state = 'error' WHERE id = ?").run(te2);
    expect(resendClaim(db, te2!, new Date())).toBe('resent');
    await w.drain();
    expect(i.received.duplicates).toBe(1);
    expect((getClaim(db, te2!)!.response as { id: string }).id).toBe(first.id);
    expect(await identifiersAt(i)).toEqual(['req-1/RQD', 'req-1/TE2']);
  });

  it('transaction mode: conditional creates by identifier, so a second sending creates no second Claim, nor a second patient', async () => {
    const db = freshDb();
    const [te2] = storeClaims(db);
    const i = await insurer();
    const w = worker(db, i.url, { insurer: { baseUrl: i.url, mode: 'transaction', timeoutMs: 2000 } });
    await w.drain();
    expect(getClaim(db, te2!)).toMatchObject({ state: 'submitted', outcome: 'queued', response: { type: 'transaction-response' } });
    db.prepare("UPDATE claims SET state = 'error' WHERE id = ?").run(te2);
    resendClaim(db, te2!, new Date());
    await w.drain();
    expect(i.received.transactions).toBe(3);
    expect(await identifiersAt(i)).toEqual(['req-1/RQD', 'req-1/TE2']);
    // the patient (by INS) was created once, whatever the number of sendings
    const patients = (await (await fetch(`${i.url}/Patient`)).json()) as { entry?: unknown[] };
    expect(patients.entry).toHaveLength(1);
  });

  it('over mutual TLS: the client certificate and CA given to an undici Agent as the dispatcher', async () => {
    const db = freshDb();
    storeClaims(db);
    const pem = (f: string) => readFileSync(join(CERTS, f));
    const i = await insurer({ tls: { key: pem('gateway.key.pem'), cert: pem('gateway.crt.pem'), ca: [pem('ca.crt.pem')], requestCert: true } });
    const url = `https://localhost:${i.port}/fhir`;
    // without a client certificate the insurer refuses the connection: the claims wait
    const bare = await createInsurerDispatcher({ ca: [join(CERTS, 'ca.crt.pem')], clientCert: null, timeoutMs: 2000 });
    closers.push(() => bare.close());
    const w1 = worker(db, url, { insurer: { baseUrl: url, mode: 'submit', timeoutMs: 2000, dispatcher: bare } });
    await until(() => listClaims(db).some((c) => c.lastError !== undefined));
    await w1.stop();
    expect(listClaims(db).map((c) => c.state)).toEqual(['pending', 'pending']);
    const dispatcher = await createInsurerDispatcher({ ca: [join(CERTS, 'ca.crt.pem')], clientCert: { cert: join(CERTS, 'gateway.crt.pem'), key: join(CERTS, 'gateway.key.pem') }, timeoutMs: 2000 });
    closers.push(() => dispatcher.close());
    db.prepare('UPDATE claims SET next_attempt_at = 0').run();
    await worker(db, url, { insurer: { baseUrl: url, mode: 'submit', timeoutMs: 2000, dispatcher } }).drain();
    expect(allSubmitted(db)).toBe(true);
    expect(await identifiersAt(i)).toEqual(['req-1/RQD', 'req-1/TE2']);
  });

  it('an invalid bundle is held (invalid, with its errors) and never sent', async () => {
    const db = freshDb();
    const [te2] = storeClaims(db);
    const row = getClaim(db, te2!)!;
    const bundle = row.bundle as { entry: { resource: Record<string, unknown> }[] };
    bundle.entry[0]!.resource.status = 'bogus';
    db.prepare('UPDATE claims SET bundle = ? WHERE id = ?').run(JSON.stringify(bundle), te2);
    const i = await insurer();
    await worker(db, i.url).drain();
    expect(getClaim(db, te2!)).toMatchObject({ state: 'invalid', lastError: expect.stringContaining('Claim.status') });
    expect(await identifiersAt(i)).toEqual(['req-1/RQD']);
    expect(i.received.submits).toBe(1);
  });

  it('a claim the insurer cannot accept: error with the ClaimResponse errors, for the operator', async () => {
    const db = freshDb();
    const [te2] = storeClaims(db);
    const row = getClaim(db, te2!)!;
    const bundle = row.bundle as { entry: { resource: { item: { net: { value: number } }[] } }[] };
    bundle.entry[0]!.resource.item[0]!.net.value = 0;
    db.prepare('UPDATE claims SET bundle = ? WHERE id = ?').run(JSON.stringify(bundle), te2);
    const i = await insurer();
    await worker(db, i.url).drain();
    expect(getClaim(db, te2!)).toMatchObject({ state: 'error', outcome: 'error', lastError: expect.stringContaining('no positive amount'), response: { resourceType: 'ClaimResponse', outcome: 'error' } });
  });

  it("keeps the insurer's words for the operator and puts only codes in the log lines", async () => {
    const db = freshDb();
    const [te2, rqd] = storeClaims(db);
    // an insurer that refuses the first claim quoting the patient, and answers the second with an error ClaimResponse that does too
    const echo = 'Patient DUPONT Jeanne, NIR 2840575123456 78: not covered';
    let calls = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls += 1;
        res.setHeader('content-type', 'application/fhir+json');
        if (calls === 1) {
          res.statusCode = 400;
          res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: echo }] }));
        } else {
          res.end(JSON.stringify({ resourceType: 'ClaimResponse', status: 'active', outcome: 'error', error: [{ code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication-error', code: 'a001' }], text: echo } }] }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const lines: string[] = [];
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/fhir`;
    await worker(db, url, { concurrency: 1, log: createLogger((l) => lines.push(l), 'debug') }).drain();
    expect([te2, rqd].map((id) => getClaim(db, id!)?.lastError)).toEqual([expect.stringContaining(echo), expect.stringContaining(echo)]);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.map((l) => [l.msg, l.code ?? l.errorCodes, l.httpStatus])).toEqual([
      ['billing: claim refused', 'BILLING_REFUSED', 400],
      ['billing: the insurer answered error', ['a001'], undefined],
    ]);
    expect(lines.join('\n')).not.toMatch(/DUPONT|2840575123456/);
  });
});
