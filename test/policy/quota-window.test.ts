import { describe, expect, it } from 'vitest';
import { dateOfDay, dayNumber } from '../../src/policy/local-date.ts';
import { quotaWindow, type QuotaWindowKind } from '../../src/policy/quota-window.ts';

/** Whether a request admitted on `earlier` counts against one made on `later`. */
function counts(earlier: string, later: string, kind: QuotaWindowKind): boolean {
  const { firstDay, lastDay } = quotaWindow(later, kind);
  const day = dayNumber(earlier);
  return firstDay <= day && day <= lastDay;
}

describe('quotaWindow', () => {
  it.each([
    ['calendar year: a request on 31 December counts one made on 1 January of the same year', 'calendar-year', '2026-01-01', '2026-12-31', true],
    ['calendar year: a request on 1 January does not count one made on 31 December before', 'calendar-year', '2026-12-31', '2027-01-01', false],
    ['calendar year: the same day counts', 'calendar-year', '2026-06-15', '2026-06-15', true],
    ['calendar year: a leap year runs to 31 December', 'calendar-year', '2028-02-29', '2028-12-31', true],
    ['rolling 365 days: the same day counts', 'rolling-365-days', '2026-03-10', '2026-03-10', true],
    ['rolling 365 days: "day 365" (364 days later) still sees the first request', 'rolling-365-days', '2026-01-01', '2026-12-31', true],
    ['rolling 365 days: "day 366" (365 days later) no longer sees it', 'rolling-365-days', '2026-01-01', '2027-01-01', false],
    ['rolling 365 days: across New Year, 31 December is seen on 1 January', 'rolling-365-days', '2026-12-31', '2027-01-01', true],
    ['rolling 365 days: from 29 February 2028, 364 days later (2029-02-27) still sees it', 'rolling-365-days', '2028-02-29', '2029-02-27', true],
    ['rolling 365 days: from 29 February 2028, 365 days later (2029-02-28) does not', 'rolling-365-days', '2028-02-29', '2029-02-28', false],
    ['rolling 365 days across a leap day: 2027-03-02 is seen on 2028-02-29 (364 days)', 'rolling-365-days', '2027-03-02', '2028-02-29', true],
    ['rolling 365 days across a leap day: 2027-03-01 is not seen on 2028-02-29 (365 days)', 'rolling-365-days', '2027-03-01', '2028-02-29', false],
    ['rolling 365 days: a later request is outside the window', 'rolling-365-days', '2026-03-11', '2026-03-10', false],
  ] as const)('%s', (_rule, kind, earlier, later, expected) => {
    expect(counts(earlier, later, kind)).toBe(expected);
  });

  it.each([
    ['calendar year 2026', '2026-07-14', 'calendar-year', '2026-01-01', '2026-12-31'],
    ['calendar year 2028, a leap year', '2028-02-29', 'calendar-year', '2028-01-01', '2028-12-31'],
    ['rolling window ends on the request day', '2026-07-14', 'rolling-365-days', '2025-07-15', '2026-07-14'],
    ['rolling window ending on a leap day', '2028-02-29', 'rolling-365-days', '2027-03-02', '2028-02-29'],
  ] as const)('bounds: %s', (_rule, requestDay, kind, first, last) => {
    const window = quotaWindow(requestDay, kind);
    expect(dateOfDay(window.firstDay)).toBe(first);
    expect(dateOfDay(window.lastDay)).toBe(last);
  });

  it('a rolling window always holds exactly 365 days', () => {
    for (const day of ['2026-01-01', '2028-02-29', '2028-12-31', '2100-03-01']) {
      const { firstDay, lastDay } = quotaWindow(day, 'rolling-365-days');
      expect(lastDay - firstDay + 1).toBe(365);
    }
  });

  it.each([
    ['a malformed request day', '2026-1-1', 'calendar-year'],
    ['an impossible request day', '2026-02-29', 'rolling-365-days'],
    ['an unknown window kind', '2026-01-01', 'rolling-12-months'],
  ])('throws a RangeError on %s', (_rule, day, kind) => {
    expect(() => quotaWindow(day, kind as QuotaWindowKind)).toThrow(RangeError);
  });
});
