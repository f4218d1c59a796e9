import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TableMissingError } from '../../src/core/errors.js';
import { defineTable } from '../../src/core/schema.js';
import type { Warehouse } from '../../src/core/warehouse.js';

export interface WarehouseContractOptions {
  /** Skip every case, printing this reason (a server that is down). */
  readonly skip?: string;
  /**
   * Two opened warehouses over the same fresh, empty storage, for backends that allow several
   * writers (PostgreSQL). Without it, the race cases run two commits on one instance.
   */
  readonly createPair?: () => Promise<readonly [Warehouse, Warehouse]>;
}

/**
 * The behaviour every warehouse must share (hono's common.case.test habit): run it against each
 * backend with a factory that returns a fresh, empty, opened warehouse.
 *
 * @example
 * runWarehouseContract('duckdb', async () => { const wh = new DuckDbWarehouse({ path: ':memory:' }); await wh.open(); return wh; });
 */
export function runWarehouseContract(name: string, create: () => Promise<Warehouse>, options: WarehouseContractOptions = {}): void {
  const pair = async (): Promise<readonly [Warehouse, Warehouse]> => {
    if (options.createPair !== undefined) return options.createPair();
    const wh = await create();
    return [wh, wh];
  };
  const closeAll = async (...warehouses: Warehouse[]): Promise<void> => {
    for (const wh of new Set(warehouses)) await wh.close();
  };
  const events = defineTable({
    name: 'contract_events',
    partitionBy: 'at',
    columns: [
      { name: 'label', type: 'string' },
      { name: 'n', type: 'integer' },
      { name: 'big', type: 'bigint' },
      { name: 'score', type: 'double' },
      { name: 'flag', type: 'boolean' },
      { name: 'at', type: 'timestamp' },
      { name: 'day', type: 'date' },
      { name: 'tags', type: 'string[]' },
      { name: 'doc', type: 'json' },
    ],
  });
  const row = (id: string, n: number): unknown[] => [id, `label ${n}`, n, n * 1000, n / 4, n % 2 === 0, Date.UTC(2026, 10, 1, 8, n), '2026-11-01', [`t${n}`, 'x'], { n }];

  describe(`warehouse contract: ${name}`, { ...(options.skip !== undefined ? { skip: options.skip } : {}) }, () => {
    it('creates a table from its declared schema and round-trips every column type', async () => {
      const wh = await create();
      try {
        await wh.ensureTable(events, 'if-needed');
        await wh.commit([{ table: events, rows: [row('a', 2)] }]);
        const [r] = await wh.query('SELECT * FROM contract_events');
        assert.deepEqual(r, {
          _id: 'a',
          label: 'label 2',
          n: 2,
          big: 2000,
          score: 0.5,
          flag: true,
          at: '2026-11-01T08:02:00.000Z',
          day: '2026-11-01T00:00:00.000Z',
          tags: ['t2', 'x'],
          doc: r?.doc,
        });
        assert.deepEqual(typeof r?.doc === 'string' ? JSON.parse(r.doc) : r?.doc, { n: 2 });
      } finally {
        await wh.close();
      }
    });

    it('ignores rows whose key is already present — across commits and within one', async () => {
      const wh = await create();
      try {
        await wh.ensureTable(events, 'if-needed');
        const first = await wh.commit([{ table: events, rows: [row('a', 1), row('b', 2), row('a', 3)] }]);
        assert.deepEqual(first.tables, [{ table: 'contract_events', inserted: 2, duplicates: 1 }]);
        const second = await wh.commit([{ table: events, rows: [row('b', 9), row('c', 4)] }]);
        assert.deepEqual(second.tables, [{ table: 'contract_events', inserted: 1, duplicates: 1 }]);
        const rows = await wh.query('SELECT _id, n FROM contract_events ORDER BY _id');
        assert.deepEqual(rows, [{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }, { _id: 'c', n: 4 }]);
      } finally {
        await wh.close();
      }
    });

    it('commits several tables atomically', async () => {
      const wh = await create();
      const other = defineTable({ name: 'contract_other', columns: [{ name: 'v', type: 'integer', nullable: false }] });
      try {
        await wh.ensureTable(events, 'if-needed');
        await wh.ensureTable(other, 'if-needed');
        await assert.rejects(() => wh.commit([{ table: events, rows: [row('a', 1)] }, { table: other, rows: [['x', null]] }]));
        const [r] = await wh.query('SELECT count(*) AS c FROM contract_events');
        assert.equal(r?.c, 0, 'the first table is rolled back with the second');
      } finally {
        await wh.close();
      }
    });

    it('refuses a missing table under create-never, naming it', async () => {
      const wh = await create();
      try {
        await assert.rejects(() => wh.ensureTable(defineTable({ name: 'contract_absent', columns: [] }), 'never'), (error: unknown) => {
          assert.ok(error instanceof TableMissingError);
          assert.match(error.message, /contract_absent/);
          assert.equal(error.code, 'TABLE_MISSING');
          return true;
        });
      } finally {
        await wh.close();
      }
    });

    it('stores null for missing or unconvertible values rather than failing the batch', async () => {
      const wh = await create();
      try {
        await wh.ensureTable(events, 'if-needed');
        await wh.commit([{ table: events, rows: [['z', undefined, 'x', 'y', 'nope', null, 'not a time', 'garbage', null, null]] }]);
        const [r] = await wh.query('SELECT label, n, big, score, flag, "at", "day", tags FROM contract_events');
        assert.deepEqual(r, { label: null, n: null, big: null, score: null, flag: null, at: null, day: null, tags: null });
      } finally {
        await wh.close();
      }
    });

    it('keeps rows of several days and a NULL partition value in a partitioned table, idempotent on the key alone', async () => {
      const wh = await create();
      try {
        await wh.ensureTable(events, 'if-needed');
        const days = [row('d1', 1), row('d2', 2), row('d3', 3), row('nul', 4)];
        (days[1] as unknown[])[6] = Date.UTC(2026, 10, 2, 23, 59, 59, 999);
        (days[2] as unknown[])[6] = Date.UTC(2026, 10, 3, 0, 0);
        (days[3] as unknown[])[6] = null;
        const first = await wh.commit([{ table: events, rows: days }]);
        assert.deepEqual(first.tables, [{ table: 'contract_events', inserted: 4, duplicates: 0 }]);
        // A redelivered record whose partition value changed (a processing time) is still the same record.
        const moved = row('d1', 9);
        (moved as unknown[])[6] = Date.UTC(2026, 10, 5, 12, 0);
        const again = await wh.commit([{ table: events, rows: [moved, row('d4', 5)] }]);
        assert.deepEqual(again.tables, [{ table: 'contract_events', inserted: 1, duplicates: 1 }]);
        const rows = await wh.query('SELECT _id, n, "at" FROM contract_events ORDER BY _id');
        assert.deepEqual(rows, [
          { _id: 'd1', n: 1, at: '2026-11-01T08:01:00.000Z' },
          { _id: 'd2', n: 2, at: '2026-11-02T23:59:59.999Z' },
          { _id: 'd3', n: 3, at: '2026-11-03T00:00:00.000Z' },
          { _id: 'd4', n: 5, at: '2026-11-01T08:05:00.000Z' },
          { _id: 'nul', n: 4, at: null },
        ]);
        const [day] = await wh.query('SELECT count(*) AS c FROM contract_events WHERE "at" >= $1 AND "at" < $2', ['2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z']);
        assert.equal(day?.c, 1);
      } finally {
        await wh.close();
      }
    });

    it('replaces the stored row of an upsert table instead of ignoring it', async () => {
      const wh = await create();
      const latest = defineTable({ name: 'contract_latest', writeMode: 'upsert', columns: [{ name: 'v', type: 'integer' }, { name: 'at', type: 'timestamp' }] });
      try {
        await wh.ensureTable(latest, 'if-needed');
        await wh.commit([{ table: latest, rows: [['a', 1, Date.UTC(2026, 0, 1)], ['b', 1, Date.UTC(2026, 0, 1)]] }]);
        await wh.commit([{ table: latest, rows: [['a', 2, Date.UTC(2026, 0, 2)]] }]);
        assert.deepEqual(await wh.query('SELECT _id, v, "at" FROM contract_latest ORDER BY _id'), [
          { _id: 'a', v: 2, at: '2026-01-02T00:00:00.000Z' },
          { _id: 'b', v: 1, at: '2026-01-01T00:00:00.000Z' },
        ]);
      } finally {
        await wh.close();
      }
    });

    it('reports an empty commit as nothing written', async () => {
      const wh = await create();
      try {
        await wh.ensureTable(events, 'if-needed');
        const result = await wh.commit([{ table: events, rows: [] }]);
        assert.deepEqual(result.tables, [{ table: 'contract_events', inserted: 0, duplicates: 0 }]);
      } finally {
        await wh.close();
      }
    });

    for (const partitioned of [true, false]) {
      it(`ends with exactly one row per key when two writers race on the same keys (${partitioned ? 'partitioned' : 'plain'} table)`, async () => {
        const [a, b] = await pair();
        const table = partitioned ? events : defineTable({ name: 'contract_plain', columns: events.columns.filter((c) => c.name !== '_id') });
        try {
          await a.ensureTable(table, 'if-needed');
          await b.ensureTable(table, 'never');
          const rows = Array.from({ length: 400 }, (_, i) => row(`k${i}`, i % 50));
          // Opposite orders: a writer that locked keys in arrival order would deadlock here.
          const [ra, rb] = await Promise.all([
            a.commit([{ table, rows }]),
            b.commit([{ table, rows: [...rows].reverse() }]),
          ]);
          const inserted = (ra.tables[0]?.inserted ?? 0) + (rb.tables[0]?.inserted ?? 0);
          const duplicates = (ra.tables[0]?.duplicates ?? 0) + (rb.tables[0]?.duplicates ?? 0);
          assert.deepEqual({ inserted, duplicates }, { inserted: 400, duplicates: 400 });
          const [count] = await a.query(`SELECT count(*) AS c, count(DISTINCT _id) AS k FROM ${table.name}`);
          assert.deepEqual(count, { c: 400, k: 400 });
        } finally {
          await closeAll(a, b);
        }
      });
    }
  });
}
