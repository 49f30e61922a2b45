import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateOfDay, dayNumber, localDate, weekdayOfDay } from '../../src/policy/local-date.ts';

describe('localDate', () => {
  it.each([
    ['New Year in Paris comes before it does in UTC (UTC+1 in winter)', '2026-12-31T23:30:00Z', 'Europe/Paris', '2027-01-01'],
    ['Sao Paulo is still on 31 December (UTC−3)', '2026-12-31T23:30:00Z', 'America/Sao_Paulo', '2026-12-31'],
    ['UTC is its own local date', '2026-12-31T23:30:00Z', 'UTC', '2026-12-31'],
    ['Ho Chi Minh City is already on Saturday at 23:30 UTC on a Friday (UTC+7)', '2026-02-13T23:30:00Z', 'Asia/Ho_Chi_Minh', '2026-02-14'],
    ['Moscow at 21:00 UTC is midnight of the next day (UTC+3)', '2025-12-31T21:00:00Z', 'Europe/Moscow', '2026-01-01'],
    ['Moscow one millisecond before its midnight', '2025-12-31T20:59:59.999Z', 'Europe/Moscow', '2025-12-31'],
    ['Paris, summer time: 22:30 UTC is 00:30 the next day (UTC+2)', '2026-07-13T22:30:00Z', 'Europe/Paris', '2026-07-14'],
    ['Paris, winter time: 22:30 UTC is 23:30 the same day (UTC+1)', '2026-01-13T22:30:00Z', 'Europe/Paris', '2026-01-13'],
    ['Paris, spring-forward night: 00:59 UTC is 02:59 → 03:59 on 29 March', '2026-03-29T00:59:00Z', 'Europe/Paris', '2026-03-29'],
    ['Paris, last minute before spring-forward day (UTC+1)', '2026-03-28T22:59:00Z', 'Europe/Paris', '2026-03-28'],
    ['Paris, first minute of spring-forward day', '2026-03-28T23:00:00Z', 'Europe/Paris', '2026-03-29'],
    ['Paris, first minute of the fall-back day is still at UTC+2', '2026-10-24T22:00:00Z', 'Europe/Paris', '2026-10-25'],
    ['Paris, last minute of the fall-back day is at UTC+1', '2026-10-25T22:59:00Z', 'Europe/Paris', '2026-10-25'],
    ['New York, fall-back day: 03:59 UTC is 23:59 the day before (UTC−4)', '2026-11-01T03:59:00Z', 'America/New_York', '2026-10-31'],
    ['New York, fall-back day: 04:00 UTC is midnight (UTC−4)', '2026-11-01T04:00:00Z', 'America/New_York', '2026-11-01'],
    ['a leap day is a local date', '2028-02-29T12:00:00Z', 'America/Sao_Paulo', '2028-02-29'],
  ])('%s', (_rule, instant, timeZone, expected) => {
    expect(localDate(new Date(instant), timeZone)).toBe(expected);
  });

  it('throws a RangeError on an unknown time zone', () => {
    expect(() => localDate(new Date('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('throws a RangeError on an invalid Date', () => {
    expect(() => localDate(new Date('not a date'), 'UTC')).toThrow(RangeError);
  });

  it('agrees with the UTC date of any instant in the UTC zone', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59Z'), noInvalidDate: true }), (at) => {
        expect(localDate(at, 'UTC')).toBe(at.toISOString().slice(0, 10));
      }),
    );
  });
});

describe('dayNumber and dateOfDay', () => {
  it.each([
    ['the epoch is day 0', '1970-01-01', 0],
    ['the day after the epoch', '1970-01-02', 1],
    ['the day before the epoch', '1969-12-31', -1],
    ['2000 is a leap year (divisible by 400)', '2000-03-01', 11_017],
    ['2026-01-01', '2026-01-01', 20_454],
    ['29 February 2028', '2028-02-29', 21_243],
    ['the first four-digit date', '0000-01-01', -719_528],
    ['the last four-digit date', '9999-12-31', 2_932_896],
  ])('%s', (_rule, date, day) => {
    expect(dayNumber(date)).toBe(day);
    expect(dateOfDay(day)).toBe(date);
  });

  it('agrees with Date.UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('1900-01-01'), max: dayNumber('2200-12-31') }), (day) => {
        expect(dateOfDay(day)).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
      }),
    );
  });

  it('round-trips every date of years 1900–2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2200 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const valid = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
        if (valid) expect(dateOfDay(dayNumber(date))).toBe(date);
        else expect(() => dayNumber(date)).toThrow(RangeError);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('1900-01-01'), max: dayNumber('2200-12-31') }), (day) => {
        expect(dayNumber(dateOfDay(day))).toBe(day);
      }),
    );
  });

  it.each([
    ['29 February of a common year', '2026-02-29'],
    ['29 February 1900 (divisible by 100, not by 400)', '1900-02-29'],
    ['31 April', '2026-04-31'],
    ['month 13', '2026-13-01'],
    ['month 0', '2026-00-10'],
    ['day 0', '2026-01-00'],
    ['day 32', '2026-01-32'],
    ['one-digit month', '2026-1-01'],
    ['a date-time', '2026-01-01T00:00:00Z'],
    ['slashes', '2026/01/01'],
    ['a five-digit year', '12026-01-01'],
    ['trailing space', '2026-01-01 '],
    ['empty', ''],
  ])('dayNumber refuses %s', (_rule, date) => {
    expect(() => dayNumber(date)).toThrow(RangeError);
  });

  it.each([
    ['a fraction', 0.5],
    ['NaN', Number.NaN],
    ['a day after 9999-12-31', 2_932_897],
  ])('dateOfDay refuses %s', (_rule, day) => {
    expect(() => dateOfDay(day)).toThrow(RangeError);
  });
});

describe('weekdayOfDay', () => {
  it.each([
    ['the epoch was a Thursday', '1970-01-01', 4],
    ['the day before the epoch was a Wednesday', '1969-12-31', 3],
    ['Friday 13 February 2026', '2026-02-13', 5],
    ['Saturday 14 February 2026', '2026-02-14', 6],
    ['Sunday 15 February 2026', '2026-02-15', 7],
    ['Monday 16 February 2026', '2026-02-16', 1],
    ['Tuesday 29 February 2028', '2028-02-29', 2],
    ['Monday 1 January 1900', '1900-01-01', 1],
  ])('%s', (_rule, date, weekday) => {
    expect(weekdayOfDay(dayNumber(date))).toBe(weekday);
  });

  it('agrees with Date.getUTCDay over years 1900–2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('1900-01-01'), max: dayNumber('2200-12-31') }), (day) => {
        expect(weekdayOfDay(day)).toBe(new Date(day * 86_400_000).getUTCDay() || 7);
      }),
    );
  });
});
