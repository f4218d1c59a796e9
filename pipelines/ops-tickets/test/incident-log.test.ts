import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBackfill } from '../jobs.js';
import { convertIncidentLog, incidentTime } from '../profiles/incident-log.js';
import { OPS_TABLES } from '../tables.js';
import { openDuckDb, tempDir } from './support.js';

const LOG = new URL('../../../../shared/data/real/incident-event-log.csv', import.meta.url).pathname;

describe('the incident-log profile on the real ServiceNow event log', { skip: existsSync(LOG) ? false : `no ${LOG}` }, () => {
  it('loads into the same tables, every event row accounted for, no caller identifiers stored', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const converted = convertIncidentLog(LOG);
    const backend = await openDuckDb(join(dir, 'w.duckdb'));
    try {
      const a = converted.accounting;
      assert.equal(a.events, 5998);
      assert.equal(a.tickets, 890, 'one ticket per incident number');
      assert.equal(a.events, a.tickets + a.superseded + a.errored);
      const result = await runBackfill({ backend, dir: converted.dir, preparedErrors: converted.errors, sourceOf: () => 'incident-event-log.csv' });
      assert.deepEqual(result.dates, ['2016-02-29', '2016-03-01', '2016-03-02']);
      assert.equal(result.totals.rowsRead, a.tickets);
      assert.equal(result.totals.rowsRead, result.totals.rowsLoaded + result.totals.rowsErrored);
      assert.ok(result.totals.rowsLoaded >= 880);

      const [ticket] = await backend.query(
        `SELECT CAST(created_at AS VARCHAR) AS c, CAST(first_response_at AS VARCHAR) AS f, CAST(resolved_at AS VARCHAR) AS r, CAST(closed_at AS VARCHAR) AS cl, priority, sla_hours, team, status, reopen_count FROM fact_tickets WHERE ticket_id = 'INC0000045'`,
      );
      assert.deepEqual(ticket, { c: '2016-02-29 01:16:00', f: '2016-02-29 08:53:00', r: '2016-02-29 11:29:00', cl: '2016-03-05 12:00:00', priority: 'Medium', sla_hours: 24, team: 'Group 56', status: 'Closed', reopen_count: 0 });
      const [reopened] = await backend.query(`SELECT reopen_count FROM fact_tickets WHERE ticket_id = 'INC0000102'`);
      assert.equal(reopened?.reopen_count, 1, 'the latest event carries the reopen count');
      const [backlog] = await backend.query(`SELECT open_end FROM backlog_daily WHERE ops_date = DATE '2016-03-02'`);
      const [open] = await backend.query(`SELECT count(*) AS n FROM fact_tickets WHERE resolved_date IS NULL OR resolved_date > DATE '2016-03-02'`);
      assert.equal(Number(backlog?.open_end), Number(open?.n));

      for (const table of OPS_TABLES) {
        const columns = table.columns.map((c) => `coalesce(CAST("${c.name}" AS VARCHAR), '')`).join(" || '|' || ");
        const [hit] = await backend.query(`SELECT count(*) AS n FROM ${table.name} WHERE ${columns} LIKE '%Caller %' OR ${columns} LIKE '%Opened by%' OR ${columns} LIKE '%Created by%' OR ${columns} LIKE '%Updated by%'`);
        assert.equal(Number(hit?.n), 0, `no caller, opener, creator or updater code in ${table.name}`);
      }
    } finally {
      converted.dispose();
      await backend.close();
    }
  });

  it('makes error rows of event rows it cannot use, and counts them', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const lines = readFileSync(LOG, 'utf8').replace(/\r/g, '').trimEnd().split('\n');
    const header = (lines[0] as string).split(',');
    const row = (changes: Record<string, string>): string => {
      const fields = (lines[1] as string).split(',');
      for (const [k, v] of Object.entries(changes)) fields[header.indexOf(k)] = v;
      return fields.join(',');
    };
    const path = join(dir, 'log.csv');
    writeFileSync(path, `${[...lines, row({ number: '?' }), row({ number: 'INC9999999', sys_mod_count: 'x' }), row({ number: 'INC9999998', opened_at: '2016/03/01 10:00' })].join('\n')}\n`);
    const converted = convertIncidentLog(path);
    try {
      assert.equal(converted.accounting.events, 6001);
      assert.equal(converted.accounting.errored, 3);
      assert.deepEqual(converted.errors.map((e) => e.errorType).sort(), ['bad_timestamp', 'invalid_value', 'missing_field']);
      assert.ok(converted.errors.every((e) => !/Caller|Opened by|Created by|Updated by/.test(e.rawPayload)), 'error rows show only the mapped columns');
      const backend = await openDuckDb(join(dir, 'w.duckdb'));
      await runBackfill({ backend, dir: converted.dir, preparedErrors: converted.errors, sourceOf: () => 'log.csv' });
      const [n] = await backend.query(`SELECT count(*) AS n FROM ops_ticket_errors WHERE step = 'profile'`);
      assert.equal(Number(n?.n), 3);
      await backend.close();
    } finally {
      converted.dispose();
    }
  });

  it('reads DD-MM-YYYY hh:mm times and leaves anything else for the rules to judge', () => {
    assert.equal(incidentTime('29-02-2016 01:16'), '2016-02-29 01:16:00');
    assert.equal(incidentTime('?'), '');
    assert.equal(incidentTime('2016-02-29'), '2016-02-29');
  });
});
