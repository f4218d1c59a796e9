import type { FeatureScalar, TileData, TileOp, TileSeries, TileUpdate } from '../core/online-store.js';
import type { AggregationSpec, FeatureSet, TileAggregation } from './define-features.js';

/**
 * Tile arithmetic and the point-in-time definition every feature path shares.
 *
 * **Definition.** With tile length `T` and allowed lateness `L`, an event at time `t` is scored
 * *as of* `asOf(t) = floor((t − L) / T) · T`: the last tile boundary at least `L` before it. A
 * feature with window `w` aggregates the entity's accepted events whose event time lies in
 * `[asOf(t) − w, asOf(t))` — whole tiles only. It never includes the event itself or anything
 * later, and it is final the moment the event arrives: every event before `asOf(t)` has arrived
 * by then (out-of-orderness is at most `L`), so streaming can answer at once and the warehouse SQL
 * (`backfill-sql.ts`) gives the same number. The price is resolution: with 1-hour tiles and
 * 2-minute lateness a ticket at 10:30 sees `[10:00 − 7 d, 10:00)`, one at 10:01 sees
 * `[09:00 − 7 d, 09:00)`. Shorter tiles buy resolution for more tiles per window.
 *
 * **Accepted events.** Once some value was read as of boundary `H` (the *horizon*), tiles before
 * `H` are final: an event with time `< H` that arrives afterwards is refused as `late` and recorded
 * (an error row `late_event`), and the backfill leaves the same events out.
 */

/** Start of the tile containing `time`. */
export function tileOf(time: number, tile: number): number {
  return Math.floor(time / tile) * tile;
}

/** The boundary an event at `time` is scored as of (see the module comment). */
export function asOfTime(time: number, set: Pick<FeatureSet, 'tile' | 'lateness'>): number {
  return Math.floor((time - set.lateness) / set.tile) * set.tile;
}

/** A feature event: its time and the fields aggregations, filters and entity keys read. */
export interface FeatureEvent {
  readonly time: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Separates a field name from a value or a sub-part in tile field names. Fields ending in
 * `SEP + 'v'` hold text (a `last` value as JSON); every other field holds a number.
 */
export const SEP = '\u0001';

/** The tile field names of an aggregation's parts (`<id>␁s`, …), built once per id. */
interface PartFields {
  readonly s: string;
  readonly c: string;
  readonly t: string;
  readonly v: string;
  readonly prefix: string;
}

const partFieldsById = new Map<string, PartFields>();

/**
 * Made per tile and per aggregation, a template string costs an allocation and, as a property key,
 * a flatten and a string-table lookup: scoring a ticket reads hundreds of tiles.
 */
function partFields(id: string): PartFields {
  let fields = partFieldsById.get(id);
  if (fields === undefined) {
    fields = { s: `${id}${SEP}s`, c: `${id}${SEP}c`, t: `${id}${SEP}t`, v: `${id}${SEP}v`, prefix: `${id}${SEP}` };
    partFieldsById.set(id, fields);
  }
  return fields;
}

function matches(spec: AggregationSpec, fields: Readonly<Record<string, unknown>>): boolean {
  if (spec.where === undefined) return true;
  for (const key in spec.where) if (fields[key] !== spec.where[key]) return false;
  return true;
}

/** The entity id an event (or target) has for `entity`, or null when it has none. */
export function entityKey(set: FeatureSet, entity: string, fields: Readonly<Record<string, unknown>>): string | null {
  const spec = set.entities[entity];
  if (spec === undefined) return null;
  const value = fields[spec.key];
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function opsFor(agg: TileAggregation, fields: Readonly<Record<string, unknown>>, time: number, out: TileOp[]): void {
  const { spec, id } = agg;
  if (!matches(spec, fields)) return;
  if (spec.kind === 'count') {
    out.push({ op: 'add', field: id, value: 1 });
    return;
  }
  const value = fields[spec.field as string];
  switch (spec.kind) {
    case 'sum':
      if (typeof value === 'number' && Number.isFinite(value)) out.push({ op: 'add', field: id, value });
      return;
    case 'mean':
      if (typeof value === 'number' && Number.isFinite(value)) {
        const parts = partFields(id);
        out.push({ op: 'add', field: parts.s, value });
        out.push({ op: 'add', field: parts.c, value: 1 });
      }
      return;
    case 'rate':
      if (typeof value === 'boolean') {
        const parts = partFields(id);
        out.push({ op: 'add', field: parts.c, value: 1 });
        if (value) out.push({ op: 'add', field: parts.t, value: 1 });
      }
      return;
    case 'min':
    case 'max':
      if (typeof value === 'number' && Number.isFinite(value)) out.push({ op: spec.kind, field: id, value });
      return;
    case 'distinct':
      if (value !== null && value !== undefined) out.push({ op: 'distinct', field: id, value: String(value) });
      return;
    case 'last':
      if (value !== null && value !== undefined) out.push({ op: 'last', field: id, value: JSON.stringify(value), time });
      return;
  }
}

/**
 * The tile updates an event makes: per entity it has a key for, the ops of every aggregation over
 * that entity whose filter it passes. Entities with nothing to update are left out.
 *
 * @example
 * tileUpdates(set, { time: t, fields: { kind: 'ticket', ward: 'Ward 150' } }); // [{ entity: 'ward', key: 'Ward 150', ops: [{ op: 'add', … }] }]
 */
export function tileUpdates(set: FeatureSet, event: FeatureEvent): TileUpdate[] {
  const updates: TileUpdate[] = [];
  // Indexed loops over lists worked out once per set: for…of here allocated an iterator per
  // aggregation and event (the largest allocation of a municipal run's main thread).
  const entities = entitiesOf(set);
  for (let e = 0; e < entities.length; e++) {
    const entity = entities[e] as string;
    const key = entityKey(set, entity, event.fields);
    if (key === null) continue;
    const aggs = planFor(set, entity).aggregations;
    const ops: TileOp[] = [];
    for (let i = 0; i < aggs.length; i++) opsFor(aggs[i] as TileAggregation, event.fields, event.time, ops);
    if (ops.length > 0) updates.push({ entity, key, ops });
  }
  return updates;
}

const entityLists = new WeakMap<FeatureSet, readonly string[]>();

function entitiesOf(set: FeatureSet): readonly string[] {
  let entities = entityLists.get(set);
  if (entities === undefined) {
    entities = Object.keys(set.entities);
    entityLists.set(set, entities);
  }
  return entities;
}

/**
 * Applies one op to a mutable tile: the reference semantics every store implements.
 *
 * @example
 * const tile = {}; applyTileOp(tile, { op: 'add', field: 'n', value: 1 }); // tile.n === 1
 */
export function applyTileOp(tile: Record<string, number | string>, op: TileOp): void {
  switch (op.op) {
    case 'add':
      tile[op.field] = ((tile[op.field] as number | undefined) ?? 0) + op.value;
      return;
    case 'min': {
      const current = tile[op.field] as number | undefined;
      if (current === undefined || op.value < current) tile[op.field] = op.value;
      return;
    }
    case 'max': {
      const current = tile[op.field] as number | undefined;
      if (current === undefined || op.value > current) tile[op.field] = op.value;
      return;
    }
    case 'distinct':
      tile[`${op.field}${SEP}${op.value}`] = 1;
      return;
    case 'last': {
      const { t: timeField, v: valueField } = partFields(op.field);
      const time = tile[timeField] as number | undefined;
      if (time === undefined || op.time > time || (op.time === time && op.value > (tile[valueField] as string))) {
        tile[timeField] = op.time;
        tile[valueField] = op.value;
      }
      return;
    }
  }
}

/** Running totals of one aggregation over a window. */
interface Accumulator {
  a: number;
  b: number;
  /** min/max seen, last time. */
  m: number | undefined;
  text: string | undefined;
  values: Set<string> | undefined;
}

function accumulate(agg: TileAggregation, tile: TileData, acc: Accumulator): void {
  const { id, spec } = agg;
  switch (spec.kind) {
    case 'count':
    case 'sum':
      acc.a += (tile[id] as number | undefined) ?? 0;
      return;
    case 'mean': {
      const parts = partFields(id);
      acc.a += (tile[parts.s] as number | undefined) ?? 0;
      acc.b += (tile[parts.c] as number | undefined) ?? 0;
      return;
    }
    case 'rate': {
      const parts = partFields(id);
      acc.a += (tile[parts.t] as number | undefined) ?? 0;
      acc.b += (tile[parts.c] as number | undefined) ?? 0;
      return;
    }
    case 'min':
    case 'max': {
      const v = tile[id] as number | undefined;
      if (v !== undefined && (acc.m === undefined || (spec.kind === 'min' ? v < acc.m : v > acc.m))) acc.m = v;
      return;
    }
    case 'distinct': {
      const prefix = partFields(id).prefix;
      for (const field in tile) {
        if (!field.startsWith(prefix)) continue;
        acc.values ??= new Set();
        acc.values.add(field.slice(prefix.length));
      }
      return;
    }
    case 'last': {
      const parts = partFields(id);
      const time = tile[parts.t] as number | undefined;
      const text = tile[parts.v] as string | undefined;
      if (time === undefined || text === undefined) return;
      if (acc.m === undefined || time > acc.m || (time === acc.m && text > (acc.text as string))) {
        acc.m = time;
        acc.text = text;
      }
      return;
    }
  }
}

function result(spec: AggregationSpec, acc: Accumulator): FeatureScalar {
  switch (spec.kind) {
    case 'count':
    case 'sum':
      return acc.a;
    case 'mean':
    case 'rate':
      return acc.b > 0 ? acc.a / acc.b : null;
    case 'min':
    case 'max':
      return acc.m ?? null;
    case 'distinct':
      return acc.values?.size ?? 0;
    case 'last':
      return acc.text === undefined ? null : (JSON.parse(acc.text) as FeatureScalar);
  }
}

/**
 * The features of one entity instance as of `asOf`, from its tiles: each over
 * `[asOf − window, asOf)`. Features of other entities are not touched.
 *
 * @example
 * windowValues(set, 'ward', tiles, asOfTime(t, set), out); // out.ward_tickets_7d === 42
 */
export function windowValues(set: FeatureSet, entity: string, series: TileSeries, asOf: number, out: Record<string, FeatureScalar>): void {
  const plan = planFor(set, entity);
  const aggs = plan.aggregations;
  const accs: Accumulator[] = new Array(aggs.length);
  for (let i = 0; i < aggs.length; i++) accs[i] = { a: 0, b: 0, m: undefined, text: undefined, values: undefined };
  const oldest = asOf - plan.maxWindow;
  // forEach, not for…of with destructuring: that made an entry array per tile read (a window of
  // hourly tiles is up to 720 of them per entity and ticket).
  series.forEach((tile, start) => {
    if (start >= asOf || start < oldest) return;
    for (let i = 0; i < aggs.length; i++) {
      const agg = aggs[i] as TileAggregation;
      if (start >= asOf - agg.spec.window) accumulate(agg, tile, accs[i] as Accumulator);
    }
  });
  for (const feature of plan.features) {
    if (feature.denominator === undefined) {
      out[feature.name] = result((aggs[feature.numerator] as TileAggregation).spec, accs[feature.numerator] as Accumulator);
    } else {
      const n = result((aggs[feature.numerator] as TileAggregation).spec, accs[feature.numerator] as Accumulator);
      const d = result((aggs[feature.denominator] as TileAggregation).spec, accs[feature.denominator] as Accumulator);
      out[feature.name] = typeof n === 'number' && typeof d === 'number' && d !== 0 ? n / d : null;
    }
  }
}

/** Which aggregations and features belong to an entity, worked out once per set. */
interface EntityPlan {
  readonly aggregations: readonly TileAggregation[];
  readonly maxWindow: number;
  /** Indexes into `aggregations`: a plain feature has a numerator only. */
  readonly features: ReadonlyArray<{ readonly name: string; readonly numerator: number; readonly denominator?: number }>;
}

const plans = new WeakMap<FeatureSet, Map<string, EntityPlan>>();

function planFor(set: FeatureSet, entity: string): EntityPlan {
  let bySet = plans.get(set);
  if (bySet === undefined) {
    bySet = new Map();
    plans.set(set, bySet);
  }
  let plan = bySet.get(entity);
  if (plan === undefined) {
    const aggregations = set.aggregations.filter((a) => a.spec.entity === entity);
    const index = (id: string): number => aggregations.findIndex((a) => a.id === id);
    const features: Array<{ name: string; numerator: number; denominator?: number }> = [];
    for (const name of set.featureNames) {
      const spec = set.features[name];
      if (spec === undefined) continue;
      if (spec.kind === 'ratio') {
        if (spec.numerator.entity === entity) features.push({ name, numerator: index(`${name}.n`), denominator: index(`${name}.d`) });
      } else if (spec.entity === entity) {
        features.push({ name, numerator: index(name) });
      }
    }
    plan = { aggregations, maxWindow: Math.max(0, ...aggregations.map((a) => a.spec.window)), features };
    bySet.set(entity, plan);
  }
  return plan;
}
