import type { Warehouse } from '../../src/core/warehouse.js';

/** A named SQL view over the pipeline's tables. */
export interface ViewSpec {
  readonly name: string;
  readonly description: string;
  /** The SELECT; valid in DuckDB and PostgreSQL. */
  readonly sql: string;
}

/**
 * The seed's analytics views. `location_risk_summary` covers the 24 hours up to the latest event
 * in the table rather than up to the wall clock, so a replay or a backfill of older events gives
 * the same summary as the live stream did (live, the two coincide).
 *
 * @example
 * for (const v of CQC_VIEWS) await warehouse.execute?.(createViewSql(v));
 */
export const CQC_VIEWS: readonly ViewSpec[] = [
  {
    name: 'latest_realtime_features',
    description: 'The latest feature row per location',
    sql: `SELECT DISTINCT ON (location_id) *
FROM realtime_features
ORDER BY location_id, event_timestamp DESC, processing_timestamp DESC, _id DESC`,
  },
  {
    name: 'hourly_feature_stats',
    description: 'Events, locations and scores per hour and event type',
    sql: `SELECT date_trunc('hour', event_timestamp) AS hour,
  event_type,
  feature_category,
  count(*) AS event_count,
  count(DISTINCT location_id) AS location_count,
  avg(real_time_risk_score) AS avg_risk_score,
  max(real_time_risk_score) AS max_risk_score,
  avg(complexity_score) AS avg_complexity_score,
  count(*) FILTER (WHERE risk_level = 'high') AS high_risk_event_count
FROM realtime_features
GROUP BY 1, 2, 3`,
  },
  {
    name: 'location_risk_summary',
    description: 'Risk per location over the 24 hours up to the latest event',
    sql: `SELECT location_id,
  count(*) AS event_count_24h,
  avg(real_time_risk_score) AS avg_risk_score_24h,
  max(real_time_risk_score) AS max_risk_score_24h,
  count(*) FILTER (WHERE risk_level = 'high') AS high_risk_events_24h,
  count(*) FILTER (WHERE event_type = 'compliance_alert') AS compliance_alerts_24h,
  count(DISTINCT event_type) AS event_types_24h,
  max(event_timestamp) AS last_event_timestamp
FROM realtime_features
WHERE event_timestamp >= (SELECT max(event_timestamp) FROM realtime_features) - INTERVAL '24 hours'
GROUP BY location_id`,
  },
];

/**
 * `CREATE OR REPLACE VIEW` for a view.
 *
 * @example
 * createViewSql(CQC_VIEWS[0]); // 'CREATE OR REPLACE VIEW latest_realtime_features AS SELECT …'
 */
export function createViewSql(view: ViewSpec): string {
  return `CREATE OR REPLACE VIEW ${view.name} AS ${view.sql}`;
}

/**
 * Creates (or replaces) the views. The tables must exist: call after the run has created them
 * (or after `ensureTable` for each of the pipeline's tables).
 *
 * @example
 * await runStreaming(pipeline, { source, warehouse }); await createCqcViews(warehouse);
 */
export async function createCqcViews(warehouse: Warehouse): Promise<void> {
  if (warehouse.execute === undefined)
    throw new Error(`warehouse ${warehouse.kind} ${warehouse.location} cannot run DDL, so the cqc-events views cannot be created there`);
  for (const view of CQC_VIEWS) await warehouse.execute(createViewSql(view));
}

/**
 * The seed's sample queries (README "Query Processed Data" and "Sample Queries"), adapted from
 * BigQuery to DuckDB: no project/dataset prefix, `now()` for `CURRENT_TIMESTAMP()` with the stored
 * UTC timestamps compared in UTC, `CAST(… AS DATE)` for `DATE(…)`.
 *
 * @example
 * const rows = await warehouse.query(SEED_QUERIES.highestRiskLastHour);
 */
export const SEED_QUERIES = {
  latestFeatures: `SELECT location_id, event_type, feature_category, real_time_risk_score, event_timestamp, processing_timestamp
FROM realtime_features
ORDER BY processing_timestamp DESC
LIMIT 10`,
  aggregatedFeatures: `SELECT location_id, window_event_count, average_risk_score, unique_event_types, aggregation_timestamp
FROM realtime_features_aggregated
ORDER BY aggregation_timestamp DESC
LIMIT 10`,
  errors: `SELECT error_type, error_message, location_id, event_type, error_timestamp
FROM streaming_errors
ORDER BY error_timestamp DESC
LIMIT 10`,
  highestRiskLastHour: `SELECT location_id, AVG(real_time_risk_score) AS avg_risk_score, COUNT(*) AS event_count
FROM realtime_features
WHERE event_timestamp >= CAST(timezone('UTC', now()) AS TIMESTAMP) - INTERVAL 1 HOUR
GROUP BY location_id
HAVING avg_risk_score > 5
ORDER BY avg_risk_score DESC`,
  eventTypesByHourToday: `SELECT EXTRACT(HOUR FROM event_timestamp) AS hour, event_type, COUNT(*) AS event_count
FROM realtime_features
WHERE CAST(event_timestamp AS DATE) = CAST(timezone('UTC', now()) AS DATE)
GROUP BY 1, 2
ORDER BY 1, 3 DESC`,
} as const;
