import { ConfigError, describeError } from '../../src/core/errors.js';
import type { OpsBackend } from './backend.js';
import { OPS_PIPELINE } from './columns.js';
import { DayFileMissingError } from './errors.js';
import { type OpsRunResult, runDaily } from './jobs.js';
import type { FireOutcome } from './schedule/scheduler.js';
import { sqlDate } from './sql/dialect.js';
import { insertScheduleRunSql } from './sql/models.js';
import { backlogDaily, featuresDaily, opsTicketErrors, scheduleRuns } from './tables.js';

/** The batch commands exist for ops-tickets only; anything else is a clear flag error. */
export function checkOpsPipeline(name: string, command: string): void {
  if (name !== OPS_PIPELINE) throw new ConfigError(`\`sluice ${command}\` runs the ${OPS_PIPELINE} pipeline (day files → warehouse SQL); "${name}" has no ${command} job.`);
}

const n = (v: number): string => v.toLocaleString('en-US');

/**
 * The human summary of a backfill or daily run: the books (read = loaded + errored), errors by
 * type, and the last day's headline figures.
 *
 * @example
 * process.stdout.write(`${await formatOpsSummary(result, backend)}\n`);
 */
export async function formatOpsSummary(result: OpsRunResult, backend: OpsBackend): Promise<string> {
  const first = result.dates[0];
  const last = result.dates[result.dates.length - 1];
  const span = first === last ? first : `${first} … ${last} (${result.dates.length} days)`;
  if (result.outcome === 'already_processed') {
    return `${OPS_PIPELINE} ${result.mode}: ${span} is already in ingestion_state — nothing to do (a date is never processed twice; --replace reprocesses it).`;
  }
  const t = result.totals;
  const lines = [
    `${OPS_PIPELINE} ${result.mode} ${span}: ${n(t.rowsRead)} rows read → ${n(t.rowsLoaded)} loaded + ${n(t.rowsErrored)} errored ` +
      `(${t.rowsRead === t.rowsLoaded + t.rowsErrored ? 'accounting balanced' : 'ACCOUNTING DOES NOT BALANCE'}), ${(result.elapsedMs / 1000).toFixed(2)} s`,
  ];
  if (first !== undefined && last !== undefined) {
    const errors = await backend.query(
      `SELECT error_type, count(*) AS n FROM ${opsTicketErrors.name} WHERE ops_date BETWEEN ${sqlDate(first)} AND ${sqlDate(last)} GROUP BY error_type ORDER BY n DESC, error_type`,
    );
    if (errors.length > 0) lines.push(`  errors: ${errors.map((e) => `${e.error_type} ${n(Number(e.n))}`).join(', ')}`);
    const [day] = await backend.query(
      `SELECT b.open_end, b.net_change, f.sla_breach_pct, f.avg_tat_hours, f.tickets_created, f.tickets_resolved FROM ${backlogDaily.name} b ` +
        `JOIN ${featuresDaily.name} f ON f.ops_date = b.ops_date WHERE b.ops_date = ${sqlDate(last)}`,
    );
    if (day !== undefined) {
      const change = Number(day.net_change);
      lines.push(
        `  ${last}: ${n(Number(day.tickets_created))} created, ${n(Number(day.tickets_resolved))} resolved, backlog ${n(Number(day.open_end))} (${change >= 0 ? '+' : ''}${n(change)}), ` +
          `SLA breach ${day.sla_breach_pct ?? '–'}%, avg turnaround ${day.avg_tat_hours ?? '–'} h`,
      );
    }
  }
  if (result.aggregatesRebuilt !== null && result.aggregatesRebuilt.to !== last) {
    lines.push(`  aggregates rebuilt through ${result.aggregatesRebuilt.to} (later days carry the replaced days' backlog)`);
  }
  lines.push(`warehouse: ${backend.kind} ${backend.location}`);
  return lines.join('\n');
}

/** The last schedule fire recorded in the warehouse (epoch ms), if any. */
export async function lastScheduleFire(backend: OpsBackend): Promise<number | null> {
  const [row] = await backend.query(`SELECT max(_id) AS id FROM ${scheduleRuns.name}`);
  const id = row?.id;
  return typeof id === 'string' ? Date.parse(id) : null;
}

/**
 * A schedule fire: the daily job for the next date, recorded in ops_schedule_runs — inside the
 * day's transaction when it processed one, on its own when there was nothing to do or it failed.
 * A failed run is logged and recorded; the schedule keeps going.
 */
export function opsScheduleFire(backend: OpsBackend, dir: string, log: (line: string) => void, now: () => number = Date.now): (fireAt: number) => Promise<FireOutcome> {
  return async (fireAt) => {
    let outcome: FireOutcome;
    let message: string;
    try {
      const result = await runDaily({ backend, dir, fireAt, now });
      if (result.outcome === 'processed') {
        log(await formatOpsSummary(result, backend));
        return 'processed';
      }
      outcome = 'up_to_date';
      message = `${result.dates[0]} already processed`;
    } catch (error) {
      outcome = error instanceof DayFileMissingError ? 'file_missing' : 'failed';
      message = describeError(error);
    }
    log(`fire ${new Date(fireAt).toISOString()}: ${outcome} — ${message}`);
    await backend.run([insertScheduleRunSql({ fireAt, outcome, opsDate: null, message: message.slice(0, 2000), recordedAt: now() })]);
    return outcome;
  };
}
