import type { Clock } from '../../../src/time/clock.js';
import { firesBetween, type LocalTime, nextFireAfter } from './fire-times.js';
import type { Zone } from './zone.js';

/** What one fire did; `file_missing` ends a catch-up (the later fires would find the same). */
export type FireOutcome = 'processed' | 'file_missing' | 'up_to_date' | 'failed';

export type ScheduleEvent =
  | { readonly kind: 'waiting'; readonly nextFire: number }
  | { readonly kind: 'catching-up'; readonly fires: readonly number[]; readonly dropped: number }
  | { readonly kind: 'fired'; readonly fire: number; readonly outcome: FireOutcome; readonly late: boolean };

export interface ScheduleOptions {
  readonly at: LocalTime;
  readonly zone: Zone;
  readonly clock: Clock;
  /** Resolves at `untilMs` on `clock` (or when `signal` aborts). Tests pass one that moves a fake clock. */
  readonly sleepUntil: (untilMs: number, signal: AbortSignal) => Promise<void>;
  /** The last fire recorded by an earlier run of the schedule, if any. */
  readonly lastFire: () => Promise<number | null>;
  /** Runs the job for a fire and records it. */
  readonly fire: (fireAt: number) => Promise<FireOutcome>;
  /** How many missed fires a restart catches up at most (the most recent ones). */
  readonly maxCatchUp: number;
  readonly signal: AbortSignal;
  readonly onEvent?: (event: ScheduleEvent) => void;
}

/**
 * Runs `fire` every day at `at` in `zone` until `signal` aborts. Fires missed while it was not
 * running (since the last recorded fire) or while the machine slept are run first, oldest first,
 * one job each — so three missed mornings process three days.
 *
 * @example
 * await runSchedule({ at: parseLocalTime('08:00'), zone: loadZone('Asia/Kolkata'), clock: systemClock, sleepUntil, lastFire, fire, maxCatchUp: 31, signal });
 */
export async function runSchedule(options: ScheduleOptions): Promise<void> {
  const { at, zone, clock, signal } = options;
  const emit = options.onEvent ?? (() => undefined);
  let cursor = (await options.lastFire()) ?? clock.now();
  while (!signal.aborted) {
    const now = clock.now();
    const all = firesBetween(cursor, now, at, zone);
    const due = all.slice(-options.maxCatchUp);
    if (all.length > 1 || (due.length === 1 && now - (due[0] as number) > 60_000)) emit({ kind: 'catching-up', fires: due, dropped: all.length - due.length });
    for (const fire of due) {
      if (signal.aborted) return;
      const outcome = await options.fire(fire);
      emit({ kind: 'fired', fire, outcome, late: now - fire > 60_000 });
      cursor = fire;
      if (outcome === 'file_missing') {
        // The next day's file is not there yet: later missed fires would find the same.
        cursor = due[due.length - 1] as number;
        break;
      }
    }
    if (due.length === 0 && all.length === 0) cursor = Math.max(cursor, now);
    const next = nextFireAfter(cursor, at, zone);
    emit({ kind: 'waiting', nextFire: next });
    await options.sleepUntil(next, signal);
  }
}

/**
 * Sleeps on the real clock until `untilMs`, in steps of at most an hour so a suspended laptop or
 * a changed system clock is noticed within the hour, and returns early when `signal` aborts.
 */
export async function sleepUntilWallClock(untilMs: number, signal: AbortSignal, clock: Clock): Promise<void> {
  while (!signal.aborted && clock.now() < untilMs) {
    const step = Math.min(untilMs - clock.now(), 3_600_000);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, step);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
