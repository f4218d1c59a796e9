/**
 * `Date.prototype.toISOString` output, several times faster for streams of nearby timestamps:
 * the `YYYY-MM-DDT` prefix is cached per day and the time of day is built from lookup tables.
 * Generators format one or two timestamps per record, and on Node 20 `toISOString` alone costs
 * about as much as building the rest of a record.
 *
 * @example
 * isoUtc(Date.UTC(2026, 10, 1, 8, 15, 22)); // '2026-11-01T08:15:22.000Z'
 */

const DAY_MS = 86_400_000;
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

let cachedDay = Number.NaN;
let cachedPrefix = '';

/** The same string as `new Date(ms).toISOString()` for any valid time value; throws RangeError otherwise, as it does. */
export function isoUtc(time: number): string {
  // Date truncates fractional milliseconds toward zero (TimeClip); do the same before splitting.
  const ms = Math.trunc(time);
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    // Years outside 0000–9999 use the six-digit extended format; toISOString handles those rarities.
    const iso = new Date(ms).toISOString();
    if (iso.length !== 24) return iso;
    cachedDay = day;
    cachedPrefix = iso.slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${cachedPrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
}
