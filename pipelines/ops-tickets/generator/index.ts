import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { dateRange, type IsoDate } from '../days.js';
import { dayFilePath } from '../layout.js';
import { generateOpsDay } from './tickets.js';

export { generateOpsDay, type OpsDay, type OpsDayOptions } from './tickets.js';

/** About 95 MB of day files for January–October, the size of the seed's backfill. */
export const DEFAULT_PER_DAY = 1680;

export interface OpsGenerateOptions {
  readonly from: IsoDate;
  readonly to: IsoDate;
  /** The data folder: files go to `<out>/YYYY/MM/YYYY-MM-DD.csv`. */
  readonly out: string;
  readonly seed: string;
  readonly perDay?: number;
  readonly badRate?: number;
  /** Called after each day file is written (progress lines). */
  readonly onDay?: (day: { date: IsoDate; rows: number; bytes: number }) => void;
}

export interface OpsGenerateResult {
  readonly days: number;
  readonly rows: number;
  readonly bytes: number;
  /** Planted bad rows by the error type the loader must report. */
  readonly bad: Readonly<Record<string, number>>;
}

/**
 * Writes one CSV per day from `from` to `to` in the seed's partitioned layout. The same seed gives
 * the same bytes, and each day's bytes do not depend on the range asked for.
 *
 * @example
 * generateOpsTicketFiles({ from: '2025-01-01', to: '2025-12-31', out: './ops-data', seed: '1' });
 */
export function generateOpsTicketFiles(options: OpsGenerateOptions): OpsGenerateResult {
  const perDay = options.perDay ?? DEFAULT_PER_DAY;
  const badRate = options.badRate ?? 0.02;
  let rows = 0;
  let bytes = 0;
  const bad: Record<string, number> = {};
  const dates = dateRange(options.from, options.to);
  for (const date of dates) {
    const day = generateOpsDay(date, { seed: options.seed, perDay, badRate });
    const path = dayFilePath(options.out, date);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, day.csv);
    const size = Buffer.byteLength(day.csv);
    rows += day.rows;
    bytes += size;
    for (const [type, n] of Object.entries(day.bad)) bad[type] = (bad[type] ?? 0) + n;
    options.onDay?.({ date, rows: day.rows, bytes: size });
  }
  return { days: dates.length, rows, bytes, bad };
}
