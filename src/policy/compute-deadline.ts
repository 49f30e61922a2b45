import Holidays from 'date-holidays';
import { dateOfDay, dayNumber, localDate, weekdayOfDay } from './local-date.ts';

export interface BusinessCalendar {
  /** ISO 3166 country for date-holidays (FR, BR, RU, VN …), optional state/region code */
  country: string;
  region?: string;
  /** which date-holidays types are days off: e.g. ['public'] or ['public', 'bank'] (Brazil's Carnival Monday/Tuesday are 'bank') */
  holidayTypes: string[];
  /** ISO weekdays that are not working days (default [6, 7]) */
  weekend?: number[];
  timeZone: string;
}

export interface DeadlineRule {
  days: number;
  business: boolean;
}

const DEFAULT_WEEKEND: readonly number[] = [6, 7];
/** More consecutive days off than this means a calendar without working days: fail rather than loop. */
const MAX_CONSECUTIVE_DAYS_OFF = 366;

interface HolidayTable {
  holidays: Holidays;
  /** years whose holidays have been entered in `daysOff` */
  loadedYears: Set<number>;
  /** local date (day number) → the date-holidays types of the holidays covering it */
  daysOff: Map<number, Set<string>>;
}

const tables = new Map<string, HolidayTable>();

/**
 * The holiday table of a country (and state/region), built once. The instance works in UTC so that the `start` and
 * `end` instants it returns are the holiday's wall-clock bounds, whatever the country's time zones: holidays are
 * civil dates, keyed by local date. An unknown country or region is an error (a silently empty table would make
 * every holiday a working day).
 */
function tableFor(country: string, region: string | undefined): HolidayTable {
  const key = `${country}/${region ?? ''}`;
  let table = tables.get(key);
  if (table === undefined) {
    const probe = new Holidays();
    if (!Object.hasOwn(probe.getCountries(), country)) {
      throw new RangeError(`business calendar: unknown country "${country}" in date-holidays`);
    }
    if (region !== undefined && !Object.hasOwn(probe.getStates(country) ?? {}, region)) {
      throw new RangeError(`business calendar: unknown region "${region}" of ${country} in date-holidays`);
    }
    const holidays =
      region === undefined ? new Holidays(country, { timezone: 'UTC' }) : new Holidays(country, region, { timezone: 'UTC' });
    table = { holidays, loadedYears: new Set(), daysOff: new Map() };
    tables.set(key, table);
  }
  return table;
}

/** Enters the holidays starting in `year` (some run into the next year) day by day. */
function loadYear(table: HolidayTable, year: number): void {
  if (table.loadedYears.has(year)) return;
  for (const holiday of table.holidays.getHolidays(year)) {
    const firstDay = dayNumber(holiday.start.toISOString().slice(0, 10));
    const end = holiday.end.toISOString();
    // `end` is exclusive: a holiday ending at midnight does not touch that day; a part-day holiday (Ash Wednesday
    // until 14:00, Christmas Eve from 14:00) makes its whole date a day off when its type is listed.
    const endDay = dayNumber(end.slice(0, 10));
    const lastDay = Math.max(firstDay, end.slice(11, 23) === '00:00:00.000' ? endDay - 1 : endDay);
    for (let day = firstDay; day <= lastDay; day++) {
      let types = table.daysOff.get(day);
      if (types === undefined) {
        types = new Set();
        table.daysOff.set(day, types);
      }
      types.add(holiday.type);
    }
  }
  table.loadedYears.add(year);
}

function isHolidayDay(day: number, calendar: BusinessCalendar): boolean {
  if (calendar.holidayTypes.length === 0) return false;
  const table = tableFor(calendar.country, calendar.region);
  const year = Number(dateOfDay(day).slice(0, 4));
  // A holiday of the previous year may run into this one (a span across 31 December).
  loadYear(table, year - 1);
  loadYear(table, year);
  const types = table.daysOff.get(day);
  return types !== undefined && calendar.holidayTypes.some((type) => types.has(type));
}

function isWorkingDayNumber(day: number, calendar: BusinessCalendar): boolean {
  const weekend = calendar.weekend ?? DEFAULT_WEEKEND;
  return !weekend.includes(weekdayOfDay(day)) && !isHolidayDay(day, calendar);
}

/** Whether a local date is a working day in the calendar. */
export function isWorkingDay(date: string, calendar: BusinessCalendar): boolean {
  return isWorkingDayNumber(dayNumber(date), calendar);
}

/**
 * The local date (YYYY-MM-DD) by which an answer is due for a request received at `at`: `days` calendar days, or
 * `days` working days (the day of receipt not counted; weekends and the calendar's holidays skipped). Pure apart from
 * the holiday tables, which are cached per (country, region). 0 days is the day of receipt, working or not.
 * Throws a RangeError on a negative or fractional number of days, an unknown time zone, country or region, or a
 * calendar without working days.
 */
export function computeDeadline(at: Date, rule: DeadlineRule, calendar: BusinessCalendar): string {
  if (!Number.isInteger(rule.days) || rule.days < 0) {
    throw new RangeError(`computeDeadline: days must be a whole number ≥ 0, got ${rule.days}`);
  }
  const received = dayNumber(localDate(at, calendar.timeZone));
  if (!rule.business) return dateOfDay(received + rule.days);
  let day = received;
  let remaining = rule.days;
  let daysOff = 0;
  while (remaining > 0) {
    day += 1;
    if (isWorkingDayNumber(day, calendar)) {
      remaining -= 1;
      daysOff = 0;
    } else if (++daysOff > MAX_CONSECUTIVE_DAYS_OFF) {
      throw new RangeError(`computeDeadline: the calendar of ${calendar.country} has no working day after ${dateOfDay(received)}`);
    }
  }
  return dateOfDay(day);
}
