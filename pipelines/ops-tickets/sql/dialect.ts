import type { ColumnType } from '../../../src/core/schema.js';

/**
 * What differs between the warehouses the ops models run in. Everything else in `models.ts` is
 * SQL both DuckDB and PostgreSQL accept as written (CTEs, FILTER, window sums, percentile_disc …
 * WITHIN GROUP, VALUES lists), so a new backend is one more object like this.
 *
 * @example
 * const sql = `SELECT ${dialect.secondsBetween('created_at', 'resolved_at')} FROM fact_tickets`;
 */
export interface OpsDialect {
  readonly name: string;
  /** Column type names for the declared column types. */
  readonly types: Readonly<Record<ColumnType, string>>;
  /**
   * Whether to index fact_tickets by the days the models filter on. A row store needs them; DuckDB
   * prunes by zone maps, and an ART index there would only slow the bulk inserts.
   */
  readonly secondaryIndexes: boolean;
  /**
   * Whether the bulk tables (tickets_raw, fact_tickets, ops_ticket_errors) get a PRIMARY KEY.
   * Their keys are unique by construction (one transaction per set of dates, duplicates found
   * before insert); the state table's key is what guards "never twice", and it always has one.
   * DuckDB builds an ART index for a key, which costs more than the insert itself.
   */
  readonly bulkTableKeys: boolean;
  /**
   * Whether a CTE read by several expressions must be forced to materialise. PostgreSQL inlines a
   * CTE used once, copying its expressions into every rule that reads a typed column — each
   * timestamp would be parsed a dozen times per row.
   */
  readonly materializeCte: boolean;
  /** Statements run once before the models (helper functions), idempotent. */
  readonly setup: readonly string[];
  /** True when `expr` matches the regular expression `pattern` in full. */
  fullMatch(expr: string, pattern: string): string;
  /**
   * `expr` (text already known to look like `YYYY-MM-DD HH:MM:SS`, hour below 24) as a TIMESTAMP,
   * or NULL when it is no real instant (30 February, a letter among the digits).
   */
  tryTimestamp(expr: string): string;
  /** Whole seconds from `from` to `to` as BIGINT. */
  secondsBetween(from: string, to: string): string;
  /** `ts` plus `seconds` (a BIGINT expression). */
  addSeconds(ts: string, seconds: string): string;
  /** Integer quotient of two integer expressions (floor, for the non-negative values used here). */
  intDiv(numerator: string, denominator: string): string;
  /** Serialises writers of the state table for the rest of the transaction (no-op where one writer is guaranteed). */
  lockState(table: string): string | null;
  /** Gathers planner statistics for a freshly filled temporary table, where the planner needs them. */
  analyze(table: string): string | null;
}

/**
 * `numerator / denominator` rounded half-up to `digits` decimals, NULL when the denominator is 0
 * or NULL. Done in integers, so both databases give the same double: rounding a binary double
 * (8.0475 is 8.04749999…) would not.
 *
 * @example
 * ratio(dialect, 'sum(resolution_seconds)', '3600 * count(*)', 3); // mean hours, 3 decimals
 */
export function ratio(dialect: OpsDialect, numerator: string, denominator: string, digits: number): string {
  const scale = 10 ** digits;
  return `CASE WHEN (${denominator}) > 0 THEN CAST(${dialect.intDiv(`2 * ${scale} * (${numerator}) + (${denominator})`, `2 * (${denominator})`)} AS DOUBLE PRECISION) / ${scale} END`;
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DATE literal from `YYYY-MM-DD`. */
export function sqlDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new RangeError(`not a YYYY-MM-DD date: ${value}`);
  return `DATE '${value}'`;
}

/** A TIMESTAMP literal (UTC wall time) from epoch milliseconds. */
export function sqlTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 23)}'`;
}

/** An identifier, quoted. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
