/**
 * The loop shared by the workers that send rows out (outbound mail, claims): claim as many due rows as there are
 * free slots, handle each concurrently, wait (woken early by `wake` or when a slot frees) when nothing is due.
 * `drain` handles everything due now, then returns (tests, the demo).
 */
import type { Logger } from '../log/logger.ts';
import { createIdle } from './create-idle.ts';

export interface RowWorkerOptions<R> {
  /** claim up to `limit` due rows (leased to this worker) */
  claim(limit: number): R[];
  /** handle one row (its outcome recorded); a throw is logged, the row's lease runs out */
  handle(row: R): Promise<void>;
  concurrency: number;
  pollMs: number;
  log: Logger;
  /** the worker's name in the log */
  name: string;
}

export interface RowWorker {
  wake(): void;
  stop(): Promise<void>;
  drain(): Promise<void>;
}

export function startRowWorker<R>(o: RowWorkerOptions<R>): RowWorker {
  let running = true;
  const { idle, wake } = createIdle(o.pollMs);
  const slots = Math.max(1, o.concurrency);
  const inFlight = new Set<Promise<void>>();
  const run = (row: R) => o.handle(row).catch((err: unknown) => o.log.error(`${o.name} error`, { error: (err as Error).message }));
  const start = (row: R) => {
    const p: Promise<void> = run(row).finally(() => {
      inFlight.delete(p);
      wake();
    });
    inFlight.add(p);
  };
  const loop = async () => {
    while (running) {
      let claimed = 0;
      const free = slots - inFlight.size;
      if (free > 0) {
        try {
          const rows = o.claim(free);
          claimed = rows.length;
          for (const row of rows) start(row);
        } catch (err) {
          o.log.error(`${o.name} error`, { error: (err as Error).message });
        }
      }
      // woken when a row is done or new rows were written; else polls
      if (claimed === 0 || inFlight.size >= slots) await idle();
    }
  };
  const looping = loop();
  return {
    wake,
    async stop() {
      running = false;
      wake();
      await looping;
      await Promise.all(inFlight);
    },
    async drain() {
      for (;;) {
        const rows = o.claim(slots);
        if (rows.length === 0 && inFlight.size === 0) return;
        await Promise.all([...rows.map(run), ...inFlight]);
      }
    },
  };
}
