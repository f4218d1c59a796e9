import type { ColumnType } from '../../core/schema.js';

/** DuckDB's type for each declared column type. Timestamps are UTC wall time (TIMESTAMP). */
export const DUCKDB_COLUMN_TYPES: Readonly<Record<ColumnType, string>> = Object.freeze({
  string: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSON',
  'string[]': 'VARCHAR[]',
});

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
