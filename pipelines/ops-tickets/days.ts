import { ConfigError } from '../../src/core/errors.js';

/** A calendar day as `YYYY-MM-DD`: the unit the day files, the state table and every aggregate are keyed by. */
export type IsoDate = string;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds since the epoch of the day's UTC midnight, or NaN when `text` is not a real calendar date. */
function dayStartMs(text: string): number {
  const m = ISO_DATE.exec(text);
  if (m === null) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2025-02-30 over to March; a real date survives the round trip unchanged.
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : Number.NaN;
}

/** True when `text` is a real `YYYY-MM-DD` date. */
export function isIsoDate(text: string): boolean {
  return !Number.isNaN(dayStartMs(text));
}

/**
 * Checks a date flag and returns it, or throws a ConfigError naming the flag.
 *
 * @example
 * const from = parseIsoDate('2025-01-01', '--from');
 */
export function parseIsoDate(text: string, what = 'date'): IsoDate {
  if (!isIsoDate(text)) throw new ConfigError(`${what} "${text}" is not a date: use YYYY-MM-DD, e.g. 2025-01-01`);
  return text;
}

/**
 * The date `n` days after (or before, for negative `n`) `date`.
 *
 * @example
 * addDays('2025-12-31', 1); // '2026-01-01'
 */
export function addDays(date: IsoDate, n: number): IsoDate {
  const ms = dayStartMs(date);
  if (Number.isNaN(ms)) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  return new Date(ms + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysFrom(from: IsoDate, to: IsoDate): number {
  return Math.round((dayStartMs(to) - dayStartMs(from)) / MS_PER_DAY);
}

/**
 * Every date from `from` to `to`, both included; empty when `to` is before `from`.
 *
 * @example
 * dateRange('2025-01-30', '2025-02-01'); // ['2025-01-30', '2025-01-31', '2025-02-01']
 */
export function dateRange(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** ISO day of week, 1 = Monday … 7 = Sunday. */
export function isoDayOfWeek(date: IsoDate): number {
  const day = new Date(dayStartMs(date)).getUTCDay();
  return day === 0 ? 7 : day;
}

/** Day of the year, 1 = 1 January. */
export function dayOfYear(date: IsoDate): number {
  return daysFrom(`${date.slice(0, 4)}-01-01`, date) + 1;
}
