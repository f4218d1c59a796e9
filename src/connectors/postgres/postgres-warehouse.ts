import type { Pool, PoolClient } from 'pg';
import { SluiceError, TableMissingError } from '../../core/errors.js';
import type { ColumnSpec, CreateDisposition, Row, TableSpec } from '../../core/schema.js';
import type { CommitResult, TableBatch, Warehouse } from '../../core/warehouse.js';
import { type CopyEncoder, type CopyFrom, copyEncoder, copyRows, loadCopyFrom, partitionDay } from './postgres-copy.js';
import {
  copyStatement,
  createPartitionStatement,
  createTableStatements,
  insertStatements,
  isDayPartitioned,
  keyBackfillStatement,
  keyTableName,
  keyTableStatement,
  moveOutOfDefaultStatements,
  parsePartitionDay,
  stagingStatement,
  stagingTableName,
} from './postgres-ddl.js';
import { isConnectionError, postgresError } from './postgres-errors.js';
import { checkSchemaName, createPool, parsePostgresUrl } from './postgres-pool.js';
import { quoteIdent } from './postgres-types.js';

export interface PostgresWarehouseOptions {
  /** `postgres://USER[:PASSWORD]@HOST:PORT/DATABASE[?schema=NAME]`. The password is never shown. */
  readonly url: string;
  /** Where the tables live and unqualified names in `query()` resolve. Default: `?schema=` of the URL, else `public`. */
  readonly schema?: string;
  /** Connections in the pool. Default 4: one commit at a time, plus queries and DDL. */
  readonly poolSize?: number;
  /** How long to wait for a connection before a commit fails (and the runner retries). Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Shown in pg_stat_activity. Default `sluice`. */
  readonly applicationName?: string;
  /**
   * Told about connection errors the pool absorbed on idle connections — a server restart, an
   * administrator ending a session. They never crash the process; the next use reconnects.
   */
  readonly onConnectionError?: (error: Error) => void;
}

interface PreparedTable {
  readonly spec: TableSpec;
  /** Created with a key table (day-partitioned), or with a primary key on the key column. */
  readonly partitioned: boolean;
  readonly partitionColumn: ColumnSpec | undefined;
  readonly partitionIndex: number;
  /** Days that have a partition already (created by Sluice, or found to be covered). */
  readonly days: Set<number>;
  /** The DEFAULT partition's name (Sluice's, or whatever the table came with). */
  readonly defaultPartition: string | null;
  readonly encoders: readonly CopyEncoder[];
  readonly staging: string;
  readonly stagingSql: string;
  readonly copySql: string;
  readonly insertSql: readonly string[];
}

/**
 * The warehouse on real infrastructure: PostgreSQL. A commit streams each table's rows through
 * `COPY` into a per-connection temporary staging table, then moves them in with
 * `INSERT … SELECT … ON CONFLICT DO NOTHING` (or `DO UPDATE` for upsert tables) — every table of
 * the commit in one transaction. Tables with a `partitionBy` timestamp/date column are
 * range-partitioned by UTC day: the partitions a commit needs are created just before it, and a
 * DEFAULT partition catches anything else (NULL event times). Idempotency on the key of a
 * partitioned table is kept by a key table (see postgres-ddl.ts).
 *
 * @example
 * const wh = new PostgresWarehouse({ url: 'postgres://postgres@127.0.0.1:5432/test?schema=sluice' });
 * await wh.open();
 * await wh.ensureTable(rawTickets, 'if-needed');
 * await wh.commit([{ table: rawTickets, rows }]);
 */
export class PostgresWarehouse implements Warehouse {
  readonly kind = 'postgres';
  readonly location: string;
  /** The schema tables are created in. */
  readonly schema: string;
  private readonly options: Readonly<PostgresWarehouseOptions>;
  private readonly connectionString: string;
  private pool: Pool | null = null;
  private copyFrom: CopyFrom | null = null;
  private readonly prepared = new Map<string, PreparedTable>();
  /** Which staging tables each pooled connection has, by their DDL (a changed spec recreates it). */
  private readonly staged = new WeakMap<PoolClient, Map<string, string>>();

  constructor(options: PostgresWarehouseOptions) {
    this.options = Object.freeze({ ...options });
    const url = parsePostgresUrl(options.url);
    this.connectionString = url.connectionString;
    this.schema = checkSchemaName(options.schema ?? url.schema ?? 'public');
    this.location = url.location;
  }

  async open(): Promise<void> {
    if (this.pool !== null) return;
    const pool = await createPool({
      connectionString: this.connectionString,
      schema: this.schema,
      max: this.options.poolSize ?? 4,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      applicationName: this.options.applicationName ?? 'sluice',
    });
    // Without a listener, an idle connection's error (server restart) is an uncaught 'error'
    // event and ends the process. The pool has already dropped the connection by then.
    pool.on('error', (error: Error) => this.options.onConnectionError?.(error));
    this.copyFrom = await loadCopyFrom();
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw postgresError(error, 'opening the warehouse', this.location);
    }
    this.pool = pool;
  }

  private requirePool(): Pool {
    if (this.pool === null) throw new SluiceError('WAREHOUSE_CLOSED', `the PostgreSQL warehouse ${this.location} is not open: call open() first`);
    return this.pool;
  }

  /** A pooled connection; one that failed at the connection level is destroyed, not reused. */
  private async withClient<T>(doing: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.requirePool().connect();
    } catch (error) {
      throw postgresError(error, doing, this.location);
    }
    let broken = false;
    // pg-pool listens for errors on idle connections only: a connection the server ends while it is
    // checked out (a restart, pg_terminate_backend) would otherwise be an uncaught 'error' event
    // that kills the process. Its query fails too, and that failure is what the runner retries.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      broken ||= isConnectionError(error);
      throw postgresError(error, doing, this.location);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Runs `work` in a transaction; rolls back on any failure. */
  private async transaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
    await client.query('BEGIN');
    try {
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Serialises the creation of this warehouse's schema across every process writing to this database. */
  private async lockSchema(client: PoolClient): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice-ddl-schema:${this.schema}`]);
  }

  /** Serialises DDL on one table across every process writing to this database. */
  private async lockTable(client: PoolClient, table: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice-ddl:${this.schema}.${table}`]);
  }

  async ensureTable(table: TableSpec, disposition: CreateDisposition = table.create ?? 'if-needed'): Promise<void> {
    await this.withClient(`preparing table "${table.name}"`, async (client) => {
      let kind = await this.relationKind(client, table.name);
      if (kind === null) {
        if (disposition === 'never') throw new TableMissingError(table.name, `the PostgreSQL warehouse ${this.location} (schema "${this.schema}")`);
        await this.transaction(client, async () => {
          // The schema's lock first, then the table's (always in that order, so no two processes
          // wait on each other): CREATE SCHEMA IF NOT EXISTS is not safe against itself, and
          // processes creating different tables (N workers and an ordered lane starting together)
          // met in it with a unique-key violation on pg_namespace.
          await this.lockSchema(client);
          await this.lockTable(client, table.name);
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
          for (const sql of createTableStatements(this.schema, table)) await client.query(sql);
        });
        kind = isDayPartitioned(table) ? 'p' : 'r';
      } else {
        await this.checkExisting(client, table, kind);
      }
      const partitioned = kind === 'p';
      const partitionIndex = partitioned ? table.columns.findIndex((c) => c.name === table.partitionBy) : -1;
      if (partitioned && partitionIndex < 0) {
        throw new SluiceError(
          'SCHEMA_MISMATCH',
          `table "${table.name}" in ${this.location} is partitioned but the pipeline declares no partitionBy column for it. Declare the table's partition column in defineTable({ partitionBy }).`,
        );
      }
      const existing = partitioned ? await this.existingPartitions(client, table) : { days: new Set<number>(), defaultPartition: null };
      this.prepared.set(table.name, {
        spec: table,
        partitioned,
        partitionColumn: partitioned ? table.columns[partitionIndex] : undefined,
        partitionIndex,
        days: existing.days,
        defaultPartition: existing.defaultPartition,
        encoders: table.columns.map(copyEncoder),
        staging: stagingTableName(table.name),
        stagingSql: stagingStatement(table),
        copySql: copyStatement(table),
        insertSql: insertStatements(this.schema, table, partitioned),
      });
    });
  }

  /** `r` (table), `p` (partitioned table), `v` (view)… or null when there is no such relation. */
  private async relationKind(client: PoolClient, name: string): Promise<string | null> {
    const result = await client.query<{ relkind: string }>(
      'SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2',
      [this.schema, name],
    );
    return result.rows[0]?.relkind ?? null;
  }

  /** An existing table must have every declared column, and something that keeps keys unique. */
  private async checkExisting(client: PoolClient, table: TableSpec, kind: string): Promise<void> {
    if (kind !== 'r' && kind !== 'p') {
      throw new SluiceError('SCHEMA_MISMATCH', `"${table.name}" in ${this.location} (schema "${this.schema}") is not a table (relkind ${kind}); Sluice can only write to tables. Drop it or rename the pipeline's table.`);
    }
    const columns = await client.query<{ column_name: string; required: boolean }>(
      `SELECT column_name, is_nullable = 'NO' AND column_default IS NULL AND is_generated = 'NEVER' AS required
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
      [this.schema, table.name],
    );
    const present = new Set(columns.rows.map((r) => r.column_name));
    const missing = table.columns.filter((c) => !present.has(c.name)).map((c) => c.name);
    if (missing.length > 0) {
      throw new SluiceError(
        'SCHEMA_MISMATCH',
        `table "${table.name}" in ${this.location} (schema "${this.schema}") lacks column(s) ${missing.join(', ')} that the pipeline declares. ` +
          'Add them (ALTER TABLE … ADD COLUMN) or write to a fresh schema (?schema=… in the URL).',
      );
    }
    // Rows name their columns, so an undeclared column is fine — unless a row cannot leave it empty
    // (an `_id` from an older Sluice, say, where the table now keys on a column of its own).
    const declared = new Set(table.columns.map((c) => c.name));
    const required = columns.rows.filter((r) => r.required && !declared.has(r.column_name)).map((r) => r.column_name);
    if (required.length > 0) {
      throw new SluiceError(
        'SCHEMA_MISMATCH',
        `table "${table.name}" in ${this.location} (schema "${this.schema}") has NOT NULL column(s) ${required.join(', ')} without a default that the pipeline does not write. ` +
          'Drop them (ALTER TABLE … DROP COLUMN), give them a default, or write to a fresh schema (?schema=… in the URL).',
      );
    }
    if (kind === 'r') {
      const unique = await client.query(
        `SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
          WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnkeyatts = 1 AND a.attname = $2`,
        [`${quoteIdent(this.schema)}.${quoteIdent(table.name)}`, table.key],
      );
      if (unique.rowCount === 0) {
        throw new SluiceError(
          'SCHEMA_MISMATCH',
          `table "${table.name}" in ${this.location} has no unique key on "${table.key}", so writes cannot be idempotent. ` +
            `Add one: ALTER TABLE ${quoteIdent(this.schema)}.${quoteIdent(table.name)} ADD PRIMARY KEY (${quoteIdent(table.key)}).`,
        );
      }
      return;
    }
    if (table.partitionBy !== undefined && (await this.relationKind(client, keyTableName(table.name))) !== null) {
      const keyed = await client.query('SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3', [
        this.schema,
        keyTableName(table.name),
        table.key,
      ]);
      if (keyed.rowCount === 0) {
        throw new SluiceError(
          'SCHEMA_MISMATCH',
          `the key table "${keyTableName(table.name)}" in ${this.location} (schema "${this.schema}") has no column "${table.key}", the key of "${table.name}": ` +
            'it was made for another key. Drop it (Sluice rebuilds it from the table) or write to a fresh schema (?schema=… in the URL).',
        );
      }
    } else if (table.partitionBy !== undefined) {
      // A partitioned table Sluice did not create: give it a key table holding the keys it has.
      await this.transaction(client, async () => {
        await this.lockTable(client, table.name);
        await client.query(keyTableStatement(this.schema, table));
        await client.query(keyBackfillStatement(this.schema, table));
      });
    }
  }

  private async existingPartitions(client: PoolClient, table: TableSpec): Promise<{ days: Set<number>; defaultPartition: string | null }> {
    const result = await client.query<{ relname: string; is_default: boolean }>(
      `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass($1)`,
      [`${quoteIdent(this.schema)}.${quoteIdent(table.name)}`],
    );
    const days = new Set<number>();
    let defaultPartition: string | null = null;
    for (const row of result.rows) {
      if (row.is_default) defaultPartition = row.relname;
      const day = parsePartitionDay(table.name, row.relname);
      if (day !== null) days.add(day);
    }
    return { days, defaultPartition };
  }

  async commit(batches: readonly TableBatch[]): Promise<CommitResult> {
    const work = this.plan(batches);
    if (work.length === 0) return { tables: [...new Set(batches.map((b) => b.table.name))].map((table) => ({ table, inserted: 0, duplicates: 0 })) };
    const written = new Map<string, number>();
    await this.withClient(`committing ${work.map(([t]) => `"${t.spec.name}"`).join(', ')}`, async (client) => {
      await this.prepareStaging(client, work);
      await this.createPartitions(client, work);
      await this.transaction(client, async () => {
        for (const [table, rows] of work) {
          await copyRows(client, this.copyFrom as CopyFrom, table.copySql, rows, table.encoders);
          let count = 0;
          for (const sql of table.insertSql) count = (await client.query(sql)).rowCount ?? 0;
          written.set(table.spec.name, count);
        }
      });
    });
    // One result per table, however many batches named it.
    const offered = new Map<string, number>();
    for (const b of batches) offered.set(b.table.name, (offered.get(b.table.name) ?? 0) + b.rows.length);
    return { tables: [...offered].map(([table, rows]) => ({ table, inserted: written.get(table) ?? 0, duplicates: rows - (written.get(table) ?? 0) })) };
  }

  /**
   * The prepared tables and their rows, one entry per table (a table named twice is merged), in
   * name order: two workers committing the same tables lock them in the same order.
   */
  private plan(batches: readonly TableBatch[]): Array<[PreparedTable, readonly Row[]]> {
    const byName = new Map<string, [PreparedTable, readonly Row[]]>();
    for (const batch of batches) {
      const table = this.prepared.get(batch.table.name);
      if (table === undefined) {
        throw new SluiceError('TABLE_NOT_PREPARED', `table "${batch.table.name}" was written before ensureTable() was called for it on ${this.location}`);
      }
      if (batch.rows.length === 0) continue;
      const entry = byName.get(batch.table.name);
      if (entry === undefined) byName.set(batch.table.name, [table, batch.rows]);
      else entry[1] = [...entry[1], ...batch.rows];
    }
    return [...byName.values()].sort(([a], [b]) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
  }

  /** Temp tables live per connection: create the ones this connection lacks (outside the commit). */
  private async prepareStaging(client: PoolClient, work: ReadonlyArray<[PreparedTable, readonly Row[]]>): Promise<void> {
    let have = this.staged.get(client);
    if (have === undefined) {
      have = new Map();
      this.staged.set(client, have);
    }
    for (const [table] of work) {
      if (have.get(table.staging) === table.stagingSql) continue;
      await client.query(`DROP TABLE IF EXISTS pg_temp.${quoteIdent(table.staging)}`);
      await client.query(table.stagingSql);
      have.set(table.staging, table.stagingSql);
    }
  }

  /**
   * Creates the day partitions a commit's rows need, in its own short transaction under the
   * table's DDL lock. Creating a partition is harmless if the commit then fails.
   */
  private async createPartitions(client: PoolClient, work: ReadonlyArray<[PreparedTable, readonly Row[]]>): Promise<void> {
    for (const [table, rows] of work) {
      if (!table.partitioned) continue;
      const column = table.partitionColumn as ColumnSpec;
      const missing = new Set<number>();
      for (const row of rows) {
        const day = partitionDay(column, row[table.partitionIndex]);
        if (day !== null && !table.days.has(day)) missing.add(day);
      }
      if (missing.size === 0) continue;
      const days = [...missing].sort((a, b) => a - b);
      await this.transaction(client, async () => {
        await this.lockTable(client, table.spec.name);
        for (const day of days) await this.createPartition(client, table, day);
      });
      for (const day of days) table.days.add(day);
    }
  }

  private async createPartition(client: PoolClient, table: PreparedTable, day: number): Promise<void> {
    await client.query('SAVEPOINT sluice_partition');
    try {
      await client.query(createPartitionStatement(this.schema, table.spec, day));
      await client.query('RELEASE SAVEPOINT sluice_partition');
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT sluice_partition');
      const code = (error as { code?: string }).code;
      // 42P17: a partition someone else made already covers the day — rows will route there.
      if (code === '42P17') return;
      // 23514: the DEFAULT partition holds rows of that day; move them into the new partition.
      if (code === '23514' && table.defaultPartition !== null) {
        for (const sql of moveOutOfDefaultStatements(this.schema, table.spec, day, table.defaultPartition)) await client.query(sql);
        return;
      }
      throw error;
    }
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const pool = this.requirePool();
    try {
      const result = await pool.query(sql, params.length > 0 ? [...params] : undefined);
      // A multi-statement string yields one result per statement: the last one is what was asked for.
      const last = Array.isArray(result) ? (result[result.length - 1] as typeof result[number] | undefined) : result;
      return last?.rows ?? [];
    } catch (error) {
      throw postgresError(error, 'a query', this.location);
    }
  }

  async execute(sql: string): Promise<void> {
    await this.withClient('executing SQL', async (client) => {
      await this.transaction(client, async () => {
        await client.query(sql);
      });
    });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.prepared.clear();
    if (pool !== null) await pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
