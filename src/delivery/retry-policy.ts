/**
 * When to try a failed delivery again, and when to stop. Pure: the clock and the randomness are
 * passed in; the attempt count and the first attempt's time live with the message (database).
 */
export interface RetryPolicy {
  /** delay after the first failure */
  initialDelayMs: number;
  /** ceiling of any delay, jitter included */
  maxDelayMs: number;
  /** no new attempt once this long has passed since the first one */
  giveUpAfterMs: number;
}

/** 1 min, doubling, at most 1 h between attempts, given up after 48 h. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialDelayMs: 60_000,
  maxDelayMs: 3_600_000,
  giveUpAfterMs: 48 * 3_600_000,
});

/** Jitter spread: the delay is multiplied by a factor in [1 - JITTER, 1 + JITTER]. */
const JITTER = 0.1;

/**
 * Milliseconds to wait before the next attempt. `attempt` counts the failures so far (1 = after
 * the first failure; anything below 1 counts as 1). The delay is initialDelay × 2^(attempt-1),
 * capped at maxDelay, then multiplied by 0.9 + 0.2 × jitter() (±10%), rounded, and never above
 * maxDelay nor below 0. `jitter` returns a number in [0, 1] (Math.random in production, a
 * constant in tests); values outside are clamped, NaN counts as 0.5 (no jitter).
 */
export function nextAttemptDelay(attempt: number, policy: RetryPolicy, jitter: () => number): number {
  const n = attempt >= 1 ? Math.floor(attempt) : 1; // NaN and 0 count as 1
  const max = Math.max(0, policy.maxDelayMs);
  const initial = Math.max(0, policy.initialDelayMs);
  // 2^(n-1) overflows to Infinity for large n: the cap still applies (0 × Infinity would be NaN)
  const base = initial === 0 ? 0 : Math.min(max, initial * 2 ** (n - 1));
  const j = clampUnit(jitter());
  const factor = 1 - JITTER + 2 * JITTER * j;
  return Math.min(max, Math.max(0, Math.round(base * factor)));
}

/**
 * True when no further attempt should be made: `giveUpAfterMs` or more has passed between the
 * first attempt and `now`. The caller then fails the message permanently (bounce / notify).
 */
export function shouldGiveUp(firstAttemptAt: Date, now: Date, policy: RetryPolicy): boolean {
  return now.getTime() - firstAttemptAt.getTime() >= policy.giveUpAfterMs;
}

function clampUnit(x: number): number {
  if (Number.isNaN(x)) return 0.5;
  return Math.min(1, Math.max(0, x));
}
