/**
 * The daemon's throughput: 2,000 sealed 30 KB messages from 20 concurrent SMTP clients (STARTTLS, one
 * connection each) into a real `txgate serve` process; accepted/s (250 received) and processed/s (opened,
 * processed MDN sealed and delivered to a loopback mailbox), beside `openssl speed rsa2048` on one core (the
 * last). Each message costs at least two private-key operations (decrypt, sign the MDN). Target:
 * processed/s ≥ 0.05 × openssl private ops/s.
 *
 * Cores: the daemon may use every core (its main thread: SMTP and SQLite; a stage thread per further core:
 * opening and sealing); the load generator (clients and mailbox, this process) runs on every core but the last,
 * at the same priority, so on two cores it shares the first with the daemon's stage thread. Both CPU figures are
 * printed. TXGATE_BENCH_DAEMON_CPUS=N (a taskset list) confines the daemon, e.g. to the last core alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { openSmtpConnection, sendOnConnection } from '../src/delivery/smtp-session.ts';
import { sealMessage } from '../src/smime/seal-message.ts';
import { ConfigSchema } from '../src/config/config-schema.ts';
import { startSmtpSink } from '../test/helpers/smtp-sink.ts';
import { BIN, CERTS } from '../test/helpers/paths.ts';
import { party } from '../test/helpers/test-pki.ts';
import { measureOpensslRsa2048 } from './lib/openssl-speed.ts';
import { report, round } from './lib/measure.ts';
import { ownCpuMs, processCpuMs } from './lib/cpu-time.ts';

const COUNT = Number(process.env.TXGATE_BENCH_INTAKE_COUNT ?? 2000);
const CLIENTS = 20;

function message30k(i: number): Buffer {
  const attachment = randomBytes(21_000).toString('base64').replace(/(.{76})/g, '$1\r\n');
  return Buffer.from(
    [
      'From: Dr Martin <dr.martin@hopital-a.test>', 'To: gateway@txgate.localhost', 'Subject: bench', 'Date: Tue, 03 Mar 2026 10:00:00 +0100',
      `Message-ID: <bench-${i}-${Date.now()}@hopital-a.test>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="=_b"', '',
      '--=_b', 'Content-Type: text/plain; charset=utf-8', '', 'Question: souffle systolique, avis cardiologique ?\r\n'.repeat(40),
      '--=_b', 'Content-Type: application/pdf; name="ecg.pdf"', 'Content-Transfer-Encoding: base64', '', attachment, '--=_b--', '',
    ].join('\r\n'),
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function run(): Promise<void> {
  const last = cpus().length - 1;
  const daemonCpu = String(last);
  const daemonCpus = process.env.TXGATE_BENCH_DAEMON_CPUS ?? `0-${last}`;
  // the load (clients, mailbox) on the other core(s), the baseline on the last one, the daemon wherever allowed
  if (last > 0) spawnSync('taskset', ['-a', '-cp', `0-${last - 1}`, String(process.pid)]);

  const sink = await startSmtpSink();
  const dir = mkdtempSync(join(tmpdir(), 'txgate-bench-intake-'));
  const port = await freePort();
  const config = ConfigSchema.parse({
    domain: 'txgate.localhost',
    database: { path: join(dir, 'txgate.db') },
    smtp: { port, maxMessagesPerClientPerMinute: 1_000_000, maxConnectionsPerClient: 100 },
    tls: { cert: join(CERTS, 'gateway.crt.pem'), key: join(CERTS, 'gateway.key.pem') },
    smime: { keys: [{ key: join(CERTS, 'gateway.key.pem'), cert: join(CERTS, 'gateway.crt.pem') }], trust: [{ path: join(CERTS, 'ca.crt.pem') }] },
    certificates: { dir: join(dir, 'certificates') },
    outbound: { smartHost: { host: '127.0.0.1', port: sink.port, requireTls: true, ca: [join(CERTS, 'ca.crt.pem')], servername: 'localhost' } },
    pipeline: { pollMs: 20 },
  });
  const configFile = join(dir, 'txgate.json');
  writeFileSync(configFile, JSON.stringify(config));

  const doctor = party('doctor');
  const gateway = party('gateway');
  const sealed = Array.from({ length: COUNT }, (_, i) => sealMessage(message30k(i), { signerKey: doctor.key, signerCert: doctor.cert, recipients: [gateway.cert] }));
  const bytes = sealed.reduce((n, m) => n + m.length, 0);

  // taskset execs the daemon: the child's pid is the daemon's
  const daemon = spawn('taskset', ['-c', daemonCpus, process.execPath, ...(process.env.TXGATE_BENCH_DAEMON_FLAGS?.split(' ').filter(Boolean) ?? []), BIN, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    daemon.stdout!.on('data', (d: Buffer) => {
      if (out.length < 10_000) out += d.toString();
      if (out.includes('smtp intake listening')) resolve();
    });
    daemon.once('exit', (c) => reject(new Error(`daemon exited ${c}`)));
  });

  const ca = readFileSync(join(CERTS, 'ca.crt.pem'));
  const daemonCpuNow = () => processCpuMs(daemon.pid!);
  const loadCpuNow = ownCpuMs;
  const daemonCpuAtStart = daemonCpuNow();
  const loadCpuAtStart = loadCpuNow();
  const t0 = performance.now();
  let next = 0;
  let lastAccepted = 0;
  // each client one SMTP connection (STARTTLS), its messages one after the other; SMTPConnection directly, so that
  // the load generator spends little CPU beside the daemon (nodemailer's Mail layer costs more than the protocol)
  const clients = Array.from({ length: CLIENTS }, async () => {
    const signal = new AbortController().signal;
    const conn = await openSmtpConnection({ host: '127.0.0.1', port, requireTLS: true, tls: { ca: [ca], servername: 'localhost' }, logger: false }, signal);
    for (let i = next++; i < COUNT; i = next++) {
      await sendOnConnection(conn, { from: 'dr.martin@hopital-a.test', to: ['gateway@txgate.localhost'], size: sealed[i]!.length }, sealed[i]!, signal);
      lastAccepted = performance.now();
    }
    conn.quit();
  });
  await Promise.all(clients);
  await sink.waitFor(COUNT, 600_000);
  const tDone = performance.now();
  const status = readFileSync(`/proc/${daemon.pid}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const daemonCpuMs = daemonCpuNow() - daemonCpuAtStart;
  const loadCpuMs = loadCpuNow() - loadCpuAtStart;
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  await sink.close();
  // the database holds every message (over 100 MB): not left behind
  rmSync(dir, { recursive: true, force: true });

  const openssl = measureOpensslRsa2048(3, daemonCpu);
  const acceptedPerSec = COUNT / ((lastAccepted - t0) / 1000);
  const processedPerSec = COUNT / ((tDone - t0) / 1000);
  const ratio = processedPerSec / openssl.privateOpsPerSec;
  report(
    'intake',
    [
      ['messages (sealed, average bytes)', `${COUNT} (${Math.round(bytes / COUNT)})`],
      ['concurrent SMTP clients', CLIENTS],
      ['accepted/s (250 received)', round(acceptedPerSec, 1)],
      ['processed/s (opened, MDN sealed and delivered)', round(processedPerSec, 1)],
      ['openssl speed rsa2048 private ops/s (one core)', openssl.privateOpsPerSec],
      ['ratio processed/s ÷ openssl private ops/s', round(ratio, 4)],
      ['target', '≥ 0.05'],
      ['daemon cores (taskset list)', daemonCpus],
      ['daemon peak memory (MiB)', round(peakKb / 1024, 1)],
      ['daemon CPU per message (ms, all threads, during the run)', round(daemonCpuMs / COUNT, 2)],
      ['load generator CPU per message (ms, during the run)', round(loadCpuMs / COUNT, 2)],
      ['wall time (s)', round((tDone - t0) / 1000, 1)],
    ],
    { count: COUNT, clients: CLIENTS, acceptedPerSec: round(acceptedPerSec, 1), processedPerSec: round(processedPerSec, 1), opensslPrivateOpsPerSec: openssl.privateOpsPerSec, ratio: round(ratio, 4), daemonCpus, peakMemoryMiB: round(peakKb / 1024, 1), daemonCpuMsPerMessage: round(daemonCpuMs / COUNT, 2), loadCpuMsPerMessage: round(loadCpuMs / COUNT, 2) },
  );
}
