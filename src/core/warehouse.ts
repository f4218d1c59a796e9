import type { RowFrame } from './row-frame.js';
import type { CreateDisposition, Row, TableSpec } from './schema.js';

/** Rows for one table, in the table's column order. */
export interface TableBatch {
  readonly table: TableSpec;
  readonly rows: readonly Row[];
  /**
   * More rows of the same table, as columnar frames (from step worker threads). Only handed to a
   * warehouse that declares `acceptsFrames`; the runner turns them into `rows` for the others.
   */
  readonly frames?: readonly RowFrame[];
}

/** What a commit did per table: rows new to the table, and rows whose key was already there. */
export interface CommitResult {
  readonly tables: ReadonlyArray<{ readonly table: string; readonly inserted: number; readonly duplicates: number }>;
}

/**
 * A warehouse: DuckDB embedded, PostgreSQL on real infrastructure. Writes are idempotent on
 * each table's key: a redelivered row is ignored, never duplicated.
 *
 * @example
 * await warehouse.ensureTable(rawTickets, 'if-needed');
 * await warehouse.commit([{ table: rawTickets, rows }]);
 */
export interface Warehouse {
  /** `duckdb`, `postgres`, … */
  readonly kind: string;
  /** Where the data is, for people: a file path or a URL without credentials. */
  readonly location: string;
  /** `commit` loads `TableBatch.frames` itself (no JavaScript array per row). */
  readonly acceptsFrames?: boolean;
  open(): Promise<void>;
  /** Creates the table (`if-needed`) or checks that it exists (`never`, throws TableMissingError). */
  ensureTable(table: TableSpec, disposition?: CreateDisposition): Promise<void>;
  /** Writes every batch in one transaction, insert-or-ignore on each table's key. */
  commit(batches: readonly TableBatch[]): Promise<CommitResult>;
  /** Runs SQL in the warehouse's dialect and returns the rows as plain objects. */
  query(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Runs statements that return nothing (DDL, MERGE), in one transaction where the dialect allows. */
  execute?(sql: string): Promise<void>;
  close(): Promise<void>;
}
