import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { serviceSkipReason } from '../../../test/contracts/services.js';
import { runWarehouseContract } from '../../../test/contracts/warehouse-contract.js';
import { ConnectorUnavailableError, SluiceError } from '../../core/errors.js';
import { defineTable, type TableSpec } from '../../core/schema.js';
import { PostgresQueryError } from './postgres-errors.js';
import { PostgresWarehouse, type PostgresWarehouseOptions } from './postgres-warehouse.js';

const URL_ = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const endpoint = new URL(URL_);
const skip = await serviceSkipReason('PostgreSQL', endpoint.hostname, Number(endpoint.port || 5432));

/** Every test gets its own schema, dropped when the file ends. */
const schemas: string[] = [];
function freshSchema(): string {
  const schema = `sluice_test_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

async function openWarehouse(schema: string, extra: Partial<PostgresWarehouseOptions> = {}): Promise<PostgresWarehouse> {
  const wh = new PostgresWarehouse({ url: URL_, schema, ...extra });
  await wh.open();
  return wh;
}

after(async () => {
  if (skip !== undefined || schemas.length === 0) return;
  const admin = await openWarehouse('public');
  try {
    for (const schema of schemas) await admin.execute(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.close();
  }
});

runWarehouseContract('postgres', () => openWarehouse(freshSchema()), {
  ...(skip !== undefined ? { skip } : {}),
  createPair: async () => {
    const schema = freshSchema();
    return [await openWarehouse(schema), await openWarehouse(schema)] as const;
  },
});

const events = defineTable({
  name: 'events',
  partitionBy: 'at',
  columns: [
    { name: 'who', type: 'string' },
    { name: 'at', type: 'timestamp' },
  ],
});
const day = (d: number, h = 12): number => Date.UTC(2026, 10, d, h);

describe('PostgreSQL warehouse', { ...(skip !== undefined ? { skip } : {}) }, () => {
  it('creates a RANGE-partitioned table with a DEFAULT partition, a key table, and one partition per UTC day written', async () => {
    const schema = freshSchema();
    const wh = await openWarehouse(schema);
    try {
      await wh.ensureTable(events);
      await wh.commit([{ table: events, rows: [['a', 'x', day(1)], ['b', 'x', day(1, 23)], ['c', 'x', day(3, 0)], ['d', 'x', null]] }]);
      const parts = await wh.query(
        `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = to_regclass($1) ORDER BY c.relname`,
        [`"${schema}".events`],
      );
      assert.deepEqual(parts, [
        { relname: 'events__default', bound: 'DEFAULT' },
        { relname: 'events__p20261101', bound: "FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-11-02 00:00:00+00')" },
        { relname: 'events__p20261103', bound: "FOR VALUES FROM ('2026-11-03 00:00:00+00') TO ('2026-11-04 00:00:00+00')" },
      ]);
      const placed = await wh.query('SELECT tableoid::regclass::text AS part, count(*) AS n FROM events GROUP BY 1 ORDER BY 1');
      assert.deepEqual(placed, [
        { part: 'events__default', n: 1 },
        { part: 'events__p20261101', n: 2 },
        { part: 'events__p20261103', n: 1 },
      ]);
      assert.deepEqual(await wh.query('SELECT count(*) AS n FROM events__keys'), [{ n: 4 }]);
    } finally {
      await wh.close();
    }
  });

  it("moves rows of a day out of the DEFAULT partition when that day's partition is created", async () => {
    const schema = freshSchema();
    const wh = await openWarehouse(schema);
    try {
      await wh.ensureTable(events);
      // Someone wrote straight into the table for a day Sluice had not partitioned yet.
      await wh.execute(`INSERT INTO events (_id, who, "at") VALUES ('early', 'x', '2026-11-07T10:00:00Z')`);
      const result = await wh.commit([{ table: events, rows: [['late', 'y', day(7)]] }]);
      assert.deepEqual(result.tables, [{ table: 'events', inserted: 1, duplicates: 0 }]);
      const placed = await wh.query('SELECT _id, tableoid::regclass::text AS part FROM events ORDER BY _id');
      assert.deepEqual(placed, [
        { _id: 'early', part: 'events__p20261107' },
        { _id: 'late', part: 'events__p20261107' },
      ]);
    } finally {
      await wh.close();
    }
  });

  it('gives a partitioned table it did not create a key table holding the keys already there', async () => {
    const schema = freshSchema();
    const wh = await openWarehouse(schema);
    try {
      await wh.execute(
        `CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".events (_id text NOT NULL, who text, "at" timestamptz) PARTITION BY RANGE ("at");
         CREATE TABLE "${schema}".events_rest PARTITION OF "${schema}".events DEFAULT;
         INSERT INTO "${schema}".events VALUES ('old', 'x', '2026-11-01T00:00:00Z');`,
      );
      await wh.ensureTable(events, 'never');
      const result = await wh.commit([{ table: events, rows: [['old', 'x', day(1)], ['new', 'y', day(2)]] }]);
      assert.deepEqual(result.tables, [{ table: 'events', inserted: 1, duplicates: 1 }]);
    } finally {
      await wh.close();
    }
  });

  it('several processes creating different tables in a new schema at once: each gets its table (the schema is created once)', async () => {
    // As N workers and the ordered lane start together; CREATE SCHEMA IF NOT EXISTS alone races.
    for (let round = 0; round < 5; round++) {
      const schema = freshSchema();
      const writers = await Promise.all(Array.from({ length: 4 }, () => openWarehouse(schema)));
      try {
        const tables = writers.map((_, i) => defineTable({ name: `t${i}`, columns: [{ name: 'v', type: 'integer' }] }));
        await Promise.all(writers.map((wh, i) => wh.ensureTable(tables[i] as TableSpec)));
        const [row] = await (writers[0] as PostgresWarehouse).query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = '${schema}' AND tablename LIKE 't_'`);
        assert.equal(row?.n, 4);
      } finally {
        await Promise.all(writers.map((wh) => wh.close()));
      }
    }
  });

  it('refuses an existing plain table without a unique key, saying how to add one', async () => {
    const schema = freshSchema();
    const wh = await openWarehouse(schema);
    const plain = defineTable({ name: 'loose', columns: [{ name: 'v', type: 'integer' }] });
    try {
      await wh.execute(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".loose (_id text, v integer)`);
      await assert.rejects(() => wh.ensureTable(plain, 'never'), (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.code, 'SCHEMA_MISMATCH');
        assert.match(error.message, /no unique key on "_id".*ADD PRIMARY KEY/);
        return true;
      });
    } finally {
      await wh.close();
    }
  });

  it('refuses an existing table keyed another way: a NOT NULL column it does not write, a key table without its key', async () => {
    // As a table made by an older Sluice, with an `_id` column, meets a spec that now keys on ticket_id.
    const byTicket = (partitionBy?: string) =>
      defineTable({
        name: 'tickets',
        key: 'ticket_id',
        ...(partitionBy !== undefined ? { partitionBy } : {}),
        columns: [
          { name: 'ticket_id', type: 'string', nullable: false },
          { name: 'at', type: 'timestamp', nullable: false },
        ],
      });
    const cases: Array<[ddl: string, partitionBy: string | undefined, says: RegExp]> = [
      ['CREATE TABLE tickets (_id text NOT NULL PRIMARY KEY, ticket_id text NOT NULL UNIQUE, at timestamptz NOT NULL)', undefined, /NOT NULL column\(s\) _id without a default that the pipeline does not write/],
      [
        'CREATE TABLE tickets (_id text, ticket_id text NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at); CREATE TABLE tickets__keys (_id text PRIMARY KEY, at timestamptz)',
        'at',
        /key table "tickets__keys" .* has no column "ticket_id", the key of "tickets": it was made for another key/,
      ],
    ];
    for (const [ddl, partitionBy, says] of cases) {
      const schema = freshSchema();
      const wh = await openWarehouse(schema);
      try {
        await wh.execute(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"; ${ddl}`);
        await assert.rejects(() => wh.ensureTable(byTicket(partitionBy), 'never'), (error: unknown) => {
          assert.ok(error instanceof SluiceError);
          assert.equal(error.code, 'SCHEMA_MISMATCH');
          assert.match(error.message, says);
          return true;
        });
      } finally {
        await wh.close();
      }
    }
  });

  it('round-trips text COPY must escape, and never quotes a row value in an error', async () => {
    const wh = await openWarehouse(freshSchema());
    const t = defineTable({
      name: 'odd',
      columns: [
        { name: 's', type: 'string' },
        { name: 'tags', type: 'string[]' },
        { name: 'doc', type: 'json' },
        { name: 'req', type: 'string', nullable: false },
      ],
    });
    try {
      await wh.ensureTable(t);
      const nasty = 'tab\there\nnew line\r\\back\\slash "quoted" {brace,comma} é 🚀';
      await wh.commit([{ table: t, rows: [['k', `${nasty}\u0000nul`, [nasty, null, 'NULL'], { s: 'a\u0000b', lone: '\ud800', nasty }, 'r']] }]);
      const [r] = await wh.query('SELECT s, tags, doc FROM odd');
      assert.equal(r?.s, `${nasty}nul`);
      assert.deepEqual(r?.tags, [nasty, null, 'NULL']);
      assert.deepEqual(JSON.parse(String(r?.doc)), { s: 'ab', lone: '\ufffd', nasty });

      const secret = 'citizen-555-0199';
      await assert.rejects(() => wh.commit([{ table: t, rows: [['k2', secret, null, null, null]] }]), (error: unknown) => {
        assert.ok(error instanceof PostgresQueryError);
        assert.equal(error.sqlState, '23502');
        assert.match(error.message, /null value in column "req"/);
        assert.doesNotMatch(`${error.message} ${String(error.cause ?? '')}`, /555-0199/);
        return true;
      });
    } finally {
      await wh.close();
    }
  });

  it('survives the server dropping its connections: no crash, and the next commit reconnects', async () => {
    const app = `sluice-test-${randomBytes(4).toString('hex')}`;
    const dropped: Error[] = [];
    let notify: () => void = () => undefined;
    const sawError = new Promise<void>((resolve) => {
      notify = resolve;
    });
    const wh = await openWarehouse(freshSchema(), {
      applicationName: app,
      poolSize: 2,
      onConnectionError: (error) => {
        dropped.push(error);
        notify();
      },
    });
    const admin = await openWarehouse('public');
    try {
      await wh.ensureTable(events);
      await wh.commit([{ table: events, rows: [['a', 'x', day(1)]] }]);
      // What a restart looks like from the client: the server ends every session (57P01).
      const [killed] = await admin.query('SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
      assert.ok((killed?.n as number) >= 1);
      await sawError;
      assert.match(dropped[0]?.message ?? '', /terminat/i);
      const result = await wh.commit([{ table: events, rows: [['a', 'x', day(1)], ['b', 'x', day(2)]] }]);
      assert.deepEqual(result.tables, [{ table: 'events', inserted: 1, duplicates: 1 }]);
    } finally {
      await admin.close();
      await wh.close();
    }
  });

  it('says where and what to do when the server cannot be reached, without the password', async () => {
    const wh = new PostgresWarehouse({ url: 'postgres://sluice:hunter2@127.0.0.1:1/nowhere', connectTimeoutMs: 2000 });
    await assert.rejects(() => wh.open(), (error: unknown) => {
      assert.ok(error instanceof ConnectorUnavailableError);
      assert.match(error.message, /postgres:\/\/sluice@127\.0\.0\.1:1\/nowhere is unreachable/);
      assert.match(error.message, /Check that the server is running/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  it('writes a large batch spread over many days in one commit, and counts a replay as duplicates', async () => {
    const wh = await openWarehouse(freshSchema());
    try {
      await wh.ensureTable(events);
      const rows = Array.from({ length: 20_000 }, (_, i) => [`id-${i}`, `who ${i % 97}`, Date.UTC(2026, 0, 1) + (i % 60) * 86_400_000 + i]);
      const first = await wh.commit([{ table: events, rows }]);
      assert.deepEqual(first.tables, [{ table: 'events', inserted: 20_000, duplicates: 0 }]);
      const replay = await wh.commit([{ table: events, rows }]);
      assert.deepEqual(replay.tables, [{ table: 'events', inserted: 0, duplicates: 20_000 }]);
      const [stats] = await wh.query(
        `SELECT count(*) AS n, count(DISTINCT tableoid) AS parts FROM events WHERE tableoid <> 'events__default'::regclass`,
      );
      assert.deepEqual(stats, { n: 20_000, parts: 60 });
    } finally {
      await wh.close();
    }
  });
});
