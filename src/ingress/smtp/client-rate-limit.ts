/**
 * The per-client-address message rate limit of the SMTP intake: at most `limit` messages accepted (a 250 after
 * DATA) from one address in any window of `windowMs`. What is counted is accepted messages, not MAIL commands:
 * a transaction refused at RCPT (an unknown recipient), at DATA (too large, not S/MIME) or by a failing store
 * uses up nothing. The check is made at MAIL, so sessions of one client running in parallel may each pass it
 * before any of them is accepted: a client can go over by at most its simultaneous connections minus one.
 *
 * Memory: only clients with an acceptance inside the window are kept, each with at most `limit` times. The map
 * is kept in the order of each client's last acceptance, so every call first drops the clients at its front
 * whose window has passed (amortised constant time, no timer).
 */
export interface ClientRateLimit {
  /** whether `client` may start another message at `nowMs` */
  allows(client: string, nowMs: number): boolean;
  /** a message from `client` was accepted at `nowMs` */
  record(client: string, nowMs: number): void;
  /** how many client addresses are remembered (after dropping those whose window has passed at `nowMs`) */
  size(nowMs: number): number;
}

export function createClientRateLimit(limit: number, windowMs = 60_000): ClientRateLimit {
  // times of each client's accepted messages in the window, oldest first; clients in order of last acceptance
  const recent = new Map<string, number[]>();

  const live = (times: number[], nowMs: number) => {
    while (times.length > 0 && nowMs - times[0]! >= windowMs) times.shift();
    return times;
  };

  /** drops the clients whose last acceptance is out of the window (they are all at the front) */
  const prune = (nowMs: number) => {
    for (const [client, times] of recent) {
      if (nowMs - times[times.length - 1]! < windowMs) break;
      recent.delete(client);
    }
  };

  return {
    allows(client, nowMs) {
      prune(nowMs);
      const times = recent.get(client);
      return times === undefined || live(times, nowMs).length < limit;
    },
    record(client, nowMs) {
      prune(nowMs);
      const times = live(recent.get(client) ?? [], nowMs);
      times.push(nowMs);
      // parallel sessions may all have passed `allows`: only the newest `limit` times matter
      if (times.length > limit) times.splice(0, times.length - limit);
      recent.delete(client);
      recent.set(client, times);
    },
    size(nowMs) {
      prune(nowMs);
      return recent.size;
    },
  };
}
