import type { Clock } from './clock.js';
import type { CombineFn, Json } from './combiners.js';
import { WindowOptionError } from './errors.js';
import { TimerHeap } from './timer-heap.js';
import type { Window, WindowFn } from './windows.js';

/**
 * When a pane fired relative to the watermark (Beam's `PaneInfo.Timing`).
 *
 * @example
 * const speculative = (p: Pane<unknown>) => p.timing === 'EARLY';
 */
export type PaneTiming = 'EARLY' | 'ON_TIME' | 'LATE';

/**
 * One firing of one key's window. `index` counts the window's panes from 0; `isLast` is set on the
 * pane emitted as the window is garbage-collected (the watermark passed `end - 1 + allowedLateness`);
 * a window whose last pane fired earlier simply emits nothing more.
 *
 * @example
 * const pane: Pane<number> = { key: 'ward-7', window: { start: 0, end: 300_000 }, timing: 'ON_TIME', index: 1, isFirst: false, isLast: false, value: 12 };
 */
export interface Pane<O> {
  readonly key: string;
  readonly window: Window;
  readonly timing: PaneTiming;
  readonly index: number;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly value: O;
}

/**
 * An input element: a key, an event time (epoch ms) and a value.
 *
 * @example
 * const e: Element<string> = { key: 'k', ts: 1_000, value: 'a' };
 */
export interface Element<V> {
  readonly key: string;
  readonly ts: number;
  readonly value: V;
}

/**
 * An element refused because every window it belongs to has expired (Beam drops these silently;
 * Sluice hands them back so they reach the error table as `late_event`).
 *
 * @example
 * for (const d of result.dropped) errors.push({ error_type: d.reason, raw: d.element });
 */
export interface DroppedElement<E> {
  readonly element: E;
  readonly reason: 'late_event';
  /** The expired windows the element would have belonged to. */
  readonly windows: readonly Window[];
}

/**
 * What one step (an element, a bundle, a watermark or processing-time advance) produced. Panes are
 * ordered by window end, then window start, then key; dropped elements keep input order.
 *
 * @example
 * const { panes, dropped } = operator.advanceWatermark(60_000);
 */
export interface StepResult<O, E> {
  readonly panes: readonly Pane<O>[];
  readonly dropped: readonly DroppedElement<E>[];
}

/**
 * Configuration of a {@link WindowOperator}. The trigger is Beam's
 * `AfterWatermark.pastEndOfWindow().withEarlyFirings(...).withLateFirings(AfterCount(lateCount))`.
 *
 * @example
 * const config: WindowOperatorConfig<number, number, number> = {
 *   windowFn: fixedWindows(300_000), combine: count(), earlyEvery: 60_000, allowedLateness: 60_000,
 * };
 */
export interface WindowOperatorConfig<V, A, O> {
  readonly windowFn: WindowFn;
  readonly combine: CombineFn<V, A, O>;
  /** Fire an EARLY pane once this many elements arrived since the window's last pane. */
  readonly earlyCount?: number;
  /** Fire an EARLY pane this much processing time after the first element of the pane. */
  readonly earlyEvery?: number;
  /** After the ON_TIME pane, fire a LATE pane every this many late elements (default 1). */
  readonly lateCount?: number;
  /** How long after `end - 1` a window still accepts late elements (default 0). */
  readonly allowedLateness?: number;
  /** `accumulating` (default): each pane holds everything so far; `discarding`: only what is new since the last pane. */
  readonly accumulation?: 'accumulating' | 'discarding';
  /**
   * Processing-time source. Without one, processing time is only what `advanceProcessingTime(t)`
   * says (starting at `initialProcessingTime`, default 0); with one, elements are stamped with
   * `clock.now()` and `advanceProcessingTime()` without an argument reads it.
   */
  readonly clock?: Clock;
  readonly initialProcessingTime?: number;
}

/**
 * Counters, for metrics and the accounting invariant.
 *
 * @example
 * const { elements, droppedLate } = operator.stats; // late_event rows = droppedLate
 */
export interface WindowOperatorStats {
  readonly elements: number;
  /** Elements refused as `late_event` (every window expired). */
  readonly droppedLate: number;
  /** (element, window) pairs skipped because that one window expired while others still took the element (sliding windows). */
  readonly expiredAssignments: number;
  readonly panes: { readonly EARLY: number; readonly ON_TIME: number; readonly LATE: number };
  readonly openWindows: number;
}

/**
 * A time in a snapshot: JSON has no infinities.
 *
 * @example
 * const before: SnapshotTime = '-inf'; // the watermark of an operator that has seen none
 */
export type SnapshotTime = number | '-inf' | '+inf';

/**
 * One open window in a {@link WindowOperatorSnapshot}.
 *
 * @example
 * const open = snapshot.windows.filter((w) => !w.late).length;
 */
export interface SnapshotWindow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly acc: Json;
  readonly pending: number;
  readonly panes: number;
  readonly late: boolean;
  readonly fireNow: boolean;
  readonly earlyTimer: number | null;
}

/**
 * The operator's whole state as plain JSON (`JSON.stringify` round-trips it): open windows with
 * their accumulators and trigger state, the watermark and processing time, and the counters.
 *
 * @example
 * const state: WindowOperatorSnapshot = JSON.parse(JSON.stringify(operator.snapshot()));
 */
export interface WindowOperatorSnapshot {
  readonly format: 'sluice.window-operator/1';
  readonly windowFn: string;
  readonly watermark: SnapshotTime;
  readonly processingTime: SnapshotTime;
  readonly windows: readonly SnapshotWindow[];
  readonly stats: WindowOperatorStats;
}

/**
 * The operator checkpoint type (alias kept for the design's vocabulary).
 *
 * @example
 * const state: SerializableState = operator.snapshot();
 */
export type SerializableState = WindowOperatorSnapshot;

/** Per (key, window) state. Implements `Window` so merging window functions can take it directly. */
class WindowState<A> implements Window {
  alive = true;
  /** Elements since the last pane: drives count triggers and decides whether a closing pane is due. */
  pending = 0;
  panes = 0;
  /** The ON_TIME pane has fired (or could never fire): every further pane is LATE. */
  late = false;
  /** Born late (created after the watermark passed its end): fires at the end of this step, as Beam does. */
  fireNow = false;
  /** Authoritative event-time timer: fires when the watermark exceeds it. Heap entries that differ are stale. */
  eventTimer = Number.NEGATIVE_INFINITY;
  /** Authoritative processing-time timer for `earlyEvery`; NaN when unset. */
  earlyTimer = Number.NaN;
  /** Step in which this window was last marked for trigger evaluation. */
  dirtyStep = -1;

  constructor(
    readonly key: string,
    readonly start: number,
    readonly end: number,
    public acc: A,
  ) {}
}

/** A key's open windows under a non-merging window function, by start, plus the one used last. */
interface KeyWindows<A> {
  last: WindowState<A> | undefined;
  readonly byStart: Map<number, WindowState<A>>;
}

const NO_DROPS: readonly never[] = Object.freeze([]);
const EMPTY_RESULT: StepResult<never, never> = Object.freeze({ panes: NO_DROPS, dropped: NO_DROPS });

/**
 * A keyed event-time window operator with Beam's trigger and pane semantics:
 *
 * - ON_TIME when the input watermark passes the window's max timestamp, i.e. `watermark > end - 1`
 *   (Beam `AfterWatermarkStateMachine.endOfWindowReached`: `currentEventTime().isAfter(maxTimestamp())`).
 *   It fires even if empty (Beam's default `OnTimeBehavior.FIRE_ALWAYS`).
 * - EARLY every `earlyCount` elements and/or `earlyEvery` of processing time after the pane's first element.
 * - LATE every `lateCount` elements after that, while `end - 1 + allowedLateness >= watermark`.
 * - An element is refused as `late_event` when, for every window it belongs to,
 *   `end - 1 + allowedLateness < watermark` (Beam `LateDataUtils`: `maxTimestamp().plus(allowedLateness).isBefore(inputWatermark)`).
 * - Window state is garbage-collected at the same instant; unfired late elements then go out in a
 *   final LATE pane (Beam's `ClosingBehavior.FIRE_IF_NON_EMPTY`).
 *
 * Every method is one *step*: elements are added, then triggers are evaluated once.
 *
 * @example
 * const op = new WindowOperator({ windowFn: fixedWindows(10_000), combine: collect<string>(), earlyCount: 2 });
 * op.processElement('k', 1_000, 'a');
 * op.processElement('k', 2_000, 'b').panes; // [EARLY ['a','b']]
 * op.advanceWatermark(10_000).panes; // [ON_TIME ['a','b']]
 */
export class WindowOperator<V, A, O> {
  readonly config: Readonly<WindowOperatorConfig<V, A, O>>;
  private readonly windowFn: WindowFn;
  private readonly combine: CombineFn<V, A, O>;
  private readonly earlyCount: number | undefined;
  private readonly earlyEvery: number | undefined;
  private readonly lateCount: number;
  private readonly lateness: number;
  private readonly discarding: boolean;
  private readonly clock: Clock | undefined;

  private inputWatermark = Number.NEGATIVE_INFINITY;
  private procTime: number;
  private readonly windowsByKey = new Map<string, KeyWindows<A>>();
  private readonly sessionsByKey = new Map<string, WindowState<A>[]>();
  private readonly eventTimers = new TimerHeap<WindowState<A>>();
  private readonly processingTimers = new TimerHeap<WindowState<A>>();
  private dirty: WindowState<A>[] = [];
  private out: Pane<O>[] = [];
  private step = 0;
  private counters = { elements: 0, droppedLate: 0, expiredAssignments: 0, EARLY: 0, ON_TIME: 0, LATE: 0, openWindows: 0 };

  constructor(config: WindowOperatorConfig<V, A, O>) {
    this.config = Object.freeze({ ...config });
    this.windowFn = config.windowFn;
    this.combine = config.combine;
    this.earlyCount = optionalPositiveInteger(config.earlyCount, 'earlyCount');
    this.earlyEvery = optionalPositive(config.earlyEvery, 'earlyEvery');
    this.lateCount = optionalPositiveInteger(config.lateCount, 'lateCount') ?? 1;
    const lateness = config.allowedLateness ?? 0;
    if (!(Number.isFinite(lateness) && lateness >= 0))
      throw new WindowOptionError(`allowedLateness must be a non-negative number of milliseconds, got ${String(lateness)}`);
    this.lateness = lateness;
    const mode = config.accumulation ?? 'accumulating';
    if (mode !== 'accumulating' && mode !== 'discarding')
      throw new WindowOptionError(`accumulation must be "accumulating" or "discarding", got "${String(mode)}"`);
    this.discarding = mode === 'discarding';
    this.clock = config.clock;
    this.procTime = config.initialProcessingTime ?? config.clock?.now() ?? 0;
  }

  /** The input watermark (starts at `-Infinity`). */
  get watermark(): number {
    return this.inputWatermark;
  }

  /** The latest processing time the operator has been told about. */
  get processingTime(): number {
    return this.procTime;
  }

  get stats(): WindowOperatorStats {
    const c = this.counters;
    return {
      elements: c.elements,
      droppedLate: c.droppedLate,
      expiredAssignments: c.expiredAssignments,
      panes: { EARLY: c.EARLY, ON_TIME: c.ON_TIME, LATE: c.LATE },
      openWindows: c.openWindows,
    };
  }

  /** Adds one element as its own step. */
  processElement(key: string, ts: number, value: V): StepResult<O, Element<V>> {
    this.step++;
    const expired = this.add(key, ts, value);
    const dropped = expired === null ? NO_DROPS : [{ element: { key, ts, value }, reason: 'late_event' as const, windows: expired }];
    return this.endElementStep(dropped);
  }

  /**
   * Adds a bundle as one step: all elements first, then triggers once (so `earlyCount: 3` fires one
   * pane for a bundle of four). Dropped entries return the caller's own element objects.
   */
  processElements<E extends Element<V>>(elements: Iterable<E>): StepResult<O, E> {
    this.step++;
    const dropped: DroppedElement<E>[] = [];
    for (const element of elements) {
      const expired = this.add(element.key, element.ts, element.value);
      if (expired !== null) dropped.push({ element, reason: 'late_event', windows: expired });
    }
    return this.endElementStep(dropped);
  }

  /** Advances the input watermark (a lower value is ignored: watermarks never go back). */
  advanceWatermark(watermark: number): StepResult<O, never> {
    if (Number.isNaN(watermark)) throw new TypeError('watermark must be a number, got NaN');
    if (!(watermark > this.inputWatermark)) return EMPTY_RESULT;
    this.inputWatermark = watermark;
    const heap = this.eventTimers;
    while (heap.peekTime() < watermark) {
      const at = heap.peekTime();
      const state = heap.pop() as WindowState<A>;
      if (!state.alive || state.eventTimer !== at) continue;
      const gcTime = state.end - 1 + this.lateness;
      if (!state.late) {
        // With zero lateness the end-of-window and garbage-collection instants coincide, as in
        // Beam's ReduceFnRunner: the ON_TIME pane is then also the last one.
        const collect = gcTime < watermark;
        this.fire(state, 'ON_TIME', collect);
        state.late = true;
        if (collect) this.destroy(state);
        else this.setEventTimer(state, gcTime);
      } else {
        if (state.pending > 0) this.fire(state, 'LATE', true);
        this.destroy(state);
      }
    }
    return this.takeResult(NO_DROPS);
  }

  /**
   * Advances processing time to `time` (or to the configured clock's now) and fires the `earlyEvery`
   * timers that are due (a timer at `t` fires once processing time is `>= t`).
   */
  advanceProcessingTime(time?: number): StepResult<O, never> {
    const now = time ?? this.clock?.now();
    if (now === undefined || Number.isNaN(now)) throw new TypeError('advanceProcessingTime needs a time, or a clock in the operator config');
    if (now > this.procTime) this.procTime = now;
    const heap = this.processingTimers;
    while (heap.peekTime() <= this.procTime) {
      const at = heap.peekTime();
      const state = heap.pop() as WindowState<A>;
      if (!state.alive || state.late || state.earlyTimer !== at) continue;
      if (state.pending > 0) this.fire(state, 'EARLY', false);
      else state.earlyTimer = Number.NaN;
    }
    return this.takeResult(NO_DROPS);
  }

  /**
   * The operator's state as plain JSON, taken between steps. Accumulators go through the combiner's
   * `encode` when it has one, else are deep-copied as JSON.
   *
   * @example
   * writeFileSync('ckpt.json', JSON.stringify(op.snapshot()));
   */
  snapshot(): WindowOperatorSnapshot {
    const windows: SnapshotWindow[] = [];
    for (const state of this.allStates()) {
      windows.push({
        key: state.key,
        start: state.start,
        end: state.end,
        acc: this.encodeAccumulator(state.acc),
        pending: state.pending,
        panes: state.panes,
        late: state.late,
        fireNow: state.fireNow,
        earlyTimer: Number.isNaN(state.earlyTimer) ? null : state.earlyTimer,
      });
    }
    return {
      format: 'sluice.window-operator/1',
      windowFn: this.windowFn.description,
      watermark: encodeTime(this.inputWatermark),
      processingTime: encodeTime(this.procTime),
      windows,
      stats: this.stats,
    };
  }

  /**
   * Rebuilds an operator from {@link snapshot}; it then emits exactly the panes the original would
   * have. Throws `WindowOptionError` when the snapshot was taken under another window function.
   *
   * @example
   * const op = WindowOperator.restore(JSON.parse(readFileSync('ckpt.json', 'utf8')), config);
   */
  static restore<V, A, O>(state: WindowOperatorSnapshot, config: WindowOperatorConfig<V, A, O>): WindowOperator<V, A, O> {
    if (state === null || typeof state !== 'object' || state.format !== 'sluice.window-operator/1' || !Array.isArray(state.windows)) {
      throw new WindowOptionError('not a window operator snapshot (expected format "sluice.window-operator/1")');
    }
    if (state.windowFn !== config.windowFn.description) {
      throw new WindowOptionError(`snapshot was taken with windows ${state.windowFn} but the operator is configured with ${config.windowFn.description}`);
    }
    const op = new WindowOperator({ ...config, initialProcessingTime: decodeTime(state.processingTime) });
    op.inputWatermark = decodeTime(state.watermark);
    for (const w of state.windows) {
      const s = new WindowState<A>(w.key, w.start, w.end, op.decodeAccumulator(w.acc));
      s.pending = w.pending;
      s.panes = w.panes;
      s.late = w.late;
      s.fireNow = w.fireNow;
      op.insert(s);
      if (w.earlyTimer !== null) op.setEarlyTimer(s, w.earlyTimer);
    }
    const c = state.stats;
    Object.assign(op.counters, {
      elements: c.elements,
      droppedLate: c.droppedLate,
      expiredAssignments: c.expiredAssignments,
      EARLY: c.panes.EARLY,
      ON_TIME: c.panes.ON_TIME,
      LATE: c.panes.LATE,
    });
    return op;
  }

  /** Adds one element; returns its windows if all have expired (the element is refused), else null. */
  private add(key: string, ts: number, value: V): Window[] | null {
    if (!Number.isFinite(ts)) throw new TypeError(`element timestamp must be a finite number, got ${String(ts)}`);
    this.counters.elements++;
    const windows = this.windowFn.assignWindows(ts);
    const watermark = this.inputWatermark;
    let live = 0;
    for (const w of windows) if (!(w.end - 1 + this.lateness < watermark)) live++;
    if (live === 0 && windows.length > 0) {
      this.counters.droppedLate++;
      return windows;
    }
    this.counters.expiredAssignments += windows.length - live;
    for (const w of windows) {
      if (w.end - 1 + this.lateness < watermark) continue;
      const state = this.windowFn.isMerging ? this.sessionFor(key, w) : this.windowFor(key, w);
      state.acc = this.combine.add(state.acc, value);
      state.pending++;
      if (!state.late && this.earlyEvery !== undefined && Number.isNaN(state.earlyTimer)) this.setEarlyTimer(state, this.now() + this.earlyEvery);
      if (state.dirtyStep !== this.step) {
        state.dirtyStep = this.step;
        this.dirty.push(state);
      }
    }
    return null;
  }

  private windowFor(key: string, w: Window): WindowState<A> {
    const windows = this.windowsByKey.get(key);
    // Consecutive elements of a key mostly land in the window it used last: checking that one
    // first skips the by-start Map lookup.
    const last = windows?.last;
    if (last !== undefined && last.start === w.start && last.end === w.end) return last;
    const existing = windows?.byStart.get(w.start);
    if (existing !== undefined) {
      // Non-merging windows are looked up by start; a window function that assigns two windows
      // with one start and different ends would corrupt state, so say so instead.
      if (existing.end !== w.end)
        throw new Error(`window function ${this.windowFn.description} assigned [${w.start},${w.end}) and [${existing.start},${existing.end})`);
      (windows as KeyWindows<A>).last = existing;
      return existing;
    }
    return this.createState(key, w, this.combine.create());
  }

  /** Finds the session the proto-window `proto` lands in, merging windows as the window function says. */
  private sessionFor(key: string, proto: Window): WindowState<A> {
    const existing = this.sessionsByKey.get(key) ?? [];
    const candidates: Window[] = [...existing, proto];
    let target: WindowState<A> | undefined;
    for (const merge of this.windowFn.mergeWindows(candidates)) {
      const parts = merge.windows.filter((w): w is WindowState<A> => w !== proto);
      const merged = this.mergeStates(key, parts, merge.result);
      if (merge.windows.includes(proto)) target = merged;
    }
    return target ?? this.createState(key, proto, this.combine.create());
  }

  private mergeStates(key: string, parts: readonly WindowState<A>[], result: Window): WindowState<A> {
    const [first, ...rest] = parts;
    if (first === undefined) return this.createState(key, result, this.combine.create());
    let acc = first.acc;
    for (const part of rest) acc = this.combine.merge(acc, part.acc);
    const merged = new WindowState<A>(key, result.start, result.end, acc);
    let earlyTimer = Number.NaN;
    for (const part of parts) {
      merged.pending += part.pending;
      merged.panes = Math.max(merged.panes, part.panes);
      // Once any part has had its ON_TIME pane the merged window stays in the late phase (as the
      // transcripts of Beam's Python trigger_test expect: early_late_sessions).
      merged.late ||= part.late;
      merged.fireNow ||= part.fireNow;
      if (!Number.isNaN(part.earlyTimer) && !(part.earlyTimer >= earlyTimer)) earlyTimer = part.earlyTimer;
      this.destroy(part);
    }
    if (!merged.late && merged.end - 1 < this.inputWatermark) {
      merged.late = true;
      merged.fireNow = true;
    }
    this.insert(merged);
    if (!merged.late && !Number.isNaN(earlyTimer)) this.setEarlyTimer(merged, earlyTimer);
    if (merged.pending > 0 && merged.dirtyStep !== this.step) {
      merged.dirtyStep = this.step;
      this.dirty.push(merged);
    }
    return merged;
  }

  private createState(key: string, w: Window, acc: A): WindowState<A> {
    const state = new WindowState<A>(key, w.start, w.end, acc);
    if (w.end - 1 < this.inputWatermark) {
      // Created after the watermark passed its end (allowed lateness kept it): Beam fires such a
      // window as soon as it has data, with LATE timing, and it never gets an ON_TIME pane.
      state.late = true;
      state.fireNow = true;
    }
    this.insert(state);
    return state;
  }

  /** Registers a state in the key maps and schedules its event-time timer. */
  private insert(state: WindowState<A>): void {
    if (this.windowFn.isMerging) {
      const list = this.sessionsByKey.get(state.key);
      if (list === undefined) this.sessionsByKey.set(state.key, [state]);
      else list.push(state);
    } else {
      let windows = this.windowsByKey.get(state.key);
      if (windows === undefined) {
        windows = { last: state, byStart: new Map() };
        this.windowsByKey.set(state.key, windows);
      }
      windows.byStart.set(state.start, state);
      windows.last = state;
    }
    this.counters.openWindows++;
    this.setEventTimer(state, state.late ? state.end - 1 + this.lateness : state.end - 1);
  }

  private destroy(state: WindowState<A>): void {
    state.alive = false;
    this.counters.openWindows--;
    if (this.windowFn.isMerging) {
      const list = this.sessionsByKey.get(state.key);
      if (list === undefined) return;
      const i = list.indexOf(state);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.sessionsByKey.delete(state.key);
    } else {
      const windows = this.windowsByKey.get(state.key);
      if (windows === undefined) return;
      windows.byStart.delete(state.start);
      if (windows.last === state) windows.last = undefined;
      if (windows.byStart.size === 0) this.windowsByKey.delete(state.key);
    }
  }

  private setEventTimer(state: WindowState<A>, time: number): void {
    state.eventTimer = time;
    this.eventTimers.push(time, state);
  }

  private setEarlyTimer(state: WindowState<A>, time: number): void {
    state.earlyTimer = time;
    this.processingTimers.push(time, state);
  }

  private endElementStep<E>(dropped: readonly DroppedElement<E>[]): StepResult<O, E> {
    for (const state of this.dirty) {
      if (!state.alive) continue;
      if (!state.late) {
        if (this.earlyCount !== undefined && state.pending >= this.earlyCount) this.fire(state, 'EARLY', false);
      } else if (state.fireNow || state.pending >= this.lateCount) {
        this.fire(state, 'LATE', false);
      }
    }
    this.dirty.length = 0;
    return this.takeResult(dropped);
  }

  private fire(state: WindowState<A>, timing: PaneTiming, isLast: boolean): void {
    this.out.push({
      key: state.key,
      window: { start: state.start, end: state.end },
      timing,
      index: state.panes,
      isFirst: state.panes === 0,
      isLast,
      value: this.combine.extract(state.acc),
    });
    this.counters[timing]++;
    state.panes++;
    state.pending = 0;
    state.fireNow = false;
    state.earlyTimer = Number.NaN;
    if (this.discarding && !isLast) state.acc = this.combine.create();
  }

  private takeResult<E>(dropped: readonly DroppedElement<E>[]): StepResult<O, E> {
    if (this.out.length === 0) return dropped.length === 0 ? EMPTY_RESULT : { panes: NO_DROPS, dropped };
    const panes = this.out;
    this.out = [];
    if (panes.length > 1) panes.sort(comparePanes);
    return { panes, dropped };
  }

  private now(): number {
    return this.clock === undefined ? this.procTime : Math.max(this.procTime, this.clock.now());
  }

  private *allStates(): Iterable<WindowState<A>> {
    for (const windows of this.windowsByKey.values()) yield* windows.byStart.values();
    for (const list of this.sessionsByKey.values()) yield* list;
  }

  private encodeAccumulator(acc: A): Json {
    if (this.combine.encode !== undefined) return this.combine.encode(acc);
    // A deep copy, so later mutation of the live accumulator cannot change a snapshot in memory.
    return JSON.parse(JSON.stringify(acc ?? null)) as Json;
  }

  private decodeAccumulator(json: Json): A {
    if (this.combine.decode !== undefined) return this.combine.decode(json);
    return JSON.parse(JSON.stringify(json)) as A;
  }
}

/** Pane order within a step: window end, then window start, then key. */
function comparePanes<O>(a: Pane<O>, b: Pane<O>): number {
  return a.window.end - b.window.end || a.window.start - b.window.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function encodeTime(t: number): SnapshotTime {
  return t === Number.NEGATIVE_INFINITY ? '-inf' : t === Number.POSITIVE_INFINITY ? '+inf' : t;
}

function decodeTime(t: SnapshotTime): number {
  return t === '-inf' ? Number.NEGATIVE_INFINITY : t === '+inf' ? Number.POSITIVE_INFINITY : t;
}

function optionalPositiveInteger(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) throw new WindowOptionError(`${what} must be a positive integer, got ${String(value)}`);
  return value;
}

function optionalPositive(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isFinite(value) && value > 0)) throw new WindowOptionError(`${what} must be a positive number of milliseconds, got ${String(value)}`);
  return value;
}
