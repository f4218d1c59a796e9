import type { EnvelopeMeta } from '../../src/core/envelope.js';
import type { Clock } from '../../src/time/clock.js';
import type { CombineFn, Json } from '../../src/time/combiners.js';
import type { Pane } from '../../src/time/window-operator.js';
import { WindowedAggregate } from '../../src/time/windowed-aggregate.js';
import { fixedWindows } from '../../src/time/windows.js';
import type { RealtimeFeatures } from './event-schema.js';
import { HIGH_RISK } from './scores.js';
import { realtimeFeaturesAggregated } from './tables.js';

const MINUTE = 60_000;

/** The seed's window configuration, plus the watermark bound Sluice needs to say when a window is complete. */
export const LOCATION_WINDOW = Object.freeze({
  size: 5 * MINUTE,
  earlyEvery: MINUTE,
  allowedLateness: MINUTE,
  /**
   * Events up to 2 minutes out of order still count as on time (the generators' out-of-order events
   * are at most 2 minutes behind); ON_TIME panes therefore fire 2 minutes of event time after a
   * window ends, and the EARLY panes every minute cover the wait.
   */
  maxOutOfOrderness: 2 * MINUTE,
  /** A dashboard quiet for 30 s is idle: the watermark then moves with the clock so windows still close. */
  idleTimeout: 30 * 1000,
});

/** What one event contributes to its window. */
export interface WindowInput {
  /** The envelope id: a redelivered event is counted once. */
  readonly id: string;
  readonly risk: number;
  readonly complexity: number;
  readonly type: string;
}

/** A window's running aggregate. */
export interface LocationWindowAccumulator {
  /** Envelope ids seen: an array while small (cheaper to make and scan than a Set), a Set beyond {@link SMALL_IDS}. */
  ids: string[] | Set<string>;
  count: number;
  riskSum: number;
  riskMax: number;
  complexitySum: number;
  highRisk: number;
  /** Distinct event types, kept sorted: at most five, so an array beats a Set and extract needs no sort. */
  readonly types: string[];
}

/** What a pane reports. */
export interface LocationWindowValue {
  readonly window_event_count: number;
  readonly average_risk_score: number | null;
  readonly max_risk_score: number | null;
  readonly high_risk_event_count: number;
  readonly average_complexity_score: number | null;
  readonly unique_event_types: number;
  readonly event_types: readonly string[];
}

/** Up to this many ids a linear scan beats hashing; most location windows hold far fewer. */
const SMALL_IDS = 32;

/** Adds `id` unless present; false when it was already there. */
function addId(acc: LocationWindowAccumulator, id: string): boolean {
  const ids = acc.ids;
  if (Array.isArray(ids)) {
    if (ids.includes(id)) return false;
    if (ids.length < SMALL_IDS) ids.push(id);
    else acc.ids = new Set([...ids, id]);
    return true;
  }
  if (ids.has(id)) return false;
  ids.add(id);
  return true;
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function addSorted(list: string[], item: string): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] as string) > item) i--;
  if (list[i - 1] === item) return;
  list.splice(i, 0, item);
}

/**
 * The seed's FeatureAggregator as a combiner: count, mean and max risk, high-risk count, mean
 * complexity and the distinct event types, deduplicated by envelope id (a redelivery must not
 * count twice, as in the feature tables).
 *
 * @example
 * const c = locationWindowStats();
 * c.extract(c.add(c.create(), { id: 'm1', risk: 9.5, complexity: 8, type: 'compliance_alert' })).window_event_count; // 1
 */
export function locationWindowStats(): CombineFn<WindowInput, LocationWindowAccumulator, LocationWindowValue> {
  const create = (): LocationWindowAccumulator => ({
    ids: [],
    count: 0,
    riskSum: 0,
    riskMax: Number.NEGATIVE_INFINITY,
    complexitySum: 0,
    highRisk: 0,
    types: [],
  });
  const add = (acc: LocationWindowAccumulator, v: WindowInput): LocationWindowAccumulator => {
    if (!addId(acc, v.id)) return acc;
    acc.count++;
    acc.riskSum += v.risk;
    if (v.risk > acc.riskMax) acc.riskMax = v.risk;
    acc.complexitySum += v.complexity;
    if (v.risk >= HIGH_RISK) acc.highRisk++;
    addSorted(acc.types, v.type);
    return acc;
  };
  return {
    create,
    add,
    // Only merging windows (sessions) merge; an event belongs to one of a key's sessions, so the
    // parts hold different ids and their sums add up.
    merge: (a, b) => {
      for (const id of b.ids) addId(a, id);
      a.count += b.count;
      a.riskSum += b.riskSum;
      a.riskMax = Math.max(a.riskMax, b.riskMax);
      a.complexitySum += b.complexitySum;
      a.highRisk += b.highRisk;
      for (const t of b.types) addSorted(a.types, t);
      return a;
    },
    extract: (acc) => ({
      window_event_count: acc.count,
      average_risk_score: acc.count === 0 ? null : round4(acc.riskSum / acc.count),
      max_risk_score: acc.count === 0 ? null : acc.riskMax,
      high_risk_event_count: acc.highRisk,
      average_complexity_score: acc.count === 0 ? null : round4(acc.complexitySum / acc.count),
      unique_event_types: acc.types.length,
      event_types: acc.types.slice(),
    }),
    encode: (acc) => ({
      ids: [...acc.ids],
      count: acc.count,
      riskSum: acc.riskSum,
      riskMax: acc.count === 0 ? null : acc.riskMax,
      complexitySum: acc.complexitySum,
      highRisk: acc.highRisk,
      types: acc.types.slice(),
    }),
    decode: (json: Json) => {
      const o = json as { ids: string[]; count: number; riskSum: number; riskMax: number | null; complexitySum: number; highRisk: number; types: string[] };
      return {
        ids: o.ids.length <= SMALL_IDS ? o.ids.slice() : new Set(o.ids),
        count: o.count,
        riskSum: o.riskSum,
        riskMax: o.riskMax ?? Number.NEGATIVE_INFINITY,
        complexitySum: o.complexitySum,
        highRisk: o.highRisk,
        types: o.types.slice(),
      };
    },
  };
}

/** One `realtime_features_aggregated` row, in the table's column order. */
export function paneRow(pane: Pane<LocationWindowValue>, paneId: string, firedAt: number): unknown[] {
  const v = pane.value;
  return [
    paneId,
    pane.key,
    pane.window.start,
    pane.window.end,
    v.window_event_count,
    v.average_risk_score,
    v.max_risk_score,
    v.high_risk_event_count,
    v.average_complexity_score,
    v.unique_event_types,
    v.event_types,
    pane.timing,
    pane.index,
    pane.isLast,
    firedAt,
  ];
}

/**
 * The 5-minute windows per location → `realtime_features_aggregated`, with the seed's triggers:
 * EARLY panes every minute of processing time, ON_TIME at the watermark, LATE panes for one
 * minute of allowed lateness; events later than that become `late_event` rows in `streaming_errors`.
 *
 * @example
 * pipeline.write(realtimeFeatures).tap(locationWindows())
 */
export function locationWindows(
  options: { clock?: Clock } = {},
): WindowedAggregate<RealtimeFeatures, WindowInput, LocationWindowAccumulator, LocationWindowValue> {
  return new WindowedAggregate({
    name: 'location_5m_windows',
    table: realtimeFeaturesAggregated,
    key: (r: RealtimeFeatures) => r.location_id,
    eventTime: (r: RealtimeFeatures) => r.event_timestamp,
    value: (r: RealtimeFeatures, envelope: EnvelopeMeta) => ({
      id: envelope.id,
      risk: r.real_time_risk_score,
      complexity: r.complexity_score,
      type: r.event_type,
    }),
    windowFn: fixedWindows(LOCATION_WINDOW.size),
    combine: locationWindowStats(),
    trigger: { earlyEvery: LOCATION_WINDOW.earlyEvery, allowedLateness: LOCATION_WINDOW.allowedLateness, accumulation: 'accumulating' },
    maxOutOfOrderness: LOCATION_WINDOW.maxOutOfOrderness,
    idleTimeout: LOCATION_WINDOW.idleTimeout,
    keyFields: ['location_id', 'event_type'],
    toRow: paneRow,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
}
