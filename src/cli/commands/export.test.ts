import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../test/support/temp-dir.js';
import { DuckDbWarehouse } from '../../connectors/duckdb/duckdb-warehouse.js';
import { ConfigError } from '../../core/errors.js';
import { defineTable } from '../../core/schema.js';
import type { Warehouse } from '../../core/warehouse.js';
import { ExportError, exportTable } from './export.js';

const events = defineTable({
  name: 'events',
  columns: [
    { name: 'amount', type: 'double' },
    { name: 'happened_at', type: 'timestamp' },
    { name: 'day', type: 'date' },
  ],
});

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 1, 22);

describe('exportTable', () => {
  const dir = tempDir();
  const wh = new DuckDbWarehouse({ path: ':memory:' });

  before(async () => {
    await wh.open();
    await wh.ensureTable(events);
    // 30 rows over three UTC days; `day` deliberately lags `happened_at` by a day.
    const rows = Array.from({ length: 30 }, (_, i) => {
      const at = START + i * 4 * 3_600_000;
      return [`e${i}`, i * 1.5, at, new Date(at - DAY).toISOString().slice(0, 10)];
    });
    await wh.commit([{ table: events, rows }]);
  });
  after(async () => {
    await wh.close();
  });

  const readBack = (path: string) =>
    wh.query(
      `SELECT CAST(day AS VARCHAR) AS day, count(*) AS n, sum(amount) AS total FROM read_parquet('${path}', hive_partitioning = true) GROUP BY 1 ORDER BY 1`,
    );

  it('writes one Parquet file without partitioning', async () => {
    const out = join(dir, 'plain');
    const result = await exportTable(wh, { table: 'events', format: 'parquet', out });
    assert.deepEqual(result, { rows: 30, files: ['events.parquet'], partitions: [] });
    const [row] = await wh.query(`SELECT count(*) AS n, sum(amount) AS total FROM read_parquet('${join(out, 'events.parquet')}')`);
    assert.deepEqual(row, { n: 30, total: 652.5 });
  });

  it('partitions by the UTC day of a timestamp column, replacing a day column of the same name', async () => {
    const out = join(dir, 'by-time');
    const result = await exportTable(wh, { table: 'events', format: 'parquet', out, partitionByDay: 'happened_at' });
    assert.equal(result.rows, 30);
    assert.deepEqual(result.partitions, ['day=2026-11-01', 'day=2026-11-02', 'day=2026-11-03', 'day=2026-11-04', 'day=2026-11-05', 'day=2026-11-06']);
    assert.ok(
      result.files.every((f) => /^day=\d{4}-\d{2}-\d{2}\/data_\d+\.parquet$/.test(f)),
      result.files.join(', '),
    );
    const back = await readBack(join(out, '*', '*.parquet'));
    const expected = await wh.query(
      `SELECT CAST(CAST(happened_at AS DATE) AS VARCHAR) AS day, count(*) AS n, sum(amount) AS total FROM events GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(back, expected);
  });

  it('partitions by an existing DATE column as it is', async () => {
    const out = join(dir, 'by-day');
    const result = await exportTable(wh, { table: 'events', format: 'parquet', out, partitionByDay: 'day' });
    assert.equal(result.partitions[0], 'day=2026-10-31');
    assert.deepEqual(
      await readBack(join(out, '*', '*.parquet')),
      await wh.query('SELECT CAST(day AS VARCHAR) AS day, count(*) AS n, sum(amount) AS total FROM events GROUP BY 1 ORDER BY 1'),
    );
  });

  it('writes CSV with a header, too', async () => {
    const out = join(dir, 'csv');
    const result = await exportTable(wh, { table: 'events', format: 'csv', out });
    assert.deepEqual(result.files, ['events.csv']);
    const text = readFileSync(join(out, 'events.csv'), 'utf8').trim().split('\n');
    assert.equal(text[0], '_id,amount,happened_at,day');
    assert.equal(text.length, 31);
  });

  it('refuses a non-empty target unless told to overwrite', async () => {
    const out = join(dir, 'again');
    await exportTable(wh, { table: 'events', format: 'parquet', out, partitionByDay: 'happened_at' });
    await assert.rejects(
      exportTable(wh, { table: 'events', format: 'parquet', out, partitionByDay: 'happened_at' }),
      (e: unknown) => e instanceof ExportError && e.code === 'TARGET_NOT_EMPTY' && /--overwrite/.test(e.message),
    );
    const again = await exportTable(wh, { table: 'events', format: 'parquet', out, partitionByDay: 'happened_at', overwrite: true });
    assert.equal(again.rows, 30);
    const [row] = await wh.query(`SELECT count(*) AS n FROM read_parquet('${join(out, '*', '*.parquet')}')`);
    assert.equal(row?.n, 30, 'overwriting replaced the files instead of adding to them');
  });

  it('names what is wrong: a missing table, a missing column, a column that is no time', async () => {
    const out = join(dir, 'errors');
    await assert.rejects(
      exportTable(wh, { table: 'nope', format: 'parquet', out }),
      (e: unknown) => e instanceof ExportError && e.code === 'TABLE_MISSING' && /tables: events/.test(e.message),
    );
    await assert.rejects(
      exportTable(wh, { table: 'events', format: 'parquet', out, partitionByDay: 'when' }),
      (e: unknown) => e instanceof ExportError && e.code === 'COLUMN_MISSING' && /columns: _id, amount/.test(e.message),
    );
    await assert.rejects(
      exportTable(wh, { table: 'events', format: 'parquet', out, partitionByDay: 'amount' }),
      (e: unknown) => e instanceof ExportError && e.code === 'COLUMN_NOT_TEMPORAL',
    );
    assert.equal(existsSync(join(out, 'events.parquet')), false);
  });

  it('needs a DuckDB warehouse', async () => {
    const postgres = { kind: 'postgres', location: 'postgres://127.0.0.1/test' } as unknown as Warehouse;
    await assert.rejects(exportTable(postgres, { table: 'events', format: 'parquet', out: join(dir, 'pg') }), ConfigError);
  });
});
