import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { TableMissingError } from '../../src/core/errors.js';
import { encodeRows } from '../../src/core/row-frame.js';
import { type ColumnSpec, defineTable, type Row, type TableSpec, type WriteMode } from '../../src/core/schema.js';
import type { CommitResult, TableBatch, Warehouse } from '../../src/core/warehouse.js';

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
  const events = everyType('contract_events', 'insert-or-ignore');
  const row = (id: string, n: number): unknown[] => [id, `label ${n}`, n, n * 1000, n / 4, n % 2 === 0, Date.UTC(2026, 10, 1, 8, n), '2026-11-01', [`t${n}`, 'x'], { n }];

  /**
   * Runs `body` once per write mode on a fresh warehouse that takes frames; a warehouse that does
   * not is skipped, saying why (the runner hands it rows only).
   */
  const withFramesWarehouse = async (t: TestContext, body: (wh: Warehouse, writeMode: 'insert-or-ignore' | 'upsert') => Promise<void>): Promise<void> => {
    const wh = await create();
    try {
      if (wh.acceptsFrames !== true) {
        t.skip(`${name} does not declare acceptsFrames: the runner hands it rows only`);
        return;
      }
      for (const writeMode of ['insert-or-ignore', 'upsert'] as const) await body(wh, writeMode);
    } finally {
      await wh.close();
    }
  };

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

    it('treats two batches of one table in a commit as one set of rows (the first row per key wins)', async () => {
      const wh = await create();
      try {
        await wh.ensureTable(events, 'if-needed');
        const result = await wh.commit([
          { table: events, rows: [row('a', 1)] },
          { table: events, rows: [row('a', 2), row('b', 3)] },
        ]);
        assert.deepEqual(result.tables, [{ table: 'contract_events', inserted: 2, duplicates: 1 }], 'one result per table');
        const rows = await wh.query('SELECT _id, n FROM contract_events ORDER BY _id');
        assert.deepEqual(rows, [
          { _id: 'a', n: 1 },
          { _id: 'b', n: 3 },
        ]);
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

    it('stores rows given as frames exactly as the same rows given as rows, or as rows and frames together', (t) =>
      withFramesWarehouse(t, async (wh, writeMode) => {
        const tables = {
          rows: everyType(`contract_${writeMode === 'upsert' ? 'upsert' : 'ignore'}_rows`, writeMode),
          frames: everyType(`contract_${writeMode === 'upsert' ? 'upsert' : 'ignore'}_frames`, writeMode),
          mixed: everyType(`contract_${writeMode === 'upsert' ? 'upsert' : 'ignore'}_mixed`, writeMode),
        };
        for (const table of Object.values(tables)) await wh.ensureTable(table, 'if-needed');
        for (const [c, groups] of TRICKY_COMMITS.entries()) {
          const width = tables.rows.columns.length;
          const last = groups[groups.length - 1] as Row[];
          const results = {
            rows: await commitOne(wh, { table: tables.rows, rows: groups.flat() }),
            frames: await commitOne(wh, { table: tables.frames, rows: [], frames: groups.map((g) => encodeRows(g, width)) }),
            // Rows and frames in one batch; their only shared key carries the same values in both.
            mixed: await commitOne(wh, { table: tables.mixed, rows: last, frames: groups.slice(0, -1).map((g) => encodeRows(g, width)) }),
          };
          const offered = groups.reduce((n, g) => n + g.length, 0);
          // Into an empty table every key is new. Whether an upsert that replaces a stored row
          // reports it as inserted or as a duplicate is left to the warehouse: the three ways agree.
          const expected = writeMode === 'upsert' ? (c === 0 ? { inserted: 20, duplicates: 4 } : null) : c === 0 ? { inserted: 20, duplicates: 4 } : { inserted: 4, duplicates: 5 };
          for (const [via, result] of Object.entries(results)) {
            assert.equal(result.inserted + result.duplicates, offered, `${writeMode} commit ${c + 1} via ${via}: every offered row is counted once`);
            if (expected !== null) assert.deepEqual({ inserted: result.inserted, duplicates: result.duplicates }, expected, `${writeMode} commit ${c + 1} via ${via}`);
            else assert.deepEqual(counted(result), counted(results.rows), `${writeMode} commit ${c + 1} via ${via} counts as via rows`);
          }
        }
        const stored = {
          rows: await tableByKey(wh, tables.rows.name),
          frames: await tableByKey(wh, tables.frames.name),
          mixed: await tableByKey(wh, tables.mixed.name),
        };
        assert.equal(stored.rows.size, 24, `${writeMode}: one row per key`);
        const [counts] = await wh.query(`SELECT count(*) AS n, count(DISTINCT _id) AS keys FROM ${tables.frames.name}`);
        assert.deepEqual(counts, { n: 24, keys: 24 }, `${writeMode}: no key stored twice via frames`);
        assert.deepEqual(stored.frames, stored.rows, `${writeMode}: frames store what rows store`);
        assert.deepEqual(stored.mixed, stored.rows, `${writeMode}: rows and frames together store what rows store`);
        // Which delivery won: a duplicate key holds the same values as the key written once with that tuple.
        const winners = writeMode === 'upsert' ? UPSERT_WINNERS : IGNORE_WINNERS;
        for (const via of ['rows', 'frames'] as const) {
          for (const [key, tuple] of Object.entries(winners)) {
            assert.deepEqual(withoutKey(stored[via].get(key)), withoutKey(stored[via].get(`t${tuple}`)), `${writeMode} via ${via}: key ${key} holds tuple ${tuple}`);
          }
        }
        // The values themselves: the conversions the row path makes, which frames must make too.
        const cell = (key: string, column: string): unknown => stored.frames.get(key)?.[column];
        assert.equal(cell('t0', 'label'), 'plain ascii label');
        assert.equal(cell('t1', 'label'), '', 'the empty string is not null');
        assert.equal(cell('t2', 'label'), null);
        assert.equal(cell('t3', 'label'), null, 'undefined is stored as null');
        assert.equal(cell('t4', 'label'), 'சாலையில் பெரிய குழி உள்ளது');
        assert.equal(cell('t5', 'label'), '😀😀😀', '12 bytes');
        assert.equal(cell('t6', 'label'), '1234567890123', '13 bytes');
        assert.equal(cell('t7', 'label'), '123456789012', '12 bytes');
        assert.equal(cell('t8', 'label'), 'a\uFFFDb', 'a lone surrogate arrives as U+FFFD, as UTF-8 carries it');
        assert.equal(cell('t9', 'label'), '12345');
        assert.equal(cell('t10', 'label'), 'true');
        assert.equal(cell('t12', 'label'), TRICKY_LONG);
        assert.equal(cell('t13', 'label'), '\u0000 nul, tab\t and newline\n');
        assert.deepEqual(cell('t1', 'tags'), []);
        assert.equal(cell('t2', 'tags'), null);
        assert.deepEqual(cell('t4', 'tags'), ['தமிழ்', '', '😀']);
        assert.deepEqual(cell('t5', 'tags'), ['😀😀😀a', '😀😀😀']);
        assert.deepEqual(cell('t6', 'tags'), ['123456789012', '1234567890123']);
        assert.deepEqual(cell('t8', 'tags'), ['x\uFFFD', '\uFFFD']);
        assert.equal(cell('t9', 'tags'), null, 'a string is not a list');
        assert.deepEqual(cell('t12', 'tags'), (TRICKY[12] as Row)[7]);
        assert.deepEqual(cell('t13', 'tags'), ['', '']);
        assert.deepEqual(
          ['t0', 't1', 't4', 't5', 't6', 't7', 't8', 't9', 't10', 't14'].map((k) => cell(k, 'n')),
          [1, 0, -1, null, 2147483647, -2147483648, null, 42, 0, null],
          'integers: out of range and non-integral numbers are null, numeric text is read',
        );
        assert.deepEqual(
          ['t0', 't1', 't4', 't5', 't6', 't7', 't8', 't14'].map((k) => cell(k, 'at')),
          ['2026-11-01T08:00:00.000Z', '1970-01-01T00:00:00.000Z', '2026-11-01T08:00:00.000Z', '2026-11-01T02:30:00.123Z', '1969-12-31T23:59:59.999Z', null, '2026-11-01T00:00:00.000Z', null],
          'timestamps from epoch ms and from ISO text; epoch ms beyond any date are null',
        );
        assert.deepEqual(
          ['t0', 't1', 't4', 't5', 't6', 't7', 't11', 't14'].map((k) => cell(k, 'day')),
          ['2026-11-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2024-02-29T00:00:00.000Z', '1969-12-31T00:00:00.000Z', null, '1970-01-01T00:00:00.000Z', null],
          'dates from YYYY-MM-DD and from epoch ms',
        );
        assert.deepEqual(
          ['t0', 't1', 't2', 't4', 't5', 't10'].map((k) => cell(k, 'flag')),
          [true, false, null, true, true, false],
        );
        const json = (key: string): unknown => {
          const v = cell(key, 'doc');
          return typeof v === 'string' ? JSON.parse(v) : v;
        };
        assert.deepEqual(json('t0'), { n: 1 });
        assert.deepEqual(json('t4'), { text: 'हिन्दी' });
        assert.deepEqual(json('t5'), [1, 'a', null]);
        assert.deepEqual(json('t10'), ['x', 'y'], 'a JSON list of strings stays JSON');
        assert.deepEqual(json('t11'), { deep: { list: ['தமிழ்'], n: 0 } });
        assert.equal(cell('t2', 'doc'), null);
      }),
    );

    it('writes frames of more than one vector (2048 rows) with selections that skip duplicates across chunk boundaries', (t) =>
      withFramesWarehouse(t, async (wh, writeMode) => {
        const prefix = `contract_big_${writeMode === 'upsert' ? 'upsert' : 'ignore'}`;
        const viaRows = everyType(`${prefix}_rows`, writeMode);
        const viaFrames = everyType(`${prefix}_frames`, writeMode);
        await wh.ensureTable(viaRows, 'if-needed');
        await wh.ensureTable(viaFrames, 'if-needed');
        const width = viaRows.columns.length;
        const expected = new Map<string, Row>();
        // The second commit overlaps the first, so existing keys are dropped (or replaced) too; the
        // third has no duplicates and no null doubles, so its frames go in without a selection.
        for (const [from, to] of [
          [0, 5000],
          [4000, 7100],
          [7100, 12_000],
        ] as const) {
          const rows = Array.from({ length: to - from }, (_, k) => bigRow(from + k));
          for (const row of rows) if (writeMode === 'upsert' || !expected.has(row[0] as string)) expected.set(row[0] as string, row);
          const sizes = [2047, 2049, 1, rows.length - 4097];
          const frames = [];
          let at = 0;
          for (const size of sizes) {
            frames.push(encodeRows(rows.slice(at, at + size), width));
            at += size;
          }
          const byRows = await commitOne(wh, { table: viaRows, rows });
          const byFrames = await commitOne(wh, { table: viaFrames, rows: [], frames });
          assert.deepEqual(counted(byFrames), counted(byRows), `${writeMode} rows ${from}–${to}: the same counts`);
          assert.equal(byFrames.inserted + byFrames.duplicates, rows.length);
        }
        const want = [...expected.values()]
          .map((r) => ({ _id: r[0], label: r[1] ?? null, n: r[2], score: r[4] ?? null, tags: r[8] ?? null }))
          .sort((a, b) => (a.n as number) - (b.n as number));
        for (const table of [viaRows, viaFrames]) {
          const got = await wh.query(`SELECT _id, label, n, score, tags FROM ${table.name} ORDER BY n`);
          assert.equal(got.length, want.length, `${writeMode} ${table.name}: one row per key`);
          assert.deepEqual(got, want, `${writeMode} ${table.name}: every row as written`);
        }
        assert.deepEqual(await tableByKey(wh, viaFrames.name), await tableByKey(wh, viaRows.name));
      }),
    );

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

/** A table with a column of every declared type. */
function everyType(name: string, writeMode: WriteMode): TableSpec {
  const columns: ColumnSpec[] = [
    { name: 'label', type: 'string' },
    { name: 'n', type: 'integer' },
    { name: 'big', type: 'bigint' },
    { name: 'score', type: 'double' },
    { name: 'flag', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'day', type: 'date' },
    { name: 'tags', type: 'string[]' },
    { name: 'doc', type: 'json' },
  ];
  return defineTable({ name, partitionBy: 'at', writeMode, columns });
}

const TRICKY_LONG = `${'x'.repeat(3000)}தமிழ்`;

/** Values for label, n, big, score, flag, at, day, tags, doc that are easy to get wrong. */
const TRICKY: readonly Row[] = [
  ['plain ascii label', 1, 1000, 0.5, true, Date.UTC(2026, 10, 1, 8), '2026-11-01', ['a', 'b'], { n: 1 }],
  ['', 0, 0, -0, false, 0, 0, [], {}],
  [null, null, null, null, null, null, null, null, null],
  [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  ['சாலையில் பெரிய குழி உள்ளது', -1, -(2 ** 40), Number.NaN, 'true', '2026-11-01T08:00:00Z', Date.UTC(2026, 10, 2, 23, 59, 59, 999), ['தமிழ்', '', '😀'], { text: 'हिन्दी' }],
  ['😀😀😀', 2 ** 31, 2 ** 53, Number.POSITIVE_INFINITY, 1, '2026-11-01T08:00:00.123+05:30', '2024-02-29', ['😀😀😀a', '😀😀😀'], [1, 'a', null]],
  ['1234567890123', 2147483647, Number.MAX_SAFE_INTEGER, Number.NEGATIVE_INFINITY, 0, Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(1969, 11, 31, 12), ['123456789012', '1234567890123'], 'a json string'],
  ['123456789012', -2147483648, -(2 ** 53) + 1, 1e308, 'false', 'not a time', 'garbage', null, 42],
  ['a\uD800b', 1.5, 2.5, 5e-324, 'yes', '2026-11-01', '2026-11-01T10:00:00Z', ['x\uDC00', '\uD83D'], { s: '\uD800' }],
  [12345, '42', '9007199254740993', '2.5', 2, 1767225600000.5, 1767225600000.5, 'not a list', true],
  [true, -0, -0, -1.5e-7, false, -1, -1, ['only'], ['x', 'y']],
  ['नमस्ते दुनिया 🌏 mixed ascii', 7, 7, 7.25, true, Date.UTC(2026, 10, 1, 8, 11), '1970-01-01', ['हिन्दी'], { deep: { list: ['தமிழ்'], n: -0 } }],
  [TRICKY_LONG, 3, 3, 3.5, false, '2026-11-01T08:00:00.000Z', '2026-11-01', Array.from({ length: 50 }, (_, i) => `element ${i} உறுப்பு`), { big: 'y'.repeat(2000) }],
  ['\u0000 nul, tab\t and newline\n', -7, -7, -7.5, true, Date.UTC(2000, 1, 29, 12), Date.UTC(2000, 1, 29, 12), ['', ''], 'null'],
  ['out of range', -2147483649, -(2 ** 63), Number.MIN_VALUE, 'TRUE', 1e20, -1e20, ['z'], { n: Number.NaN }],
];

const keyed = (key: unknown, tuple: number): Row => [key, ...(TRICKY[tuple] as Row)];

/**
 * Two commits, each as groups of rows (one frame per group). Every tuple is written once under
 * `t<i>`; the other keys repeat inside a group (dupA), across groups (dupB, 7 and '7'), across
 * commits (over, dupA, 7), and with equal values across the last group and the others (same,
 * same2: the mixed batch puts the last group in `rows`). Key 7 is a number in a frame of its own.
 */
const TRICKY_COMMITS: readonly (readonly Row[][])[] = [
  [
    [keyed('t0', 0), keyed('t1', 1), keyed('t2', 2), keyed('t3', 3), keyed('dupA', 4), keyed('dupA', 5), keyed('dupB', 6), keyed('same', 7), keyed('over', 1)],
    [keyed('t4', 4), keyed('t5', 5), keyed('t6', 6), keyed('dupB', 8)],
    [keyed(7, 0)],
    [keyed('t9', 9)],
    [keyed('t10', 10), keyed('7', 2)],
    [keyed('t7', 7), keyed('t8', 8), keyed('t11', 11), keyed('t12', 12), keyed('t13', 13), keyed('t14', 14), keyed('same', 7)],
  ],
  [
    [keyed('over', 13), keyed('m0', 11), keyed('m0', 12), keyed('dupA', 0), keyed('same2', 3)],
    [keyed('m1', 9), keyed(7, 5), keyed('same2', 3), keyed('m2', 2)],
  ],
];

/** The tuple each repeated key ends with: the first delivery (insert-or-ignore)… */
const IGNORE_WINNERS: Readonly<Record<string, number>> = { over: 1, dupA: 4, dupB: 6, 7: 0, same: 7, m0: 11, same2: 3, m1: 9, m2: 2 };
/** …or the last (upsert). */
const UPSERT_WINNERS: Readonly<Record<string, number>> = { over: 13, dupA: 0, dupB: 8, 7: 5, same: 7, m0: 12, same2: 3, m1: 9, m2: 2 };

/**
 * Row i of the large case: below 7100 keys repeat every seventh row and every eleventh double is
 * null; strings are short, long, unicode or null.
 */
function bigRow(i: number): Row {
  const key = i < 7100 && i % 7 === 3 ? `k${i - 3}` : `k${i}`;
  const label = i % 5 === 0 ? null : i % 3 === 0 ? `தமிழ் ${i} ${'x'.repeat(i % 20)}` : i % 3 === 1 ? `l${i}` : `row ${i} — ascii text past twelve bytes`;
  const tags = i % 13 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => (k % 2 === 0 ? `t${i}-${k}` : `उप ${i} ${k}`));
  return [key, label, i, i * 1_000_000, i < 7100 && i % 11 === 0 ? null : i / 8, i % 2 === 0, Date.UTC(2026, 10, 1) + i * 1000, Date.UTC(2026, 10, 1) + i * 60_000, tags, { i }];
}

async function commitOne(wh: Warehouse, batch: TableBatch): Promise<CommitResult['tables'][number]> {
  const result = await wh.commit([batch]);
  assert.equal(result.tables.length, 1);
  return result.tables[0] as CommitResult['tables'][number];
}

const counted = (result: CommitResult['tables'][number]): { inserted: number; duplicates: number } => ({ inserted: result.inserted, duplicates: result.duplicates });

/** A table's rows by key (as text). */
async function tableByKey(wh: Warehouse, table: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = await wh.query(`SELECT * FROM ${table}`);
  const byKey = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const key = String(row._id);
    assert.ok(!byKey.has(key), `${table}: key ${key} stored twice`);
    byKey.set(key, row);
  }
  return byKey;
}

function withoutKey(row: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (row === undefined) return undefined;
  const { _id: _key, ...rest } = row;
  return rest;
}
