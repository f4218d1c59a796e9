import { InvalidArgumentError } from 'commander';

/** A non-negative integer flag, with `k`/`M` suffixes (100k, 1M) and `_` separators. */
export function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.replace(/_/g, ''));
  if (match === null) throw new InvalidArgumentError(`"${text}" is not a count: use digits, optionally with k or M (e.g. 100k)`);
  const base = Number(match[1]);
  const scale = match[2] === '' ? 1 : match[2]?.toLowerCase() === 'k' ? 1e3 : 1e6;
  const value = Math.round(base * scale);
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`"${text}" is too large`);
  return value;
}

/** A duration flag: integer ms, or with `ms`, `s`, `m`, `h`, `d`. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null) throw new InvalidArgumentError(`"${text}" is not a duration: use e.g. 500, 500ms, 2s, 5m, 1h`);
  const unit = match[2] ?? 'ms';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1e3 : unit === 'm' ? 6e4 : unit === 'h' ? 3.6e6 : 8.64e7;
  return Math.round(Number(match[1]) * factor);
}

/** A share between 0 and 1, e.g. a bad-record rate. */
export function parseRate(text: string): number {
  const value = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new InvalidArgumentError(`"${text}" is not a rate between 0 and 1 (or 0% to 100%)`);
  return value;
}

/** `--threads`: `auto` or a whole number of step threads (0 = none). */
export function parseThreads(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) > 64) throw new InvalidArgumentError(`"${value}" is not a thread count: use auto, 0 (none) or a number up to 64`);
  return Number(value);
}
