import type { EnvelopeMeta } from '../core/envelope.js';
import { ErrorTypes } from '../core/error-row.js';
import { SluiceError } from '../core/errors.js';
import type { Row, TableSpec } from '../core/schema.js';
import type { SideOutputs, StatefulOperator } from '../core/stateful.js';
import { type Clock, systemClock } from './clock.js';
import type { CombineFn, Json } from './combiners.js';
import { WindowOptionError } from './errors.js';
import { BoundedOutOfOrdernessWatermark } from './watermark.js';
import {
  type Pane,
  type SnapshotTime,
  type SnapshotWindow,
  WindowOperator,
  type WindowOperatorConfig,
  type WindowOperatorSnapshot,
  type WindowOperatorStats,
} from './window-operator.js';
import type { WindowFn } from './windows.js';

/**
 * When a window's panes fire besides the ON_TIME pane (Beam's `AfterWatermark` with early and late
 * firings). Durations are milliseconds.
 *
 * @example
 * const trigger: WindowTrigger = { earlyEvery: 60_000, allowedLateness: 60_000, accumulation: 'accumulating' };
 */
export interface WindowTrigger {
  /** An EARLY pane this much processing time after the first element since the window's last pane. */
  readonly earlyEvery?: number;
  /** An EARLY pane every this many elements. */
  readonly earlyCount?: number;
  /** After the ON_TIME pane, a LATE pane every this many late elements (default 1). */
  readonly lateCount?: number;
  /** How long after its end a window still takes elements (default 0). Later ones become `late_event` error rows. */
  readonly allowedLateness?: number;
  /** `accumulating` (default): a pane holds everything so far; `discarding`: only what is new since the last pane. */
  readonly accumulation?: 'accumulating' | 'discarding';
}

/**
 * Configuration of a {@link WindowedAggregate}.
 *
 * @example
 * const options: WindowedAggregateOptions<Reading, number, number, number> = {
 *   name: 'readings_per_sensor', table: paneTable, key: (r) => r.sensor, eventTime: (r) => r.at, value: () => 1,
 *   windowFn: fixedWindows(300_000), combine: count(), maxOutOfOrderness: 10_000,
 *   toRow: (pane, id, firedAt) => [id, pane.key, pane.window.start, pane.value, pane.timing, firedAt],
 * };
 */
export interface WindowedAggregateOptions<T, V, A, O> {
  /** Unique within the pipeline: names the checkpoint row in `_sluice_state`. */
  readonly name: string;
  /** Where pane rows go. Its key column must hold the pane id `toRow` receives. */
  readonly table: TableSpec;
  /** The entity a record belongs to (e.g. its location id). */
  readonly key: (record: T) => string;
  /** The record's event time, epoch ms. A non-finite value makes a `bad_timestamp` side error row. */
  readonly eventTime: (record: T) => number;
  /** What the combiner sees of a record (the envelope is there for its id, to deduplicate redeliveries). */
  readonly value: (record: T, envelope: EnvelopeMeta) => V;
  readonly windowFn: WindowFn;
  readonly combine: CombineFn<V, A, O>;
  readonly trigger?: WindowTrigger;
  /**
   * The watermark trails the largest event time seen by this much: elements up to this far out of
   * order are still on time.
   */
  readonly maxOutOfOrderness: number;
  /**
   * After this much processing time without a record the input counts as idle and the watermark
   * moves on with processing time, so a quiet source still closes its windows. Default 30 s;
   * `Infinity` keeps the watermark where the last record left it.
   */
  readonly idleTimeout?: number;
  /**
   * Builds the row for a pane, in the table's column order. `paneId` is `${key}|${window start}|${pane index}`,
   * stable across restarts, so a replayed chunk never stores a pane twice. `firedAt` is the
   * processing time the pane fired (epoch ms).
   */
  readonly toRow: (pane: Pane<O>, paneId: string, firedAt: number) => Row;
  /** Record fields copied into `late_event` error rows. Default: the pipeline's key fields. */
  readonly keyFields?: readonly string[];
  /** Processing time until the runner's first `tick`. Default the wall clock. */
  readonly clock?: Clock;
}

/**
 * A checkpoint of a {@link WindowedAggregate}: the window operator's state plus the watermark's.
 *
 * @example
 * const state = JSON.parse(JSON.stringify(aggregate.snapshot())) as WindowedAggregateSnapshot;
 */
export interface WindowedAggregateSnapshot {
  readonly format: 'sluice.windowed-aggregate/1';
  readonly name: string;
  readonly operator: WindowOperatorSnapshot;
  readonly watermark: {
    /** The watermark last handed to the operator. */
    readonly value: SnapshotTime;
    /** Largest event time seen, folded into the watermark tracker. */
    readonly maxEventTime: SnapshotTime;
    /** Largest event time observed since the last tick, not yet folded in. */
    readonly pendingMaxEventTime: SnapshotTime;
    /** Processing time of the last tick that saw records; null before any. */
    readonly lastActive: number | null;
  };
  readonly processingTime: number;
}

/**
 * Counters and times, for `/status` and tests.
 *
 * @example
 * const { watermark, operator: { droppedLate } } = aggregate.stats;
 */
export interface WindowedAggregateStats {
  readonly watermark: number;
  readonly processingTime: number;
  readonly panesWritten: number;
  readonly operator: WindowOperatorStats;
}

/**
 * A checkpoint that cannot be restored: not a windowed-aggregate snapshot, or another tap's.
 *
 * @example
 * try { tap.restore(state); } catch (e) { if (e instanceof WindowStateError) console.error(e.code, e.message); }
 */
export class WindowStateError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WINDOW_STATE_INVALID', message, options);
    this.name = 'WindowStateError';
  }
}

const PARTITION = 'input';
const DEFAULT_IDLE_TIMEOUT = 30_000;

/**
 * Windowed aggregation as a pipeline tap: keyed event-time windows with early, on-time and late
 * panes (the {@link WindowOperator}), a bounded-out-of-orderness watermark, pane rows written to a
 * table, and elements beyond the allowed lateness sent to the error table as `late_event` (the
 * record itself flows on). State is checkpointed by the runner with every commit.
 *
 * Time: processing time moves only on `tick` (the runner ticks after every batch and idle poll);
 * the watermark advances on `tick` too, from the largest event time seen minus
 * `maxOutOfOrderness` — or with processing time once the input has been idle for `idleTimeout`.
 * `finish` (a bounded input ended) fires every open window as if the watermark reached +∞ but keeps
 * the windows, marked as fired, until the real watermark passes their lateness: a later run that
 * restores this state continues their pane indexes instead of starting new windows that would
 * collide with the stored pane ids.
 *
 * @example
 * pipeline<string>({ name: 'cqc-events', input: 'dashboard-events' })
 *   .step('parse', parseEvent)
 *   .tap(new WindowedAggregate({
 *     name: 'location_5m', table: aggregated, key: (e) => e.location_id, eventTime: (e) => e.event_timestamp,
 *     value: (e) => e.real_time_risk_score, windowFn: fixedWindows(300_000), combine: mean(),
 *     trigger: { earlyEvery: 60_000, allowedLateness: 60_000 }, maxOutOfOrderness: 120_000,
 *     toRow: (pane, id, firedAt) => [id, pane.key, pane.window.start, pane.value, pane.timing, firedAt],
 *   }));
 */
export class WindowedAggregate<T, V, A, O> implements StatefulOperator<T> {
  readonly name: string;
  readonly tables: readonly TableSpec[];
  private readonly options: WindowedAggregateOptions<T, V, A, O>;
  private readonly config: WindowOperatorConfig<V, A, O>;
  private readonly idleTimeout: number;
  private operator: WindowOperator<V, A, O>;
  private tracker!: BoundedOutOfOrdernessWatermark;
  /** Processing time as the runner last told it; the tracker's clock reads it. */
  private procTime: number;
  private watermarkValue = Number.NEGATIVE_INFINITY;
  private pendingMax = Number.NEGATIVE_INFINITY;
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private lastActive = Number.NaN;
  private panesWritten = 0;
  private readonly procClock: Clock = { now: () => this.procTime };

  constructor(options: WindowedAggregateOptions<T, V, A, O>) {
    this.options = Object.freeze({ ...options });
    this.name = options.name;
    this.tables = Object.freeze([options.table]);
    if (!(Number.isFinite(options.maxOutOfOrderness) && options.maxOutOfOrderness >= 0)) {
      throw new WindowOptionError(
        `windowed aggregate ${options.name}: maxOutOfOrderness must be a non-negative number of milliseconds, got ${String(options.maxOutOfOrderness)}`,
      );
    }
    const idle = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    if (!(idle > 0))
      throw new WindowOptionError(`windowed aggregate ${options.name}: idleTimeout must be a positive number of milliseconds or Infinity, got ${String(idle)}`);
    this.idleTimeout = idle;
    const trigger = options.trigger ?? {};
    this.config = {
      windowFn: options.windowFn,
      combine: options.combine,
      ...(trigger.earlyEvery !== undefined ? { earlyEvery: trigger.earlyEvery } : {}),
      ...(trigger.earlyCount !== undefined ? { earlyCount: trigger.earlyCount } : {}),
      ...(trigger.lateCount !== undefined ? { lateCount: trigger.lateCount } : {}),
      ...(trigger.allowedLateness !== undefined ? { allowedLateness: trigger.allowedLateness } : {}),
      ...(trigger.accumulation !== undefined ? { accumulation: trigger.accumulation } : {}),
    };
    this.procTime = (options.clock ?? systemClock).now();
    this.operator = new WindowOperator({ ...this.config, initialProcessingTime: this.procTime });
    this.resetTracker();
  }

  /** The watermark last handed to the window operator (`-Infinity` before any). */
  get watermark(): number {
    return this.watermarkValue;
  }

  get stats(): WindowedAggregateStats {
    return { watermark: this.watermarkValue, processingTime: this.procTime, panesWritten: this.panesWritten, operator: this.operator.stats };
  }

  observe(record: T, envelope: EnvelopeMeta, out: SideOutputs): void {
    const ts = this.options.eventTime(record);
    if (!Number.isFinite(ts)) {
      out.error(
        envelope,
        ErrorTypes.badTimestamp,
        `windowed aggregate ${this.name}: the record's event time is not a valid instant, so it was left out of the windows (fix the event-time field upstream)`,
        this.keyFieldsOf(record),
      );
      return;
    }
    if (ts > this.pendingMax) this.pendingMax = ts;
    const step = this.operator.processElement(this.options.key(record), ts, this.options.value(record, envelope));
    if (step.dropped.length > 0) {
      const d = step.dropped[0];
      const w = d?.windows[d.windows.length - 1];
      out.error(
        envelope,
        ErrorTypes.lateEvent,
        `windowed aggregate ${this.name}: event time ${iso(ts)} is too late for its window${w === undefined ? '' : ` [${iso(w.start)}, ${iso(w.end)})`}: ` +
          `the watermark is ${iso(this.operator.watermark)} and the allowed lateness ${this.config.allowedLateness ?? 0} ms. ` +
          'The record was kept elsewhere but not counted in the window; raise allowedLateness or maxOutOfOrderness if such delays are normal.',
        this.keyFieldsOf(record),
      );
    }
    if (step.panes.length > 0) this.emit(step.panes, out);
  }

  tick(now: number, out: SideOutputs): void {
    if (now > this.procTime) this.procTime = now;
    if (this.pendingMax !== Number.NEGATIVE_INFINITY) {
      this.tracker.observe(PARTITION, this.pendingMax);
      if (this.pendingMax > this.maxEventTime) this.maxEventTime = this.pendingMax;
      this.lastActive = this.procTime;
      this.pendingMax = Number.NEGATIVE_INFINITY;
    }
    let next = this.tracker.current();
    // Every partition idle: the tracker holds still. With one input that would leave the last
    // windows open forever, so assume event time has kept pace with processing time since then.
    if (this.maxEventTime !== Number.NEGATIVE_INFINITY && this.procTime - this.lastActive >= this.idleTimeout) {
      next = Math.max(next, this.maxEventTime - this.options.maxOutOfOrderness + (this.procTime - this.lastActive));
    }
    // Watermark first: a window closing now gets its ON_TIME pane instead of an EARLY one just before.
    if (next > this.watermarkValue) {
      this.watermarkValue = next;
      this.emit(this.operator.advanceWatermark(next).panes, out);
    }
    this.emit(this.operator.advanceProcessingTime(this.procTime).panes, out);
  }

  finish(out: SideOutputs): void {
    // Fold in what arrived since the last tick, so the final panes are complete.
    this.tick(this.procTime, out);
    const before = this.operator.snapshot();
    const panes = this.operator.advanceWatermark(Number.POSITIVE_INFINITY).panes;
    this.emit(panes, out);
    const fired = new Map<string, number>();
    for (const p of panes) {
      const id = `${p.key}\u0000${p.window.start}`;
      fired.set(id, (fired.get(id) ?? 0) + 1);
    }
    const empty = this.encodeEmptyAccumulator();
    const windows: SnapshotWindow[] = before.windows.map((w) => {
      const n = fired.get(`${w.key}\u0000${w.start}`) ?? 0;
      if (n === 0) return w;
      return { ...w, panes: w.panes + n, pending: 0, late: true, fireNow: false, earlyTimer: null, acc: empty ?? w.acc };
    });
    const after = this.operator.stats;
    this.operator = WindowOperator.restore({ ...before, windows, stats: { ...after, openWindows: 0 } }, this.config);
  }

  snapshot(): WindowedAggregateSnapshot {
    return {
      format: 'sluice.windowed-aggregate/1',
      name: this.name,
      operator: this.operator.snapshot(),
      watermark: {
        value: encodeTime(this.watermarkValue),
        maxEventTime: encodeTime(this.maxEventTime),
        pendingMaxEventTime: encodeTime(this.pendingMax),
        lastActive: Number.isNaN(this.lastActive) ? null : this.lastActive,
      },
      processingTime: this.procTime,
    };
  }

  restore(state: unknown): void {
    const s = state as Partial<WindowedAggregateSnapshot> | null;
    const where = `the checkpoint of windowed aggregate "${this.name}" (row "<pipeline>/${this.name}" in _sluice_state)`;
    if (s === null || typeof s !== 'object' || s.format !== 'sluice.windowed-aggregate/1' || s.operator === undefined || s.watermark === undefined) {
      throw new WindowStateError(`${where} is not a windowed-aggregate snapshot; delete that row to start the windows afresh`);
    }
    if (s.name !== this.name) {
      throw new WindowStateError(`${where} holds the state of "${String(s.name)}"; delete that row to start the windows afresh`);
    }
    this.operator = WindowOperator.restore(s.operator, this.config);
    if (typeof s.processingTime === 'number' && s.processingTime > this.procTime) this.procTime = s.processingTime;
    const wm = s.watermark;
    this.watermarkValue = decodeTime(wm.value);
    this.maxEventTime = decodeTime(wm.maxEventTime);
    this.pendingMax = decodeTime(wm.pendingMaxEventTime);
    this.lastActive = wm.lastActive ?? Number.NaN;
    this.resetTracker();
    if (this.maxEventTime !== Number.NEGATIVE_INFINITY) {
      // The tracker stamps activity with its clock: replay the last activity at its own time.
      const now = this.procTime;
      this.procTime = Number.isNaN(this.lastActive) ? now : this.lastActive;
      this.tracker.observe(PARTITION, this.maxEventTime);
      this.procTime = now;
    }
  }

  private resetTracker(): void {
    this.tracker = new BoundedOutOfOrdernessWatermark(this.options.maxOutOfOrderness, {
      clock: this.procClock,
      ...(Number.isFinite(this.idleTimeout) ? { idleTimeout: this.idleTimeout } : {}),
    });
  }

  private emit(panes: readonly Pane<O>[], out: SideOutputs): void {
    const { table, toRow } = this.options;
    const firedAt = this.procTime;
    for (const pane of panes) out.write(table, toRow(pane, `${pane.key}|${pane.window.start}|${pane.index}`, firedAt));
    this.panesWritten += panes.length;
  }

  private keyFieldsOf(record: T): Readonly<Record<string, unknown>> | undefined {
    const fields = this.options.keyFields;
    if (fields === undefined) return undefined;
    const keys: Record<string, unknown> = {};
    const r = record as Record<string, unknown>;
    for (const f of fields) {
      const v = r[f];
      if (v !== undefined && v !== null && typeof v !== 'object') keys[f] = v;
    }
    return keys;
  }

  /** A discarding window restarts from an empty accumulator after the panes `finish` fired. */
  private encodeEmptyAccumulator(): Json | undefined {
    if (this.config.accumulation !== 'discarding') return undefined;
    const acc = this.config.combine.create();
    return this.config.combine.encode !== undefined ? this.config.combine.encode(acc) : (JSON.parse(JSON.stringify(acc ?? null)) as Json);
  }
}

function iso(t: number): string {
  return Number.isFinite(t) ? new Date(t).toISOString() : String(t);
}

function encodeTime(t: number): SnapshotTime {
  return t === Number.NEGATIVE_INFINITY ? '-inf' : t === Number.POSITIVE_INFINITY ? '+inf' : t;
}

function decodeTime(t: SnapshotTime | undefined): number {
  return t === undefined || t === '-inf' ? Number.NEGATIVE_INFINITY : t === '+inf' ? Number.POSITIVE_INFINITY : t;
}
