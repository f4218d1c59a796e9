import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runWarehouseContract } from '../../../test/contracts/warehouse-contract.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { SluiceError, TableMissingError } from '../../core/errors.js';
import { encodeRows } from '../../core/row-frame.js';
import { defineTable } from '../../core/schema.js';
import type { TableBatch } from '../../core/warehouse.js';
import { duckDbWarehouseOnThread } from './duckdb-on-thread.js';

runWarehouseContract('duckdb on its own thread', async () => {
  const wh = duckDbWarehouseOnThread({ path: ':memory:' });
  await wh.open();
  return wh;
});

describe('DuckDB warehouse on its own thread', () => {
  const table = defineTable({ name: 't', columns: [{ name: 'v', type: 'integer' }, { name: 'label', type: 'string' }] });

  it('reports the file it opened, and the rows a commit wrote are there after a reopen in-process', async () => {
    const path = join(tempDir(), 'w.duckdb');
    const first = duckDbWarehouseOnThread({ path });
    await first.open();
    assert.equal(first.kind, 'duckdb');
    assert.equal(first.location, path);
    assert.equal(first.acceptsFrames, true);
    await first.ensureTable(table);
    const frame = encodeRows([['a', 1, 'x'], ['b', 2, 'ü']], 3);
    const result = await first.commit([{ table, rows: [], frames: [frame] }]);
    assert.deepEqual(result.tables, [{ table: 't', inserted: 2, duplicates: 0 }]);
    await first.close();
    const second = duckDbWarehouseOnThread({ path });
    await second.open();
    assert.deepEqual(await second.query('SELECT _id, v, label FROM t ORDER BY _id'), [
      { _id: 'a', v: 1, label: 'x' },
      { _id: 'b', v: 2, label: 'ü' },
    ]);
    await second.close();
  });

  it('moves a commit\'s frames (its rows encoded as one) to the thread, and a commit that failed gets them back for its retry', async () => {
    const wh = duckDbWarehouseOnThread({ path: ':memory:' });
    await wh.open();
    try {
      const frame = encodeRows([['a', 1, 'x'], ['b', 2, 'y']], 3);
      // Rows cross as a frame too, encoded ahead of the batch's frames (rows first, as a warehouse writes them).
      const batches: TableBatch[] = [{ table, rows: [['r', 0, 'row']], frames: [frame] }];
      // Written before ensureTable: refused, a real failure inside the thread.
      await assert.rejects(() => wh.commit(batches), (error: unknown) => error instanceof SluiceError && error.code === 'TABLE_NOT_PREPARED');
      const ends = (frame.columns[0] as { text: { ends: Int32Array } }).text.ends;
      assert.equal(ends.length, 0, 'the frame went to the thread (its buffers moved, not copied)');
      await wh.ensureTable(table);
      // The runner retries with the same batches: the rows are those the thread handed back.
      const retried = await wh.commit(batches);
      assert.deepEqual(retried.tables, [{ table: 't', inserted: 3, duplicates: 0 }]);
      assert.deepEqual(await wh.query('SELECT _id, v, label FROM t ORDER BY _id'), [
        { _id: 'a', v: 1, label: 'x' },
        { _id: 'b', v: 2, label: 'y' },
        { _id: 'r', v: 0, label: 'row' },
      ]);
    } finally {
      await wh.close();
    }
  });

  it('rebuilds the thread\'s typed errors with their class, code and fields', async () => {
    const wh = duckDbWarehouseOnThread({ path: ':memory:' });
    await wh.open();
    try {
      await assert.rejects(
        () => wh.ensureTable(defineTable({ name: 'absent', columns: [] }), 'never'),
        (error: unknown) => error instanceof TableMissingError && error.code === 'TABLE_MISSING' && error.table === 'absent' && error.name === 'TableMissingError',
      );
    } finally {
      await wh.close();
    }
  });

  it('says which process holds the file when another process writes to it', async () => {
    const path = join(tempDir(), 'locked.duckdb');
    const holder = duckDbWarehouseOnThread({ path });
    await holder.open();
    try {
      const { spawnSync } = await import('node:child_process');
      const script = `import { duckDbWarehouseOnThread } from ${JSON.stringify(new URL('./duckdb-on-thread.ts', import.meta.url).href)}; const w = duckDbWarehouseOnThread({ path: ${JSON.stringify(path)} }); try { await w.open(); console.log('opened'); } catch (e) { console.log(e.code + ' ' + e.message); }`;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
      assert.match(child.stdout, /WAREHOUSE_LOCKED .*another process/);
    } finally {
      await holder.close();
    }
  });

  it('fails every call, saying so, once its thread is gone', async () => {
    const wh = duckDbWarehouseOnThread({ path: ':memory:' });
    await wh.open();
    await wh.ensureTable(table);
    // A thread that dies (a native crash, an out-of-memory abort) cannot be caused on demand.
    await (wh as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await assert.rejects(() => wh.query('SELECT 1'), (error: unknown) => error instanceof SluiceError && error.code === 'WAREHOUSE_THREAD_FAILED' && /exited/.test(error.message));
    await wh.close().catch(() => undefined);
  });

  it('rejects calls before open and after close', async () => {
    const wh = duckDbWarehouseOnThread({ path: ':memory:' });
    await assert.rejects(() => wh.query('SELECT 1'), (error: unknown) => error instanceof SluiceError && error.code === 'WAREHOUSE_CLOSED');
    await wh.open();
    assert.deepEqual(await wh.query('SELECT 42 AS x'), [{ x: 42 }]);
    await wh.close();
    await assert.rejects(() => wh.query('SELECT 1'), (error: unknown) => error instanceof SluiceError && error.code === 'WAREHOUSE_CLOSED');
  });
});
