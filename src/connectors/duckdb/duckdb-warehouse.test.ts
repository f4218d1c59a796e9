import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runWarehouseContract } from '../../../test/contracts/warehouse-contract.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { defineTable } from '../../core/schema.js';
import { DuckDbWarehouse } from './duckdb-warehouse.js';

runWarehouseContract('duckdb', async () => {
  const wh = new DuckDbWarehouse({ path: ':memory:' });
  await wh.open();
  return wh;
});

describe('DuckDB warehouse', () => {
  it('persists to a file and reopens with the rows and the key intact', async () => {
    const path = join(tempDir(), 'w.duckdb');
    const table = defineTable({ name: 't', columns: [{ name: 'v', type: 'integer' }] });
    const first = new DuckDbWarehouse({ path });
    await first.open();
    await first.ensureTable(table);
    await first.commit([{ table, rows: [['a', 1]] }]);
    await first.close();
    const second = new DuckDbWarehouse({ path });
    await second.open();
    await second.ensureTable(table, 'never');
    const result = await second.commit([{ table, rows: [['a', 1], ['b', 2]] }]);
    assert.deepEqual(result.tables, [{ table: 't', inserted: 1, duplicates: 1 }]);
    await second.close();
  });

  it('refuses, naming the difference, a table whose columns are not the declared ones in the declared order', async () => {
    // The appender fills columns by position: values must never land in another column.
    const table = defineTable({ name: 'tickets', key: 'ticket_id', columns: [{ name: 'ticket_id', type: 'string' }, { name: 'ward', type: 'string' }, { name: 'n', type: 'integer' }] });
    const cases: Array<[ddl: string, says: RegExp]> = [
      ['CREATE TABLE tickets (_id VARCHAR, ticket_id VARCHAR, ward VARCHAR, n INTEGER)', /has column\(s\) _id that the pipeline does not declare \(it writes ticket_id, ward, n, in that order\)/],
      ['CREATE TABLE tickets (ticket_id VARCHAR, n INTEGER, ward VARCHAR)', /declared columns in another order \(ticket_id, n, ward\); rows are appended in the order ticket_id, ward, n/],
      ['CREATE TABLE tickets (ticket_id VARCHAR, n INTEGER)', /lacks column\(s\) ward/],
    ];
    for (const [ddl, says] of cases) {
      const wh = new DuckDbWarehouse({ path: ':memory:' });
      await wh.open();
      try {
        await wh.execute(ddl);
        await assert.rejects(wh.ensureTable(table, 'never'), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'SCHEMA_MISMATCH');
          assert.match(error.message, says);
          return true;
        });
      } finally {
        await wh.close();
      }
    }
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    await wh.execute('CREATE TABLE tickets (ticket_id VARCHAR, ward VARCHAR, n INTEGER)');
    await wh.ensureTable(table, 'never');
    await wh.commit([{ table, rows: [['T1', 'Ward 4', 7]] }]);
    assert.deepEqual(await wh.query('SELECT ticket_id, ward, n FROM tickets'), [{ ticket_id: 'T1', ward: 'Ward 4', n: 7 }]);
    await wh.close();
  });

  it('says which process holds the file when a second writer opens it', async () => {
    const path = join(tempDir(), 'locked.duckdb');
    const holder = new DuckDbWarehouse({ path });
    await holder.open();
    // DuckDB locks per process, so a second instance in this process shares the lock; a child
    // process is what a user sees. Spawning one here keeps the test honest.
    const { spawnSync } = await import('node:child_process');
    const script = `import { DuckDbWarehouse } from ${JSON.stringify(new URL('./duckdb-warehouse.ts', import.meta.url).href)}; const w = new DuckDbWarehouse({ path: ${JSON.stringify(path)} }); try { await w.open(); console.log('opened'); } catch (e) { console.log(e.code + ' ' + e.message); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(child.stdout, /WAREHOUSE_LOCKED .*another process/);
    await holder.close();
  });

  it('stores hinted string columns in the encoding their cardinality names, and leaves the rest to DuckDB', async () => {
    const path = join(tempDir(), 'hints.duckdb');
    const table = defineTable({
      name: 'hinted',
      columns: [
        { name: 'ward', type: 'string', cardinality: 'low' },
        { name: 'note', type: 'string', cardinality: 'high' },
        { name: 'payload', type: 'json', cardinality: 'high' },
        { name: 'free', type: 'string' },
      ],
    });
    const wh = new DuckDbWarehouse({ path });
    await wh.open();
    await wh.ensureTable(table);
    // Text DuckDB on its own would store otherwise: a handful of distinct short notes (it picks a
    // dictionary), and wards that are all different (it would not pick one).
    const rows = Array.from({ length: 5000 }, (_, i) => [`id-${i}`, `Ward ${i}`, `note ${i % 3}`, JSON.stringify({ n: i % 2 }), `free ${i % 3}`]);
    await wh.commit([{ table, rows }]);
    await wh.query('CHECKPOINT');
    const stored = await wh.query(
      `SELECT column_name, string_agg(DISTINCT compression, ',' ORDER BY compression) AS compression FROM pragma_storage_info('hinted') WHERE segment_type IN ('VARCHAR', 'JSON') GROUP BY column_name ORDER BY column_name`,
    );
    const byColumn = Object.fromEntries(stored.map((r) => [r.column_name, r.compression]));
    assert.equal(byColumn._id, 'FSST', 'the key column is unique: high cardinality');
    assert.equal(byColumn.ward, 'Dictionary');
    assert.equal(byColumn.note, 'FSST');
    assert.equal(byColumn.payload, 'FSST');
    assert.equal(byColumn.free, 'Dictionary', 'an unhinted column is DuckDB’s own choice');
    await wh.close();
  });
});
