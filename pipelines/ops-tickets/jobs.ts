import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { relative } from 'node:path';
import { AccountingError } from '../../src/core/errors.js';
import type { OpsBackend, StageFile } from './backend.js';
import { OPS_CSV_HEADER } from './columns.js';
import { addDays, dateRange, type IsoDate } from './days.js';
import { DateAlreadyProcessedError, DateGapError, DayFileHeaderError, DayFileMissingError } from './errors.js';
import { dayFilePath, listDayFiles } from './layout.js';
import { sqlDate } from './sql/dialect.js';
import {
  checkStageSql,
  createTablesSql,
  deleteDatesSql,
  dropWorkTablesSql,
  insertErrorsSql,
  insertFactSql,
  insertPreparedErrorsSql,
  insertRawSql,
  insertScheduleRunSql,
  insertStateSql,
  markDuplicatesSql,
  type PreparedErrorRow,
  rebuildAggregatesSql,
} from './sql/models.js';
import { ingestionState } from './tables.js';

/** What one processed date did. read = loaded + errored; raw = rows that parsed as CSV. */
export interface OpsDayCounts {
  readonly date: IsoDate;
  readonly rowsRead: number;
  readonly rowsRaw: number;
  readonly rowsLoaded: number;
  readonly rowsErrored: number;
}

export interface OpsRunResult {
  readonly mode: 'backfill' | 'daily' | 'replace';
  /** `processed`, or `already_processed` when the date was in the state and nothing changed. */
  readonly outcome: 'processed' | 'already_processed';
  readonly dates: readonly IsoDate[];
  readonly days: readonly OpsDayCounts[];
  readonly totals: Omit<OpsDayCounts, 'date'>;
  /** Days whose aggregates were rebuilt (the processed dates, plus later ones on --replace). */
  readonly aggregatesRebuilt: { readonly from: IsoDate; readonly to: IsoDate } | null;
  readonly runId: string;
  readonly elapsedMs: number;
}

export interface OpsJobOptions {
  readonly backend: OpsBackend;
  /** The data folder with `YYYY/MM/YYYY-MM-DD.csv` day files. */
  readonly dir: string;
  /** Epoch ms "now", for processed_at and error timestamps; injectable for tests. */
  readonly now?: () => number;
  /** Called inside the transaction once every model has run, just before COMMIT (crash tests). */
  readonly beforeCommit?: () => Promise<void>;
  /** Progress lines for people. */
  readonly onPhase?: (phase: string) => void;
}

export interface BackfillOptions extends OpsJobOptions {
  readonly from?: IsoDate;
  readonly to?: IsoDate;
  /** Reprocess dates already in the state instead of refusing. */
  readonly replace?: boolean;
  /** Error rows made before the warehouse saw the data (an input profile's unusable rows). */
  readonly preparedErrors?: readonly PreparedErrorRow[];
  /** What ingestion_state records as a date's source; default the day file's path under `dir`. */
  readonly sourceOf?: (date: IsoDate) => string;
}

export interface DailyOptions extends OpsJobOptions {
  /** The date to process; default the day after the last processed one. */
  readonly date?: IsoDate;
  readonly replace?: boolean;
  /** The schedule fire (epoch ms, UTC) this run answers; recorded in the same transaction. */
  readonly fireAt?: number;
}

/** Creates the ops tables (and the dialect's helpers) where missing. */
export async function ensureOpsTables(backend: OpsBackend): Promise<void> {
  await backend.run(createTablesSql(backend.dialect));
}

function dateText(value: unknown): IsoDate {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

/** The processed dates, oldest first. */
export async function processedDates(backend: OpsBackend): Promise<IsoDate[]> {
  const rows = await backend.query(`SELECT CAST(ops_date AS VARCHAR) AS d FROM ${ingestionState.name} ORDER BY ops_date`);
  return rows.map((r) => dateText(r.d));
}

function readFirstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

/** Every file must be an ops-tickets export: checked before anything is written. */
function checkHeaders(files: readonly StageFile[]): void {
  for (const file of files) {
    const header = readFirstLine(file.path).trim();
    if (header !== OPS_CSV_HEADER) throw new DayFileHeaderError(file.path, header, OPS_CSV_HEADER);
  }
}

function filesFor(dir: string, dates: readonly IsoDate[]): StageFile[] {
  const present = new Map(listDayFiles(dir).map((f) => [f.date, f.path]));
  const missing = dates.filter((d) => !present.has(d));
  if (missing.length > 0) throw new DayFileMissingError(missing, dir);
  return dates.map((date) => ({ date, path: present.get(date) as string }));
}

/** After the run, the processed days must still be one unbroken run of dates (the backlog carries). */
function checkContiguous(processed: readonly IsoDate[], range: readonly IsoDate[]): void {
  const all = [...new Set([...processed, ...range])].sort();
  for (let i = 1; i < all.length; i++) {
    const expected = addDays(all[i - 1] as IsoDate, 1);
    if (all[i] !== expected) {
      throw new DateGapError(
        `processing ${range[0]}${range.length > 1 ? ` … ${range[range.length - 1]}` : ''} would leave ${expected} unprocessed between processed days ` +
          `(${processed.length > 0 ? `the state holds ${processed[0]} … ${processed[processed.length - 1]}` : 'the state is empty'}). ` +
          `The backlog carries from each day to the next, so process ${expected} first (or backfill the whole gap).`,
      );
    }
  }
}

function toCounts(row: Record<string, unknown>): OpsDayCounts {
  return {
    date: dateText(row.ops_date),
    rowsRead: Number(row.rows_read),
    rowsRaw: Number(row.rows_raw),
    rowsLoaded: Number(row.rows_loaded),
    rowsErrored: Number(row.rows_errored),
  };
}

interface ProcessPlan {
  readonly mode: 'backfill' | 'daily' | 'replace';
  readonly files: readonly StageFile[];
  readonly replace: boolean;
  readonly aggregatesTo: IsoDate;
  readonly preparedErrors: readonly PreparedErrorRow[];
  readonly sourceOf: (date: IsoDate) => string;
  readonly fireAt?: number;
}

/**
 * One transaction: stage the files, check every row, append raw rows, facts and errors, record
 * the dates in ingestion_state, rebuild the aggregates of the affected days, commit. A crash at
 * any point before COMMIT leaves the warehouse as it was.
 */
async function processDates(options: OpsJobOptions, plan: ProcessPlan): Promise<OpsRunResult> {
  const { backend } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const runId = randomUUID();
  const dates = plan.files.map((f) => f.date);
  const from = dates[0] as IsoDate;
  const to = dates[dates.length - 1] as IsoDate;
  const phase = options.onPhase ?? (() => undefined);
  const dialect = backend.dialect;

  await backend.run(dropWorkTablesSql());
  await backend.unstage();
  await backend.run(['BEGIN']);
  let settled = false; // committed, or rolled back on purpose
  try {
    const lock = dialect.lockState(ingestionState.name);
    if (lock !== null) await backend.run([lock]);
    // Checked again under the lock: another run may have taken these dates since we looked.
    const taken = await backend.query(`SELECT CAST(ops_date AS VARCHAR) AS d FROM ${ingestionState.name} WHERE ops_date BETWEEN ${sqlDate(from)} AND ${sqlDate(to)}`);
    if (taken.length > 0 && !plan.replace) {
      await backend.run(['ROLLBACK']);
      settled = true;
      if (plan.mode === 'daily') {
        return { mode: plan.mode, outcome: 'already_processed', dates, days: [], totals: { rowsRead: 0, rowsRaw: 0, rowsLoaded: 0, rowsErrored: 0 }, aggregatesRebuilt: null, runId, elapsedMs: now() - started };
      }
      throw new DateAlreadyProcessedError(taken.map((r) => dateText(r.d)));
    }
    if (plan.replace) await backend.run(deleteDatesSql(from, to));
    phase(`reading ${plan.files.length} day file(s)`);
    await backend.stage(plan.files);
    phase('checking rows');
    await backend.run([checkStageSql(dialect)]);
    const analyze = dialect.analyze('ops_checked');
    if (analyze !== null) await backend.run([analyze]);
    await backend.run([markDuplicatesSql()]);
    phase('writing tickets_raw, fact_tickets, ops_ticket_errors');
    await backend.run([
      insertRawSql(),
      insertFactSql(dialect),
      ...insertErrorsSql(started, plan.sourceOf, dates),
      ...insertPreparedErrorsSql(plan.preparedErrors, started),
      insertStateSql(
        plan.files.map((f) => ({ date: f.date, source: plan.sourceOf(f.date) })),
        { mode: plan.mode, runId, runAt: started, ...(plan.fireAt !== undefined ? { scheduledFor: plan.fireAt } : {}) },
      ),
    ]);
    phase(`rebuilding aggregates ${from} … ${plan.aggregatesTo}`);
    await backend.run(rebuildAggregatesSql(dialect, from, plan.aggregatesTo));
    if (plan.fireAt !== undefined) {
      await backend.run([insertScheduleRunSql({ fireAt: plan.fireAt, outcome: 'processed', opsDate: to, message: `processed ${to}`, recordedAt: now() })]);
    }
    await options.beforeCommit?.();
    await backend.run(['COMMIT']);
    settled = true;
  } finally {
    if (!settled) await backend.run(['ROLLBACK']).catch(() => undefined);
    await backend.run(dropWorkTablesSql()).catch(() => undefined);
    await backend.unstage().catch(() => undefined);
  }

  const rows = await backend.query(
    `SELECT ops_date, rows_read, rows_raw, rows_loaded, rows_errored FROM ${ingestionState.name} WHERE run_id = '${runId}' ORDER BY ops_date`,
  );
  const days = rows.map(toCounts);
  const totals = { rowsRead: 0, rowsRaw: 0, rowsLoaded: 0, rowsErrored: 0 };
  for (const d of days) {
    totals.rowsRead += d.rowsRead;
    totals.rowsRaw += d.rowsRaw;
    totals.rowsLoaded += d.rowsLoaded;
    totals.rowsErrored += d.rowsErrored;
  }
  if (days.length !== dates.length || totals.rowsRead !== totals.rowsLoaded + totals.rowsErrored) {
    throw new AccountingError(
      `ops-tickets run ${runId}: ${days.length} of ${dates.length} dates recorded, ${totals.rowsRead} rows read ≠ ${totals.rowsLoaded} loaded + ${totals.rowsErrored} errored`,
    );
  }
  return { mode: plan.mode, outcome: 'processed', dates, days, totals, aggregatesRebuilt: { from, to: plan.aggregatesTo }, runId, elapsedMs: now() - started };
}

/**
 * Loads the day files from `from` to `to` (default: every day file in `dir`) in one transaction
 * and builds the aggregates for them. Dates already processed are refused unless `replace`; the
 * processed days must stay contiguous.
 *
 * @example
 * await runBackfill({ backend, dir: './ops-data', from: '2025-01-01', to: '2025-10-31' });
 */
export async function runBackfill(options: BackfillOptions): Promise<OpsRunResult> {
  const { backend, dir } = options;
  await ensureOpsTables(backend);
  const available = listDayFiles(dir);
  const from = options.from ?? available[0]?.date;
  const to = options.to ?? available[available.length - 1]?.date;
  if (from === undefined || to === undefined) throw new DayFileMissingError([options.from ?? options.to ?? '(any date)'], dir);
  if (to < from) throw new DateGapError(`--to ${to} is before --from ${from}`);
  const range = dateRange(from, to);
  const files = filesFor(dir, range);
  checkHeaders(files);
  const processed = await processedDates(backend);
  const overlap = range.filter((d) => processed.includes(d));
  if (overlap.length > 0 && options.replace !== true) throw new DateAlreadyProcessedError(overlap);
  checkContiguous(processed, range);
  const last = processed[processed.length - 1];
  return processDates(options, {
    mode: options.replace === true && overlap.length > 0 ? 'replace' : 'backfill',
    files,
    replace: options.replace === true,
    // Later days carry this range's backlog, so their aggregates are rebuilt too.
    aggregatesTo: last !== undefined && last > to ? last : to,
    preparedErrors: options.preparedErrors ?? [],
    sourceOf: options.sourceOf ?? ((date) => relative(dir, dayFilePath(dir, date)) || date),
    // A backfill is not a schedule fire.
  });
}

/**
 * Processes the next unprocessed date only (or `date`), appending its facts and updating the
 * aggregates of that day from the previous day's rows, in one transaction with its state row. A
 * date already processed changes nothing (outcome `already_processed`) unless `replace`.
 *
 * @example
 * const result = await runDaily({ backend, dir: './ops-data' }); // e.g. processes 2025-11-01
 */
export async function runDaily(options: DailyOptions): Promise<OpsRunResult> {
  const { backend, dir } = options;
  await ensureOpsTables(backend);
  const processed = await processedDates(backend);
  const last = processed[processed.length - 1];
  let date = options.date;
  if (date === undefined) {
    date = last === undefined ? listDayFiles(dir)[0]?.date : addDays(last, 1);
    if (date === undefined) throw new DayFileMissingError(['(any date: the folder has no day files)'], dir);
  }
  const already = processed.includes(date);
  if (already && options.replace !== true) {
    return { mode: 'daily', outcome: 'already_processed', dates: [date], days: [], totals: { rowsRead: 0, rowsRaw: 0, rowsLoaded: 0, rowsErrored: 0 }, aggregatesRebuilt: null, runId: '', elapsedMs: 0 };
  }
  if (!already) checkContiguous(processed, [date]);
  const files = filesFor(dir, [date]);
  checkHeaders(files);
  return processDates(options, {
    mode: already ? 'replace' : 'daily',
    files,
    replace: already,
    aggregatesTo: already && last !== undefined ? last : date,
    preparedErrors: [],
    sourceOf: (d) => relative(dir, dayFilePath(dir, d)) || d,
    ...(options.fireAt !== undefined ? { fireAt: options.fireAt } : {}),
  });
}
