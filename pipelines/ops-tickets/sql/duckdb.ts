import { DUCKDB_COLUMN_TYPES } from '../../../src/connectors/duckdb/duckdb-types.js';
import type { OpsDialect } from './dialect.js';

/**
 * DuckDB: RE2 regular expressions, TRY_CAST, epoch() arithmetic. Day files are read in the
 * warehouse by `read_csv` (see `backend-duckdb.ts`).
 *
 * @example
 * duckDbDialect.tryTimestamp('created_at'); // "TRY_CAST(created_at AS TIMESTAMP)"
 */
export const duckDbDialect: OpsDialect = Object.freeze({
  name: 'duckdb',
  types: DUCKDB_COLUMN_TYPES,
  secondaryIndexes: false,
  bulkTableKeys: false,
  materializeCte: false,
  setup: [],
  fullMatch: (expr: string, pattern: string) => `regexp_full_match(${expr}, '${pattern}')`,
  tryTimestamp: (expr: string) => `TRY_CAST(${expr} AS TIMESTAMP)`,
  secondsBetween: (from: string, to: string) => `CAST(epoch(${to}) - epoch(${from}) AS BIGINT)`,
  addSeconds: (ts: string, seconds: string) => `(${ts} + to_seconds(${seconds}))`,
  intDiv: (numerator: string, denominator: string) => `(CAST(${numerator} AS BIGINT) // CAST(${denominator} AS BIGINT))`,
  // One process holds a DuckDB file for writing, so two jobs cannot interleave.
  lockState: () => null,
  analyze: () => null,
});
