/**
 * Processing time, injectable. Everything in `src/time/` that needs "now" asks a `Clock`, so tests
 * drive time with a {@link ManualClock} instead of sleeping, and a restart can resume from a
 * checkpointed processing time.
 *
 * @example
 * const clock = new ManualClock(1_000);
 * clock.advance(500);
 * clock.now(); // 1500
 */
export interface Clock {
  /** Current processing time, epoch milliseconds. */
  now(): number;
}

/**
 * The wall clock. The only place in `src/time/` that reads `Date.now()`.
 *
 * @example
 * const watermark = new BoundedOutOfOrdernessWatermark(5_000, { clock: systemClock, idleTimeout: 60_000 });
 */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/**
 * A clock that moves only when told to. Time never goes backwards: `set` to an earlier instant throws,
 * because every consumer (idleness, processing-time triggers) assumes monotonic time.
 *
 * @example
 * const clock = new ManualClock();
 * clock.set(60_000);
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves to `time` (epoch ms); throws if that is in the past. */
  set(time: number): void {
    if (!(time >= this.current)) throw new RangeError(`ManualClock cannot go back from ${this.current} to ${time}`);
    this.current = time;
  }

  /** Moves forward by `ms` (≥ 0). */
  advance(ms: number): void {
    this.set(this.current + ms);
  }
}
