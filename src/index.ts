/**
 * Sluice's public surface: build pipelines, run them, plug connectors in.
 *
 * @example
 * import { pipeline, parseJson, defineTable, runBatch, DuckDbWarehouse, JsonLinesSource } from 'sluice';
 */
export type { AccountingReport, SinkCounts, StepCounts, TopicCounts } from './core/accounting.js';
export { RunAccounting } from './core/accounting.js';
export type { Bus, OutgoingMessage, PublishResult, SubscribeOptions } from './core/bus.js';
export type { Envelope, EnvelopeMeta } from './core/envelope.js';
export { type ErrorRow, ErrorTypes, errorTable } from './core/error-row.js';
export { AccountingError, ConfigError, ConnectorUnavailableError, SluiceError, TableMissingError, TransientError } from './core/errors.js';
export { DEFAULT_RETRY, Pipeline, pipeline, type PipelineNode, type PipelineOptions, type RetryPolicy } from './core/pipeline.js';
export type { InputProfile, PipelineBuildContext, PipelineDefinition } from './core/pipeline-definition.js';
export { type ColumnSpec, type ColumnType, type CreateDisposition, defineTable, ID_COLUMN, type Row, type TableSpec } from './core/schema.js';
export type { Source, SourceBatch, SourceMessage } from './core/source.js';
export { Filtered, Rejection, type StepContext, type StepFn, type StepResult } from './core/step.js';
export { parseJson } from './core/steps/parse-json.js';
export type { CommitResult, TableBatch, Warehouse } from './core/warehouse.js';
export { DuckDbWarehouse } from './connectors/duckdb/duckdb-warehouse.js';
export { CsvSource } from './connectors/files/csv-source.js';
export { JsonLinesSource } from './connectors/files/jsonl-source.js';
export { HttpSource } from './connectors/http/http-source.js';
export { LocalBus } from './connectors/local-bus/local-bus.js';
export { NatsBus } from './connectors/nats/nats-bus.js';
export { PostgresWarehouse } from './connectors/postgres/postgres-warehouse.js';
export { PostgresQueryError } from './connectors/postgres/postgres-errors.js';
export { createDlpScanner, dlpScan, maskFindings, type DlpFinding, type InfoType } from './privacy/dlp.js';
export { createPiiHasher, hashPiiFields, piiHasherFromEnv } from './privacy/hash-pii.js';
export { createPayloadRedactor } from './privacy/redact-payload.js';
export { type Clock, ManualClock, systemClock } from './time/clock.js';
export { fixedWindows, sessions, slidingWindows, WindowedAggregate, WindowOperator } from './time/index.js';
export { runBatch, runPipeline, runStreaming, type RunOptions, type RunResult } from './runtime/runner.js';
export { stopWhenIdle } from './runtime/stop-when-idle.js';
export type { OnlineStore } from './core/online-store.js';
export { EmbeddedOnlineStore } from './connectors/online-embedded/embedded-online-store.js';
export { RedisOnlineStore } from './connectors/redis/redis-online-store.js';
export { backfillSql, defineFeatures, FeatureUpdater, lookupStep, openOnlineStore } from './features/index.js';
export { mergeSources } from './runtime/merge-sources.js';
