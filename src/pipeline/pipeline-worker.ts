/**
 * Pipeline workers: take a due message, run the stage for its state, write the outcome in one
 * transaction. A stage that throws is retried with backoff; after `maxAttempts` the message is
 * quarantined for the operator. Unknown errors are temporary failures, never acceptances.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../store/open-database.ts';
import { claimMessage, completeMessageStep, failMessageStep, quarantineExhausted, type MessageWork, type StepResult } from '../store/messages.ts';
import type { Logger } from '../log/logger.ts';

export interface Stage<C> {
  /** the state a message must be in for this stage */
  from: string;
  name: string;
  run(msg: MessageWork, ctx: C): StepResult;
}

export interface WorkerOptions<C> {
  db: Db;
  stages: Stage<C>[];
  /** the context, read anew for every step (so that a reload takes effect) */
  context: () => C;
  now: () => Date;
  workers: number;
  leaseMs: number;
  pollMs: number;
  maxAttempts: number;
  owner: string;
  log: Logger;
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

/** Runs one due message through its stage; returns false when nothing was due. */
export function runOneStep<C>(o: WorkerOptions<C>): boolean {
  const states = o.stages.map((s) => s.from);
  const now = o.now();
  const msg = claimMessage(o.db, states, now, o.leaseMs, o.owner, o.maxAttempts);
  if (!msg) return false;
  const stage = o.stages.find((s) => s.from === msg.state)!;
  let result: StepResult;
  try {
    result = stage.run(msg, o.context());
  } catch (err) {
    const text = `${stage.name}: ${(err as Error)?.message ?? String(err)}`.slice(0, 500);
    const last = msg.attempts >= o.maxAttempts;
    failMessageStep(o.db, msg.id, o.owner, text, o.now(), last ? 'quarantine' : new Date(o.now().getTime() + stepRetryDelay(msg.attempts)));
    o.log.warn(last ? 'step failed, message quarantined' : 'step failed, will retry', { message: msg.id, stage: stage.name, attempt: msg.attempts, error: text });
    return true;
  }
  if (completeMessageStep(o.db, msg.id, o.owner, msg.state, result, o.now())) {
    o.log.info('step done', { message: msg.id, stage: stage.name, state: result.state, ...(result.refusalCode ? { code: result.refusalCode } : {}), outbox: result.outbox?.length ?? 0 });
    o.onStep?.(msg.id, result);
  } else {
    o.log.warn('step result discarded: lease lost', { message: msg.id, stage: stage.name });
  }
  return true;
}

export function startPipelineWorkers<C>(o: WorkerOptions<C>): Workers {
  let running = true;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const idle = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, o.pollMs);
      waiters.add(done);
    });
  const workStates = o.stages.map((s) => s.from);
  let lastSweep = 0;
  const loop = async (): Promise<void> => {
    while (running) {
      let worked = false;
      try {
        if (Date.now() - lastSweep > Math.max(1000, o.pollMs * 10)) {
          lastSweep = Date.now();
          quarantineExhausted(o.db, workStates, o.maxAttempts, o.now());
        }
        worked = runOneStep(o);
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
      while (runOneStep(o)) await new Promise((r) => setImmediate(r));
    },
  };
}
