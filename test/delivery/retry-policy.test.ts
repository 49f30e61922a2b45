/** Retry delays (exponential, capped, ±10% jitter) and the give-up horizon. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, nextAttemptDelay, shouldGiveUp, type RetryPolicy } from '../../src/delivery/retry-policy.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const mid = (): number => 0.5; // factor 1.0
const low = (): number => 0; // factor 0.9
const high = (): number => 1; // factor 1.1

describe('DEFAULT_RETRY_POLICY', () => {
  it('is 1 min doubling, 1 h at most, 48 h in all', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ initialDelayMs: MIN, maxDelayMs: HOUR, giveUpAfterMs: 48 * HOUR });
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
  });
});

describe('nextAttemptDelay', () => {
  it.each<[number, () => number, number]>([
    [1, mid, MIN],
    [2, mid, 2 * MIN],
    [3, mid, 4 * MIN],
    [4, mid, 8 * MIN],
    [5, mid, 16 * MIN],
    [6, mid, 32 * MIN],
    [7, mid, HOUR], // 64 min capped
    [8, mid, HOUR],
    [1000, mid, HOUR], // 2^999 overflows: still the cap
    [1, low, 54_000],
    [1, high, 66_000],
    [3, low, 216_000],
    [3, high, 264_000],
    [6, high, 2_112_000], // 32 min + 10%
    [7, low, 3_240_000], // cap − 10%
    [7, high, HOUR], // never above the cap
    [1, () => 0.25, 57_000],
    [1, () => -5, 54_000], // clamped to 0
    [1, () => 7, 66_000], // clamped to 1
    [1, () => Number.NaN, MIN], // no jitter
    [0, mid, MIN], // below 1 counts as 1
    [-3, mid, MIN],
    [Number.NaN, mid, MIN],
    [2.7, mid, 2 * MIN], // whole attempts
    [Number.POSITIVE_INFINITY, mid, HOUR],
  ])('attempt %s → %s ms', (attempt, jitter, expected) => {
    expect(nextAttemptDelay(attempt, DEFAULT_RETRY_POLICY, jitter)).toBe(expected);
  });

  it.each<[string, RetryPolicy, number, number]>([
    ['initial above the cap', { initialDelayMs: 10_000, maxDelayMs: 5_000, giveUpAfterMs: 1 }, 1, 5_000],
    ['zero initial delay', { initialDelayMs: 0, maxDelayMs: 5_000, giveUpAfterMs: 1 }, 50, 0],
    ['zero initial delay, huge attempt', { initialDelayMs: 0, maxDelayMs: 5_000, giveUpAfterMs: 1 }, Number.POSITIVE_INFINITY, 0],
    ['negative values', { initialDelayMs: -1, maxDelayMs: -1, giveUpAfterMs: 1 }, 3, 0],
    ['rounded to whole ms', { initialDelayMs: 3, maxDelayMs: 1_000, giveUpAfterMs: 1 }, 1, 3],
  ])('%s', (_label, policy, attempt, expected) => {
    expect(nextAttemptDelay(attempt, policy, mid)).toBe(expected);
  });

  it('stays within ±10% and under the cap for any jitter', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const base = Math.min(HOUR, MIN * 2 ** (attempt - 1));
      for (let j = 0; j <= 1; j += 0.05) {
        const d = nextAttemptDelay(attempt, DEFAULT_RETRY_POLICY, () => j);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
        expect(d).toBeLessThanOrEqual(Math.min(HOUR, Math.ceil(base * 1.1)));
      }
    }
  });
});

describe('shouldGiveUp', () => {
  const first = new Date('2026-03-01T08:00:00Z');
  const after = (ms: number): Date => new Date(first.getTime() + ms);
  it.each<[string, Date, RetryPolicy, boolean]>([
    ['at the first attempt', first, DEFAULT_RETRY_POLICY, false],
    ['after 47 h 59 min 59.999 s', after(48 * HOUR - 1), DEFAULT_RETRY_POLICY, false],
    ['at exactly 48 h', after(48 * HOUR), DEFAULT_RETRY_POLICY, true],
    ['after 3 days', after(72 * HOUR), DEFAULT_RETRY_POLICY, true],
    ['clock before the first attempt', after(-HOUR), DEFAULT_RETRY_POLICY, false],
    ['a zero horizon gives up at once', first, { ...DEFAULT_RETRY_POLICY, giveUpAfterMs: 0 }, true],
    ['a short horizon', after(10 * MIN), { ...DEFAULT_RETRY_POLICY, giveUpAfterMs: 5 * MIN }, true],
  ])('%s', (_label, now, policy, expected) => {
    expect(shouldGiveUp(first, now, policy)).toBe(expected);
  });
});
