import type { ColumnType } from '../../core/schema.js';

/**
 * PostgreSQL's type for each declared column type. Timestamps are instants (UTC in, UTC out), so
 * `timestamptz`; JSON is `jsonb` (indexable, canonical); lists of strings are `text[]`.
 */
export const POSTGRES_COLUMN_TYPES: Readonly<Record<ColumnType, string>> = Object.freeze({
  string: 'text',
  integer: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  date: 'date',
  json: 'jsonb',
  'string[]': 'text[]',
});

/** PostgreSQL folds identifiers longer than this silently, which would merge two names into one. */
export const MAX_IDENTIFIER_BYTES = 63;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `"schema"."name"`. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A schema name Sluice accepts: it also travels in the connection's `search_path` option. */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
