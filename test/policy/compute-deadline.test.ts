import { describe, expect, it } from 'vitest';
import { computeDeadline, isWorkingDay, type BusinessCalendar } from '../../src/policy/compute-deadline.ts';

const BRAZIL: BusinessCalendar = { country: 'BR', holidayTypes: ['public', 'bank'], timeZone: 'America/Sao_Paulo' };
const BRAZIL_PUBLIC_ONLY: BusinessCalendar = { ...BRAZIL, holidayTypes: ['public'] };
const BRAZIL_WITH_OPTIONAL: BusinessCalendar = { ...BRAZIL, holidayTypes: ['public', 'bank', 'optional'] };
const SAO_PAULO_STATE: BusinessCalendar = { ...BRAZIL, region: 'SP' };
const FRANCE: BusinessCalendar = { country: 'FR', holidayTypes: ['public'], timeZone: 'Europe/Paris' };
const FRANCE_NO_HOLIDAYS: BusinessCalendar = { ...FRANCE, holidayTypes: [] };
const RUSSIA: BusinessCalendar = { country: 'RU', holidayTypes: ['public'], timeZone: 'Europe/Moscow' };
const VIETNAM: BusinessCalendar = { country: 'VN', holidayTypes: ['public'], timeZone: 'Asia/Ho_Chi_Minh' };
const VIETNAM_SIX_DAY_WEEK: BusinessCalendar = { ...VIETNAM, weekend: [7] };
const UTC_FRANCE: BusinessCalendar = { ...FRANCE, timeZone: 'UTC' };

describe('computeDeadline', () => {
  it.each([
    // Fri 13 Feb 2026: Sat 14, Sun 15 weekend; Mon 16, Tue 17 Carnival ('bank'); Wed 18 Ash Wednesday ('optional', a working day) = 1, Thu 19 = 2, Fri 20 = 3.
    ['Brazil, 3 business days across a weekend and Carnival (public + bank days off)', '2026-02-13T15:00:00Z', 3, true, BRAZIL, '2026-02-20'],
    ['Brazil, 3 business days when only public holidays are days off: Carnival is worked', '2026-02-13T15:00:00Z', 3, true, BRAZIL_PUBLIC_ONLY, '2026-02-18'],
    ['Brazil, 3 business days when Ash Wednesday (optional, until 14:00) is a day off too', '2026-02-13T15:00:00Z', 3, true, BRAZIL_WITH_OPTIONAL, '2026-02-23'],
    ['Brazil, 1 business day from the Friday before Carnival lands on Ash Wednesday', '2026-02-13T15:00:00Z', 1, true, BRAZIL, '2026-02-18'],
    ['Brazil, a request received on Carnival Monday: the count starts on Wednesday', '2026-02-16T15:00:00Z', 1, true, BRAZIL, '2026-02-18'],
    ['Brazil, Tiradentes (Tue 21 April) is skipped', '2026-04-20T15:00:00Z', 1, true, BRAZIL, '2026-04-22'],
    ['São Paulo state, 9 July (Revolução Constitucionalista) is a state holiday', '2026-07-08T15:00:00Z', 1, true, SAO_PAULO_STATE, '2026-07-10'],
    ['Brazil without a region, 9 July is a working day', '2026-07-08T15:00:00Z', 1, true, BRAZIL, '2026-07-09'],
    // Fri 10 July 2026: Sat 11, Sun 12 weekend; Mon 13 = 1; Tue 14 July (Fête nationale) off; Wed 15 = 2.
    ['France, 2 business days across a weekend and 14 July', '2026-07-10T09:00:00Z', 2, true, FRANCE, '2026-07-15'],
    ['France, the same request when the calendar lists no holiday type: 14 July is worked', '2026-07-10T09:00:00Z', 2, true, FRANCE_NO_HOLIDAYS, '2026-07-14'],
    ['France, Ascension Thursday and the weekend after it', '2026-05-13T09:00:00Z', 2, true, FRANCE, '2026-05-18'],
    // Tết 2026 in date-holidays VN: public from Mon 16 to Fri 20 February; Sat 21, Sun 22 weekend; Mon 23 = 1, Tue 24 = 2, Wed 25 = 3.
    ['Vietnam, 3 business days across Tết 2026 and the weekends around it', '2026-02-13T03:00:00Z', 3, true, VIETNAM, '2026-02-25'],
    ['Vietnam, a six-day week: only Sunday is off', '2026-03-06T03:00:00Z', 1, true, VIETNAM_SIX_DAY_WEEK, '2026-03-07'],
    // Russia: 1–8 January 2026 are public holidays in date-holidays (New Year holidays and Orthodox Christmas).
    ['Russia, 1 business day from 31 December across the New Year holidays (1–8 January)', '2025-12-31T09:00:00Z', 1, true, RUSSIA, '2026-01-09'],
    ['Russia, 23 February (Defender of the Fatherland Day, a Monday) is skipped', '2026-02-20T09:00:00Z', 1, true, RUSSIA, '2026-02-24'],
    ['Russia, Monday 9 March 2026 replaces 8 March (a Sunday)', '2026-03-06T09:00:00Z', 1, true, RUSSIA, '2026-03-10'],
    ['calendar days just add days, holidays and weekends included', '2026-02-13T15:00:00Z', 3, false, BRAZIL, '2026-02-16'],
    ['calendar days across New Year', '2026-12-30T12:00:00Z', 5, false, FRANCE, '2027-01-04'],
    ['calendar days across a leap day', '2028-02-27T12:00:00Z', 3, false, FRANCE, '2028-03-01'],
    ['0 business days is the day of receipt, even a Saturday', '2026-02-14T12:00:00Z', 0, true, BRAZIL, '2026-02-14'],
    ['0 calendar days is the day of receipt', '2026-07-14T12:00:00Z', 0, false, FRANCE, '2026-07-14'],
    // Time zones: the day of receipt is the local date of the calendar's zone.
    ['time zone: 23:30 UTC on a Friday is Saturday in Ho Chi Minh City (0 days)', '2026-02-06T23:30:00Z', 0, true, VIETNAM, '2026-02-07'],
    ['time zone: the calendar day after Saturday in Ho Chi Minh City is Sunday', '2026-02-06T23:30:00Z', 1, false, VIETNAM, '2026-02-08'],
    ['time zone: 23:30 UTC on a Thursday is Friday in Ho Chi Minh City, so 1 business day is Monday', '2026-03-05T23:30:00Z', 1, true, VIETNAM, '2026-03-09'],
    ['time zone: the same instant read in UTC is Thursday, so 1 business day is Friday', '2026-03-05T23:30:00Z', 1, true, UTC_FRANCE, '2026-03-06'],
    ['time zone: 02:30 UTC on Saturday is still Friday in São Paulo', '2026-02-14T02:30:00Z', 0, true, BRAZIL, '2026-02-13'],
  ] as const)('%s', (_rule, at, days, business, calendar, expected) => {
    expect(computeDeadline(new Date(at), { days, business }, calendar)).toBe(expected);
  });

  it.each([
    ['a negative number of days', { days: -1, business: true }, FRANCE],
    ['a fraction of a day', { days: 1.5, business: false }, FRANCE],
    ['an unknown country', { days: 1, business: true }, { ...FRANCE, country: 'XX' }],
    ['an unknown region', { days: 1, business: true }, { ...BRAZIL, region: 'ZZ' }],
    ['an unknown time zone', { days: 1, business: true }, { ...FRANCE, timeZone: 'Europe/Atlantis' }],
    ['a week without working days', { days: 1, business: true }, { ...FRANCE, weekend: [1, 2, 3, 4, 5, 6, 7] }],
  ])('throws a RangeError on %s', (_rule, rule, calendar) => {
    expect(() => computeDeadline(new Date('2026-03-02T12:00:00Z'), rule, calendar)).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['Brazil, Carnival Monday is off when bank days are listed', '2026-02-16', BRAZIL, false],
    ['Brazil, Carnival Tuesday is off when bank days are listed', '2026-02-17', BRAZIL, false],
    ['Brazil, Carnival Monday is worked when only public holidays are listed', '2026-02-16', BRAZIL_PUBLIC_ONLY, true],
    ['Brazil, Ash Wednesday (optional) is worked unless optional days are listed', '2026-02-18', BRAZIL, true],
    ['Brazil, Ash Wednesday is off when optional days are listed', '2026-02-18', BRAZIL_WITH_OPTIONAL, false],
    ['Brazil, Christmas Eve afternoon (optional, from 14:00) makes the day off when listed', '2026-12-24', BRAZIL_WITH_OPTIONAL, false],
    ['Brazil, the Thursday after Carnival is a working day', '2026-02-19', BRAZIL, true],
    ['France, 14 July is off', '2026-07-14', FRANCE, false],
    ['France, 13 July is worked', '2026-07-13', FRANCE, true],
    ['France, Pentecost Monday 2026 is listed as public', '2026-05-25', FRANCE, false],
    ['France, a Sunday is off', '2026-07-12', FRANCE, false],
    ['Vietnam, every day of Tết 2026 (16–20 February) is off', '2026-02-18', VIETNAM, false],
    ['Vietnam, the last day of the Tết span (20 February) is off', '2026-02-20', VIETNAM, false],
    ['Vietnam, the Monday after Tết is worked', '2026-02-23', VIETNAM, true],
    ['Vietnam, a six-day week works on Saturday', '2026-03-07', VIETNAM_SIX_DAY_WEEK, true],
    ['Russia, 5 January 2026 (a Monday of the New Year holidays) is off', '2026-01-05', RUSSIA, false],
    ['Russia, 8 January 2026 is off', '2026-01-08', RUSSIA, false],
  ] as const)('%s', (_rule, date, calendar, expected) => {
    expect(isWorkingDay(date, calendar)).toBe(expected);
  });

  it('throws a RangeError on a malformed date', () => {
    expect(() => isWorkingDay('2026-02-30', FRANCE)).toThrow(RangeError);
  });
});
