import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OpsBackend } from '../backend.js';
import { connectPostgresOps } from '../backend-postgres.js';
import { dateRange } from '../days.js';
import { runBackfill, runDaily } from '../jobs.js';
import { opsTicketErrors } from '../tables.js';
import { generateYear, openDuckDb, snapshot, tempDir } from './support.js';

const SERVER = process.env.SLUICE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `ops_t${randomBytes(4).toString('hex')}`;

/** A backend in its own schema of the test database, dropped when the file ends. */
async function openSchema(name: string): Promise<OpsBackend> {
  return connectPostgresOps(`${SERVER}?schema=${RUN}_${name}`);
}

async function serverDown(): Promise<string | null> {
  try {
    const probe = await openSchema('probe');
    await probe.close();
    return null;
  } catch (error) {
    return `PostgreSQL at ${SERVER} is not reachable (${(error as Error).message})`;
  }
}

describe('ops-tickets on PostgreSQL (real server): backfill and the daily job agree', async () => {
  const down = await serverDown();
  if (down !== null && process.env.CI === 'true') throw new Error(`${down}; under CI=true a down server fails the test`);
  if (down !== null) process.stderr.write(`skipping PostgreSQL ops-tickets tests: ${down}\n`);
  const dir = tempDir();
  const data = join(dir, 'data');
  before(() => {
    if (down === null) generateYear(data);
  });
  after(async () => {
    if (down !== null) return;
    const admin = await openSchema('probe');
    const schemas = await admin.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '${RUN}%'`);
    await admin.run(schemas.map((s) => `DROP SCHEMA "${s.nspname}" CASCADE`));
    await admin.close();
  });

  it('backfill Jan–Dec gives exactly the tables of backfill Jan–Oct followed by 61 daily runs — and the same as DuckDB', { skip: down ?? false, timeout: 600_000 }, async () => {
    const whole = await openSchema('whole');
    await runBackfill({ backend: whole, dir: data, from: '2025-01-01', to: '2025-12-31' });
    const expected = await snapshot(whole);
    const expectedErrors = await snapshot(whole, [opsTicketErrors]);
    await whole.close();

    const stepwise = await openSchema('stepwise');
    await runBackfill({ backend: stepwise, dir: data, from: '2025-01-01', to: '2025-10-31' });
    const days: string[] = [];
    for (let i = 0; i < 61; i++) days.push((await runDaily({ backend: stepwise, dir: data })).dates[0] as string);
    assert.deepEqual(days, dateRange('2025-11-01', '2025-12-31'));
    const actual = await snapshot(stepwise);
    for (const table of Object.keys(expected)) assert.deepEqual(actual[table], expected[table], `table ${table}`);
    const strip = (rows: unknown[] | undefined): unknown[] => (rows ?? []).map((r) => ({ ...(r as object), error_timestamp: null }));
    assert.deepEqual(strip((await snapshot(stepwise, [opsTicketErrors])).ops_ticket_errors), strip(expectedErrors.ops_ticket_errors));
    await stepwise.close();

    // The dialects are isolated well enough that both warehouses compute the same values.
    const duck = await openDuckDb(join(dir, 'same.duckdb'));
    await runBackfill({ backend: duck, dir: data });
    const duckTables = await snapshot(duck);
    await duck.close();
    for (const table of Object.keys(expected)) assert.deepEqual(duckTables[table], expected[table], `DuckDB and PostgreSQL agree on ${table}`);
  });

  it('two daily runs started from the same state process the date once; the second changes nothing', { skip: down ?? false, timeout: 300_000 }, async () => {
    const setup = await openSchema('race');
    await runBackfill({ backend: setup, dir: data, to: '2025-10-31' });
    const a = await openSchema('race');
    const b = await openSchema('race');
    const results = await Promise.all([runDaily({ backend: a, dir: data }), runDaily({ backend: b, dir: data })]);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['already_processed', 'processed']);
    assert.ok(results.every((r) => r.dates[0] === '2025-11-01'));
    const [state] = await setup.query(`SELECT count(*) AS n, count(DISTINCT run_id) AS runs FROM ingestion_state WHERE ops_date = DATE '2025-11-01'`);
    assert.equal(Number(state?.n), 1);
    const before = await snapshot(setup);
    const again = await runDaily({ backend: a, dir: data, date: '2025-11-01' });
    assert.equal(again.outcome, 'already_processed');
    assert.deepEqual(await snapshot(setup), before);
    await Promise.all([a.close(), b.close(), setup.close()]);
  });
});
