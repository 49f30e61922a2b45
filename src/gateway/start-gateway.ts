/**
 * The daemon's wiring: database, keys and trust, SMTP intake, pipeline workers, outbound delivery and
 * the MDN-timeout sweep. Everything here is effect; the decisions live in the stages.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import type { Config } from '../config/config-schema.ts';
import { startDeliveryWorker, type DeliveryWorker } from '../delivery/delivery-worker.ts';
import { createTransportPool } from '../delivery/send-raw.ts';
import type { SmtpRoute } from '../delivery/smtp-route.ts';
import { batchCalls } from '../ingress/smtp/batch-calls.ts';
import { startSmtpIntake, type IntakeMessage, type IntakeTls, type SmtpIntake } from '../ingress/smtp/smtp-intake.ts';
import type { Logger } from '../log/logger.ts';
import { parseCertificates, toPem } from '../pki/certificate.ts';
import { startOpsServer } from '../ops/ops-server.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { buildPipelineContext } from '../pipeline/build-pipeline-context.ts';
import { newId } from '../pipeline/new-id.ts';
import { PIPELINE_STAGES } from '../pipeline/pipeline-stages.ts';
import { startPipelineWorkers, type Workers } from '../pipeline/pipeline-worker.ts';
import { buildTrustMaterial } from '../pipeline/stage-thread-trust.ts';
import { startStageThreads, type StageThreads } from '../pipeline/stage-threads.ts';
import { UNWRAP_FROM_STATE } from '../pipeline/unwrap-stage.ts';
import { releaseStaleLeases, storeInboundMessages } from '../store/messages.ts';
import { openDatabase, type Db } from '../store/open-database.ts';
import { expireAwaitedMdns } from '../store/outbox.ts';
import { listRunningAssignments } from '../store/requests.ts';
import { storeTimerEvents } from '../store/timer-events.ts';
import { findDueTimers, undeliverableEvent } from '../pipeline/assignment-clock.ts';
import { ASSIGNED_STATES } from '../pipeline/relay-stage.ts';
import { startClaimWorker, type ClaimWorker } from '../billing/claim-worker.ts';
import { createInsurerDispatcher, type Dispatcher } from '../billing/insurer-dispatcher.ts';
import { releaseStaleClaimLeases } from '../store/claims.ts';
import { startFhirServer, type FhirServer, type FhirServerTls } from '../fhir-api/fhir-server.ts';
import { checkFhirSubmission } from '../fhir-api/check-fhir-submission.ts';
import type { DirectoryView } from '../fhir-api/identify-client.ts';
import { findPractitionerByAddress, findPractitionerByCertificate, findPractitionerByIdentifier, type PractitionerRecord } from '../store/directory.ts';
import { TXGATE_VERSION } from '../version.ts';

export interface GatewayOptions {
  log: Logger;
  now?: () => Date;
}

export interface Gateway {
  db: Db;
  smtpPort: number | undefined;
  implicitTlsPort: number | undefined;
  /**
   * SIGHUP: reload the trust anchors, CRLs and recipients' certificates (for the pipeline, its stage threads and
   * the SMTP client-certificate check), the gateway's TLS certificate and key (SMTP intake, outbound client
   * certificate) and the outbound routes' files. Everything is read and checked first: when anything fails it
   * throws and the previous trust, certificates and TLS stay in place.
   */
  reload(): void;
  /** SIGTERM: stop accepting, finish what is in flight, stop the workers, close the database */
  stop(): Promise<void>;
  /** run the pipeline and deliveries until nothing is due (tests) */
  drain(): Promise<void>;
  /** the operator endpoint's port (/healthz, /readyz, /metrics), when enabled */
  opsPort: number | undefined;
  /** the FHIR API's port and base URL, when enabled */
  fhirPort: number | undefined;
  fhirBaseUrl: string | undefined;
  /** look for the expert's clock events due now (reminders, expiries) and queue them; returns how many were new */
  sweepTimers(): number;
}

export { buildPipelineContext } from '../pipeline/build-pipeline-context.ts';

type Relay = Config['outbound']['routes'][string];

function readRoute(r: Relay, tls: Config['tls']): SmtpRoute {
  return {
    host: r.host,
    port: r.port,
    secure: r.secure,
    requireTls: r.requireTls,
    ca: r.ca.map((f) => readFileSync(f)),
    clientCert: r.clientCert ? { cert: readFileSync(r.clientCert.cert), key: readFileSync(r.clientCert.key) } : { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
    ...(r.servername ? { servername: r.servername } : {}),
  };
}

function readRoutes(config: Config): { smartHost: SmtpRoute | null; routes: Record<string, SmtpRoute> } {
  return {
    smartHost: config.outbound.smartHost ? readRoute(config.outbound.smartHost, config.tls) : null,
    routes: Object.fromEntries(Object.entries(config.outbound.routes).map(([d, r]) => [d, readRoute(r, config.tls)])),
  };
}

/** The SMTP intake's TLS: the gateway's certificate and key, and as client CAs the S/MIME trust anchors and tls.ca. */
function readIntakeTls(config: Config, trust: TrustStore): IntakeTls {
  return {
    key: readFileSync(config.tls.key),
    cert: readFileSync(config.tls.cert),
    ca: [...trust.anchors.map((a) => Buffer.from(toPem(a.cert.der))), ...config.tls.ca.map((f) => readFileSync(f))],
  };
}

/** The FHIR API's TLS: the SMTP intake's certificate and client CAs, and the trust store's CRLs for the client certificates. */
function fhirTls(intake: IntakeTls, trust: TrustStore): FhirServerTls {
  return { key: intake.key, cert: intake.cert, ca: intake.ca, crl: [...trust.crlsByIssuer.values()].flat().map((c) => Buffer.from(toPem(c.der, 'X509 CRL'))) };
}

/** Messages a pipeline worker claims, opens and completes together (one claim, one commit for all). */
const PIPELINE_BATCH = 8;

/**
 * Stage threads: one per core beyond the one the main thread (SMTP, database) uses, at most as many as
 * pipeline workers; none on one core (they would only add copies), nor with an in-memory database (a thread
 * needs its own connection to read it).
 */
function stageThreadCount(config: Config): number {
  if (config.database.path === ':memory:') return 0;
  return Math.max(0, Math.min(config.pipeline.workers, availableParallelism() - 1));
}

export function dedupKeyOf(envelopeFrom: string, messageId: string | undefined, raw: Buffer): string {
  return messageId ? `${envelopeFrom.toLowerCase()} ${messageId}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export async function startGateway(config: Config, o: GatewayOptions): Promise<Gateway> {
  const now = o.now ?? (() => new Date());
  const log = o.log;
  const owner = `${hostname()}:${process.pid}`;
  const db = openDatabase(config.database.path);
  releaseStaleLeases(db);
  let ctx = buildPipelineContext(config, db, now, log);
  let routes = readRoutes(config);

  // the threads are given the trust this thread loaded (and checked), never read it from disk themselves
  const threadCount = stageThreadCount(config);
  const threads: StageThreads | undefined = threadCount > 0 ? startStageThreads(config, threadCount, log, buildTrustMaterial(ctx.trust)) : undefined;

  releaseStaleClaimLeases(db);
  let claims: ClaimWorker | undefined;
  let insurerDispatcher: Dispatcher | undefined;
  let delivery: DeliveryWorker | undefined;
  const workers: Workers = startPipelineWorkers({
    db,
    stages: [...PIPELINE_STAGES],
    context: () => ctx,
    ...(threads ? { offThread: threads } : {}),
    now,
    workers: config.pipeline.workers,
    batch: PIPELINE_BATCH,
    leaseMs: config.pipeline.leaseMs,
    pollMs: config.pipeline.pollMs,
    maxAttempts: config.pipeline.maxAttempts,
    owner,
    log,
    onStep: (_id, r) => {
      if (r.outbox?.length) delivery?.wake();
      if (r.claims?.length) claims?.wake();
    },
  });
  delivery = startDeliveryWorker({
    db,
    routes: () => routes,
    retry: config.outbound.retry,
    connectionTimeoutMs: config.outbound.connectionTimeoutMs,
    mdnTimeoutMs: config.notifications.mdnTimeoutMs,
    ehloName: config.domain,
    concurrency: 8,
    pool: createTransportPool(4),
    leaseMs: Math.max(config.pipeline.leaseMs, config.outbound.connectionTimeoutMs * 5),
    pollMs: config.pipeline.pollMs,
    owner,
    now,
    log,
    // a forward to an expert given up: the gateway, its originator, reassigns the request (the timer stage)
    onFailed: (row) => queueUndeliverable([row]),
  });

  // billing: claims to the insurer, sent from the claims table (written with the step that delivered the opinion)
  if (config.billing.enabled) {
    const insurer = config.billing.insurer;
    const dispatcher = (insurerDispatcher = await createInsurerDispatcher({ ca: insurer.ca, clientCert: insurer.clientCert, timeoutMs: insurer.timeoutMs }));
    claims = startClaimWorker({
      db,
      insurer: { baseUrl: insurer.baseUrl, mode: insurer.mode, timeoutMs: insurer.timeoutMs, dispatcher },
      retry: config.billing.retry,
      concurrency: 4,
      leaseMs: Math.max(config.pipeline.leaseMs, insurer.timeoutMs * 2),
      pollMs: config.pipeline.pollMs,
      owner,
      now,
      log,
    });
  }

  // group commit: the messages whose DATA ended in the same turn of the event loop share one flush to disk
  const storeBatched = batchCalls((batch: IntakeMessage[]) =>
    storeInboundMessages(
      db,
      batch.map((m) => ({
        id: newId('msg', now().getTime()),
        channel: 'smtp' as const,
        envelopeFrom: m.envelopeFrom,
        envelopeTo: m.envelopeTo,
        messageId: m.messageId,
        dedupKey: dedupKeyOf(m.envelopeFrom, m.messageId, m.raw),
        remoteAddress: m.remoteAddress,
        tls: m.tls,
        clientCert: m.clientCert,
        raw: m.raw,
        state: UNWRAP_FROM_STATE,
        at: now(),
      })),
    ),
  );

  // what an operator watches
  let stopped = false;
  const ops = config.ops.enabled
    ? await startOpsServer({
        host: config.ops.host,
        port: config.ops.port,
        db,
        now,
        workersAlive: () => !stopped,
        certificates: () => [
          ...ctx.keys.map((k, i) => ({ what: `smime.keys.${i}`, notAfter: k.cert.notAfter })),
          { what: 'tls.cert', notAfter: parseCertificates(readFileSync(config.tls.cert))[0]?.notAfter ?? new Date(0) },
          ...ctx.trust.anchors.map((a) => ({ what: `anchor ${a.cert.subject}`, notAfter: a.cert.notAfter })),
        ],
      })
    : undefined;
  if (ops) log.info('operator endpoint listening', { host: config.ops.host, port: ops.port });

  let intake: SmtpIntake | undefined;
  if (config.smtp.enabled) {
    intake = await startSmtpIntake({
      host: config.smtp.host,
      port: config.smtp.port,
      implicitTlsPort: config.smtp.implicitTlsPort,
      tls: readIntakeTls(config, ctx.trust),
      requireTls: config.smtp.requireTls,
      requireClientCert: config.smtp.requireClientCert,
      maxMessageBytes: config.smtp.maxMessageBytes,
      maxRecipients: config.smtp.maxRecipients,
      maxConnections: config.smtp.maxConnections,
      maxConnectionsPerClient: config.smtp.maxConnectionsPerClient,
      maxMessagesPerClientPerMinute: config.smtp.maxMessagesPerClientPerMinute,
      socketTimeoutMs: config.smtp.socketTimeoutMs,
      greeting: config.smtp.greeting,
      domain: config.domain,
      // the hosted addresses, and the pools of the programme (cardiologie@…); request reply addresses are
      // sub-addresses of the gateway's (gateway+req-…@…)
      addresses: [...config.addresses, ...Object.keys(ctx.pack.routing?.pools ?? {}).map((pool) => `${pool}@${config.domain}`)],
      store: storeBatched,
      onAccepted: () => workers.wake(),
      log,
    });
    log.info('smtp intake listening', { host: config.smtp.host, port: intake.port, ...(intake.implicitTlsPort ? { implicitTlsPort: intake.implicitTlsPort } : {}) });
  }

  // the FHIR API: the same pipeline, the same trust
  let fhir: FhirServer | undefined;
  if (config.fhir.enabled) {
    const intakeTls = readIntakeTls(config, ctx.trust);
    const asView = (r: PractitionerRecord | undefined): DirectoryView | undefined =>
      r ? { id: r.id, identifiers: r.identifiers, addresses: r.addresses, organizationIdentifiers: r.organization?.identifiers ?? [] } : undefined;
    fhir = await startFhirServer({
      host: config.fhir.host,
      port: config.fhir.port,
      baseUrl: config.fhir.baseUrl,
      tls: config.fhir.plainHttp ? undefined : fhirTls(intakeTls, ctx.trust),
      requireClientCert: config.fhir.requireClientCert,
      requireSignature: config.fhir.requireSignature,
      maxBodyBytes: config.fhir.maxBodyBytes,
      pageSize: config.fhir.pageSize,
      maxPageSize: config.fhir.maxPageSize,
      replyWaitMs: config.fhir.replyWaitMs,
      version: TXGATE_VERSION,
      db,
      now,
      log,
      context: () => ctx,
      blobsDir: config.blobs.dir,
      wake: () => workers.wake(),
      checkSubmission: (body, request) =>
        threads ? threads.checkFhirSubmission(body, request) : Promise.resolve(checkFhirSubmission(body, { ...request, trust: ctx.trust, requireCrl: ctx.open.requireCrl })),
      directory: { byCertificate: (sha) => asView(findPractitionerByCertificate(db, sha)), byAddress: (a) => asView(findPractitionerByAddress(db, a)) },
      addressesOfIdentifier: (system, value) => findPractitionerByIdentifier(db, system, value)?.addresses ?? [],
    });
    log.info('fhir api listening', { host: config.fhir.host, port: fhir.port, baseUrl: fhir.baseUrl });
  }

  const sweep = setInterval(() => {
    try {
      const expired = expireAwaitedMdns(db, now());
      for (const row of expired) log.warn('delivery: no processed MDN in time', { outbox: row.id, ...(row.sourceMessage ? { message: row.sourceMessage } : {}), kind: row.kind });
      queueUndeliverable(expired);
    } catch (err) {
      log.error('mdn sweep error', { error: (err as Error).message });
    }
  }, Math.min(30_000, Math.max(1000, config.notifications.mdnTimeoutMs / 10)));
  sweep.unref();

  /** Forwards to experts that did not arrive (given up, or no processed MDN in time) become timer events. */
  function queueUndeliverable(rows: readonly { id: string; kind: string; messageId: string }[]): void {
    const at = now();
    const events = rows.flatMap((r) => {
      const e = undeliverableEvent(r);
      return e ? [{ id: newId('tmr', at.getTime()), key: e.key, body: e }] : [];
    });
    if (events.length && storeTimerEvents(db, events, at) > 0) {
      log.warn('operator attention', { alert: `${events.length} forward(s) to an expert not delivered: reassigning` });
      workers.wake();
    }
  }

  // the expert's clock: reminders and expiries become timer messages (once each), which the timer stage handles
  const sweepTimers = (): number => {
    const at = now();
    const running = listRunningAssignments(db, ASSIGNED_STATES.filter((s) => s !== 'information-requested'));
    const events = findDueTimers(running, at, ctx.pack.routing?.reminders ?? [0.5, 0.9]);
    const added = storeTimerEvents(db, events.map((e) => ({ id: newId('tmr', at.getTime()), key: e.key, body: e })), at);
    if (added > 0) workers.wake();
    return added;
  };
  const timers = setInterval(() => {
    try {
      sweepTimers();
    } catch (err) {
      log.error('timer sweep error', { error: (err as Error).message });
    }
  }, config.pipeline.timerSweepMs);
  timers.unref();


  return {
    db,
    smtpPort: intake?.port,
    opsPort: ops?.port,
    fhirPort: fhir?.port,
    fhirBaseUrl: fhir?.baseUrl,
    implicitTlsPort: intake?.implicitTlsPort,
    reload() {
      const next = buildPipelineContext(config, db, now, log);
      const nextRoutes = readRoutes(config);
      // throws before changing anything when the key and certificate do not make a TLS context
      const nextTls = readIntakeTls(config, next.trust);
      intake?.updateTls(nextTls);
      fhir?.updateTls(fhirTls(nextTls, next.trust));
      ctx = next;
      routes = nextRoutes;
      threads?.reload(buildTrustMaterial(next.trust));
      log.info('reloaded trust anchors, CRLs and certificates', { anchors: ctx.trust.anchors.length, certificates: ctx.directory.size });
    },
    async stop() {
      stopped = true;
      await intake?.drain();
      await fhir?.close();
      clearInterval(sweep);
      clearInterval(timers);
      await workers.stop();
      await threads?.stop();
      await delivery?.stop();
      await claims?.stop();
      await insurerDispatcher?.close();
      await ops?.close();
      db.close();
      log.info('stopped');
    },
    async drain() {
      await workers.drain();
      await delivery?.drain();
      await claims?.drain();
    },
    sweepTimers,
  };
}
