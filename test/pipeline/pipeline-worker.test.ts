/** Batched steps, in this thread or through a stage runner: outcomes written together, a throwing stage retried, nothing claimed before the runner is ready. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.ts';
import { runSteps, runStepsOffThread, type Stage, type StageRunner, type WorkerOptions } from '../../src/pipeline/pipeline-worker.ts';
import { getMessage, storeInboundMessages, type MessageWork, type StepResult } from '../../src/store/messages.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

/** A stage that receives every message, except one whose bytes say boom. */
const echo: Stage<null> = {
  from: 'accepted',
  name: 'echo',
  run(msg: MessageWork): StepResult {
    if (msg.raw.toString().includes('boom')) throw new Error('boom');
    return { state: 'received', detail: `echo ${msg.raw.length}` };
  },
};

function setUp(bodies: string[]): { o: WorkerOptions<null>; ids: string[]; done: string[] } {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), 'txgate-pipeline-')), 'txgate.db'));
  const stored = storeInboundMessages(
    db,
    bodies.map((body, i) => ({
      id: `msg-${i}`,
      channel: 'smtp' as const,
      envelopeFrom: 'dr.martin@hopital-a.test',
      envelopeTo: ['gateway@txgate.localhost'],
      messageId: `<m-${i}@hopital-a.test>`,
      dedupKey: `k-${i}`,
      remoteAddress: '127.0.0.1',
      tls: true,
      clientCert: undefined,
      raw: Buffer.from(body),
      state: 'accepted',
      at: new Date(1000 + i),
    })),
  );
  const done: string[] = [];
  const o: WorkerOptions<null> = {
    db,
    stages: [echo],
    context: () => null,
    now: () => new Date(10_000),
    workers: 1,
    batch: 8,
    leaseMs: 60_000,
    pollMs: 20,
    maxAttempts: 5,
    owner: 'me',
    log: silentLogger,
    onStep: (id) => done.push(id),
  };
  return { o, ids: stored.map((s) => s.id), done };
}

function runner(ready: boolean): StageRunner {
  return {
    isReady: () => ready,
    ready: () => Promise.resolve(),
    // as a stage thread would: the stage of that name, on its own copy of the message
    run: async (stage, msg) => {
      expect(stage).toBe('echo');
      return echo.run({ ...msg, raw: Buffer.from(msg.raw) }, null);
    },
  };
}

describe.each([
  ['in this thread', (o: WorkerOptions<null>) => Promise.resolve(runSteps(o))],
  ['through a stage runner', (o: WorkerOptions<null>) => runStepsOffThread(o, runner(true))],
])('batched steps %s', (_label, run) => {
  it('claims up to the batch, records each outcome, retries the step that threw', async () => {
    const { o, ids, done } = setUp(['one', 'boom', 'three']);
    expect(await run(o)).toBe(3);
    expect(done).toEqual([ids[0], ids[2]]);
    expect(ids.map((id) => getMessage(o.db, id)?.state)).toEqual(['received', 'accepted', 'received']);
    const failed = getMessage(o.db, ids[1]!)!;
    expect(failed.lastError).toBe('echo: boom');
    expect(failed.history.map((h) => h.toState)).toEqual(['accepted']);
    // not due again before its backoff
    expect(await run(o)).toBe(0);
  });
});

describe('a stage runner not ready yet', () => {
  it('gets no message: none is claimed (and leased) meanwhile', async () => {
    const { o, ids } = setUp(['one']);
    expect(await runStepsOffThread(o, runner(false))).toBe(0);
    expect(getMessage(o.db, ids[0]!)).toMatchObject({ state: 'accepted', attempts: 0 });
  });
});
