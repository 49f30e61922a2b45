/**
 * The FHIR API's throughput: signed tele-expertise requests created per second by 20 concurrent HTTPS clients
 * (one undici Pool, 20 keep-alive connections, the GP's client certificate) against a real `txgate serve`
 * process, beside the same server's `GET /fhir/metadata` rate with the same clients in the same run.
 * ratio = metadata/s ÷ created/s: how many CapabilityStatement reads one signed request costs the server.
 *
 * A create is `POST [base]` with a transaction Bundle (application/fhir+json) signed by the GP (Da Vinci CDex
 * detached JWS, RS256), every one distinct (its own patient INS: no duplicate, no quota refusal), all signed
 * before the clock starts (the client's signing is not the server's work). The server verifies the signature
 * against the trust anchors and the TLS client, reads the bundle and stores it on disk (synchronous FULL) before
 * answering 200 with a transaction-response whose Task entry says `201 Created`: that is what is counted; every
 * other answer is counted apart, reported, and fails the bench. The pipeline (decide, route, forward by secure
 * mail to a loopback mailbox) works on the stored requests in the background during the create run: real load
 * that the gateway offers no switch to stop; the metadata run comes first, the pipeline idle.
 *
 * Cores: the clients and the mailbox (this process) on the first core, the daemon on all the others
 * (TXGATE_BENCH_DAEMON_CPUS, a taskset list, chooses; one core: they share it). Unlike bench/intake.ts the two do
 * not share a core by default: on two cores, a daemon allowed both served 114 created/s and 726 metadata/s in one
 * run, and 191 and 2,644 confined to the second one (the load generator took its CPU). TXGATE_BENCH_FHIR_COUNT sets the requests
 * per run (default 2,000); the metadata run is repeated three times (the median), being short.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { nirWithKey } from '../src/demo/synthetic-identifiers.ts';
import { openReadOnlyDatabase } from '../src/store/open-database.ts';
import { countMessagesByCode } from '../src/store/ops-counts.ts';
import { gpRequestBundle, issueClientParty, signedBy, storeFhirPartiesAt } from '../test/helpers/fhir-client.ts';
import { testGatewayConfig } from '../test/helpers/gateway-config.ts';
import { BIN, CERTS } from '../test/helpers/paths.ts';
import { startSmtpSink } from '../test/helpers/smtp-sink.ts';
import { countFailures, runHttpLoad, type LoadRequest, type LoadResult } from './lib/http-load.ts';
import { report, round } from './lib/measure.ts';
import { ownCpuMs, processCpuMs } from './lib/cpu-time.ts';

const COUNT = Number(process.env.TXGATE_BENCH_FHIR_COUNT ?? 2000);
const CLIENTS = 20;
/** untimed requests first (connections opened, code paths compiled): creates, and metadata reads */
const WARMUP = 100;
const WARMUP_METADATA = 1000;

/** A distinct synthetic INS per request (women born in May 1984 in Paris, order numbers from 100000). */
function insOf(i: number): string {
  return nirWithKey(`2840575${String(100_000 + i).padStart(6, '0')}`);
}

/** What a refused create was: its HTTP status and OperationOutcome codes (codes only, never content). */
function outcomeOf(status: number, body: string): string {
  try {
    const json = JSON.parse(body) as { resourceType?: string; issue?: { details?: { coding?: { code?: string }[] } }[]; entry?: { resource?: { resourceType?: string }; response?: { status?: string } }[] };
    if (json.resourceType === 'OperationOutcome') return `HTTP ${status} ${(json.issue ?? []).flatMap((i) => i.details?.coding?.map((c) => c.code) ?? []).join(' ')}`;
    const task = json.entry?.find((e) => e.resource?.resourceType === 'Task');
    return `HTTP ${status}, Task entry ${task?.response?.status ?? 'missing'}`;
  } catch {
    return `HTTP ${status} (not JSON)`;
  }
}

/** A transaction answered 200 whose Task entry was created (201), not found again as a duplicate (200). */
function created(status: number, body: string): boolean {
  if (status !== 200) return false;
  const json = JSON.parse(body) as { resourceType?: string; entry?: { resource?: { resourceType?: string }; response?: { status?: string } }[] };
  return json.resourceType === 'Bundle' && json.entry?.find((e) => e.resource?.resourceType === 'Task')?.response?.status?.startsWith('201') === true;
}

function failureText(r: LoadResult): string {
  const n = countFailures(r);
  return n === 0 ? '0' : `${n}: ${Object.entries(r.failures).map(([k, v]) => `${v} × ${k}`).join('; ')}`;
}

export async function run(): Promise<void> {
  const last = cpus().length - 1;
  const daemonCpus = process.env.TXGATE_BENCH_DAEMON_CPUS ?? (last > 1 ? `1-${last}` : String(last));
  if (last > 0) spawnSync('taskset', ['-a', '-cp', '0', String(process.pid)]);

  const sink = await startSmtpSink();
  const gp = issueClientParty('Dr Serena Shrink', 'serena.shrink@cabinet.test');
  const expert = issueClientParty('Dr Claire Durand', 'cardio.durand@chu-b.test');
  const made = testGatewayConfig(sink.port, { ops: { enabled: false } });
  const config = { ...made.config, pipeline: { ...made.config.pipeline, timerSweepMs: 3_600_000 } };
  storeFhirPartiesAt(config.database.path, [
    { party: gp, specialty: 'SM54', rpps: '810001234567' },
    { party: expert, specialty: 'SM04' },
  ]);
  const configFile = join(made.dir, 'txgate.json');
  writeFileSync(configFile, JSON.stringify(config));

  // every body distinct and signed now, before any clock
  const signStart = performance.now();
  const bodies = Array.from({ length: WARMUP + COUNT }, (_, i) => Buffer.from(JSON.stringify(signedBy(gpRequestBundle(gp, expert, insOf(i)), gp))));
  const signMs = performance.now() - signStart;
  const bytes = bodies.slice(WARMUP).reduce((n, b) => n + b.length, 0);

  // taskset execs the daemon: the child's pid is the daemon's
  const daemon = spawn('taskset', ['-c', daemonCpus, process.execPath, ...(process.env.TXGATE_BENCH_DAEMON_FLAGS?.split(' ').filter(Boolean) ?? []), BIN, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    let listening = false;
    // read to the end (the daemon logs every step: a full pipe would stop it)
    daemon.stdout!.on('data', (d: Buffer) => {
      if (listening || out.length > 100_000) return;
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"fhir api listening"') && l.endsWith('}'));
      if (line) {
        listening = true;
        resolve((JSON.parse(line) as { baseUrl: string }).baseUrl);
      }
    });
    daemon.once('exit', (c) => reject(new Error(`daemon exited ${c}`)));
  });
  const base = new URL(baseUrl);
  const pool = new Pool(base.origin, {
    connections: CLIENTS,
    pipelining: 1,
    connect: { ca: readFileSync(join(CERTS, 'ca.crt.pem')), cert: gp.certPem, key: gp.keyPem, servername: 'localhost' },
  });

  const metadata = (): LoadRequest => ({ path: `${base.pathname}/metadata`, method: 'GET', headers: { accept: 'application/fhir+json' }, expect: (s, b) => s === 200 && b.includes('"CapabilityStatement"') });
  const create = (i: number): LoadRequest => ({
    path: base.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    body: bodies[i]!,
    expect: created,
    outcome: outcomeOf,
  });

  const daemonCpuNow = () => processCpuMs(daemon.pid!);
  const loadCpuNow = ownCpuMs;
  const timed = async (count: number, at: (i: number) => LoadRequest) => {
    const d0 = daemonCpuNow();
    const l0 = loadCpuNow();
    const r = await runHttpLoad(pool, count, CLIENTS, at);
    return { ...r, daemonCpuMs: daemonCpuNow() - d0, loadCpuMs: loadCpuNow() - l0 };
  };

  let meta: Awaited<ReturnType<typeof timed>>;
  let metaRates: number[];
  let metaFailures: number;
  let metaFailureText: string;
  let post: Awaited<ReturnType<typeof timed>>;
  let pipelineAtEnd: string;
  let peakKb: number;
  try {
    const warm = [await runHttpLoad(pool, WARMUP_METADATA, CLIENTS, metadata), await runHttpLoad(pool, WARMUP, CLIENTS, create)];
    if (warm.some((r) => countFailures(r) > 0)) throw new Error(`the warm-up failed: ${warm.map(failureText).join(' / ')}`);
    // let the pipeline finish the warm-up's requests: the metadata run sees an idle gateway
    await sink.waitFor(WARMUP, 120_000);

    const rounds = [await timed(COUNT, metadata), await timed(COUNT, metadata), await timed(COUNT, metadata)];
    metaRates = rounds.map((r) => r.ok / r.seconds);
    metaFailures = rounds.reduce((n, r) => n + countFailures(r), 0);
    metaFailureText = metaFailures === 0 ? '0' : rounds.map(failureText).join(' / ');
    meta = [...rounds].sort((a, b) => a.ok / a.seconds - b.ok / b.seconds)[1]!;
    post = await timed(COUNT, (i) => create(WARMUP + i));

    // how far the pipeline got while the requests came in (states of the stored messages)
    const ro = openReadOnlyDatabase(config.database.path);
    try {
      const states = new Map<string, number>();
      for (const r of countMessagesByCode(ro)) states.set(r.state, (states.get(r.state) ?? 0) + r.n);
      pipelineAtEnd = [...states].map(([s, n]) => `${s} ${n}`).join(', ');
    } finally {
      ro.close();
    }
    const status = readFileSync(`/proc/${daemon.pid}/status`, 'utf8');
    peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } finally {
    await pool.close();
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    await sink.close();
    rmSync(made.dir, { recursive: true, force: true });
  }

  const metadataPerSec = meta.ok / meta.seconds;
  const createdPerSec = post.ok / post.seconds;
  const ratio = metadataPerSec / createdPerSec;
  const failures = metaFailures + countFailures(post);
  report(
    'fhir',
    [
      ['requests per run (after a warm-up: metadata reads, creates)', `${COUNT} (+${WARMUP_METADATA}, +${WARMUP})`],
      ['concurrent HTTPS clients (one undici Pool, keep-alive, client certificate)', CLIENTS],
      ['signed request bundle (average bytes; signed before timing)', `${Math.round(bytes / COUNT)} (${round(signMs / (WARMUP + COUNT), 2)} ms each to sign)`],
      ['GET /fhir/metadata/s (baseline, pipeline idle; median of 3 runs)', `${round(metadataPerSec, 1)} (${metaRates.map((r) => round(r, 0)).join(', ')})`],
      ['signed requests created/s (POST [base], Task 201)', round(createdPerSec, 1)],
      ['ratio metadata/s ÷ created/s (metadata reads per signed request)', round(ratio, 2)],
      ['unexpected answers (metadata, each run; create)', `${metaFailureText}; ${failureText(post)}`],
      ['background', 'the pipeline works on the stored requests during the create run (not stoppable)'],
      ['messages by state at the last create (warm-up\'s included)', pipelineAtEnd],
      ['daemon cores (taskset list)', daemonCpus],
      ['daemon CPU per metadata read (ms, all threads)', round(meta.daemonCpuMs / COUNT, 3)],
      ['daemon CPU per create (ms, all threads, pipeline included)', round(post.daemonCpuMs / COUNT, 2)],
      ['load generator CPU per metadata read; per create (ms)', `${round(meta.loadCpuMs / COUNT, 3)}; ${round(post.loadCpuMs / COUNT, 2)}`],
      ['daemon peak memory (MiB)', round(peakKb / 1024, 1)],
      ['wall time metadata; create (s)', `${round(meta.seconds, 2)}; ${round(post.seconds, 2)}`],
    ],
    {
      count: COUNT,
      clients: CLIENTS,
      metadataPerSec: round(metadataPerSec, 1),
      metadataPerSecRuns: metaRates.map((r) => round(r, 1)),
      createdPerSec: round(createdPerSec, 1),
      ratio: round(ratio, 2),
      metadataFailures: metaFailures,
      createFailures: countFailures(post),
      daemonCpus,
      daemonCpuMsPerMetadata: round(meta.daemonCpuMs / COUNT, 3),
      daemonCpuMsPerCreate: round(post.daemonCpuMs / COUNT, 2),
      peakMemoryMiB: round(peakKb / 1024, 1),
    },
  );
  if (failures > 0) throw new Error(`${failures} request(s) did not get the expected answer: the rates above do not measure what they say`);
}
