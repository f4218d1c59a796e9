import type { TableSpec } from '../../../src/core/schema.js';
import { OPS_CSV_COLUMNS, OPS_PIPELINE } from '../columns.js';
import { addDays, type IsoDate } from '../days.js';
import {
  dailyAgentLoad,
  dailyOpsMetrics,
  factTickets,
  featuresDaily,
  backlogDaily,
  ingestionState,
  OPS_TABLES,
  opsTicketErrors,
  scheduleRuns,
  ticketsRaw,
} from '../tables.js';
import { type OpsDialect, ratio, sqlDate, sqlIdent, sqlString, sqlTimestamp } from './dialect.js';

/**
 * The ops-tickets transformation as SQL, one function per model. The same statements serve the
 * backfill (a range of days) and the daily job (a range of one day), which is why the two agree
 * table for table: only the range differs.
 *
 * Two temporary tables are the input contract, filled per backend from the day files:
 *   ops_stage(_file_date DATE, _row INTEGER, <the 15 CSV columns as text>)  — rows that parsed as CSV
 *   ops_rejects(_file_date DATE, _line BIGINT, raw_line TEXT, reason TEXT) — rows that did not
 */

/** Column names of ops_stage after the two bookkeeping columns. */
export const STAGE_COLUMNS = OPS_CSV_COLUMNS;


function columnList(table: TableSpec): string {
  return table.columns.map((c) => sqlIdent(c.name)).join(', ');
}

/** CREATE TABLE IF NOT EXISTS for every ops table, plus the dialect's helpers and lookup indexes. */
export function createTablesSql(dialect: OpsDialect): string[] {
  const statements = [...dialect.setup];
  const bulk = new Set([ticketsRaw.name, factTickets.name, opsTicketErrors.name]);
  for (const table of OPS_TABLES) {
    const columns = table.columns.map((c) => `${sqlIdent(c.name)} ${dialect.types[c.type]}${c.nullable === false ? ' NOT NULL' : ''}`);
    const key = dialect.bulkTableKeys || !bulk.has(table.name) ? `, PRIMARY KEY (${sqlIdent(table.key)})` : '';
    statements.push(`CREATE TABLE IF NOT EXISTS ${sqlIdent(table.name)} (${columns.join(', ')}${key})`);
  }
  if (!dialect.secondaryIndexes) return statements;
  // The daily models look tickets up by the day they were resolved, answered and due; without
  // these a server-side warehouse would scan the whole fact table every day.
  const indexes: Array<[TableSpec, string]> = [
    [factTickets, 'ops_date'],
    [factTickets, 'resolved_date'],
    [factTickets, 'first_response_date'],
    [factTickets, 'sla_due_date'],
    [ticketsRaw, 'ops_date'],
    [opsTicketErrors, 'ops_date'],
  ];
  for (const [table, column] of indexes) {
    statements.push(`CREATE INDEX IF NOT EXISTS ${sqlIdent(`${table.name}_${column}_idx`)} ON ${sqlIdent(table.name)} (${sqlIdent(column)})`);
  }
  return statements;
}

/** Drops the run's own temporary table (the backend drops the staged input, see `OpsBackend.unstage`). */
export function dropWorkTablesSql(): string[] {
  return ['DROP TABLE IF EXISTS ops_checked'];
}

/** The DDL of the two input tables, for backends that fill them row by row (COPY). */
export function createStageTablesSql(dialect: OpsDialect): string[] {
  const text = dialect.types.string;
  return [
    `CREATE TEMP TABLE ops_stage (_file_date DATE NOT NULL, _row INTEGER NOT NULL, ${STAGE_COLUMNS.map((c) => `${c} ${text}`).join(', ')})`,
    `CREATE TEMP TABLE ops_rejects (_file_date DATE NOT NULL, _line BIGINT NOT NULL, raw_line ${text}, reason ${text} NOT NULL)`,
  ];
}

/** A text column trimmed, with the empty string as NULL (DuckDB and COPY disagree on quoted empties). */
function clean(column: string): string {
  return `NULLIF(trim(${column}), '')`;
}

/** The staged row (alias `s`) as a CSV line again, for the error table's raw_payload. */
function rawLine(alias: string): string {
  return STAGE_COLUMNS.map((name) => `${alias}.${name}`).map(
    (c) => `CASE WHEN ${c} IS NULL THEN '' WHEN strpos(${c}, ',') > 0 OR strpos(${c}, '"') > 0 OR strpos(${c}, chr(10)) > 0 OR strpos(${c}, chr(13)) > 0 ` +
      `THEN '"' || replace(${c}, '"', '""') || '"' ELSE ${c} END`,
  ).join(` || ',' || `);
}

interface Rule {
  readonly type: string;
  readonly when: string;
  readonly message: string;
}

/** Validation rules, first failure wins. Messages name the field and what was expected, never PII. */
function rules(): Rule[] {
  const badTs = (c: string, label: string): Rule => ({
    type: 'bad_timestamp',
    when: `${c} IS NOT NULL AND t_${c} IS NULL`,
    message: `'${label} is not a timestamp YYYY-MM-DD HH:MM:SS: ' || ${c}`,
  });
  return [
    { type: 'missing_field', when: 'ticket_id IS NULL', message: `'ticket_id is empty'` },
    { type: 'missing_field', when: 'created_at IS NULL', message: `'created_at is empty'` },
    badTs('created_at', 'created_at'),
    { type: 'wrong_partition', when: 'CAST(t_created_at AS DATE) <> _file_date', message: `'created_at ' || created_at || ' is not on the file''s date ' || CAST(_file_date AS VARCHAR)` },
    badTs('first_response_at', 'first_response_at'),
    badTs('resolved_at', 'resolved_at'),
    badTs('closed_at', 'closed_at'),
    { type: 'missing_field', when: 'priority IS NULL', message: `'priority is empty'` },
    { type: 'invalid_value', when: 't_priority IS NULL', message: `'priority ' || priority || ' is not one of Critical, High, Medium, Low'` },
    { type: 'missing_field', when: 'sla_hours IS NULL', message: `'sla_hours is empty'` },
    { type: 'invalid_value', when: 't_sla_hours IS NULL OR t_sla_hours <= 0 OR t_sla_hours > 8760', message: `'sla_hours ' || sla_hours || ' is not a number of hours in (0, 8760]'` },
    { type: 'invalid_value', when: 'reopen_count IS NOT NULL AND t_reopen_count IS NULL', message: `'reopen_count ' || reopen_count || ' is not a whole number ≥ 0'` },
    { type: 'inconsistent_times', when: 't_first_response_at < t_created_at', message: `'first_response_at is before created_at'` },
    { type: 'inconsistent_times', when: 't_resolved_at < t_created_at', message: `'resolved_at is before created_at'` },
    { type: 'inconsistent_times', when: 't_closed_at < coalesce(t_resolved_at, t_created_at)', message: `'closed_at is before resolved_at / created_at'` },
  ];
}

/** The columns fact_tickets copies from a checked row as they are (cleaned). */
const PASS_THROUGH = ['ticket_id', 'status', 'category', 'channel', 'customer_tier', 'team', 'agent_id'] as const;

/**
 * ops_checked: every staged row, cleaned and typed, with the first rule it breaks (error_type,
 * error_message) or NULL when it is good. Only what fact_tickets and the error rows need is kept:
 * the row is narrow, so the later passes over it are cheap.
 */
export function checkStageSql(dialect: OpsDialect): string {
  // The shape by LIKE (an order of magnitude cheaper than a regular expression over 2M values),
  // hour 24 and year 0 refused (the databases disagree on them), then the calendar by the dialect.
  const ts = (c: string): string =>
    `CASE WHEN ${c} LIKE '____-__-__ __:__:__' AND substr(${c}, 12, 2) < '24' AND substr(${c}, 1, 1) <> '0' THEN ${dialect.tryTimestamp(c)} END AS t_${c}`;
  const list = rules();
  const ruleType = `CASE ${list.map((r) => `WHEN ${r.when} THEN '${r.type}'`).join(' ')} END`;
  const ruleMessage = `CASE ${list.map((r) => `WHEN ${r.when} THEN ${r.message}`).join(' ')} END`;
  const used = STAGE_COLUMNS.filter((c) => c !== 'subject');
  return `CREATE TEMP TABLE ops_checked AS
WITH cleaned AS (
  SELECT _file_date, _row, ${used.map((c) => `${clean(c)} AS ${c}`).join(', ')} FROM ops_stage
), typed AS ${dialect.materializeCte ? 'MATERIALIZED ' : ''}(
  SELECT cleaned.*,
    ${ts('created_at')}, ${ts('first_response_at')}, ${ts('resolved_at')}, ${ts('closed_at')},
    CASE lower(priority) WHEN 'critical' THEN 'Critical' WHEN 'high' THEN 'High' WHEN 'medium' THEN 'Medium' WHEN 'low' THEN 'Low' END AS t_priority,
    CASE WHEN ${dialect.fullMatch('sla_hours', '\\d{1,5}(\\.\\d{1,3})?')} THEN CAST(sla_hours AS DOUBLE PRECISION) END AS t_sla_hours,
    CASE WHEN ${dialect.fullMatch('reopen_count', '\\d{1,4}')} THEN CAST(reopen_count AS INTEGER) END AS t_reopen_count
  FROM cleaned
)
SELECT _file_date, _row, ${PASS_THROUGH.join(', ')}, t_created_at, t_first_response_at, t_resolved_at, t_closed_at, t_priority, t_sla_hours, t_reopen_count,
  ${ruleType} AS error_type, ${ruleMessage} AS error_message
FROM typed`;
}

/**
 * Marks as `duplicate_ticket` every good row whose ticket_id was already loaded: by an earlier
 * good row of this run (file date, then row order) or on an earlier day (in fact_tickets). The
 * window runs over three narrow columns and only the duplicates are updated, so this costs a sort
 * of ids and a join, in both databases.
 */
export function markDuplicatesSql(): string {
  return `UPDATE ops_checked SET error_type = 'duplicate_ticket',
  error_message = CASE WHEN d.seen THEN 'ticket_id ' || ops_checked.ticket_id || ' was loaded on an earlier day'
                       ELSE 'ticket_id ' || ops_checked.ticket_id || ' appears earlier in the input; the first copy was loaded' END
FROM (
  SELECT r._file_date, r._row, f._id IS NOT NULL AS seen
  FROM (SELECT _file_date, _row, ticket_id, row_number() OVER (PARTITION BY ticket_id ORDER BY _file_date, _row) AS n FROM ops_checked WHERE error_type IS NULL) r
  LEFT JOIN ${factTickets.name} f ON f._id = r.ticket_id
  WHERE r.n > 1 OR f._id IS NOT NULL
) d
WHERE ops_checked._file_date = d._file_date AND ops_checked._row = d._row`;
}

/** tickets_raw: every staged row, as text. */
export function insertRawSql(): string {
  return `INSERT INTO ${ticketsRaw.name} (${columnList(ticketsRaw)})
SELECT CAST(_file_date AS VARCHAR) || ':' || CAST(_row AS VARCHAR), _file_date, _row, ${STAGE_COLUMNS.join(', ')} FROM ops_stage`;
}

/** fact_tickets: the good rows, typed, with the lifecycle measures the aggregates use. */
export function insertFactSql(dialect: OpsDialect): string {
  const done = 'coalesce(t_resolved_at, t_closed_at)';
  const slaSeconds = 'CAST(round(t_sla_hours * 3600) AS BIGINT)';
  const due = dialect.addSeconds('t_created_at', slaSeconds);
  const dow = 'CAST(EXTRACT(isodow FROM t_created_at) AS INTEGER)';
  return `INSERT INTO ${factTickets.name} (${columnList(factTickets)})
SELECT ticket_id, ticket_id, _file_date, t_created_at, t_first_response_at, t_resolved_at, t_closed_at, status, t_priority, category, channel,
  customer_tier, team, agent_id, t_sla_hours, coalesce(t_reopen_count, 0),
  ${due}, CAST(${due} AS DATE),
  CAST(t_first_response_at AS DATE), ${dialect.secondsBetween('t_created_at', 't_first_response_at')},
  CAST(${done} AS DATE), CAST(t_closed_at AS DATE),
  ${dialect.secondsBetween('t_created_at', done)}, CAST(${dialect.secondsBetween('t_created_at', done)} AS DOUBLE PRECISION) / 3600,
  ${done} IS NOT NULL,
  NOT coalesce(${done} <= ${due}, FALSE),
  CAST(EXTRACT(hour FROM t_created_at) AS INTEGER), ${dow}, ${dow} >= 6, t_priority IN ('Critical', 'High')
FROM ops_checked WHERE error_type IS NULL`;
}

/** The error table: broken CSV rows and rows that failed a rule, each with its reason and raw line. */
export function insertErrorsSql(runAt: number, sourceOf: (date: IsoDate) => string, dates: readonly IsoDate[]): string[] {
  const at = sqlTimestamp(runAt);
  const source = `CASE CAST(_file_date AS VARCHAR) ${dates.map((d) => `WHEN '${d}' THEN ${sqlString(sourceOf(d))}`).join(' ')} END`;
  const cols = columnList(opsTicketErrors);
  const pipeline = sqlString(OPS_PIPELINE);
  return [
    `INSERT INTO ${opsTicketErrors.name} (${cols})
SELECT CAST(c._file_date AS VARCHAR) || ':' || CAST(c._row AS VARCHAR), CAST(c._file_date AS VARCHAR) || ':' || CAST(c._row AS VARCHAR), ${pipeline}, 'validate',
  c.error_type, c.error_message, c._file_date, c.ticket_id, ${rawLine('s')}, 1, ${source.replace(/_file_date/g, 'c._file_date')}, ${at}
FROM ops_checked c JOIN ops_stage s ON s._file_date = c._file_date AND s._row = c._row WHERE c.error_type IS NOT NULL`,
    `INSERT INTO ${opsTicketErrors.name} (${cols})
SELECT CAST(_file_date AS VARCHAR) || ':L' || CAST(_line AS VARCHAR), CAST(_file_date AS VARCHAR) || ':L' || CAST(_line AS VARCHAR), ${pipeline}, 'parse_csv',
  'malformed_row', reason, _file_date, NULL, raw_line, 1, ${source}, ${at}
FROM ops_rejects`,
  ];
}

/** An error row made before the warehouse saw the data (an input profile's unusable rows). */
export interface PreparedErrorRow {
  readonly id: string;
  readonly opsDate: IsoDate | null;
  readonly ticketId: string | null;
  readonly step: string;
  readonly errorType: string;
  readonly errorMessage: string;
  readonly rawPayload: string;
  readonly source: string;
}

/** INSERTs for prepared error rows, in chunks that keep each statement small. */
export function insertPreparedErrorsSql(rows: readonly PreparedErrorRow[], runAt: number): string[] {
  const out: string[] = [];
  const literal = (v: string | null): string => (v === null ? 'NULL' : sqlString(v));
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map(
      (r) =>
        `(${literal(r.id)}, ${literal(r.id)}, ${sqlString(OPS_PIPELINE)}, ${literal(r.step)}, ${literal(r.errorType)}, ${literal(r.errorMessage)}, ` +
        `${r.opsDate === null ? 'NULL' : sqlDate(r.opsDate)}, ${literal(r.ticketId)}, ${literal(r.rawPayload)}, 1, ${literal(r.source)}, ${sqlTimestamp(runAt)})`,
    );
    out.push(`INSERT INTO ${opsTicketErrors.name} (${columnList(opsTicketErrors)}) VALUES ${values.join(', ')}`);
  }
  return out;
}

export interface StateRun {
  readonly mode: 'backfill' | 'daily' | 'replace';
  readonly runId: string;
  readonly runAt: number;
  readonly scheduledFor?: number;
}

/** ingestion_state: one row per date of the run, with the date's accounting (read = loaded + errored). */
export function insertStateSql(days: ReadonlyArray<{ date: IsoDate; source: string }>, run: StateRun): string {
  const values = days.map((d) => `(${sqlDate(d.date)}, ${sqlString(d.source)})`).join(', ');
  return `INSERT INTO ${ingestionState.name} (${columnList(ingestionState)})
SELECT CAST(d.ops_date AS VARCHAR), d.ops_date, d.source_file, ${sqlString(run.mode)},
  CAST(coalesce(raw.n, 0) + coalesce(rej.n, 0) AS INTEGER), CAST(coalesce(raw.n, 0) AS INTEGER), CAST(coalesce(raw.ok, 0) AS INTEGER),
  CAST(coalesce(raw.bad, 0) + coalesce(rej.n, 0) AS INTEGER),
  ${sqlString(run.runId)}, ${sqlTimestamp(run.runAt)}, ${run.scheduledFor === undefined ? 'NULL' : sqlTimestamp(run.scheduledFor)}
FROM (VALUES ${values}) AS d(ops_date, source_file)
LEFT JOIN (SELECT _file_date, count(*) AS n, count(*) FILTER (WHERE error_type IS NULL) AS ok, count(*) FILTER (WHERE error_type IS NOT NULL) AS bad
           FROM ops_checked GROUP BY _file_date) raw ON raw._file_date = d.ops_date
LEFT JOIN (SELECT _file_date, count(*) AS n FROM ops_rejects GROUP BY _file_date) rej ON rej._file_date = d.ops_date`;
}

/** Removes everything a date contributed, before it is processed again (`--replace`). */
export function deleteDatesSql(from: IsoDate, to: IsoDate): string[] {
  const range = `BETWEEN ${sqlDate(from)} AND ${sqlDate(to)}`;
  return [ticketsRaw, factTickets, opsTicketErrors, ingestionState].map((t) => `DELETE FROM ${t.name} WHERE ops_date ${range}`);
}

/**
 * Rebuilds the four aggregates for every processed day in [from, to] from fact_tickets. Each
 * day's figures use only tickets created on or before it, and the carried quantities (the backlog,
 * each agent's open queue) start from the row of the day before `from` — so the daily job reads
 * one day of facts plus one row per table, never the history.
 */
export function rebuildAggregatesSql(dialect: OpsDialect, from: IsoDate, to: IsoDate): string[] {
  const range = `BETWEEN ${sqlDate(from)} AND ${sqlDate(to)}`;
  const before = sqlDate(addDays(from, -1));
  const days = `days AS (SELECT ops_date FROM ${ingestionState.name} WHERE ops_date ${range})`;
  const r = (num: string, den: string, digits: number): string => ratio(dialect, num, den, digits);
  const window = 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
  const f = factTickets.name;
  return [
    ...[featuresDaily, dailyAgentLoad, backlogDaily, dailyOpsMetrics].map((t) => `DELETE FROM ${t.name} WHERE ops_date ${range}`),

    `INSERT INTO ${featuresDaily.name} (${columnList(featuresDaily)})
WITH ${days},
created AS (
  SELECT ops_date, count(*) AS n, count(*) FILTER (WHERE priority = 'Critical') AS critical, count(*) FILTER (WHERE priority = 'High') AS high
  FROM ${f} WHERE ops_date ${range} GROUP BY ops_date),
resolved AS (
  SELECT resolved_date AS ops_date, count(*) AS n, count(*) FILTER (WHERE reopen_count > 0) AS reopened, sum(resolution_seconds) AS secs,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY resolution_seconds) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY resolution_seconds) AS p90
  FROM ${f} WHERE resolved_date ${range} GROUP BY resolved_date),
closed AS (SELECT closed_date AS ops_date, count(*) AS n FROM ${f} WHERE closed_date ${range} GROUP BY closed_date),
responded AS (SELECT first_response_date AS ops_date, count(*) AS n, sum(first_response_seconds) AS secs FROM ${f} WHERE first_response_date ${range} GROUP BY first_response_date),
due AS (SELECT sla_due_date AS ops_date, count(*) AS n, count(*) FILTER (WHERE sla_breached) AS breached FROM ${f} WHERE sla_due_date ${range} GROUP BY sla_due_date)
SELECT CAST(d.ops_date AS VARCHAR), d.ops_date,
  coalesce(c.n, 0), coalesce(c.critical, 0), coalesce(c.high, 0),
  coalesce(rs.n, 0), coalesce(cl.n, 0), coalesce(rs.reopened, 0),
  coalesce(rp.n, 0), ${r('rp.secs', '60 * rp.n', 2)},
  ${r('rs.secs', '3600 * rs.n', 3)}, ${r('rs.p50', '3600', 3)}, ${r('rs.p90', '3600', 3)},
  coalesce(du.n, 0), coalesce(du.breached, 0), ${r('100 * du.breached', 'du.n', 2)}
FROM days d
LEFT JOIN created c ON c.ops_date = d.ops_date
LEFT JOIN resolved rs ON rs.ops_date = d.ops_date
LEFT JOIN closed cl ON cl.ops_date = d.ops_date
LEFT JOIN responded rp ON rp.ops_date = d.ops_date
LEFT JOIN due du ON du.ops_date = d.ops_date`,

    `INSERT INTO ${backlogDaily.name} (${columnList(backlogDaily)})
WITH ${days},
opened AS (SELECT ops_date, count(*) AS n, count(*) FILTER (WHERE is_high_priority) AS urgent FROM ${f} WHERE ops_date ${range} GROUP BY ops_date),
resolved AS (SELECT resolved_date AS ops_date, count(*) AS n, count(*) FILTER (WHERE is_high_priority) AS urgent FROM ${f} WHERE resolved_date ${range} GROUP BY resolved_date),
carry AS (SELECT coalesce(max(open_end), 0) AS open_end, coalesce(max(urgent_open_end), 0) AS urgent_open_end FROM ${backlogDaily.name} WHERE ops_date = ${before}),
flows AS (
  SELECT d.ops_date, coalesce(o.n, 0) AS opened, coalesce(rs.n, 0) AS resolved, coalesce(o.urgent, 0) - coalesce(rs.urgent, 0) AS urgent_change
  FROM days d LEFT JOIN opened o ON o.ops_date = d.ops_date LEFT JOIN resolved rs ON rs.ops_date = d.ops_date),
running AS (
  SELECT flows.*,
    (SELECT open_end FROM carry) + sum(opened - resolved) OVER (ORDER BY ops_date ${window}) AS open_end,
    (SELECT urgent_open_end FROM carry) + sum(urgent_change) OVER (ORDER BY ops_date ${window}) AS urgent_open_end
  FROM flows)
SELECT CAST(ops_date AS VARCHAR), ops_date, CAST(open_end - opened + resolved AS INTEGER), opened, resolved, CAST(open_end AS INTEGER), opened - resolved, CAST(urgent_open_end AS INTEGER)
FROM running`,

    `INSERT INTO ${dailyAgentLoad.name} (${columnList(dailyAgentLoad)})
WITH ${days},
carry AS (SELECT team, agent_id, open_end FROM ${dailyAgentLoad.name} WHERE ops_date = ${before} AND open_end > 0),
assigned AS (
  SELECT ops_date, coalesce(team, '(none)') AS team, coalesce(agent_id, '(unassigned)') AS agent_id, count(*) AS n
  FROM ${f} WHERE ops_date ${range} GROUP BY ops_date, coalesce(team, '(none)'), coalesce(agent_id, '(unassigned)')),
resolved AS (
  SELECT resolved_date AS ops_date, coalesce(team, '(none)') AS team, coalesce(agent_id, '(unassigned)') AS agent_id, count(*) AS n,
    count(*) FILTER (WHERE sla_breached) AS late, sum(resolution_seconds) AS secs
  FROM ${f} WHERE resolved_date ${range} GROUP BY resolved_date, coalesce(team, '(none)'), coalesce(agent_id, '(unassigned)')),
agents AS (SELECT team, agent_id FROM carry UNION SELECT team, agent_id FROM assigned UNION SELECT team, agent_id FROM resolved),
flows AS (
  SELECT d.ops_date, a.team, a.agent_id, coalesce(s.n, 0) AS assigned, coalesce(rs.n, 0) AS resolved, coalesce(rs.late, 0) AS late, rs.secs,
    coalesce(c.open_end, 0) AS carried
  FROM days d CROSS JOIN agents a
  LEFT JOIN assigned s ON s.ops_date = d.ops_date AND s.team = a.team AND s.agent_id = a.agent_id
  LEFT JOIN resolved rs ON rs.ops_date = d.ops_date AND rs.team = a.team AND rs.agent_id = a.agent_id
  LEFT JOIN carry c ON c.team = a.team AND c.agent_id = a.agent_id),
running AS (
  SELECT flows.*, carried + sum(assigned - resolved) OVER (PARTITION BY team, agent_id ORDER BY ops_date ${window}) AS open_end FROM flows)
SELECT CAST(ops_date AS VARCHAR) || '|' || team || '|' || agent_id, ops_date, team, agent_id, assigned, resolved, late,
  ${r('secs', '3600 * resolved', 3)}, CAST(open_end - assigned + resolved AS INTEGER), CAST(open_end AS INTEGER)
FROM running WHERE assigned > 0 OR resolved > 0 OR open_end > 0`,

    `INSERT INTO ${dailyOpsMetrics.name} (${columnList(dailyOpsMetrics)})
SELECT fd._id, fd.ops_date, fd.tickets_created, fd.tickets_resolved, b.open_end, b.net_change, fd.avg_tat_hours, fd.sla_breach_pct,
  CAST(coalesce(a.active, 0) AS INTEGER), ${r('fd.tickets_resolved', 'a.active', 2)},
  s.rows_read, s.rows_loaded, s.rows_errored, ${r('100 * s.rows_errored', 's.rows_read', 2)}
FROM ${featuresDaily.name} fd
JOIN ${backlogDaily.name} b ON b.ops_date = fd.ops_date
JOIN ${ingestionState.name} s ON s.ops_date = fd.ops_date
LEFT JOIN (
  SELECT ops_date, count(*) FILTER (WHERE agent_id <> '(unassigned)' AND (tickets_assigned > 0 OR tickets_resolved > 0)) AS active
  FROM ${dailyAgentLoad.name} WHERE ops_date ${range} GROUP BY ops_date) a ON a.ops_date = fd.ops_date
WHERE fd.ops_date ${range}`,
  ];
}

/** Records a schedule fire (inside the day's transaction when it processed a date). */
export function insertScheduleRunSql(fire: { fireAt: number; outcome: string; opsDate: IsoDate | null; message: string; recordedAt: number }): string {
  const id = new Date(fire.fireAt).toISOString();
  return `INSERT INTO ${scheduleRuns.name} (${columnList(scheduleRuns)}) VALUES (${sqlString(id)}, ${sqlTimestamp(fire.fireAt)}, ${sqlString(fire.outcome)}, ` +
    `${fire.opsDate === null ? 'NULL' : sqlDate(fire.opsDate)}, ${sqlString(fire.message)}, ${sqlTimestamp(fire.recordedAt)})`;
}
