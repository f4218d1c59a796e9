import { WindowOptionError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration: an integer number of milliseconds, optionally suffixed `ms`, `s`, `m`, `h` or
 * `d`. Fractions are refused on purpose: window bounds must be exact integers of milliseconds, and
 * `1.5s` silently rounding would shift every window. A number argument must already be an integer.
 *
 * @example
 * parseDuration('5m'); // 300000
 * parseDuration('250'); // 250
 * parseDuration(10); // 10
 */
export function parseDuration(input: string | number): number {
  return parseTimeValue(input, { negative: false, what: 'duration' });
}

/**
 * Like {@link parseDuration} but for instants (event times, watermarks, processing times), which
 * may be negative (before 1970).
 *
 * @example
 * parseTime('-10s'); // -10000
 */
export function parseTime(input: string | number): number {
  return parseTimeValue(input, { negative: true, what: 'time' });
}

function parseTimeValue(input: string | number, how: { negative: boolean; what: string }): number {
  const hint = 'use an integer number of milliseconds, optionally suffixed ms, s, m, h or d (e.g. 500, 10s, 5m, 1h)';
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || (!how.negative && input < 0)) {
      throw new WindowOptionError(`${String(input)} is not a valid ${how.what}: ${hint}`);
    }
    return input;
  }
  const match = (how.negative ? /^(-?)(\d+)(ms|s|m|h|d)?$/ : /^()(\d+)(ms|s|m|h|d)?$/).exec(input.trim());
  if (match === null) throw new WindowOptionError(`"${input}" is not a valid ${how.what}: ${hint}`);
  const value = Number(match[2]) * (UNIT_MS[match[3] ?? 'ms'] ?? 1) * (match[1] === '-' ? -1 : 1);
  if (!Number.isSafeInteger(value)) throw new WindowOptionError(`"${input}" is too large a ${how.what}`);
  // -0 would print as 0 but compare oddly in Object.is-based checks; normalise it.
  return value === 0 ? 0 : value;
}
