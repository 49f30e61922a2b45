/**
 * Nothing accepted over the FHIR API is lost, nothing is done twice: distinct signed request Bundles POSTed by
 * concurrent clients while `txgate serve` is killed with SIGKILL at random moments and restarted. A client that
 * gets no HTTP answer sends the same bytes again until it gets one. In the end every bundle has one Task id (a
 * retry, and a replay once everything is done, give back the same one), and each Task is one message, one request
 * and one forward to the cardiologist.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request, type Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { FINAL_MESSAGE_STATES } from '../../src/store/messages.ts';
import { clientAgent, gpRequestBundle, issueClientParty, signedBy, storeFhirPartiesAt } from '../helpers/fhir-client.ts';
import { exited, startDaemon } from '../helpers/start-daemon.ts';
import { nirWithKey } from '../../src/demo/synthetic-identifiers.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import type { Json } from '../payload/fhir/request-bundle.ts';

const COUNT = 60;
const CLIENTS = 4;
/** 2 or 3, drawn once */
const KILLS = 2 + Math.floor(Math.random() * 2);
/** how long the whole pipeline may take after the last answer (a deadline, not a threshold) */
const SETTLE_MS = 45_000;


const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

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
const agents: Agent[] = [];

/** What one POST [base] of a transaction Bundle answered: the HTTP status, and the Task entry's id and status. */
interface Answer {
  status: number;
  taskId: string | undefined;
  entryStatus: string | undefined;
  codes: string[];
}

async function postBundle(baseUrl: string, dispatcher: Agent, body: Buffer): Promise<Answer> {
  const res = await request(baseUrl, { method: 'POST', body, headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' }, dispatcher });
  const json = (await res.body.json()) as Json;
  if (json.resourceType === 'OperationOutcome') {
    const issues = (json.issue as { details?: { coding?: { code: string }[] } }[]) ?? [];
    return { status: res.statusCode, taskId: undefined, entryStatus: undefined, codes: issues.flatMap((i) => i.details?.coding?.map((c) => c.code) ?? []) };
  }
  const entry = (json.entry as { resource?: Json; response?: { status?: string } }[] | undefined)?.find((e) => e.resource?.resourceType === 'Task');
  return { status: res.statusCode, taskId: entry?.resource?.id as string | undefined, entryStatus: entry?.response?.status, codes: [] };
}

async function getJson(url: string, dispatcher: Agent): Promise<{ status: number; body: Json }> {
  const res = await request(url, { method: 'GET', headers: { accept: 'application/fhir+json' }, dispatcher });
  return { status: res.statusCode, body: (await res.body.json()) as Json };
}

afterAll(async () => {
  child?.kill('SIGKILL');
  await sink?.close();
  await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
});

describe('crash recovery of the FHIR API', () => {
  it(`${COUNT} signed request Bundles, ${CLIENTS} clients, SIGKILLs while they post: each accepted once, one Task, one request, one forward`, async () => {
    sink = await startSmtpSink();
    const fhirPort = await freePort();
    const { config, dir } = testGatewayConfig(sink.port, { fhir: { port: fhirPort } });
    const configFile = join(dir, 'txgate.json');
    const logFile = join(dir, 'daemon.log');
    writeFileSync(configFile, JSON.stringify(config, null, 2));

    const gp = issueClientParty('Dr Serena Shrink', 'serena.shrink@cabinet.test');
    const expert = issueClientParty('Dr Claire Durand', 'cardio.durand@chu-b.test');
    storeFhirPartiesAt(config.database.path, [
      { party: gp, specialty: 'SM54' },
      { party: expert, specialty: 'SM04' },
    ]);

    // one patient per bundle (the French pack allows 4 requests per patient and year)
    const bodies = Array.from({ length: COUNT }, (_, i) => Buffer.from(JSON.stringify(signedBy(gpRequestBundle(gp, expert, nirWithKey(`2840575123${String(100 + i)}`)), gp))));
    const baseUrl = `https://127.0.0.1:${fhirPort}/fhir`;

    child = await startDaemon(configFile, logFile, 'fhir api listening');

    const taskOf: (string | undefined)[] = Array.from({ length: COUNT }, () => undefined);
    const attemptsOf: number[] = Array.from({ length: COUNT }, () => 0);
    const firstAnswer: (string | undefined)[] = Array.from({ length: COUNT }, () => undefined);
    let answered = 0;
    let unanswered = 0;
    let unavailable = 0;
    let next = 0;
    // one side failing stops the others (no client retrying forever, no daemon started after the test)
    let failed = false;
    const orStop = (run: () => Promise<void>) => async () => {
      try {
        await run();
      } catch (err) {
        failed = true;
        throw err;
      }
    };
    const client = orStop(async () => {
      const dispatcher = clientAgent(gp);
      agents.push(dispatcher);
      for (let i = next++; i < COUNT; i = next++) {
        // like a FHIR client that lost the connection: the same bytes again until there is an answer
        for (;;) {
          if (failed) return;
          attemptsOf[i]!++;
          let a: Answer;
          try {
            a = await postBundle(baseUrl, dispatcher, bodies[i]!);
          } catch {
            unanswered++;
            await sleep(50);
            continue;
          }
          if (a.status >= 500) {
            unavailable++;
            await sleep(50);
            continue;
          }
          expect(a.status, `bundle ${i}: ${a.codes.join(', ')}`).toBe(200);
          expect(a.taskId, `bundle ${i}`).toBeDefined();
          taskOf[i] = a.taskId;
          firstAnswer[i] = a.entryStatus;
          answered++;
          break;
        }
      }
    });
    // each kill when a random share of the bundles has been answered, a few milliseconds later: some land between
    // a commit and its answer, some in the middle of the pipeline
    const killAt = Array.from({ length: KILLS }, () => Math.floor(COUNT * (0.1 + Math.random() * 0.75))).sort((a, b) => a - b);
    let kills = 0;
    const killer = orStop(async () => {
      for (const at of killAt) {
        while (answered < at && !failed) await sleep(2);
        if (failed) return;
        await sleep(Math.random() * 20);
        const dying = child!;
        dying.kill('SIGKILL');
        await exited(dying);
        kills++;
        child = await startDaemon(configFile, logFile, 'fhir api listening');
      }
    });
    const t0 = Date.now();
    await Promise.all([...Array.from({ length: CLIENTS }, client), killer()]);
    const tSent = Date.now();
    expect(kills).toBe(KILLS);

    // every bundle has a Task, and no two bundles share one
    expect(taskOf.every((t) => t !== undefined)).toBe(true);
    const taskIds = new Set(taskOf);
    expect(taskIds.size).toBe(COUNT);
    // a bundle answered "200 OK" (already stored) was only ever sent again after getting no answer
    taskOf.forEach((_, i) => {
      if (firstAnswer[i] !== '201 Created') {
        expect(firstAnswer[i], `bundle ${i}`).toBe('200 OK');
        expect(attemptsOf[i], `bundle ${i}`).toBeGreaterThan(1);
      }
    });

    // the same bytes once more, the daemon up: the same Task, nothing new
    const replayer = clientAgent(gp);
    agents.push(replayer);
    for (let i = 0; i < COUNT; i++) {
      const again = await postBundle(baseUrl, replayer, bodies[i]!);
      expect(again.status, again.codes.join(', ')).toBe(200);
      expect(again.entryStatus).toBe('200 OK');
      expect(again.taskId).toBe(taskOf[i]);
    }

    // the pipeline finishes: every message in a final state, every forward handed to the relay
    const finalStates = FINAL_MESSAGE_STATES.map((s) => `'${s}'`).join(', ');
    const deadline = Date.now() + SETTLE_MS;
    let pending = { messages: -1, forwards: -1 };
    for (;;) {
      const db = new Database(config.database.path, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        pending = {
          messages: (db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE state NOT IN (${finalStates})`).get() as { n: number }).n,
          forwards: (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'forward' AND state = 'pending'").get() as { n: number }).n,
        };
      } finally {
        db.close();
      }
      if (pending.messages === 0 && pending.forwards === 0) break;
      if (Date.now() > deadline) throw new Error(`the pipeline did not finish: ${JSON.stringify(pending)}; see ${logFile}`);
      await sleep(100);
    }

    const tSettled = Date.now();
    // each Task, read back as the GP: received (routed to the cardiologist)
    for (const id of taskIds) {
      const task = await getJson(`${baseUrl}/Task/${id}`, replayer);
      expect(task.status).toBe(200);
      expect(task.body.status, JSON.stringify(task.body.statusReason ?? task.body.businessStatus)).toBe('received');
    }

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);

    const db = new Database(config.database.path, { readonly: true, fileMustExist: true });
    const messages = db.prepare("SELECT id, state FROM messages WHERE channel = 'fhir'").all() as { id: string; state: string }[];
    const fhirTasks = db.prepare('SELECT id, message FROM fhir_tasks').all() as { id: string; message: string }[];
    const requests = db.prepare('SELECT id, message, state FROM requests').all() as { id: string; message: string; state: string }[];
    const forwards = db.prepare("SELECT source_message, envelope_to, message_id FROM outbox WHERE kind = 'forward'").all() as { source_message: string | null; envelope_to: string; message_id: string }[];
    const otherOutbox = db.prepare("SELECT kind, COUNT(*) AS n FROM outbox WHERE kind <> 'forward' GROUP BY kind").all() as { kind: string; n: number }[];
    db.close();

    // one message and one Task per bundle, the Task ids the clients were given
    expect(messages).toHaveLength(COUNT);
    expect(fhirTasks).toHaveLength(COUNT);
    expect(new Set(fhirTasks.map((t) => t.id))).toEqual(taskIds);
    expect(new Set(fhirTasks.map((t) => t.message))).toEqual(new Set(messages.map((m) => m.id)));
    expect(messages.every((m) => m.state === 'routed')).toBe(true);

    // one request per Task (the request's id is the Task's), each routed
    expect(requests).toHaveLength(COUNT);
    expect(new Set(requests.map((r) => r.id))).toEqual(taskIds);
    const messageOfTask = new Map(fhirTasks.map((t) => [t.id, t.message]));
    expect(requests.every((r) => r.message === messageOfTask.get(r.id))).toBe(true);
    expect(requests.every((r) => r.state === 'routed')).toBe(true);

    // one forward to the cardiologist per request, and nothing else sent (no refusal, no notice)
    expect(forwards).toHaveLength(COUNT);
    expect(new Set(forwards.map((f) => f.source_message))).toEqual(new Set(messages.map((m) => m.id)));
    expect(forwards.every((f) => (JSON.parse(f.envelope_to) as string[]).join() === expert.address)).toBe(true);
    expect(otherOutbox).toEqual([]);

    // at the cardiologist's end: each forward arrived (a copy may go again only if a kill fell between the relay's
    // 250 and its record)
    const received = new Set(sink.messages.filter((m) => m.envelope.to.includes(expert.address)).map((m) => /Message-ID: (<[^>]+>)/i.exec(m.raw.toString('latin1'))?.[1]));
    expect(received).toEqual(new Set(forwards.map((f) => f.message_id)));

    const replayed = firstAnswer.filter((s) => s === '200 OK').length;
    console.log(`fhir crash test: ${COUNT} bundles, ${KILLS} kills, ${unanswered} posts without answer, ${unavailable} 5xx, ${replayed} first answered as already stored; all answered in ${tSent - t0} ms, settled ${tSettled - tSent} ms later`);
  }, 120_000);
});
