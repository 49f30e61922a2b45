/**
 * Delivers the outbox: takes due rows (as many as there are free delivery slots, in one claim), sends the
 * sealed bytes of each once, records each outcome.
 * Temporary failures come back with exponential backoff until the policy gives up (default 48 h);
 * permanent ones stop at once. Each row keeps its bytes and Message-ID, so a retry sends the same message.
 */
import type { Logger } from '../log/logger.ts';
import { domainOf } from '../mime/addresses.ts';
import type { Db } from '../store/open-database.ts';
import { claimOutbox, claimOutboxRows, markOutboxFailed, markOutboxRetry, markOutboxSent, type OutboxWork } from '../store/outbox.ts';
import { nextAttemptDelay, shouldGiveUp, type RetryPolicy } from './retry-policy.ts';
import { sendRaw, type SendOutcome, type TransportPool } from './send-raw.ts';
import { resolveRoute, type OutboundRoutes } from './smtp-route.ts';

export interface DeliveryOptions {
  db: Db;
  routes: () => OutboundRoutes;
  retry: RetryPolicy;
  connectionTimeoutMs: number;
  mdnTimeoutMs: number;
  ehloName: string;
  /** deliveries in progress at once */
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  owner: string;
  now: () => Date;
  log: Logger;
  /** told when a row is given up or refused for good (to tell its originator) */
  onFailed?: (row: OutboxWork, code: string) => void;
  /** the send function (tests may count calls); default sendRaw */
  send?: typeof sendRaw;
  /** pooled connections, reused across deliveries */
  pool?: TransportPool;
}

export interface DeliveryWorker {
  wake(): void;
  stop(): Promise<void>;
  /** deliver everything due now, then return */
  drain(): Promise<void>;
}

/** One delivery attempt of one due row; false when nothing is due. */
export async function deliverOne(o: DeliveryOptions): Promise<boolean> {
  const row = claimOutbox(o.db, o.now(), o.leaseMs, o.owner);
  if (!row) return false;
  await deliverRow(o, row);
  return true;
}

/** One delivery attempt of a claimed row, its outcome recorded. */
export async function deliverRow(o: DeliveryOptions, row: OutboxWork): Promise<void> {
  const recipient = row.envelopeTo[0] ?? '';
  const route = resolveRoute(o.routes(), domainOf(recipient));
  let outcome: SendOutcome;
  if (!route) {
    outcome = { status: 'permanent', code: 'SMTP_INVALID', response: 'no route for the recipient domain' };
    markOutboxFailed(o.db, row.id, o.owner, 'DELIVERY_NO_ROUTE', outcome.response, o.now());
    o.log.warn('delivery: no route', { outbox: row.id, kind: row.kind });
    o.onFailed?.(row, 'DELIVERY_NO_ROUTE');
    return;
  }
  outcome = await (o.send ?? sendRaw)(route, { from: row.envelopeFrom, to: row.envelopeTo }, row.raw, { timeoutMs: o.connectionTimeoutMs, name: o.ehloName, deadlineMs: o.connectionTimeoutMs * 4, ...(o.pool ? { pool: o.pool } : {}) });
  const now = o.now();
  if (outcome.status === 'sent') {
    markOutboxSent(o.db, row.id, o.owner, outcome.response, now, o.mdnTimeoutMs);
    o.log.info('delivery: sent', { outbox: row.id, kind: row.kind, attempt: row.attempts });
    return;
  }
  const giveUp = outcome.status === 'permanent' || shouldGiveUp(row.firstAttemptAt ?? now, now, o.retry);
  if (giveUp) {
    const code = outcome.status === 'permanent' ? outcome.code : 'DELIVERY_EXPIRED';
    markOutboxFailed(o.db, row.id, o.owner, code, outcome.response.slice(0, 500), now);
    o.log.warn('delivery: failed for good', { outbox: row.id, kind: row.kind, code, attempt: row.attempts });
    o.onFailed?.(row, code);
  } else {
    const delay = nextAttemptDelay(row.attempts, o.retry, Math.random);
    markOutboxRetry(o.db, row.id, o.owner, outcome.code, outcome.response.slice(0, 500), new Date(now.getTime() + delay), now);
    o.log.info('delivery: will retry', { outbox: row.id, kind: row.kind, code: outcome.code, attempt: row.attempts, inMs: Math.round(delay) });
  }
}

export function startDeliveryWorker(o: DeliveryOptions): DeliveryWorker {
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
  const inFlight = new Set<Promise<void>>();
  const start = (row: OutboxWork) => {
    const p: Promise<void> = deliverRow(o, row)
      .catch((err: unknown) => o.log.error('delivery worker error', { error: (err as Error).message }))
      .finally(() => {
        inFlight.delete(p);
        wake();
      });
    inFlight.add(p);
  };
  const loop = async () => {
    while (running) {
      let claimed = 0;
      const free = Math.max(1, o.concurrency) - inFlight.size;
      if (free > 0) {
        try {
          const rows = claimOutboxRows(o.db, o.now(), o.leaseMs, o.owner, free);
          claimed = rows.length;
          for (const row of rows) start(row);
        } catch (err) {
          o.log.error('delivery worker error', { error: (err as Error).message });
        }
      }
      // woken when a delivery ends or a step wrote rows; else polls
      if (claimed === 0 || inFlight.size >= o.concurrency) await idle();
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
      o.pool?.close();
    },
    async drain() {
      for (;;) {
        const rows = claimOutboxRows(o.db, o.now(), o.leaseMs, o.owner, Math.max(1, o.concurrency));
        if (rows.length === 0 && inFlight.size === 0) return;
        await Promise.all([...rows.map((row) => deliverRow(o, row)), ...inFlight]);
      }
    },
  };
}
