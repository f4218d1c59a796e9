import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { duckDbOpsBackend } from '../../pipelines/ops-tickets/backend-duckdb.js';
import { addDays } from '../../pipelines/ops-tickets/days.js';
import { generateOpsTicketFiles } from '../../pipelines/ops-tickets/generator/index.js';
import { runBackfill, runDaily } from '../../pipelines/ops-tickets/jobs.js';
import { listDayFiles } from '../../pipelines/ops-tickets/layout.js';
import { OPS_OUTPUT_TABLES, opsTicketErrors } from '../../pipelines/ops-tickets/tables.js';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { median, peakRssMb, runChild } from '../measure.js';
import type { BenchSuite } from '../run.js';

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * The floor: the same transformation written directly as DuckDB SQL over the CSV files, the way
 * one would by hand — CREATE TABLE AS per output, DuckDB idioms (try_strptime, date_diff, QUALIFY,
 * quantile_disc), no state table, no keys, no staging contract, no dialect layer. It must produce
 * the same tables as `sluice backfill`; the suite checks that before it reports a time.
 */
function floorSql(files: readonly string[]): string[] {
  const cols = ['ticket_id', 'created_at', 'first_response_at', 'resolved_at', 'closed_at', 'status', 'priority', 'category', 'channel', 'customer_tier', 'team', 'agent_id', 'sla_hours', 'reopen_count', 'subject'];
  const glob = `[${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}]`;
  const ts = (c: string): string => `CASE WHEN ${c} LIKE '____-__-__ __:__:__' AND substr(${c}, 12, 2) < '24' AND substr(${c}, 1, 1) <> '0' THEN try_strptime(${c}, '%Y-%m-%d %H:%M:%S') END`;
  const t = (c: string): string => `NULLIF(trim(${c}), '')`;
  const csvField = (c: string): string =>
    `CASE WHEN ${c} IS NULL THEN '' WHEN regexp_matches(${c}, '[,"\\r\\n]') THEN '"' || replace(${c}, '"', '""') || '"' ELSE ${c} END`;
  // Half-up in integers, as the models do, so the two agree to the last bit.
  const round = (num: string, den: string, d: number): string =>
    `CASE WHEN (${den}) > 0 THEN CAST((2 * ${10 ** d} * (${num}) + (${den})) // (2 * (${den})) AS DOUBLE) / ${10 ** d} END`;
  return [
    `CREATE TEMP TABLE csv AS SELECT filename, * EXCLUDE (filename) FROM read_csv(${glob}, header = true, auto_detect = false,
       columns = {${cols.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}, quote = '"', escape = '"', filename = true,
       store_rejects = true, rejects_limit = 0)`,
    `CREATE TEMP TABLE staged AS SELECT CAST(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})\\.csv$', 1) AS DATE) AS d,
       CAST(rowid - min(rowid) OVER (PARTITION BY filename) + 1 AS INTEGER) AS r, * EXCLUDE (filename) FROM csv`,
    `CREATE TABLE tickets_raw AS SELECT strftime(d, '%Y-%m-%d') || ':' || r AS _id, d AS ops_date, r AS row_number, ${cols.join(', ')} FROM staged`,
    `CREATE TEMP TABLE typed AS SELECT d, r, ${cols.filter((c) => c !== 'subject').map((c) => `${t(c)} AS ${c}`).join(', ')} FROM staged`,
    `CREATE TEMP TABLE chk AS
     WITH x AS (SELECT *, ${ts('created_at')} AS c, ${ts('first_response_at')} AS fr, ${ts('resolved_at')} AS rs, ${ts('closed_at')} AS cl,
         CASE lower(priority) WHEN 'critical' THEN 'Critical' WHEN 'high' THEN 'High' WHEN 'medium' THEN 'Medium' WHEN 'low' THEN 'Low' END AS p,
         CASE WHEN regexp_full_match(sla_hours, '\\d{1,5}(\\.\\d{1,3})?') THEN CAST(sla_hours AS DOUBLE) END AS sla,
         CASE WHEN regexp_full_match(reopen_count, '\\d{1,4}') THEN CAST(reopen_count AS INTEGER) END AS ro FROM typed)
     SELECT *, CASE
       WHEN ticket_id IS NULL OR created_at IS NULL THEN 'missing_field' WHEN c IS NULL THEN 'bad_timestamp' WHEN CAST(c AS DATE) <> d THEN 'wrong_partition'
       WHEN (first_response_at IS NOT NULL AND fr IS NULL) OR (resolved_at IS NOT NULL AND rs IS NULL) OR (closed_at IS NOT NULL AND cl IS NULL) THEN 'bad_timestamp'
       WHEN priority IS NULL THEN 'missing_field' WHEN p IS NULL THEN 'invalid_value' WHEN sla_hours IS NULL THEN 'missing_field'
       WHEN sla IS NULL OR sla <= 0 OR sla > 8760 OR (reopen_count IS NOT NULL AND ro IS NULL) THEN 'invalid_value'
       WHEN fr < c OR rs < c OR cl < coalesce(rs, c) THEN 'inconsistent_times' END AS err FROM x`,
    `UPDATE chk SET err = 'duplicate_ticket' FROM (SELECT d AS dd, r AS rr FROM chk WHERE err IS NULL QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY d, r) > 1) dup
     WHERE chk.d = dup.dd AND chk.r = dup.rr`,
    `CREATE TABLE fact_tickets AS
     WITH g AS (SELECT *, coalesce(rs, cl) AS done, c + to_seconds(CAST(round(sla * 3600) AS BIGINT)) AS due FROM chk WHERE err IS NULL)
     SELECT ticket_id AS _id, ticket_id, d AS ops_date, c AS created_at, fr AS first_response_at, rs AS resolved_at, cl AS closed_at, status, p AS priority,
       category, channel, customer_tier, team, agent_id, sla AS sla_hours, coalesce(ro, 0) AS reopen_count, due AS sla_due_at, CAST(due AS DATE) AS sla_due_date,
       CAST(fr AS DATE) AS first_response_date, date_diff('second', c, fr) AS first_response_seconds, CAST(done AS DATE) AS resolved_date, CAST(cl AS DATE) AS closed_date,
       date_diff('second', c, done) AS resolution_seconds, date_diff('second', c, done) / 3600 AS resolution_hours, done IS NOT NULL AS is_resolved,
       NOT coalesce(done <= due, false) AS sla_breached, CAST(hour(c) AS INTEGER) AS created_hour, CAST(isodow(c) AS INTEGER) AS created_dow,
       isodow(c) >= 6 AS is_weekend, p IN ('Critical', 'High') AS is_high_priority
     FROM g`,
    `CREATE TABLE ops_ticket_errors AS
     SELECT strftime(d, '%Y-%m-%d') || ':' || r AS _id, err AS error_type, s.ops_date, ${cols.map((c) => csvField(`s.${c}`)).join(` || ',' || `)} AS raw_payload
     FROM chk JOIN tickets_raw s ON s.ops_date = chk.d AND s.row_number = chk.r WHERE err IS NOT NULL
     UNION ALL
     SELECT DISTINCT strftime(CAST(regexp_extract(s.file_path, '(\\d{4}-\\d{2}-\\d{2})\\.csv$', 1) AS DATE), '%Y-%m-%d') || ':L' || e.line, 'malformed_row',
       CAST(regexp_extract(s.file_path, '(\\d{4}-\\d{2}-\\d{2})\\.csv$', 1) AS DATE), e.csv_line
     FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)`,
    `CREATE TEMP TABLE days AS SELECT DISTINCT d AS ops_date FROM (SELECT d FROM staged UNION SELECT ops_date FROM ops_ticket_errors)`,
    `CREATE TABLE features_daily AS
     SELECT strftime(days.ops_date, '%Y-%m-%d') AS _id, days.ops_date,
       coalesce(c.n, 0) AS tickets_created, coalesce(c.crit, 0) AS critical_created, coalesce(c.high, 0) AS high_created,
       coalesce(r.n, 0) AS tickets_resolved, coalesce(cl.n, 0) AS tickets_closed, coalesce(r.reopened, 0) AS reopened_resolved,
       coalesce(fr.n, 0) AS first_responses, ${round('fr.secs', '60 * fr.n', 2)} AS avg_first_response_minutes,
       ${round('r.secs', '3600 * r.n', 3)} AS avg_tat_hours, ${round('r.p50', '3600', 3)} AS p50_tat_hours, ${round('r.p90', '3600', 3)} AS p90_tat_hours,
       coalesce(du.n, 0) AS sla_due, coalesce(du.b, 0) AS sla_breached, ${round('100 * du.b', 'du.n', 2)} AS sla_breach_pct
     FROM days
     LEFT JOIN (SELECT ops_date, count(*) n, count_if(priority = 'Critical') crit, count_if(priority = 'High') high FROM fact_tickets GROUP BY ALL) c USING (ops_date)
     LEFT JOIN (SELECT resolved_date AS ops_date, count(*) n, count_if(reopen_count > 0) reopened, sum(resolution_seconds) secs,
                  quantile_disc(resolution_seconds, 0.5) p50, quantile_disc(resolution_seconds, 0.9) p90 FROM fact_tickets WHERE resolved_date IS NOT NULL GROUP BY ALL) r USING (ops_date)
     LEFT JOIN (SELECT closed_date AS ops_date, count(*) n FROM fact_tickets GROUP BY ALL) cl USING (ops_date)
     LEFT JOIN (SELECT first_response_date AS ops_date, count(*) n, sum(first_response_seconds) secs FROM fact_tickets GROUP BY ALL) fr USING (ops_date)
     LEFT JOIN (SELECT sla_due_date AS ops_date, count(*) n, count_if(sla_breached) b FROM fact_tickets GROUP BY ALL) du USING (ops_date)`,
    `CREATE TABLE backlog_daily AS
     WITH f AS (SELECT days.ops_date, coalesce(o.n, 0) AS opened, coalesce(r.n, 0) AS resolved, coalesce(o.u, 0) - coalesce(r.u, 0) AS du FROM days
       LEFT JOIN (SELECT ops_date, count(*) n, count_if(is_high_priority) u FROM fact_tickets GROUP BY ALL) o USING (ops_date)
       LEFT JOIN (SELECT resolved_date AS ops_date, count(*) n, count_if(is_high_priority) u FROM fact_tickets GROUP BY ALL) r USING (ops_date)),
     w AS (SELECT *, sum(opened - resolved) OVER (ORDER BY ops_date) AS open_end, sum(du) OVER (ORDER BY ops_date) AS urgent FROM f)
     SELECT strftime(ops_date, '%Y-%m-%d') AS _id, ops_date, CAST(open_end - opened + resolved AS INTEGER) AS open_start, opened, resolved,
       CAST(open_end AS INTEGER) AS open_end, opened - resolved AS net_change, CAST(urgent AS INTEGER) AS urgent_open_end FROM w`,
    `CREATE TABLE daily_agent_load AS
     WITH a AS (SELECT ops_date, coalesce(team, '(none)') AS team, coalesce(agent_id, '(unassigned)') AS agent_id, count(*) AS n FROM fact_tickets GROUP BY ALL),
     r AS (SELECT resolved_date AS ops_date, coalesce(team, '(none)') AS team, coalesce(agent_id, '(unassigned)') AS agent_id, count(*) AS n,
             count_if(sla_breached) AS late, sum(resolution_seconds) AS secs FROM fact_tickets WHERE resolved_date IS NOT NULL GROUP BY ALL),
     g AS (SELECT days.ops_date, who.team, who.agent_id FROM days, (SELECT team, agent_id FROM a UNION SELECT team, agent_id FROM r) who),
     w AS (SELECT g.*, coalesce(a.n, 0) AS assigned, coalesce(r.n, 0) AS resolved, coalesce(r.late, 0) AS late, r.secs,
             sum(coalesce(a.n, 0) - coalesce(r.n, 0)) OVER (PARTITION BY g.team, g.agent_id ORDER BY g.ops_date) AS open_end
           FROM g LEFT JOIN a USING (ops_date, team, agent_id) LEFT JOIN r USING (ops_date, team, agent_id))
     SELECT strftime(ops_date, '%Y-%m-%d') || '|' || team || '|' || agent_id AS _id, ops_date, team, agent_id, assigned AS tickets_assigned, resolved AS tickets_resolved,
       late AS resolved_late, ${round('secs', '3600 * resolved', 3)} AS avg_resolution_hours, CAST(open_end - assigned + resolved AS INTEGER) AS open_start, CAST(open_end AS INTEGER) AS open_end
     FROM w WHERE assigned > 0 OR resolved > 0 OR open_end > 0`,
    `CREATE TABLE daily_ops_metrics AS
     WITH q AS (SELECT d AS ops_date, count(*) AS raw_rows, count_if(err IS NULL) AS ok, count_if(err IS NOT NULL) AS bad FROM chk GROUP BY ALL),
     rj AS (SELECT ops_date, count(*) AS n FROM ops_ticket_errors WHERE error_type = 'malformed_row' GROUP BY ALL),
     ag AS (SELECT ops_date, count_if(agent_id <> '(unassigned)' AND (tickets_assigned > 0 OR tickets_resolved > 0)) AS active FROM daily_agent_load GROUP BY ALL)
     SELECT f._id, f.ops_date, f.tickets_created, f.tickets_resolved, b.open_end AS backlog_end, b.net_change AS backlog_change, f.avg_tat_hours, f.sla_breach_pct,
       coalesce(ag.active, 0) AS active_agents, ${round('f.tickets_resolved', 'ag.active', 2)} AS resolved_per_agent,
       coalesce(q.raw_rows, 0) + coalesce(rj.n, 0) AS rows_read, coalesce(q.ok, 0) AS rows_loaded, coalesce(q.bad, 0) + coalesce(rj.n, 0) AS rows_errored,
       ${round('100 * (coalesce(q.bad, 0) + coalesce(rj.n, 0))', 'coalesce(q.raw_rows, 0) + coalesce(rj.n, 0)', 2)} AS error_rate_pct
     FROM features_daily f JOIN backlog_daily b USING (ops_date) LEFT JOIN q USING (ops_date) LEFT JOIN rj USING (ops_date) LEFT JOIN ag USING (ops_date)`,
  ];
}

async function childGenerate(dir: string, from: string, to: string, perDay: number): Promise<Record<string, number>> {
  const result = generateOpsTicketFiles({ from, to, out: dir, seed: 'bench', perDay });
  return { bytes: result.bytes, rows: result.rows, days: result.days };
}

async function childSluice(dir: string, path: string, from: string, to: string): Promise<Record<string, number>> {
  const warehouse = new DuckDbWarehouse({ path });
  await warehouse.open();
  try {
    const started = performance.now();
    const result = await runBackfill({ backend: duckDbOpsBackend(warehouse), dir, from, to });
    return { seconds: (performance.now() - started) / 1000, rows: result.totals.rowsRead, peakRssMb: peakRssMb() };
  } finally {
    await warehouse.close();
  }
}

/** `count` daily runs on top of a backfilled warehouse; the median time of one. */
async function childDaily(dir: string, path: string, count: number): Promise<Record<string, number>> {
  const warehouse = new DuckDbWarehouse({ path });
  await warehouse.open();
  try {
    const backend = duckDbOpsBackend(warehouse);
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await runDaily({ backend, dir });
      times.push(performance.now() - started);
    }
    return { dailyMs: median(times) };
  } finally {
    await warehouse.close();
  }
}

async function childFloor(dir: string, path: string, from: string, to: string): Promise<Record<string, number>> {
  const files = listDayFiles(dir)
    .filter((f) => f.date >= from && f.date <= to)
    .map((f) => f.path);
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    const started = performance.now();
    await connection.run('BEGIN TRANSACTION');
    for (const sql of floorSql(files)) await connection.run(sql);
    await connection.run('COMMIT');
    return { seconds: (performance.now() - started) / 1000, peakRssMb: peakRssMb() };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Rows that differ between the floor's tables and Sluice's (0 when the two agree). */
async function childCompare(sluicePath: string, floorPath: string): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(`ATTACH '${sluicePath}' AS s (READ_ONLY)`);
    await c.run(`ATTACH '${floorPath}' AS f (READ_ONLY)`);
    let differing = 0;
    const out: Record<string, number> = {};
    for (const table of [...OPS_OUTPUT_TABLES, opsTicketErrors]) {
      const columns = table === opsTicketErrors ? '_id, error_type, ops_date, raw_payload' : table.columns.map((col) => `"${col.name}"`).join(', ');
      const diff = await c.runAndReadAll(
        `SELECT (SELECT count(*) FROM (SELECT ${columns} FROM s.${table.name} EXCEPT ALL SELECT ${columns} FROM f.${table.name})) +
                (SELECT count(*) FROM (SELECT ${columns} FROM f.${table.name} EXCEPT ALL SELECT ${columns} FROM s.${table.name})) AS n`,
      );
      const n = Number(diff.getRows()[0]?.[0] ?? -1);
      out[table.name] = n;
      differing += n;
    }
    return { ...out, differing };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

async function child(args: readonly string[]): Promise<void> {
  const [mode, ...rest] = args;
  let result: Record<string, number>;
  if (mode === 'generate') result = await childGenerate(rest[0] as string, rest[1] as string, rest[2] as string, Number(rest[3]));
  else if (mode === 'sluice') result = await childSluice(rest[0] as string, rest[1] as string, rest[2] as string, rest[3] as string);
  else if (mode === 'daily') result = await childDaily(rest[0] as string, rest[1] as string, Number(rest[2]));
  else if (mode === 'floor') result = await childFloor(rest[0] as string, rest[1] as string, rest[2] as string, rest[3] as string);
  else if (mode === 'compare') result = await childCompare(rest[0] as string, rest[1] as string);
  else throw new Error(`unknown ops bench mode ${mode}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Issue 7's figures: the Jan–Oct backfill (about 95 MB of day files) through `sluice backfill`
 * next to the floor, the same transformation as hand-written DuckDB SQL; and one daily run.
 */
export const opsBenchmarks: BenchSuite = {
  name: 'ops',
  async run({ quick }) {
    const perDay = quick ? 300 : 1680;
    const repeats = quick ? 1 : 3;
    const from = '2025-01-01';
    const to = '2025-10-31';
    const dailies = 5;
    const root = mkdtempSync(join(tmpdir(), 'sluice-bench-ops-'));
    try {
      const data = join(root, 'data');
      // Jan–Oct for the backfill, plus the first days of November for the daily runs.
      await runChild('./suites/ops.ts', ['generate', data, from, addDays(to, dailies), String(perDay)]);
      const backfillFiles = listDayFiles(data).filter((f) => f.date <= to);
      const backfillBytes = backfillFiles.reduce((sum, f) => sum + statSync(f.path).size, 0);
      const sluice: number[] = [];
      const floor: number[] = [];
      let rows = 0;
      let rss = 0;
      for (let i = 0; i < repeats; i++) {
        const s = await runChild('./suites/ops.ts', ['sluice', data, join(root, `sluice-${i}.duckdb`), from, to]);
        const f = await runChild('./suites/ops.ts', ['floor', data, join(root, `floor-${i}.duckdb`), from, to]);
        sluice.push(s.seconds as number);
        floor.push(f.seconds as number);
        rows = s.rows as number;
        rss = Math.max(rss, s.peakRssMb as number);
        process.stderr.write(`  run ${i + 1}: sluice backfill ${(s.seconds as number).toFixed(2)} s, floor ${(f.seconds as number).toFixed(2)} s\n`);
      }
      // The floor only counts as a floor if it computes the same tables.
      const differing = (await runChild('./suites/ops.ts', ['compare', join(root, 'sluice-0.duckdb'), join(root, 'floor-0.duckdb')])).differing as number;
      const daily = (await runChild('./suites/ops.ts', ['daily', data, join(root, 'sluice-0.duckdb'), String(dailies)])).dailyMs as number;
      const sluiceMedian = median(sluice);
      const floorMedian = median(floor);
      return [
        '## ops-tickets: Jan–Oct backfill of day CSVs → DuckDB (embedded default)',
        '',
        `${fmt(rows)} rows in ${backfillFiles.length} day files (${(backfillBytes / 1e6).toFixed(1)} MB, 2% bad rows) → tickets_raw, fact_tickets, ops_ticket_errors, features_daily, daily_agent_load, backlog_daily, daily_ops_metrics, ingestion_state, in one transaction. Median of ${repeats} run(s), each in a fresh process and a fresh DuckDB file.`,
        '',
        '| measure | value | target |',
        '|---|---|---|',
        `| \`sluice backfill\` (read_csv + checks + facts + errors + aggregates + state) | **${sluiceMedian.toFixed(2)} s** (${fmt(rows / sluiceMedian)} rows/s) | — |`,
        `| the same transformation as direct DuckDB SQL (the floor) | ${floorMedian.toFixed(2)} s | — |`,
        `| ratio sluice / floor | **${(sluiceMedian / floorMedian).toFixed(2)}** | ≤ 1.5 |`,
        `| rows that differ between the floor's tables and Sluice's | ${differing} | 0 |`,
        `| \`sluice daily\` on top of Jan–Oct (one day, median of ${dailies}) | ${fmt(daily)} ms | — |`,
        `| peak RSS, sluice backfill | ${fmt(rss)} MiB | — |`,
        '',
        `Runs: sluice ${sluice.map((s) => s.toFixed(2)).join(', ')} s; floor ${floor.map((s) => s.toFixed(2)).join(', ')} s.`,
        '',
      ].join('\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await child(process.argv.slice(2));
