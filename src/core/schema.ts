/**
 * Declared table schemas. Warehouses create tables from these (DDL per dialect) and sinks
 * project rows onto them, so a pipeline's tables are typed in one place.
 */
export type ColumnType = 'string' | 'integer' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'date' | 'json' | 'string[]';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Defaults to true: a missing value is stored as NULL. */
  readonly nullable?: boolean;
  readonly description?: string;
  /**
   * How many distinct values a string column holds, for columnar warehouses: `low` (wards,
   * categories, channels — stored as a dictionary) or `high` (ids, hashes, free text). Unset, the
   * warehouse works it out itself: DuckDB then tries every encoding on every column segment it
   * writes, a fifth of its checkpoint CPU. A wrong hint costs space, never correctness.
   */
  readonly cardinality?: Cardinality;
}

export type Cardinality = 'low' | 'high';

/** What to do when the table is missing: the seed's CREATE_NEVER / CREATE_IF_NEEDED. */
export type CreateDisposition = 'never' | 'if-needed';

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** The idempotency key column. Rows whose key is already present are ignored (insert-or-ignore). */
  readonly key: string;
  /** A timestamp or date column the warehouse partitions by day, where it can. */
  readonly partitionBy?: string;
  readonly create?: CreateDisposition;
  /**
   * How a row whose key is already present is treated: ignored (the default — facts are written
   * once), or replacing the stored row (`upsert`, for state and latest-value tables).
   */
  readonly writeMode?: WriteMode;
  readonly description?: string;
}

export type WriteMode = 'insert-or-ignore' | 'upsert';

/** The column every Sluice table carries: the envelope id, its idempotency key. */
export const ID_COLUMN = '_id';

/**
 * Declares a table. The `_id` key column is added first unless the spec names another key.
 *
 * @example
 * const rawTickets = defineTable({ name: 'raw_tickets', columns: [{ name: 'ticket_id', type: 'string' }] });
 */
export function defineTable(spec: {
  name: string;
  columns: readonly ColumnSpec[];
  key?: string;
  partitionBy?: string;
  create?: CreateDisposition;
  writeMode?: WriteMode;
  description?: string;
}): TableSpec {
  const key = spec.key ?? ID_COLUMN;
  const columns = spec.columns.some((c) => c.name === key)
    ? spec.columns
    : [{ name: key, type: 'string' as const, nullable: false, cardinality: 'high' as const }, ...spec.columns];
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name)) throw new Error(`table ${spec.name}: column "${column.name}" is declared twice`);
    names.add(column.name);
  }
  if (spec.partitionBy !== undefined && !names.has(spec.partitionBy)) {
    throw new Error(`table ${spec.name}: partition column "${spec.partitionBy}" is not declared`);
  }
  return Object.freeze({
    name: spec.name,
    columns: Object.freeze(columns.map((c) => Object.freeze({ ...c }))),
    key,
    ...(spec.partitionBy !== undefined ? { partitionBy: spec.partitionBy } : {}),
    create: spec.create ?? 'if-needed',
    writeMode: spec.writeMode ?? 'insert-or-ignore',
    ...(spec.description !== undefined ? { description: spec.description } : {}),
  });
}

/** A row as the sinks receive it: values in the table's column order. */
export type Row = unknown[];
