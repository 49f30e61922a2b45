/**
 * Pooled outbound SMTP connections, per route: a busy gateway reuses its connections (a new one costs a
 * TCP and TLS handshake, and a peer's greeting delay). At most `maxConnections` per route, each carrying
 * one message at a time and at most `maxMessages` before it is closed; an idle one is closed after
 * `idleMs`. A refusal of one message (a 4xx/5xx to MAIL, RCPT or DATA) keeps the connection (RSET); any
 * other failure closes it. A reused connection that turns out closed by the peer is replaced once,
 * within the same attempt.
 */
import { openSmtpConnection, sendOnConnection, type SmtpConnection, type SmtpConnectionOptions, type SmtpEnvelope, type SmtpSent } from './smtp-session.ts';
import type { SmtpRoute } from './smtp-route.ts';

export interface TransportPool {
  /** sends one message over a connection of `route` (opened with `options` when none is free) */
  send(route: SmtpRoute, options: SmtpConnectionOptions, envelope: SmtpEnvelope, raw: Buffer, signal: AbortSignal): Promise<SmtpSent>;
  /** closes every connection; sends in progress fail */
  close(): void;
}

interface Slot {
  conn: SmtpConnection;
  messages: number;
  gone: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

interface RoutePool {
  idle: Slot[];
  open: number;
  waiting: Set<() => void>;
}

/** Whether an error ended the connection rather than refused the message (nodemailer's isTransientError). */
function connectionLost(err: unknown): boolean {
  const e = err as { code?: unknown; responseCode?: unknown } | null;
  return e !== null && typeof e === 'object' && (e.responseCode === 421 || e.code === 'ECONNECTION' || e.code === 'ESOCKET');
}

/** A refusal of this message by a peer whose session is still fine: RSET and keep the connection. */
function messageRefused(err: unknown): boolean {
  const e = err as { code?: unknown; responseCode?: unknown } | null;
  return e !== null && typeof e === 'object' && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421;
}

export function createTransportPool(maxConnections = 4, maxMessages = 100, idleMs = 10_000): TransportPool {
  const pools = new Map<SmtpRoute, RoutePool>();
  let closed = false;

  const poolOf = (route: SmtpRoute): RoutePool => {
    let rp = pools.get(route);
    if (!rp) {
      rp = { idle: [], open: 0, waiting: new Set() };
      pools.set(route, rp);
    }
    return rp;
  };

  const wakeOne = (rp: RoutePool) => {
    const [first] = rp.waiting;
    if (first) {
      rp.waiting.delete(first);
      first();
    }
  };

  /** the connection is no longer usable: free its place */
  const retire = (rp: RoutePool, slot: Slot, how: 'quit' | 'close') => {
    if (slot.gone) return;
    slot.gone = true;
    clearTimeout(slot.idleTimer);
    const i = rp.idle.indexOf(slot);
    if (i >= 0) rp.idle.splice(i, 1);
    rp.open--;
    if (!slot.conn.destroyed) {
      if (how === 'quit') slot.conn.quit();
      else slot.conn.close();
    }
    wakeOne(rp);
  };

  const release = (rp: RoutePool, slot: Slot) => {
    if (slot.gone) return;
    if (closed || slot.messages >= maxMessages || slot.conn.destroyed) return retire(rp, slot, 'quit');
    slot.idleTimer = setTimeout(() => retire(rp, slot, 'quit'), idleMs);
    slot.idleTimer.unref();
    rp.idle.push(slot);
    wakeOne(rp);
  };

  const acquire = async (rp: RoutePool, options: SmtpConnectionOptions, signal: AbortSignal): Promise<Slot> => {
    for (;;) {
      if (closed) throw Object.assign(new Error('Transport pool closed'), { code: 'ECONNECTION', command: 'CONN' });
      const idle = rp.idle.pop();
      if (idle) {
        clearTimeout(idle.idleTimer);
        if (!idle.gone && !idle.conn.destroyed) return idle;
        continue;
      }
      if (rp.open < maxConnections) {
        rp.open++;
        let conn: SmtpConnection;
        try {
          conn = await openSmtpConnection(options, signal);
        } catch (err) {
          rp.open--;
          wakeOne(rp);
          throw err;
        }
        const slot: Slot = { conn, messages: 0, gone: false, idleTimer: undefined };
        // closed by the peer (or timed out) while idle: forget it
        conn.on('error', () => retire(rp, slot, 'close'));
        conn.once('end', () => retire(rp, slot, 'close'));
        return slot;
      }
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          rp.waiting.delete(turn);
          reject(signal.reason);
        };
        if (signal.aborted) return onAbort();
        rp.waiting.add(turn);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  };

  return {
    async send(route, options, envelope, raw, signal) {
      const rp = poolOf(route);
      for (let attempt = 1; ; attempt++) {
        const slot = await acquire(rp, options, signal);
        const reused = slot.messages > 0;
        slot.messages++;
        try {
          const sent = await sendOnConnection(slot.conn, envelope, raw, signal);
          release(rp, slot);
          return sent;
        } catch (err) {
          if (!signal.aborted && messageRefused(err) && !slot.conn.destroyed) {
            slot.conn.reset((resetErr) => (resetErr ? retire(rp, slot, 'close') : release(rp, slot)));
            throw err;
          }
          retire(rp, slot, 'close');
          if (!signal.aborted && reused && attempt === 1 && connectionLost(err)) continue;
          throw err;
        }
      }
    },
    close() {
      closed = true;
      for (const rp of pools.values()) {
        for (const slot of [...rp.idle]) retire(rp, slot, 'quit');
        for (const w of [...rp.waiting]) w();
      }
      pools.clear();
    },
  };
}
