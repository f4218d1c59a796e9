import { type Clock, systemClock } from './clock.js';
import { WindowOptionError } from './errors.js';

/**
 * Options of {@link BoundedOutOfOrdernessWatermark}.
 *
 * @example
 * const options: BoundedOutOfOrdernessOptions = { idleTimeout: 60_000, clock: new ManualClock() };
 */
export interface BoundedOutOfOrdernessOptions {
  /**
   * A partition that has produced no element for this much processing time is idle and left out of
   * the minimum, so one quiet partition does not stall every window. Unset: partitions never idle.
   */
  readonly idleTimeout?: number;
  /** Source of processing time for idleness; defaults to the wall clock. */
  readonly clock?: Clock;
}

/**
 * What {@link BoundedOutOfOrdernessWatermark.partitions} reports per partition.
 *
 * @example
 * const stalled = wm.partitions().filter((p) => !p.idle && p.watermark < wm.current() - 60_000);
 */
export interface PartitionWatermark {
  readonly partition: string;
  /** Largest event time seen, or `-Infinity` for a registered partition that has seen nothing yet. */
  readonly maxEventTime: number;
  readonly watermark: number;
  readonly idle: boolean;
}

interface PartitionState {
  maxEventTime: number;
  lastActive: number;
}

/**
 * The watermark heuristic of DESIGN.md: per partition, the largest event time seen minus the allowed
 * out-of-orderness; overall, the minimum across partitions that are not idle.
 *
 * Semantics are Beam's: a watermark `W` says elements with timestamps `< W` are no longer expected,
 * so after seeing event time `t` an element at `t - maxOutOfOrderness` is still on time. (Flink's
 * `BoundedOutOfOrdernessWatermarks` emits `t - bound - 1` because a Flink watermark covers `<= W`;
 * both admit the same elements.)
 *
 * The overall watermark never goes backwards: a partition that wakes up from idleness with older
 * data does not pull it back, and its elements behind the watermark are simply late. When every
 * partition is idle the watermark holds where it was rather than inventing progress; a bounded
 * source ends by advancing its operator's watermark to `Infinity` instead.
 *
 * @example
 * const clock = new ManualClock();
 * const wm = new BoundedOutOfOrdernessWatermark(5_000, { idleTimeout: 60_000, clock });
 * wm.observe('p0', 100_000);
 * wm.observe('p1', 40_000);
 * wm.current(); // 35000: p1 holds it back
 * clock.advance(60_000); wm.observe('p0', 170_000);
 * wm.current(); // 165000: p1 is idle
 */
export class BoundedOutOfOrdernessWatermark {
  readonly maxOutOfOrderness: number;
  readonly idleTimeout: number | undefined;
  private readonly clock: Clock;
  private readonly states = new Map<string, PartitionState>();
  private last = Number.NEGATIVE_INFINITY;

  constructor(maxOutOfOrderness: number, options: BoundedOutOfOrdernessOptions = {}) {
    if (!(Number.isFinite(maxOutOfOrderness) && maxOutOfOrderness >= 0)) {
      throw new WindowOptionError(`maxOutOfOrderness must be a non-negative number of milliseconds, got ${String(maxOutOfOrderness)}`);
    }
    if (options.idleTimeout !== undefined && !(options.idleTimeout > 0)) {
      throw new WindowOptionError(`idleTimeout must be a positive number of milliseconds, got ${String(options.idleTimeout)}`);
    }
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.idleTimeout = options.idleTimeout;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Declares a partition before it has data, so the watermark waits for it (until it idles).
   * Without this, a partition that has not spoken yet cannot hold the watermark back.
   */
  register(partition: string): void {
    if (!this.states.has(partition)) this.states.set(partition, { maxEventTime: Number.NEGATIVE_INFINITY, lastActive: this.clock.now() });
  }

  /** Records an element with event time `eventTime` from `partition`. */
  observe(partition: string, eventTime: number): void {
    const now = this.clock.now();
    const state = this.states.get(partition);
    if (state === undefined) {
      this.states.set(partition, { maxEventTime: eventTime, lastActive: now });
      return;
    }
    if (eventTime > state.maxEventTime) state.maxEventTime = eventTime;
    state.lastActive = now;
  }

  /** Forgets a partition (it was revoked or closed), so it no longer holds the watermark. */
  remove(partition: string): void {
    this.states.delete(partition);
  }

  /** The overall watermark now; `-Infinity` until some active partition has data. */
  current(): number {
    const now = this.clock.now();
    let min = Number.POSITIVE_INFINITY;
    for (const state of this.states.values()) {
      if (this.isIdle(state, now)) continue;
      const w = state.maxEventTime - this.maxOutOfOrderness;
      if (w < min) min = w;
    }
    if (min !== Number.POSITIVE_INFINITY && min > this.last) this.last = min;
    return this.last;
  }

  /** Per-partition detail, for `/status` and tests. */
  partitions(): PartitionWatermark[] {
    const now = this.clock.now();
    return [...this.states].map(([partition, state]) => ({
      partition,
      maxEventTime: state.maxEventTime,
      watermark: state.maxEventTime - this.maxOutOfOrderness,
      idle: this.isIdle(state, now),
    }));
  }

  private isIdle(state: PartitionState, now: number): boolean {
    return this.idleTimeout !== undefined && now - state.lastActive >= this.idleTimeout;
  }
}
