import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { ConfigError, SluiceError } from '../../core/errors.js';
import type { Warehouse } from '../../core/warehouse.js';
import { type GlobalOptions, warehouseUrl } from '../context.js';
import { openWarehouse } from '../connect.js';

export type ExportFormat = 'parquet' | 'csv' | 'json';

export interface ExportOptions {
  readonly table: string;
  readonly format: ExportFormat;
  /** The folder written: `<out>/<table>.<format>`, or `<out>/day=YYYY-MM-DD/…` when partitioned. */
  readonly out: string;
  /** Partition by the UTC day of this timestamp or date column (Hive layout `day=YYYY-MM-DD`). */
  readonly partitionByDay?: string;
  /** Replace files of an earlier export in `out` (otherwise a non-empty partitioned target is refused). */
  readonly overwrite?: boolean;
}

export interface ExportResult {
  readonly rows: number;
  /** Files written, relative to `out`, sorted. */
  readonly files: readonly string[];
  /** Day partitions written (empty when not partitioned). */
  readonly partitions: readonly string[];
}

/** The export could not run as asked (a missing table or column, a target in the way). */
export class ExportError extends SluiceError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ExportError';
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function listFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listFiles(path, `${prefix}${name}/`));
    else files.push(`${prefix}${name}`);
  }
  return files.sort();
}

/**
 * Exports a warehouse table to Parquet (or CSV / JSON lines) with DuckDB's `COPY`, optionally
 * partitioned by day: `COPY (SELECT *, CAST(col AS DATE) AS day FROM t) TO 'DIR' (FORMAT parquet,
 * PARTITION_BY (day))` writes `DIR/day=2026-11-01/data_0.parquet`… — the layout BigQuery, Spark and
 * DuckDB read back as a day-partitioned table. DuckDB warehouses only: the SQL runs where the data is.
 *
 * @example
 * await exportTable(warehouse, { table: 'claims_events_stream', format: 'parquet', out: 'export', partitionByDay: 'submission_date' });
 */
export async function exportTable(warehouse: Warehouse, options: ExportOptions): Promise<ExportResult> {
  if (warehouse.kind !== 'duckdb') {
    throw new ConfigError(`sluice export runs DuckDB's COPY and needs a DuckDB warehouse; ${warehouse.kind} at ${warehouse.location} is not one`);
  }
  const { table, format } = options;
  const columns = await warehouse.query(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    ['main', table],
  );
  if (columns.length === 0) {
    const known = (
      await warehouse.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1`,
      )
    ).map((r) => String(r.table_name));
    throw new ExportError(
      'TABLE_MISSING',
      `table "${table}" does not exist in ${warehouse.location}${known.length > 0 ? `; tables: ${known.join(', ')}` : ''}`,
    );
  }
  const out = resolve(options.out);
  let select = `SELECT * FROM ${quoteIdent(table)}`;
  let partitionClause = '';
  if (options.partitionByDay !== undefined) {
    const column = options.partitionByDay;
    const found = columns.find((c) => c.column_name === column);
    if (found === undefined || !IDENTIFIER.test(column)) {
      throw new ExportError(
        'COLUMN_MISSING',
        `table "${table}" has no column "${column}" to partition by; columns: ${columns.map((c) => String(c.column_name)).join(', ')}`,
      );
    }
    const type = String(found.data_type).toUpperCase();
    if (!type.startsWith('TIMESTAMP') && type !== 'DATE') {
      throw new ExportError('COLUMN_NOT_TEMPORAL', `column "${column}" of "${table}" is ${type}; --partition-by-day needs a DATE or TIMESTAMP column`);
    }
    const hasDay = columns.some((c) => c.column_name === 'day');
    // The partition column is always `day`, whatever the source column is called.
    if (column !== 'day' || type !== 'DATE') {
      select = hasDay
        ? `SELECT * REPLACE (CAST(${quoteIdent(column)} AS DATE) AS day) FROM ${quoteIdent(table)}`
        : `SELECT *, CAST(${quoteIdent(column)} AS DATE) AS day FROM ${quoteIdent(table)}`;
    }
    partitionClause = `, PARTITION_BY (day)${options.overwrite === true ? ', OVERWRITE_OR_IGNORE' : ''}`;
    mkdirSync(out, { recursive: true });
    if (options.overwrite !== true && readdirSync(out).length > 0) {
      throw new ExportError(
        'TARGET_NOT_EMPTY',
        `${out} is not empty; choose an empty --out folder, or pass --overwrite to replace the files of an earlier export`,
      );
    }
  } else {
    mkdirSync(out, { recursive: true });
  }
  const target = options.partitionByDay !== undefined ? out : join(out, `${table}.${format === 'json' ? 'jsonl' : format}`);
  const formatClause = format === 'csv' ? 'FORMAT csv, HEADER true' : format === 'json' ? 'FORMAT json' : 'FORMAT parquet';
  const [result] = await warehouse.query(`COPY (${select}) TO ${quoteLiteral(target)} (${formatClause}${partitionClause})`);
  const rows = Number(result?.Count ?? result?.count ?? 0);
  const files = options.partitionByDay !== undefined ? listFiles(out) : [target.slice(out.length + 1)];
  const partitions =
    options.partitionByDay !== undefined ? [...new Set(files.map((f) => f.split('/')[0] as string).filter((d) => d.startsWith('day=')))].sort() : [];
  return { rows, files, partitions };
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a warehouse table to Parquet (or CSV/JSON) files, optionally partitioned by day')
    .argument('<table>', 'table name, e.g. claims_events_stream')
    .addOption(new Option('--format <format>', 'file format').choices(['parquet', 'csv', 'json']).default('parquet'))
    .requiredOption('--out <dir>', 'folder to write into (created if missing)')
    .option('--partition-by-day <column>', 'one folder per UTC day of this DATE/TIMESTAMP column: <dir>/day=YYYY-MM-DD/')
    .option('--overwrite', 'replace files of an earlier partitioned export in <dir>')
    .addHelpText(
      'after',
      `
Runs DuckDB's COPY inside the warehouse (no rows pass through Node). Partitioned exports use the
Hive layout (day=2026-11-01/data_0.parquet) that DuckDB, Spark, BigQuery external tables and
pandas read back as a partitioned table.

Examples:
  $ sluice export claims_events_stream --format parquet --out export/claims --partition-by-day day
  $ sluice export processing_errors --out export/errors --partition-by-day error_timestamp
  $ sluice query "SELECT day, count(*) FROM read_parquet('export/claims/*/*.parquet', hive_partitioning = true) GROUP BY 1"`,
    )
    .action(async (table: string, flags: { format: ExportFormat; out: string; partitionByDay?: string; overwrite?: boolean }, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions;
      const warehouse = await openWarehouse(warehouseUrl(global));
      try {
        const result = await exportTable(warehouse, {
          table,
          format: flags.format,
          out: flags.out,
          ...(flags.partitionByDay !== undefined ? { partitionByDay: flags.partitionByDay } : {}),
          ...(flags.overwrite === true ? { overwrite: true } : {}),
        });
        const where = resolve(flags.out);
        process.stdout.write(
          `${table}: ${result.rows.toLocaleString('en-US')} rows → ${result.files.length} ${flags.format} file${result.files.length === 1 ? '' : 's'} in ${where}` +
            (result.partitions.length === 1 ? ` (1 day partition: ${result.partitions[0]})` : '') +
            (result.partitions.length > 1
              ? ` (${result.partitions.length} day partitions: ${result.partitions[0]} … ${result.partitions[result.partitions.length - 1]})`
              : '') +
            '\n',
        );
      } finally {
        await warehouse.close();
      }
    });
}
