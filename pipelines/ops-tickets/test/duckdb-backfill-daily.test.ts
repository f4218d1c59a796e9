import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { addDays, dateRange } from '../days.js';
import { DateAlreadyProcessedError, DateGapError, DayFileHeaderError, DayFileMissingError } from '../errors.js';
import { runBackfill, runDaily } from '../jobs.js';
import { dayFilePath } from '../layout.js';
import { opsTicketErrors } from '../tables.js';
import { counts, generateYear, openDuckDb, snapshot, tempDir } from './support.js';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { OpsGenerateResult } from '../generator/index.js';

describe('ops-tickets on DuckDB: backfill and the daily job agree', () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  let generated: OpsGenerateResult;
  before(() => {
    generated = generateYear(data);
  });

  it('backfill Jan–Dec gives exactly the tables of backfill Jan–Oct followed by 61 daily runs', { timeout: 300_000 }, async () => {
    const whole = await openDuckDb(join(dir, 'whole.duckdb'));
    const full = await runBackfill({ backend: whole, dir: data, from: '2025-01-01', to: '2025-12-31' });
    assert.equal(full.dates.length, 365);
    const expected = await snapshot(whole);
    const expectedErrors = await snapshot(whole, [opsTicketErrors]);
    await whole.close();

    const stepwise = await openDuckDb(join(dir, 'stepwise.duckdb'));
    await runBackfill({ backend: stepwise, dir: data, from: '2025-01-01', to: '2025-10-31' });
    const days: string[] = [];
    for (let i = 0; i < 61; i++) {
      const result = await runDaily({ backend: stepwise, dir: data });
      assert.equal(result.outcome, 'processed');
      days.push(result.dates[0] as string);
    }
    assert.deepEqual(days, dateRange('2025-11-01', '2025-12-31'), 'one next date per run, in order');
    const actual = await snapshot(stepwise);
    for (const table of Object.keys(expected)) assert.deepEqual(actual[table], expected[table], `table ${table}`);
    // The error rows agree too, apart from when they were written.
    const strip = (rows: unknown[]): unknown[] => rows.map((r) => ({ ...(r as object), error_timestamp: null }));
    assert.deepEqual(strip((await snapshot(stepwise, [opsTicketErrors])).ops_ticket_errors ?? []), strip(expectedErrors.ops_ticket_errors ?? []));
    await stepwise.close();
    assert.ok((expected.fact_tickets?.length ?? 0) > 9000, 'a year at 30 tickets a weekday');
  });

  it('accounts for every input row: read = loaded + errored per day, and the planted bad rows are the error rows', { timeout: 120_000 }, async () => {
    const backend = await openDuckDb(join(dir, 'accounting.duckdb'));
    const result = await runBackfill({ backend, dir: data });
    assert.equal(result.totals.rowsRead, generated.rows, 'every data row of every file was read');
    assert.equal(result.totals.rowsRead, result.totals.rowsLoaded + result.totals.rowsErrored);
    const unbalanced = await backend.query('SELECT count(*) AS n FROM ingestion_state WHERE rows_read <> rows_loaded + rows_errored');
    assert.equal(Number(unbalanced[0]?.n), 0);
    const byType = Object.fromEntries((await backend.query('SELECT error_type, count(*) AS n FROM ops_ticket_errors GROUP BY error_type')).map((r) => [r.error_type, Number(r.n)]));
    assert.deepEqual(byType, generated.bad, 'each planted bad row is an error row of the planted type');
    const c = await counts(backend);
    assert.equal(c.fact_tickets, result.totals.rowsLoaded);
    assert.equal(c.ops_ticket_errors, result.totals.rowsErrored);
    assert.equal(c.tickets_raw, result.totals.rowsRaw);
    assert.equal(c.tickets_raw + (generated.bad.malformed_row ?? 0), generated.rows, 'only rows that are not 15 fields stay out of tickets_raw');
    // The carried backlog equals a count from scratch on every day.
    const drift = await backend.query(
      `SELECT count(*) AS n FROM backlog_daily b WHERE b.open_end <> (SELECT count(*) FROM fact_tickets f WHERE f.ops_date <= b.ops_date AND (f.resolved_date IS NULL OR f.resolved_date > b.ops_date))`,
    );
    assert.equal(Number(drift[0]?.n), 0, 'backlog carried day to day = tickets open at the end of the day');
    const agentDrift = await backend.query(
      `SELECT count(*) AS n FROM (SELECT ops_date, sum(open_end) AS open_end FROM daily_agent_load GROUP BY ops_date) a JOIN backlog_daily b USING (ops_date) WHERE a.open_end <> b.open_end`,
    );
    assert.equal(Number(agentDrift[0]?.n), 0, "the agents' open queues add up to the backlog");
    await backend.close();
  });

  it('running daily twice for the same date changes nothing the second time', { timeout: 120_000 }, async () => {
    const backend = await openDuckDb(join(dir, 'twice.duckdb'));
    await runBackfill({ backend, dir: data, to: '2025-10-31' });
    const first = await runDaily({ backend, dir: data });
    assert.equal(first.outcome, 'processed');
    const before = await snapshot(backend);
    const state = await backend.query('SELECT * FROM ingestion_state ORDER BY ops_date');
    const second = await runDaily({ backend, dir: data, date: first.dates[0] as string });
    assert.equal(second.outcome, 'already_processed');
    assert.deepEqual(await snapshot(backend), before);
    assert.deepEqual(await backend.query('SELECT * FROM ingestion_state ORDER BY ops_date'), state);
    await assert.rejects(runBackfill({ backend, dir: data, from: '2025-11-01', to: '2025-11-01' }), DateAlreadyProcessedError);
    await backend.close();
  });

  it('a missing day file is a clear error that leaves the state untouched', { timeout: 120_000 }, async () => {
    const backend = await openDuckDb(join(dir, 'missing.duckdb'));
    await runBackfill({ backend, dir: data, to: '2025-10-31' });
    const before = await counts(backend);
    const path = dayFilePath(data, '2025-11-01');
    renameSync(path, `${path}.away`);
    try {
      await assert.rejects(runDaily({ backend, dir: data }), (error: unknown) => {
        assert.ok(error instanceof DayFileMissingError);
        assert.equal(error.code, 'OPS_DAY_FILE_MISSING');
        assert.match(error.message, /2025-11-01/);
        assert.match(error.message, /ingestion_state is unchanged/);
        return true;
      });
    } finally {
      renameSync(`${path}.away`, path);
    }
    assert.deepEqual(await counts(backend), before);
    // Skipping a day is refused too: the backlog carries day to day.
    await assert.rejects(runDaily({ backend, dir: data, date: '2025-11-03' }), DateGapError);
    await backend.close();
  });

  it('--replace reprocesses one date deliberately and rebuilds the later days it carries into', { timeout: 120_000 }, async () => {
    const backend = await openDuckDb(join(dir, 'replace.duckdb'));
    await runBackfill({ backend, dir: data, to: '2025-11-10' });
    const before = await snapshot(backend);
    const replaced = await runDaily({ backend, dir: data, date: '2025-11-05', replace: true });
    assert.equal(replaced.mode, 'replace');
    assert.deepEqual(replaced.aggregatesRebuilt, { from: '2025-11-05', to: '2025-11-10' });
    assert.deepEqual(await snapshot(backend), before, 'the same file again gives the same tables');

    // Now the file changes: one more ticket on 5 November must lift the backlog of every later day by one.
    const path = dayFilePath(data, '2025-11-05');
    const original = readFileSync(path, 'utf8');
    try {
      writeFileSync(path, `${original}OPS-20251105-99999,2025-11-05 10:00:00,,,,Open,Low,VPN,Email,Standard,Network,AGT-101,72,0,extra ticket\n`);
      await runDaily({ backend, dir: data, date: '2025-11-05', replace: true });
      const rows = await backend.query(`SELECT CAST(ops_date AS VARCHAR) AS d, open_end FROM backlog_daily WHERE ops_date >= DATE '2025-11-04' ORDER BY ops_date`);
      const old = new Map((before.backlog_daily as Array<{ ops_date: string; open_end: string }>).map((r) => [r.ops_date.slice(0, 10), Number(r.open_end)]));
      for (const r of rows) {
        const d = String(r.d).slice(0, 10);
        assert.equal(Number(r.open_end), (old.get(d) as number) + (d >= '2025-11-05' ? 1 : 0), `backlog on ${d}`);
      }
    } finally {
      writeFileSync(path, original);
    }
    await backend.close();
  });

  it('refuses a file that is not an ops-tickets export before writing anything', { timeout: 60_000 }, async () => {
    const backend = await openDuckDb(join(dir, 'header.duckdb'));
    const other = join(dir, 'other');
    const path = dayFilePath(other, '2025-01-01');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(other, '2025', '01'), { recursive: true });
    writeFileSync(path, 'id,when,what\n1,2,3\n');
    await assert.rejects(runBackfill({ backend, dir: other }), DayFileHeaderError);
    assert.equal((await counts(backend)).ingestion_state, 0);
    assert.equal(addDays('2025-12-31', 1), '2026-01-01');
    await backend.close();
  });
});
