import { dayNumber } from './local-date.ts';

export type QuotaWindowKind = 'calendar-year' | 'rolling-365-days';

/** Length of the rolling window in days, the request day included. */
const ROLLING_DAYS = 365;

/**
 * The days (inclusive day numbers, see local-date.ts) whose admitted requests count against a request made on
 * `requestDay` (YYYY-MM-DD, local).
 * - calendar-year: 1 January .. 31 December of the request's year (the days after the request hold no requests yet,
 *   but the range is the one the store queries).
 * - rolling-365-days: the 365 days ending with the request day, [d − 364, d]: a request made 364 days after an earlier
 *   one still sees it, one made 365 days after does not. Across 29 February this is one day shorter than "the same
 *   date a year earlier".
 * Throws a RangeError on a malformed date or an unknown kind.
 */
export function quotaWindow(requestDay: string, kind: QuotaWindowKind): { firstDay: number; lastDay: number } {
  const day = dayNumber(requestDay);
  switch (kind) {
    case 'calendar-year': {
      const year = requestDay.slice(0, 4);
      return { firstDay: dayNumber(`${year}-01-01`), lastDay: dayNumber(`${year}-12-31`) };
    }
    case 'rolling-365-days':
      return { firstDay: day - (ROLLING_DAYS - 1), lastDay: day };
    default:
      throw new RangeError(`quotaWindow: unknown window kind "${String(kind satisfies never)}"`);
  }
}
