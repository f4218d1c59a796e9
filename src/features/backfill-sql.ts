import type { AggregationSpec, FeatureSet, FeatureSpec, TileAggregation } from './define-features.js';

/**
 * Compiles a feature set to one DuckDB query that computes, for every target row, exactly what the
 * streaming path computes (see `tiles.ts` for the definition): events are grouped into tiles, the
 * tiles of each entity are unioned with one marker row per boundary some target is scored as of,
 * and window functions with `RANGE BETWEEN w PRECEDING AND 1 PRECEDING` frames over the tile start
 * (epoch ms) aggregate `[asOf − w, asOf)` at each marker. Cost is linear in events plus targets,
 * not their product.
 */
export interface BackfillSqlOptions {
  /** A relation of events: `_id`, `event_time` (epoch ms), and every field the set reads. */
  readonly eventsSql: string;
  /** A relation of rows to score: `target_time` (epoch ms) and the entity key fields; all its columns are kept. */
  readonly targetsSql: string;
  /** A relation with an `_id` column: events the streaming path refused (late, unmatched), left out here too. */
  readonly excludedIdsSql?: string;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function literal(value: string | number | boolean): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replace(/'/g, "''")}'`;
}

function condition(spec: AggregationSpec, extra?: string): string {
  const parts = Object.entries(spec.where ?? {}).map(([field, value]) => `${ident(field)} = ${literal(value)}`);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

/** Per-tile aggregate columns of one aggregation. */
function tileColumns(agg: TileAggregation): string[] {
  const { id, spec } = agg;
  const f = spec.field === undefined ? '' : ident(spec.field);
  const num = `CAST(${f} AS DOUBLE)`;
  const finite = `${f} IS NOT NULL AND isfinite(${num})`;
  switch (spec.kind) {
    case 'count':
      return [`count(*) FILTER (WHERE ${condition(spec)}) AS ${ident(id)}`];
    case 'sum':
      return [`sum(${num}) FILTER (WHERE ${condition(spec, finite)}) AS ${ident(id)}`];
    case 'mean':
      return [`sum(${num}) FILTER (WHERE ${condition(spec, finite)}) AS ${ident(`${id}|a`)}`, `count(*) FILTER (WHERE ${condition(spec, finite)}) AS ${ident(`${id}|b`)}`];
    case 'rate':
      return [
        `count(*) FILTER (WHERE ${condition(spec, `${f} IS NOT NULL AND ${f}`)}) AS ${ident(`${id}|a`)}`,
        `count(*) FILTER (WHERE ${condition(spec, `${f} IS NOT NULL`)}) AS ${ident(`${id}|b`)}`,
      ];
    case 'min':
    case 'max':
      return [`${spec.kind}(${num}) FILTER (WHERE ${condition(spec, finite)}) AS ${ident(id)}`];
    case 'distinct':
      return [`list(DISTINCT CAST(${f} AS VARCHAR)) FILTER (WHERE ${condition(spec, `${f} IS NOT NULL`)}) AS ${ident(id)}`];
    case 'last':
      return [`max({'t': event_time, 'v': CAST(to_json(${f}) AS VARCHAR)}) FILTER (WHERE ${condition(spec, `${f} IS NOT NULL`)}) AS ${ident(id)}`];
  }
}

/** Window columns over the tile/marker union: the raw window aggregate(s) of one aggregation. */
function windowColumns(agg: TileAggregation): string[] {
  const { id, spec } = agg;
  const frame = `OVER (PARTITION BY k ORDER BY tile RANGE BETWEEN ${spec.window} PRECEDING AND 1 PRECEDING)`;
  switch (spec.kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
      return [`${spec.kind === 'count' ? 'sum' : spec.kind}(${ident(id)}) ${frame} AS ${ident(id)}`];
    case 'mean':
    case 'rate':
      return [`sum(${ident(`${id}|a`)}) ${frame} AS ${ident(`${id}|a`)}`, `sum(${ident(`${id}|b`)}) ${frame} AS ${ident(`${id}|b`)}`];
    case 'distinct':
      return [`len(list_distinct(flatten(list(${ident(id)}) FILTER (WHERE ${ident(id)} IS NOT NULL) ${frame}))) AS ${ident(id)}`];
    case 'last':
      return [`max(${ident(id)}) ${frame} AS ${ident(id)}`];
  }
}

/** The value of one aggregation from its window columns, typed like the streaming value. */
function aggregationValue(agg: TileAggregation): string {
  const { id, spec } = agg;
  switch (spec.kind) {
    case 'count':
      return `CAST(coalesce(${ident(id)}, 0) AS BIGINT)`;
    case 'sum':
      return `coalesce(${ident(id)}, 0)`;
    case 'mean':
    case 'rate':
      return `CASE WHEN coalesce(${ident(`${id}|b`)}, 0) > 0 THEN CAST(${ident(`${id}|a`)} AS DOUBLE) / ${ident(`${id}|b`)} END`;
    case 'min':
    case 'max':
      return ident(id);
    case 'distinct':
      return `CAST(coalesce(${ident(id)}, 0) AS BIGINT)`;
    case 'last':
      return `${ident(id)}.v`;
  }
}

function featureValue(name: string, spec: FeatureSpec, aggs: readonly TileAggregation[]): string {
  const find = (id: string): TileAggregation => aggs.find((a) => a.id === id) as TileAggregation;
  if (spec.kind !== 'ratio') return aggregationValue(find(name));
  const n = aggregationValue(find(`${name}.n`));
  const d = aggregationValue(find(`${name}.d`));
  return `CASE WHEN (${d}) <> 0 THEN CAST(${n} AS DOUBLE) / (${d}) END`;
}

/**
 * The backfill query: every target row with `as_of` (epoch ms) and one column per feature, in the
 * set's feature order. `last` features come back as JSON text.
 *
 * @example
 * const sql = backfillSql(features, { eventsSql: 'SELECT _id, epoch_ms(at) AS event_time, ward, kind FROM events', targetsSql: 'SELECT ticket_id, epoch_ms(at) AS target_time, ward FROM tickets' });
 * const rows = await warehouse.query(sql);
 */
export function backfillSql(set: FeatureSet, options: BackfillSqlOptions): string {
  const T = set.tile;
  const ctes: string[] = [];
  const excluded = options.excludedIdsSql === undefined ? '' : ` WHERE NOT EXISTS (SELECT 1 FROM (${options.excludedIdsSql}) x WHERE x._id = e._id)`;
  ctes.push(`ev AS (SELECT * FROM (${options.eventsSql}) e${excluded})`);
  ctes.push(`tg AS (SELECT *, CAST(floor((target_time - ${set.lateness}) / ${T}) * ${T} AS BIGINT) AS _as_of FROM (${options.targetsSql}) t)`);
  const joins: string[] = [];
  const selects: string[] = [];
  let n = 0;
  for (const [entity, { key }] of Object.entries(set.entities)) {
    const aggs = set.aggregations.filter((a) => a.spec.entity === entity);
    if (aggs.length === 0) continue;
    const e = `e${n++}`;
    const keyExpr = `NULLIF(CAST(${ident(key)} AS VARCHAR), '')`;
    ctes.push(
      `${e}_tiles AS (SELECT ${keyExpr} AS k, CAST(floor(event_time / ${T}) * ${T} AS BIGINT) AS tile, ${aggs.flatMap(tileColumns).join(', ')} FROM ev WHERE ${keyExpr} IS NOT NULL GROUP BY 1, 2)`,
    );
    ctes.push(`${e}_marks AS (SELECT DISTINCT ${keyExpr} AS k, _as_of AS tile FROM tg WHERE ${keyExpr} IS NOT NULL)`);
    ctes.push(
      `${e}_union AS (SELECT *, FALSE AS is_mark FROM ${e}_tiles UNION ALL BY NAME SELECT *, TRUE AS is_mark FROM ${e}_marks)`,
    );
    ctes.push(`${e}_win AS (SELECT k, tile AS _as_of, is_mark, ${aggs.flatMap(windowColumns).join(', ')} FROM ${e}_union)`);
    const features = set.featureNames.filter((name) => {
      const spec = set.features[name] as FeatureSpec;
      return (spec.kind === 'ratio' ? spec.numerator.entity : spec.entity) === entity;
    });
    ctes.push(
      `${e} AS (SELECT k, _as_of, ${features.map((name) => `${featureValue(name, set.features[name] as FeatureSpec, aggs)} AS ${ident(name)}`).join(', ')} FROM ${e}_win WHERE is_mark)`,
    );
    joins.push(`LEFT JOIN ${e} ON ${e}.k = NULLIF(CAST(tg.${ident(key)} AS VARCHAR), '') AND ${e}._as_of = tg._as_of`);
    for (const name of features) selects.push(`${e}.${ident(name)} AS ${ident(name)}`);
  }
  const ordered = set.featureNames.map((name) => selects.find((s) => s.endsWith(` AS ${ident(name)}`)) ?? `NULL AS ${ident(name)}`);
  return `WITH ${ctes.join(',\n')}\nSELECT tg.* EXCLUDE (_as_of), tg._as_of AS as_of, ${ordered.join(', ')}\nFROM tg ${joins.join(' ')}`;
}

/**
 * What `sluice features backfill <pipeline>` needs from a pipeline with features: the set, the
 * relations over its raw tables, and the streaming table the result is compared with.
 */
export interface FeatureBackfill {
  readonly pipeline: string;
  readonly set: FeatureSet;
  readonly sources: (range: { from?: number; to?: number }) => BackfillSqlOptions;
  /** The table the streaming path writes (compared on `_id`). */
  readonly streamingTable: string;
  /** The timestamp column of targets that `--from`/`--to` select on. */
  readonly timeColumn: string;
}
