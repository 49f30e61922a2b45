/**
 * The policy calendar's arithmetic on civil dates: local dates of instants (Intl, no library) and day numbers (days
 * since 1970-01-01) with pure integer arithmetic, so that windows and deadlines are plain integer ranges.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** dayNumber('0000-01-01') and dayNumber('9999-12-31'): the range of four-digit years. */
const FIRST_DAY = -719_528;
const LAST_DAY = 2_932_896;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // Throws a RangeError on an unknown time zone.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date (YYYY-MM-DD) of an instant in an IANA time zone (Intl, no library). */
export function localDate(at: Date, timeZone: string): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('localDate: invalid Date');
  let year = '';
  let month = '';
  let day = '';
  let era = '';
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
    else if (part.type === 'era') era = part.value;
  }
  const y = Number(year);
  if (!/^\d+$/.test(year) || era !== 'AD' || y > 9999) {
    throw new RangeError(`localDate: ${at.toISOString()} is outside years 0001–9999`);
  }
  return `${String(y).padStart(4, '0')}-${month}-${day}`;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date (UTC arithmetic; throws a RangeError on a malformed or impossible date). */
export function dayNumber(date: string): number {
  const match = DATE_PATTERN.exec(date);
  if (match === null) throw new RangeError(`dayNumber: "${date}" is not a YYYY-MM-DD date`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`dayNumber: "${date}" is not a date of the calendar`);
  }
  // Howard Hinnant's days_from_civil (proleptic Gregorian calendar), with March as the first month of the year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The YYYY-MM-DD date of a day number (inverse of dayNumber). */
export function dateOfDay(day: number): string {
  if (!Number.isInteger(day) || day < FIRST_DAY || day > LAST_DAY) {
    throw new RangeError(`dateOfDay: ${day} is not the day number of a date in years 0000–9999`);
  }
  // Howard Hinnant's civil_from_days.
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const d = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** ISO weekday of a day number: 1 Monday … 7 Sunday. */
export function weekdayOfDay(day: number): number {
  if (!Number.isInteger(day)) throw new RangeError(`weekdayOfDay: ${day} is not a day number`);
  // Day 0, 1970-01-01, was a Thursday (4).
  return ((((day + 3) % 7) + 7) % 7) + 1;
}
