import { ConfigError } from '../../src/core/errors.js';
import type { Warehouse } from '../../src/core/warehouse.js';
import type { OpsBackend, StageFile } from './backend.js';
import { OPS_CSV_COLUMNS } from './columns.js';
import { sqlString } from './sql/dialect.js';
import { duckDbDialect } from './sql/duckdb.js';

/**
 * The ops jobs on the embedded DuckDB warehouse. Statements go through `Warehouse.execute`, which
 * DuckDB runs on its single writer connection, so BEGIN in one call and COMMIT in a later one
 * enclose everything between; reads go through `query` and see committed data.
 *
 * Day files are read by DuckDB itself: `read_csv` over all of them at once (parallel), every
 * column as text, rows it cannot split into the 15 columns kept in its rejects table with the
 * line and the reason.
 *
 * @example
 * const backend = duckDbOpsBackend(await openWarehouse('duckdb:./sluice.duckdb'));
 */
export function duckDbOpsBackend(warehouse: Warehouse): OpsBackend {
  const execute = warehouse.execute?.bind(warehouse);
  if (warehouse.kind !== 'duckdb' || execute === undefined) {
    throw new ConfigError(`the ops-tickets jobs need a DuckDB or PostgreSQL warehouse; got ${warehouse.kind} at ${warehouse.location}`);
  }
  const run = async (statements: readonly string[]): Promise<void> => {
    for (const sql of statements) await execute(sql);
  };
  const unstage = (): Promise<void> =>
    run(['DROP VIEW IF EXISTS ops_stage', 'DROP TABLE IF EXISTS ops_csv', 'DROP TABLE IF EXISTS ops_rejects', 'DROP TABLE IF EXISTS ops_reject_errors', 'DROP TABLE IF EXISTS ops_reject_scans']);
  return {
    kind: 'duckdb',
    location: warehouse.location,
    dialect: duckDbDialect,
    run,
    query: (sql) => warehouse.query(sql),
    async stage(files: readonly StageFile[]): Promise<void> {
      const columns = `{${OPS_CSV_COLUMNS.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
      const paths = `[${files.map((f) => sqlString(f.path)).join(', ')}]`;
      const text = OPS_CSV_COLUMNS.join(', ');
      const dateOf = (column: string): string => `CAST(regexp_extract(${column}, '(\\d{4}-\\d{2}-\\d{2})\\.csv$', 1) AS DATE)`;
      await unstage();
      await run([
        files.length === 0
          ? `CREATE TEMP TABLE ops_csv AS SELECT CAST(NULL AS VARCHAR) AS filename, ${OPS_CSV_COLUMNS.map((c) => `CAST(NULL AS VARCHAR) AS ${c}`).join(', ')} WHERE FALSE`
          : `CREATE TEMP TABLE ops_csv AS SELECT filename, ${text} FROM read_csv(${paths}, header = true, auto_detect = false, columns = ${columns}, ` +
            `delim = ',', quote = '"', escape = '"', filename = true, strict_mode = true, null_padding = false, ` +
            `store_rejects = true, rejects_table = 'ops_reject_errors', rejects_scan = 'ops_reject_scans', rejects_limit = 0)`,
        // rowid follows file order (DuckDB keeps insertion order), so the distance from the file's
        // first rowid is the row's position among the rows of its file that parsed — the number
        // the PostgreSQL path counts. A view, not a copy: the rows are read twice, copied never.
        `CREATE TEMP VIEW ops_stage AS SELECT ${dateOf('m.filename')} AS _file_date, CAST(c.rowid - m.first_rowid + 1 AS INTEGER) AS _row, ` +
          `${OPS_CSV_COLUMNS.map((col) => `c.${col}`).join(', ')} FROM ops_csv c JOIN (SELECT filename, min(rowid) AS first_rowid FROM ops_csv GROUP BY filename) m ON m.filename = c.filename`,
        files.length === 0
          ? 'CREATE TEMP TABLE ops_rejects (_file_date DATE, _line BIGINT, raw_line VARCHAR, reason VARCHAR)'
          : `CREATE TEMP TABLE ops_rejects AS SELECT ${dateOf('s.file_path')} AS _file_date, CAST(e.line AS BIGINT) AS _line, min(e.csv_line) AS raw_line, ` +
            `min(e.error_type || ': ' || e.error_message) AS reason FROM ops_reject_errors e JOIN ops_reject_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id GROUP BY 1, 2`,
      ]);
    },
    unstage,
    close: () => warehouse.close(),
  };
}
