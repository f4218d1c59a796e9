import type { ColumnType } from '../../../src/core/schema.js';
import type { OpsDialect } from './dialect.js';

const POSTGRES_TYPES: Readonly<Record<ColumnType, string>> = Object.freeze({
  string: 'TEXT',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE PRECISION',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSONB',
  'string[]': 'TEXT[]',
});

/**
 * PostgreSQL: POSIX regular expressions, a timestamp check in plain SQL (there is no TRY_CAST),
 * table statistics for the run's temporary tables (autovacuum never analyses them). Day files reach the server by
 * COPY FROM STDIN (see `backend-postgres.ts`): the server cannot read the client's files.
 *
 * @example
 * postgresDialect.intDiv('a', 'b'); // "(CAST(a AS BIGINT) / CAST(b AS BIGINT))"
 */
export const postgresDialect: OpsDialect = Object.freeze({
  name: 'postgres',
  types: POSTGRES_TYPES,
  secondaryIndexes: true,
  bulkTableKeys: true,
  materializeCte: true,
  setup: [],
  fullMatch: (expr: string, pattern: string) => `(${expr} ~ '^(?:${pattern})$')`,
  // No TRY_CAST in PostgreSQL, and a PL/pgSQL exception block per value costs ~70 µs: the digits
  // and ranges by a regular expression, the day against the month's length, then a cast that
  // cannot fail. Nested CASEs, because PostgreSQL does not promise to evaluate AND left to right.
  tryTimestamp: (expr: string) =>
    `CASE WHEN ${expr} ~ '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01]) ([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d$' THEN ` +
    `CASE WHEN CAST(substr(${expr}, 9, 2) AS INTEGER) <= EXTRACT(DAY FROM CAST(substr(${expr}, 1, 7) || '-01' AS DATE) + INTERVAL '1 month' - INTERVAL '1 day') ` +
    `THEN CAST(${expr} AS TIMESTAMP) END END`,
  secondsBetween: (from: string, to: string) => `CAST(EXTRACT(EPOCH FROM (${to} - ${from})) AS BIGINT)`,
  addSeconds: (ts: string, seconds: string) => `(${ts} + make_interval(secs => ${seconds}))`,
  intDiv: (numerator: string, denominator: string) => `(CAST(${numerator} AS BIGINT) / CAST(${denominator} AS BIGINT))`,
  lockState: (table: string) => `LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`,
  analyze: (table: string) => `ANALYZE ${table}`,
});
