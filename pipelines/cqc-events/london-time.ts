/**
 * Local time in England (Europe/London) without Intl: `Intl.DateTimeFormat` costs microseconds per
 * call, and business hours are an English notion, so time features need the UK offset per event.
 * UK summer time (BST, UTC+1) runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
 * last Sunday of October (the rule since 1996); the rest of the year is GMT (UTC+0).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** [start, end) of BST per year, cached: a stream spans few years. */
const bstByYear = new Map<number, readonly [number, number]>();

function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  const weekday = new Date(lastDay).getUTCDay();
  return lastDay - weekday * DAY + HOUR;
}

/**
 * The offset of Europe/London from UTC at instant `t`, in ms (0 or 3 600 000).
 *
 * @example
 * londonOffsetMs(Date.UTC(2026, 6, 1)); // 3600000 (BST)
 */
export function londonOffsetMs(t: number): number {
  const year = new Date(t).getUTCFullYear();
  let bst = bstByYear.get(year);
  if (bst === undefined) {
    bst = [lastSundayAt1Utc(year, 2), lastSundayAt1Utc(year, 9)];
    bstByYear.set(year, bst);
  }
  return t >= bst[0] && t < bst[1] ? HOUR : 0;
}

/** Local time parts of an instant in England. */
export interface LondonTime {
  /** 0–23. */
  readonly hour: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  readonly dayOfWeek: number;
}

/**
 * Hour and ISO weekday of `t` in England.
 *
 * @example
 * londonTime(Date.UTC(2026, 10, 20, 12, 0)); // { hour: 12, dayOfWeek: 5 } — a Friday, GMT
 */
export function londonTime(t: number): LondonTime {
  const local = t + londonOffsetMs(t);
  const days = Math.floor(local / DAY);
  const hour = Math.floor((local - days * DAY) / HOUR);
  // 1970-01-01 was a Thursday (ISO 4).
  const dayOfWeek = ((((days + 3) % 7) + 7) % 7) + 1;
  return { hour, dayOfWeek };
}
