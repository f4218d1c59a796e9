/**
 * Rolling per-entity features: declared once, kept fresh while streaming (time tiles in the online
 * store), recomputed for history with the same values (warehouse SQL), served online.
 *
 * @example
 * import { defineFeatures, count, ratio, FeatureUpdater, backfillSql } from './features/index.js';
 */
export { backfillSql, type BackfillSqlOptions, type FeatureBackfill } from './backfill-sql.js';
export { createFeatureServer, featureRecordJson } from './feature-server.js';
export { type BatchItem, batchedStep } from './batched-step.js';
export {
  type AggregationKind,
  type AggregationOptions,
  type AggregationSpec,
  count,
  defineFeatures,
  distinctCount,
  type EntitySpec,
  type EventFilter,
  type FeatureSet,
  type FeatureSetOptions,
  type FeatureSpec,
  last,
  max,
  mean,
  min,
  rate,
  ratio,
  type RatioSpec,
  sum,
} from './define-features.js';
export { csvReferenceLoader, formatLookupStats, type LookupOptions, type LookupStats, lookupStatsOf, lookupStep, pipelineLookupStats } from './lookup.js';
export { defaultOnlineUrl, openOnlineStore } from './open-online-store.js';
export { FeatureUpdater, type FeatureUpdaterStats, type UpdaterItem, type UpdaterResult } from './streaming.js';
export { asOfTime, type FeatureEvent, tileOf, tileUpdates, windowValues } from './tiles.js';
