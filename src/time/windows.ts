import { WindowOptionError } from './errors.js';

/**
 * A half-open interval of event time, `[start, end)`, in epoch milliseconds. Its largest timestamp
 * (Beam's `maxTimestamp()`) is `end - 1`.
 *
 * @example
 * const w: Window = { start: 0, end: 10_000 };
 */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * One merge a merging {@link WindowFn} asks for: `windows` (≥ 2 of the inputs) become `result`.
 *
 * @example
 * const m: WindowMerge = { windows: [{ start: 0, end: 10 }, { start: 5, end: 15 }], result: { start: 0, end: 15 } };
 */
export interface WindowMerge<W extends Window = Window> {
  readonly windows: readonly W[];
  readonly result: Window;
}

/**
 * How elements are grouped in event time (Beam's `WindowFn`). A value object: immutable, compared by
 * `description`, safe to share between operators.
 *
 * @example
 * const fn = fixedWindows(60_000);
 * fn.assignWindows(61_500); // [{ start: 60000, end: 120000 }]
 */
export interface WindowFn {
  /** Short stable text such as `fixed(60000,0)`; checkpoints record it to refuse a restore under other windowing. */
  readonly description: string;
  /** True when windows can grow by merging (sessions); such functions assign exactly one proto-window per element. */
  readonly isMerging: boolean;
  /** The windows an element with this timestamp belongs to. */
  assignWindows(timestamp: number): Window[];
  /**
   * Which of `windows` merge, and into what. Non-merging functions return `[]`. Inputs are returned
   * by identity in `WindowMerge.windows`, so callers may pass their own window-shaped state objects.
   */
  mergeWindows<W extends Window>(windows: readonly W[]): WindowMerge<W>[];
}

/**
 * Beam's `IntervalWindow.intersects`: true only when the intervals share at least one instant.
 * `[0,10)` and `[10,20)` merely touch and do NOT intersect. Flink's `TimeWindow.intersects`
 * (`start <= other.end && end >= other.start`) says they do, so Flink merges touching sessions and
 * Beam does not; Sluice follows Beam.
 *
 * @example
 * windowsIntersect({ start: 0, end: 10 }, { start: 10, end: 20 }); // false
 */
export function windowsIntersect(a: Window, b: Window): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Tumbling windows of `size` ms, aligned so that window starts are `offset + k * size`.
 *
 * @example
 * fixedWindows(10_000, 2_000).assignWindows(1_000); // [{ start: -8000, end: 2000 }]
 */
export function fixedWindows(size: number, offset = 0): WindowFn {
  requirePositiveInteger(size, 'fixed window size');
  requireOffset(offset, size, 'fixed window');
  return Object.freeze({
    description: `fixed(${size},${offset})`,
    isMerging: false,
    assignWindows(timestamp: number): Window[] {
      const start = timestamp - mod(timestamp - offset, size);
      return [{ start, end: start + size }];
    },
    mergeWindows: noMerges,
  });
}

/**
 * Overlapping windows of `size` ms starting every `period` ms (at `offset + k * period`); an element
 * belongs to `size / period` windows. `period` may not exceed `size`: larger periods would leave
 * elements in no window at all, which Sluice refuses rather than lose them.
 *
 * @example
 * slidingWindows(3_000, 1_000).assignWindows(1_500); // windows starting -1000, 0, 1000
 */
export function slidingWindows(size: number, period: number, offset = 0): WindowFn {
  requirePositiveInteger(size, 'sliding window size');
  requirePositiveInteger(period, 'sliding window period');
  if (period > size) throw new WindowOptionError(`sliding window period ${period} is larger than its size ${size}: some elements would belong to no window`);
  requireOffset(offset, period, 'sliding window');
  return Object.freeze({
    description: `sliding(${size},${period},${offset})`,
    isMerging: false,
    assignWindows(timestamp: number): Window[] {
      const windows: Window[] = [];
      const lastStart = timestamp - mod(timestamp - offset, period);
      // Ascending starts: the earliest window that still contains the timestamp starts after ts - size.
      let start = lastStart;
      while (start - period > timestamp - size) start -= period;
      for (; start <= lastStart; start += period) windows.push({ start, end: start + size });
      return windows;
    },
    mergeWindows: noMerges,
  });
}

/**
 * Session windows: each element opens the proto-window `[ts, ts + gap)` and windows that intersect
 * merge (Beam semantics: touching windows such as `[0,10)` and `[10,20)` stay apart; see
 * {@link windowsIntersect}).
 *
 * @example
 * const fn = sessions(10);
 * fn.mergeWindows([{ start: 1, end: 11 }, { start: 5, end: 15 }, { start: 15, end: 25 }]);
 * // [{ windows: [[1,11), [5,15)], result: { start: 1, end: 15 } }]  — [15,25) only touches
 */
export function sessions(gap: number): WindowFn {
  requirePositiveInteger(gap, 'session gap');
  return Object.freeze({
    description: `sessions(${gap})`,
    isMerging: true,
    assignWindows(timestamp: number): Window[] {
      return [{ start: timestamp, end: timestamp + gap }];
    },
    mergeWindows: mergeOverlappingWindows,
  });
}

/**
 * Beam's `MergeOverlappingIntervalWindows`: sort by start (then end), sweep once, and merge each run
 * of windows that intersect the union built so far. O(n log n) instead of comparing all pairs.
 *
 * @example
 * mergeOverlappingWindows([{ start: 0, end: 5 }, { start: 3, end: 8 }]); // one merge into [0, 8)
 */
export function mergeOverlappingWindows<W extends Window>(windows: readonly W[]): WindowMerge<W>[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const merges: WindowMerge<W>[] = [];
  let parts: W[] = [];
  let unionStart = 0;
  let unionEnd = 0;
  const close = (): void => {
    if (parts.length > 1) merges.push({ windows: parts, result: { start: unionStart, end: unionEnd } });
  };
  for (const window of sorted) {
    if (parts.length > 0 && windowsIntersect({ start: unionStart, end: unionEnd }, window)) {
      parts.push(window);
      unionEnd = Math.max(unionEnd, window.end);
    } else {
      close();
      parts = [window];
      unionStart = window.start;
      unionEnd = window.end;
    }
  }
  close();
  return merges;
}

function noMerges<W extends Window>(_windows: readonly W[]): WindowMerge<W>[] {
  return [];
}

/** Mathematical modulo: the result has the sign of the divisor, so negative timestamps align too. */
function mod(value: number, divisor: number): number {
  const r = value % divisor;
  return r < 0 ? r + divisor : r;
}

function requirePositiveInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new WindowOptionError(`${what} must be a positive integer number of milliseconds, got ${String(value)}`);
}

function requireOffset(offset: number, modulus: number, what: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= modulus) {
    throw new WindowOptionError(`${what} offset must be an integer in [0, ${modulus}), got ${String(offset)}`);
  }
}
