import type { IsoDate } from './days.js';
import type { OpsDialect } from './sql/dialect.js';

/** A day file to stage: its date and absolute path. */
export interface StageFile {
  readonly date: IsoDate;
  readonly path: string;
}

/**
 * What the ops jobs need from a warehouse: one connection on which a transaction can span several
 * calls, a way to get day files into the temporary `ops_stage` / `ops_rejects` tables, and reads.
 * DuckDB reads the files itself (`read_csv`); PostgreSQL is sent them by COPY FROM STDIN.
 *
 * @example
 * await backend.run(['BEGIN']);
 * await backend.stage([{ date: '2025-11-01', path: '/data/2025/11/2025-11-01.csv' }]);
 * await backend.run([...models, 'COMMIT']);
 */
export interface OpsBackend {
  readonly kind: string;
  /** Where the data is, for people (no password). */
  readonly location: string;
  readonly dialect: OpsDialect;
  /** Runs statements in order on the job's connection (inside its open transaction, if any). */
  run(statements: readonly string[]): Promise<void>;
  /** Rows of a query. Only committed data is guaranteed to be visible. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Creates and fills `ops_stage` and `ops_rejects` (see `sql/models.ts`) from day files. */
  stage(files: readonly StageFile[]): Promise<void>;
  /** Drops what `stage` created. */
  unstage(): Promise<void>;
  close(): Promise<void>;
}
