import { ConfigError } from '../core/errors.js';
import { parseDuration } from '../time/duration.js';

/**
 * Rolling per-entity features, declared once and computed two ways: streaming (tiles in the online
 * store, see `streaming.ts`) and offline (warehouse SQL, see `backfill-sql.ts`). Both give the same
 * point-in-time value, defined in `tiles.ts`.
 */

/** A field comparison that selects the events an aggregation counts, e.g. `{ kind: 'ticket' }`. */
export type EventFilter = Readonly<Record<string, string | number | boolean>>;

export type AggregationKind = 'count' | 'sum' | 'mean' | 'rate' | 'min' | 'max' | 'distinct' | 'last';

/** One rolling aggregation over one entity's events. */
export interface AggregationSpec {
  readonly kind: AggregationKind;
  /** The entity whose events are aggregated (a key of the feature set's `entities`). */
  readonly entity: string;
  /** Window length in ms: a whole number of tiles. */
  readonly window: number;
  /** The event field aggregated (all kinds but `count`). */
  readonly field?: string;
  readonly where?: EventFilter;
}

/** The quotient of two aggregations over the same entity, null when the denominator is 0. */
export interface RatioSpec {
  readonly kind: 'ratio';
  readonly numerator: AggregationSpec;
  readonly denominator: AggregationSpec;
}

export type FeatureSpec = AggregationSpec | RatioSpec;

/** Options shared by the aggregation builders. `window` is a duration such as `'7d'` or ms. */
export interface AggregationOptions {
  readonly entity: string;
  readonly window: string | number;
  readonly where?: EventFilter;
}

function aggregation(kind: AggregationKind, options: AggregationOptions, field?: string): AggregationSpec {
  return Object.freeze({
    kind,
    entity: options.entity,
    window: parseDuration(options.window),
    ...(field !== undefined ? { field } : {}),
    ...(options.where !== undefined ? { where: Object.freeze({ ...options.where }) } : {}),
  });
}

/**
 * Events in the window.
 *
 * @example
 * count({ entity: 'ward', window: '7d', where: { kind: 'ticket' } })
 */
export function count(options: AggregationOptions): AggregationSpec {
  return aggregation('count', options);
}

/** Sum of a numeric field (0 when no event has one). @example sum({ entity: 'ward', window: '7d', field: 'amount' }) */
export function sum(options: AggregationOptions & { readonly field: string }): AggregationSpec {
  return aggregation('sum', options, options.field);
}

/** Mean of a numeric field, null without values. @example mean({ entity: 'ward', window: '30d', field: 'response_minutes' }) */
export function mean(options: AggregationOptions & { readonly field: string }): AggregationSpec {
  return aggregation('mean', options, options.field);
}

/** A boolean field's share of true among events that have it, null without any. @example rate({ entity: 'ward', window: '7d', field: 'has_photo' }) */
export function rate(options: AggregationOptions & { readonly field: string }): AggregationSpec {
  return aggregation('rate', options, options.field);
}

/** Smallest numeric value, null without values. @example min({ entity: 'ward', window: '7d', field: 'sentiment' }) */
export function min(options: AggregationOptions & { readonly field: string }): AggregationSpec {
  return aggregation('min', options, options.field);
}

/** Largest numeric value, null without values. @example max({ entity: 'ward', window: '7d', field: 'sentiment' }) */
export function max(options: AggregationOptions & { readonly field: string }): AggregationSpec {
  return aggregation('max', options, options.field);
}

/** Number of distinct values of a field (compared as text). @example distinctCount({ entity: 'ward', window: '7d', field: 'category' }) */
export function distinctCount(options: AggregationOptions & { readonly field: string }): AggregationSpec {
  return aggregation('distinct', options, options.field);
}

/** The value of the latest event (ties broken by the value's JSON text), null without any. @example last({ entity: 'ward', window: '30d', field: 'status' }) */
export function last(options: AggregationOptions & { readonly field: string }): AggregationSpec {
  return aggregation('last', options, options.field);
}

/**
 * `numerator / denominator`, e.g. escalations per ticket. Both must be over the same entity.
 *
 * @example
 * ratio(count({ entity: 'ward', window: '7d', where: { kind: 'escalated' } }), count({ entity: 'ward', window: '7d', where: { kind: 'ticket' } }))
 */
export function ratio(numerator: AggregationSpec, denominator: AggregationSpec): RatioSpec {
  return Object.freeze({ kind: 'ratio', numerator, denominator });
}

export interface EntitySpec {
  /** The event (and target) field holding the entity's id. */
  readonly key: string;
}

export interface FeatureSetOptions {
  /** Names the tiles in the online store; change it when the definitions change incompatibly. */
  readonly name: string;
  /** Tile length. Default `1h`. */
  readonly tile?: string | number;
  /** Allowed out-of-orderness of the input. Default `2m`. */
  readonly lateness?: string | number;
  readonly entities: Readonly<Record<string, EntitySpec>>;
  readonly features: Readonly<Record<string, FeatureSpec>>;
}

/** A primitive aggregation as stored in tiles: one per aggregation, two per ratio. */
export interface TileAggregation {
  /** Tile field prefix, e.g. `ward_tickets_7d` or `ward_escalation_rate_7d.n`. */
  readonly id: string;
  readonly spec: AggregationSpec;
}

/** A validated, frozen feature set. */
export interface FeatureSet {
  readonly name: string;
  readonly tile: number;
  readonly lateness: number;
  readonly entities: Readonly<Record<string, EntitySpec>>;
  readonly features: Readonly<Record<string, FeatureSpec>>;
  /** Feature names in declaration order: the column order of feature rows. */
  readonly featureNames: readonly string[];
  readonly aggregations: readonly TileAggregation[];
  /** The longest window, ms. */
  readonly maxWindow: number;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Validates and freezes a feature set: names are SQL-safe identifiers, windows whole numbers of
 * tiles, entities declared.
 *
 * @example
 * const wardFeatures = defineFeatures({
 *   name: 'tickets', tile: '1h', lateness: '2m',
 *   entities: { ward: { key: 'ward' } },
 *   features: { ward_tickets_7d: count({ entity: 'ward', window: '7d', where: { kind: 'ticket' } }) },
 * });
 */
export function defineFeatures(options: FeatureSetOptions): FeatureSet {
  const tile = parseDuration(options.tile ?? '1h');
  const lateness = parseDuration(options.lateness ?? '2m');
  const where = `feature set ${options.name}`;
  if (tile <= 0) throw new ConfigError(`${where}: tile must be a positive duration, got ${tile} ms`);
  for (const [entity, spec] of Object.entries(options.entities)) {
    if (!NAME.test(entity) || !NAME.test(spec.key)) throw new ConfigError(`${where}: entity "${entity}" and its key "${spec.key}" must be lower-case identifiers`);
  }
  const aggregations: TileAggregation[] = [];
  const check = (name: string, id: string, spec: AggregationSpec): void => {
    if (options.entities[spec.entity] === undefined) {
      throw new ConfigError(`${where}: feature ${name} aggregates entity "${spec.entity}", which is not declared; declared: ${Object.keys(options.entities).join(', ')}`);
    }
    if (!(spec.window > 0) || spec.window % tile !== 0) {
      throw new ConfigError(`${where}: feature ${name} has a window of ${spec.window} ms, which is not a positive whole number of ${tile} ms tiles`);
    }
    if (spec.kind !== 'count' && (spec.field === undefined || !NAME.test(spec.field))) {
      throw new ConfigError(`${where}: feature ${name} (${spec.kind}) needs a field that is a lower-case identifier`);
    }
    for (const field of Object.keys(spec.where ?? {})) {
      if (!NAME.test(field)) throw new ConfigError(`${where}: feature ${name} filters on "${field}", which is not a lower-case identifier`);
    }
    aggregations.push(Object.freeze({ id, spec }));
  };
  let maxWindow = 0;
  for (const [name, spec] of Object.entries(options.features)) {
    if (!NAME.test(name)) throw new ConfigError(`${where}: feature name "${name}" must be a lower-case identifier (it becomes a column)`);
    if (spec.kind === 'ratio') {
      if (spec.numerator.entity !== spec.denominator.entity) throw new ConfigError(`${where}: ratio ${name} divides aggregations of different entities`);
      check(name, `${name}.n`, spec.numerator);
      check(name, `${name}.d`, spec.denominator);
      maxWindow = Math.max(maxWindow, spec.numerator.window, spec.denominator.window);
    } else {
      check(name, name, spec);
      maxWindow = Math.max(maxWindow, spec.window);
    }
  }
  return Object.freeze({
    name: options.name,
    tile,
    lateness,
    entities: Object.freeze({ ...options.entities }),
    features: Object.freeze({ ...options.features }),
    featureNames: Object.freeze(Object.keys(options.features)),
    aggregations: Object.freeze(aggregations),
    maxWindow,
  });
}

/** The entity a feature is about. */
export function entityOf(spec: FeatureSpec): string {
  return spec.kind === 'ratio' ? spec.numerator.entity : spec.entity;
}
