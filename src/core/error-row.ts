import { type ColumnSpec, defineTable, type TableSpec } from './schema.js';

/**
 * A record that failed somewhere travels on as one of these: into the pipeline's error table and
 * onto its dead-letter topic. The raw payload is stored only after PII redaction.
 */
export interface ErrorRow {
  /** Envelope id + ':' + step — so a redelivered failure lands once. */
  readonly id: string;
  readonly envelopeId: string;
  readonly pipeline: string;
  readonly step: string;
  readonly errorType: string;
  readonly errorMessage: string;
  /** The record's key fields, where they could be read (e.g. `{ticket_id: "T-1"}`). */
  readonly keyFields: Readonly<Record<string, unknown>>;
  /** The input as received, with PII hashed or masked. */
  readonly rawPayload: string;
  readonly attempt: number;
  readonly errorTimestamp: number;
  readonly source: string;
}

/** Well-known error types. Steps may use others; these are the ones Sluice itself produces. */
export const ErrorTypes = {
  invalidJson: 'invalid_json',
  validation: 'validation_failed',
  missingField: 'missing_field',
  wrongType: 'wrong_type',
  badTimestamp: 'bad_timestamp',
  stepException: 'step_exception',
  retriesExhausted: 'retries_exhausted',
  lateEvent: 'late_event',
  sinkFailed: 'sink_failed',
  maxDeliveriesExceeded: 'max_deliveries_exceeded',
} as const;

/**
 * The error table for a pipeline: fixed columns plus one column per key field, so users can
 * query `WHERE ticket_id = …` on failures too.
 *
 * @example
 * const errors = errorTable('municipal_errors', [{ name: 'ticket_id', type: 'string' }]);
 */
export function errorTable(name: string, keyColumns: readonly ColumnSpec[] = [], options: { errorColumn?: string } = {}): TableSpec {
  return defineTable({
    name,
    partitionBy: 'error_timestamp',
    columns: [
      { name: 'envelope_id', type: 'string', nullable: false, cardinality: 'high' },
      { name: 'pipeline', type: 'string', nullable: false, cardinality: 'low' },
      { name: 'step', type: 'string', nullable: false, cardinality: 'low' },
      { name: 'error_type', type: 'string', nullable: false, cardinality: 'low' },
      { name: options.errorColumn ?? 'error_message', type: 'string' },
      ...keyColumns,
      { name: 'raw_payload', type: 'string', cardinality: 'high' },
      { name: 'attempt', type: 'integer', nullable: false },
      { name: 'source', type: 'string', cardinality: 'low' },
      { name: 'error_timestamp', type: 'timestamp', nullable: false },
    ],
  });
}

/** Projects an error row onto an error table's column order. */
export function errorRowValues(table: TableSpec, row: ErrorRow): unknown[] {
  const values: unknown[] = new Array(table.columns.length);
  for (let i = 0; i < table.columns.length; i++) {
    const name = (table.columns[i] as ColumnSpec).name;
    switch (name) {
      case '_id': values[i] = row.id; break;
      case 'envelope_id': values[i] = row.envelopeId; break;
      case 'pipeline': values[i] = row.pipeline; break;
      case 'step': values[i] = row.step; break;
      case 'error_type': values[i] = row.errorType; break;
      case 'error_message':
      case 'error': values[i] = row.errorMessage; break;
      case 'raw_payload': values[i] = row.rawPayload; break;
      case 'attempt': values[i] = row.attempt; break;
      case 'source': values[i] = row.source; break;
      case 'error_timestamp': values[i] = row.errorTimestamp; break;
      default: values[i] = row.keyFields[name] ?? null;
    }
  }
  return values;
}

/** The dead-letter message body: the error row as JSON, snake_case like the table. */
export function errorRowJson(row: ErrorRow): string {
  return JSON.stringify({
    envelope_id: row.envelopeId,
    pipeline: row.pipeline,
    step: row.step,
    error_type: row.errorType,
    error_message: row.errorMessage,
    ...row.keyFields,
    raw_payload: row.rawPayload,
    attempt: row.attempt,
    source: row.source,
    error_timestamp: new Date(row.errorTimestamp).toISOString(),
  });
}
