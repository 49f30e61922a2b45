/**
 * Pipeline workers: take due messages (a few at a time, in one claim), run the stage for the state of each,
 * write their outcomes in one transaction. A stage that throws is retried with backoff; after `maxAttempts`
 * the message is quarantined for the operator. Unknown errors are temporary failures, never acceptances.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../store/open-database.ts';
import { claimMessages, completeMessageSteps, failMessageStep, quarantineExhausted, type CompletedStep, type MessageWork, type StepResult } from '../store/messages.ts';
import type { Logger } from '../log/logger.ts';
import { createIdle } from '../workers/create-idle.ts';

export interface Stage<C> {
  /** the state a message must be in for this stage */
  from: string;
  name: string;
  run(msg: MessageWork, ctx: C): StepResult;
}

/** Runs stages elsewhere: messages are claimed only once it is ready, so that no lease waits for it to start. */
export interface StageRunner {
  isReady(): boolean;
  ready(): Promise<void>;
  run(stage: string, msg: MessageWork, at: Date): Promise<StepResult>;
}

export interface WorkerOptions<C> {
  db: Db;
  stages: Stage<C>[];
  /** the context, read anew for every step (so that a reload takes effect) */
  context: () => C;
  now: () => Date;
  workers: number;
  /** messages claimed and completed together by one worker (default 1) */
  batch?: number;
  leaseMs: number;
  pollMs: number;
  maxAttempts: number;
  owner: string;
  log: Logger;
  /** runs the stages elsewhere (stage threads); default: in this thread, with `context()` */
  offThread?: StageRunner;
  /** called after each completed step (to wake the delivery worker) */
  onStep?: (msgId: string, result: StepResult) => void;
}

export interface Workers {
  /** there may be work: stop waiting */
  wake(): void;
  /** finish the step in progress, then stop */
  stop(): Promise<void>;
  /** run until no message is due (tests, benchmarks) */
  drain(): Promise<void>;
}

/** Delay before retrying a failed step: 1 s, 4 s, 16 s … capped at 10 minutes. */
export function stepRetryDelay(attempt: number): number {
  return Math.min(600_000, 1000 * 4 ** Math.max(0, attempt - 1));
}

/** Runs up to `limit` due messages through their stages, their outcomes written in one transaction; returns how many were due. */
export function runSteps<C>(o: WorkerOptions<C>, limit = o.batch ?? 1): number {
  const states = o.stages.map((s) => s.from);
  const msgs = claimMessages(o.db, states, o.now(), o.leaseMs, o.owner, o.maxAttempts, limit);
  if (msgs.length === 0) return 0;
  const ctx = o.context();
  const done: { msg: MessageWork; stage: Stage<C>; step: CompletedStep }[] = [];
  for (const msg of msgs) {
    const stage = o.stages.find((s) => s.from === msg.state)!;
    try {
      done.push({ msg, stage, step: { id: msg.id, fromState: msg.state, result: stage.run(msg, ctx) } });
    } catch (err) {
      recordFailure(o, msg, stage, err);
    }
  }
  recordSteps(o, done);
  return msgs.length;
}

/** Like runSteps, the stages run by `offThread` (several at once); returns how many were due (none while it is not ready). */
export async function runStepsOffThread<C>(o: WorkerOptions<C>, offThread: StageRunner, limit = o.batch ?? 1): Promise<number> {
  if (!offThread.isReady()) return 0;
  const msgs = claimMessages(o.db, o.stages.map((s) => s.from), o.now(), o.leaseMs, o.owner, o.maxAttempts, limit);
  if (msgs.length === 0) return 0;
  const at = o.now();
  const staged = msgs.map((msg) => ({ msg, stage: o.stages.find((s) => s.from === msg.state)! }));
  const outcomes = await Promise.allSettled(staged.map(({ msg, stage }) => offThread.run(stage.name, msg, at)));
  const done: { msg: MessageWork; stage: Stage<C>; step: CompletedStep }[] = [];
  outcomes.forEach((r, i) => {
    const { msg, stage } = staged[i]!;
    if (r.status === 'fulfilled') done.push({ msg, stage, step: { id: msg.id, fromState: msg.state, result: r.value } });
    else recordFailure(o, msg, stage, r.reason);
  });
  recordSteps(o, done);
  return msgs.length;
}

/** Runs one due message through its stage; returns false when nothing was due. */
export function runOneStep<C>(o: WorkerOptions<C>): boolean {
  return runSteps(o, 1) > 0;
}

/** A step that threw: retried later with backoff, or quarantined when its attempts are spent. */
export function recordFailure<C>(o: WorkerOptions<C>, msg: MessageWork, stage: Stage<C>, err: unknown): void {
  const text = `${stage.name}: ${(err as Error)?.message ?? String(err)}`.slice(0, 500);
  const last = msg.attempts >= o.maxAttempts;
  failMessageStep(o.db, msg.id, o.owner, text, o.now(), last ? 'quarantine' : new Date(o.now().getTime() + stepRetryDelay(msg.attempts)));
  o.log.warn(last ? 'step failed, message quarantined' : 'step failed, will retry', { message: msg.id, stage: stage.name, attempt: msg.attempts, error: text });
}

/** Writes completed steps in one transaction, then logs them and tells `onStep`. */
export function recordSteps<C>(o: WorkerOptions<C>, done: readonly { msg: MessageWork; stage: Stage<C>; step: CompletedStep }[]): void {
  const written = completeMessageSteps(o.db, o.owner, done.map((d) => d.step), o.now());
  done.forEach(({ msg, stage, step }, i) => {
    const r = step.result;
    if (written[i]) {
      const requestId = r.request?.id ?? r.requestUpdate?.id;
      const request = requestId ? { request: requestId } : {};
      o.log.info('step done', { message: msg.id, ...request, stage: stage.name, state: r.state, ...(r.refusalCode ? { code: r.refusalCode } : {}), outbox: r.outbox?.length ?? 0 });
      if (r.alert) o.log.warn('operator attention', { message: msg.id, ...request, stage: stage.name, alert: r.alert });
      o.onStep?.(msg.id, r);
    } else {
      o.log.warn('step result discarded: lease lost', { message: msg.id, stage: stage.name });
    }
  });
}

export function startPipelineWorkers<C>(o: WorkerOptions<C>): Workers {
  let running = true;
  const { idle, wake } = createIdle(o.pollMs);
  const workStates = o.stages.map((s) => s.from);
  let lastSweep = 0;
  // the batches whose stages are running elsewhere (drain waits for them)
  const inFlight = new Set<Promise<number>>();
  const runBatch = (): number | Promise<number> => {
    if (!o.offThread) return runSteps(o);
    const p = runStepsOffThread(o, o.offThread).finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };
  const loop = async (): Promise<void> => {
    while (running) {
      let worked = false;
      try {
        if (Date.now() - lastSweep > Math.max(1000, o.pollMs * 10)) {
          lastSweep = Date.now();
          quarantineExhausted(o.db, workStates, o.maxAttempts, o.now());
        }
        worked = (await runBatch()) > 0;
      } catch (err) {
        o.log.error('pipeline worker error', { error: (err as Error).message });
        await sleep(o.pollMs);
      }
      // give the event loop (SMTP sessions) a turn between steps
      if (worked) await new Promise((r) => setImmediate(r));
      else await idle();
    }
  };
  const loops = Array.from({ length: Math.max(1, o.workers) }, () => loop());
  return {
    wake,
    async stop() {
      running = false;
      wake();
      await Promise.all(loops);
    },
    async drain() {
      await o.offThread?.ready();
      for (;;) {
        const worked = (await runBatch()) > 0;
        if (!worked && inFlight.size === 0) return;
        if (!worked) await Promise.allSettled([...inFlight]);
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}
