/**
 * Delivers the outbox: takes due rows (as many as there are free delivery slots, in one claim), sends the
 * sealed bytes of each once, records each outcome.
 * Temporary failures come back with exponential backoff until the policy gives up (default 48 h);
 * permanent ones stop at once. Each row keeps its bytes and Message-ID, so a retry sends the same message.
 */
import type { Logger } from '../log/logger.ts';
import { startRowWorker } from '../workers/start-row-worker.ts';
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
  // the message whose step queued this row, when there is one (ids only)
  const source = row.sourceMessage ? { message: row.sourceMessage } : {};
  const recipient = row.envelopeTo[0] ?? '';
  const route = resolveRoute(o.routes(), domainOf(recipient));
  let outcome: SendOutcome;
  if (!route) {
    outcome = { status: 'permanent', code: 'SMTP_INVALID', response: 'no route for the recipient domain' };
    markOutboxFailed(o.db, row.id, o.owner, 'DELIVERY_NO_ROUTE', outcome.response, o.now());
    o.log.warn('delivery: no route', { outbox: row.id, ...source, kind: row.kind });
    o.onFailed?.(row, 'DELIVERY_NO_ROUTE');
    return;
  }
  outcome = await (o.send ?? sendRaw)(route, { from: row.envelopeFrom, to: row.envelopeTo }, row.raw, { timeoutMs: o.connectionTimeoutMs, name: o.ehloName, deadlineMs: o.connectionTimeoutMs * 4, ...(o.pool ? { pool: o.pool } : {}) });
  const now = o.now();
  if (outcome.status === 'sent') {
    markOutboxSent(o.db, row.id, o.owner, outcome.response, now, o.mdnTimeoutMs);
    o.log.info('delivery: sent', { outbox: row.id, ...source, kind: row.kind, attempt: row.attempts });
    return;
  }
  const giveUp = outcome.status === 'permanent' || shouldGiveUp(row.firstAttemptAt ?? now, now, o.retry);
  if (giveUp) {
    const code = outcome.status === 'permanent' ? outcome.code : 'DELIVERY_EXPIRED';
    markOutboxFailed(o.db, row.id, o.owner, code, outcome.response.slice(0, 500), now);
    o.log.warn('delivery: failed for good', { outbox: row.id, ...source, kind: row.kind, code, attempt: row.attempts });
    o.onFailed?.(row, code);
  } else {
    const delay = nextAttemptDelay(row.attempts, o.retry, Math.random);
    markOutboxRetry(o.db, row.id, o.owner, outcome.code, outcome.response.slice(0, 500), new Date(now.getTime() + delay), now);
    o.log.info('delivery: will retry', { outbox: row.id, ...source, kind: row.kind, code: outcome.code, attempt: row.attempts, inMs: Math.round(delay) });
  }
}

export function startDeliveryWorker(o: DeliveryOptions): DeliveryWorker {
  const worker = startRowWorker<OutboxWork>({
    claim: (limit) => claimOutboxRows(o.db, o.now(), o.leaseMs, o.owner, limit),
    handle: (row) => deliverRow(o, row),
    concurrency: o.concurrency,
    pollMs: o.pollMs,
    log: o.log,
    name: 'delivery worker',
  });
  return {
    ...worker,
    async stop() {
      await worker.stop();
      o.pool?.close();
    },
  };
}
