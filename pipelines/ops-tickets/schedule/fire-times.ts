import { InvalidArgumentError } from 'commander';
import type { Zone } from './zone.js';

/** A local time of day. */
export interface LocalTime {
  readonly hour: number;
  readonly minute: number;
}

const MS_DAY = 86_400_000;

/** `08:00` → {hour: 8, minute: 0}; a commander argument parser. */
export function parseLocalTime(text: string): LocalTime {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (m === null) throw new InvalidArgumentError(`"${text}" is not a time of day: use HH:MM, 24-hour (e.g. 08:00)`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/**
 * The UTC instant of a local wall time on a local date (`YYYY-MM-DD`) in `zone`. A time skipped
 * by a clock change (02:30 on a spring-forward night) runs that much later (03:30); a time that
 * happens twice (fall back) takes the first.
 *
 * @example
 * localToUtc('2025-11-01', { hour: 8, minute: 0 }, loadZone('Asia/Kolkata')); // Date.UTC(2025, 10, 1, 2, 30)
 */
export function localToUtc(date: string, at: LocalTime, zone: Zone): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + (at.hour * 60 + at.minute) * 60_000;
  const before = zone.offsetAt(wall - 1.5 * MS_DAY);
  const after = zone.offsetAt(wall + 1.5 * MS_DAY);
  const valid = [...new Set([before, after, zone.offsetAt(wall)])].map((o) => wall - o).filter((t) => wall - zone.offsetAt(t) === t);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: read the wall time with the offset from before the change, i.e. shift it forward.
  return wall - before;
}

/** The local date (`YYYY-MM-DD`) of a UTC instant. */
export function localDate(utcMs: number, zone: Zone): string {
  return new Date(utcMs + zone.offsetAt(utcMs)).toISOString().slice(0, 10);
}

/**
 * The first fire strictly after `afterMs`: the next instant the zone's clock shows `at`.
 *
 * @example
 * nextFireAfter(Date.UTC(2025, 10, 1, 3, 0), { hour: 8, minute: 0 }, loadZone('Asia/Kolkata')); // 2 Nov 02:30 UTC
 */
export function nextFireAfter(afterMs: number, at: LocalTime, zone: Zone): number {
  const today = localDate(afterMs, zone);
  for (let d = -1; d <= 2; d++) {
    const day = new Date(Date.parse(`${today}T00:00:00Z`) + d * MS_DAY).toISOString().slice(0, 10);
    const fire = localToUtc(day, at, zone);
    if (fire > afterMs) return fire;
  }
  throw new Error(`no fire time found after ${new Date(afterMs).toISOString()} in ${zone.name}`);
}

/** Fires in (afterMs, untilMs], oldest first, at most `limit` of the most recent ones. */
export function firesBetween(afterMs: number, untilMs: number, at: LocalTime, zone: Zone, limit = Number.POSITIVE_INFINITY): number[] {
  const out: number[] = [];
  for (let fire = nextFireAfter(afterMs, at, zone); fire <= untilMs; fire = nextFireAfter(fire, at, zone)) {
    out.push(fire);
    if (out.length > limit) out.shift();
  }
  return out;
}
