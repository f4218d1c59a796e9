import type { ColumnSpec, ColumnType } from '../../core/schema.js';

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

/**
 * A column's DDL. A string column with a cardinality hint gets its encoding named (`USING
 * COMPRESSION`), so DuckDB's checkpoints compress it without first analysing every candidate
 * encoding: measured on raw_tickets and cleansed_tickets, a fifth less CPU for the same file size.
 */
export function duckDbColumnDefinition(column: ColumnSpec): string {
  const encoding = column.cardinality === undefined || (column.type !== 'string' && column.type !== 'json') ? '' : column.cardinality === 'low' ? ' USING COMPRESSION dictionary' : ' USING COMPRESSION fsst';
  return `${quoteIdent(column.name)} ${DUCKDB_COLUMN_TYPES[column.type]}${encoding}${column.nullable === false ? ' NOT NULL' : ''}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
