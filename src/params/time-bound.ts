import { InvalidParameterError } from './invalid-parameter.js';

const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads a `since`/`until` value as a ledger timestamp. `since` is inclusive and `until` exclusive, but a whole
 * day (`2026-11-30`) or month (`2026-11`) given as `until` includes that day or month, as a person means it.
 * Days and months are UTC, like the ledger. A time must carry its zone: `10:00` alone could be any of 24 instants.
 */
export function timeBound(parameter: 'since' | 'until', value: string): string {
  const v = value.trim();
  const bad = (why: string) => new InvalidParameterError(parameter, `"${value}" ${why}`);
  const iso = readBound(parameter, v, bad);
  // The ledger compares timestamps as text: `+010000-01-01…` (year 10000) would sort before `2026-…`.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso) || iso < MIN_BOUND) {
    throw bad(`is outside the years ${FIRST_YEAR} to ${LAST_YEAR}`);
  }
  return iso;
}

const FIRST_YEAR = 1970;
const LAST_YEAR = 9998;
const MIN_BOUND = `${FIRST_YEAR}-01-01T00:00:00.000Z`;

function readBound(parameter: 'since' | 'until', v: string, bad: (why: string) => InvalidParameterError): string {
  const outside = (y: number) => y < FIRST_YEAR || y > LAST_YEAR;
  const month = MONTH.exec(v);
  if (month) {
    const [y, m] = [Number(month[1]), Number(month[2])];
    if (m < 1 || m > 12) throw bad('is not a month (use YYYY-MM, e.g. 2026-11)');
    if (outside(y)) throw bad(`is outside the years ${FIRST_YEAR} to ${LAST_YEAR}`);
    return new Date(Date.UTC(y, m - 1 + (parameter === 'until' ? 1 : 0), 1)).toISOString();
  }
  const day = DAY.exec(v);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (outside(y)) throw bad(`is outside the years ${FIRST_YEAR} to ${LAST_YEAR}`);
    if (!isCalendarDay(y, m, d)) throw bad('is not a date on the calendar');
    return new Date(Date.UTC(y, m - 1, d + (parameter === 'until' ? 1 : 0))).toISOString();
  }
  const time = TIME.exec(v);
  if (time) {
    const [y, m, d, h, min, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(time[i] ?? 0)) as number[];
    if (outside(y as number)) throw bad(`is outside the years ${FIRST_YEAR} to ${LAST_YEAR}`);
    if (
      !isCalendarDay(y as number, m as number, d as number) ||
      (h as number) > 23 ||
      (min as number) > 59 ||
      (s as number) > 59
    ) {
      throw bad('is not a real date and time');
    }
    const instant = new Date(v);
    if (Number.isNaN(instant.getTime())) throw bad('is not a real date and time');
    return instant.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) {
    throw bad('has no time zone: add Z for UTC or an offset such as +01:00');
  }
  throw bad('is not a date (use 2026-11-01, 2026-11 or 2026-11-01T09:30:00Z)');
}

function isCalendarDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
