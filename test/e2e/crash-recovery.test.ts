/**
 * Nothing accepted is lost, nothing is done twice: 500 sealed messages from concurrent clients while the
 * daemon is killed with SIGKILL at random moments and restarted. Every message that got a 250 ends with
 * exactly one stored request and one processed MDN, and there is nothing else.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { startDaemon } from '../helpers/start-daemon.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { party, sampleInner } from '../helpers/test-pki.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';

const COUNT = 500;
const CLIENTS = 8;
const KILLS = 6;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let child: ChildProcess | undefined;
let sink: SmtpSink | undefined;

afterAll(async () => {
  child?.kill('SIGKILL');
  await sink?.close();
});

describe('crash recovery', () => {
  it(`${COUNT} messages, ${CLIENTS} clients, ${KILLS} SIGKILLs: each accepted message stored once and answered once`, async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    const { config, dir } = testGatewayConfig(sink.port);
    const configFile = join(dir, 'txgate.json');
    const logFile = join(dir, 'daemon.log');
    // the config as a file, for the real daemon process
    writeFileSync(configFile, JSON.stringify({ ...config, smtp: { ...config.smtp, port } }, null, 2));
    child = await startDaemon(configFile, logFile, 'smtp intake listening');

    const doctor = party('doctor');
    const gatewayCert = party('gateway').cert;
    const messages = Array.from({ length: COUNT }, (_, i) =>
      sealMessage(Buffer.from(sampleInner().toString('latin1').replace(/Message-ID: <[^>]+>/, `Message-ID: <crash-${i}@hopital-a.test>`), 'latin1'), {
        signerKey: doctor.key,
        signerCert: doctor.cert,
        recipients: [gatewayCert],
      }),
    );

    const accepted = new Set<number>();
    let next = 0;
    let retries = 0;
    const client = async () => {
      for (let i = next++; i < COUNT; i = next++) {
        // like a real MTA: try again until the gateway says 250
        for (;;) {
          const r = await sendSmtp(port, { from: 'dr.martin@hopital-a.test', to: ['gateway@txgate.localhost'] }, messages[i]!);
          if (r.ok) {
            accepted.add(i);
            break;
          }
          retries++;
          await new Promise((res) => setTimeout(res, 50));
        }
      }
    };
    const killer = async () => {
      for (let k = 0; k < KILLS && next < COUNT; k++) {
        await new Promise((res) => setTimeout(res, 200 + Math.random() * 600));
        child!.kill('SIGKILL');
        await new Promise((res) => child!.once('exit', res));
        child = await startDaemon(configFile, logFile, 'smtp intake listening');
      }
    };
    const t0 = Date.now();
    await Promise.all([...Array.from({ length: CLIENTS }, client), killer()]);
    const tSent = Date.now();
    expect(accepted.size).toBe(COUNT);

    // let the pipeline and the outbox finish, then stop cleanly
    const deadline = Date.now() + 60_000;
    const distinctMdns = () => new Set(sink!.messages.map((m) => /Message-ID: (<[^>]+>)/i.exec(m.raw.toString('latin1'))?.[1])).size;
    while (distinctMdns() < COUNT && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    const tDone = Date.now();
    child.kill('SIGTERM');
    const exitCode = await new Promise((res) => child!.once('exit', res));
    expect(exitCode).toBe(0);

    const db = new Database(config.database.path, { readonly: true });
    const rows = db.prepare('SELECT id, message_id, state FROM messages').all() as { id: string; message_id: string; state: string }[];
    const requests = db.prepare('SELECT message, state FROM requests').all() as { message: string; state: string }[];
    const outbox = db.prepare('SELECT source_message, kind, state, message_id FROM outbox').all() as { source_message: string; kind: string; state: string; message_id: string }[];
    db.close();

    expect(rows).toHaveLength(COUNT);
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(COUNT);
    // each opened, read as a request once, and decided (refused under the French pack: no consent, no INS)
    expect(rows.every((r) => r.state === 'refused')).toBe(true);
    expect(requests).toHaveLength(COUNT);
    expect(new Set(requests.map((r) => r.message)).size).toBe(COUNT);
    expect(requests.every((r) => r.state === 'refused')).toBe(true);
    expect(outbox).toHaveLength(COUNT);
    expect(outbox.every((o) => o.kind === 'mdn-processed' && o.state === 'sent')).toBe(true);
    expect(new Set(outbox.map((o) => o.source_message)).size).toBe(COUNT);

    // at the receiving end: one processed MDN per message (by its fixed Message-ID), and nothing else
    const expected = new Set(outbox.map((o) => o.message_id));
    const received = sink.messages.map((m) => /Message-ID: (<[^>]+>)/i.exec(m.raw.toString('latin1'))?.[1]);
    expect(new Set(received)).toEqual(expected);
    const duplicates = received.length - expected.size;
    // a copy can only be sent again if the daemon died between the peer's 250 and recording it
    expect(duplicates).toBeLessThanOrEqual(KILLS);
    console.log(`crash test: ${COUNT} accepted in ${tSent - t0} ms, all answered ${tDone - tSent} ms later; ${retries} client retries, ${KILLS} kills, ${duplicates} MDN copies resent after a kill`);
  }, 180_000);
});
