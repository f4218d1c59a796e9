import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ConfigError, SluiceError, TableMissingError } from '../../core/errors.js';
import { encodeRows, type RowFrame, type Utf8Strings } from '../../core/row-frame.js';
import type { CreateDisposition, TableSpec } from '../../core/schema.js';
import type { CommitResult, TableBatch, Warehouse } from '../../core/warehouse.js';
import { ChunkWriter } from './duckdb-chunk-writer.js';
import { duckDbColumnDefinition, quoteIdent } from './duckdb-types.js';
import { dropKeys, pickUniqueKeys } from './unique-keys.js';

export interface DuckDbWarehouseOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
  /** DuckDB's own settings (memory_limit, threads…). */
  readonly settings?: Readonly<Record<string, string>>;
}

interface PreparedTable {
  readonly spec: TableSpec;
  readonly writer: ChunkWriter;
  readonly keyIndex: number;
  /** False while the table is known to be empty: the key check can be skipped. */
  mayHaveRows: boolean;
}

const KEYS_TABLE = 'temp.main._sluice_keys';
const KEY_COLUMNS = [{ name: 'k', type: 'string' as const }];

/**
 * The embedded warehouse: one DuckDB file. A commit writes every table in one transaction,
 * straight into the tables through the appender a data chunk at a time (see ChunkWriter), after
 * one semi-join finds which of the batch's keys a table already holds — those rows are skipped
 * (insert-or-ignore) or replaced (upsert).
 *
 * Tables carry no PRIMARY KEY: DuckDB's ART index lives in memory and slows every insert as the
 * table grows (20k-row commits into a 1M-row table: 201 ms with the index and INSERT OR IGNORE,
 * 53 ms checking keys with a join). The key check needs a single writer, and DuckDB's file lock
 * guarantees one.
 *
 * @example
 * const wh = new DuckDbWarehouse({ path: './sluice.duckdb' }); await wh.open();
 */
export class DuckDbWarehouse implements Warehouse {
  readonly kind = 'duckdb';
  readonly acceptsFrames = true;
  readonly location: string;
  private readonly options: DuckDbWarehouseOptions;
  private instance: DuckDBInstance | null = null;
  private writer: DuckDBConnection | null = null;
  private reader: DuckDBConnection | null = null;
  private readonly prepared = new Map<string, PreparedTable>();
  private readonly keyWriter = new ChunkWriter(KEY_COLUMNS);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: DuckDbWarehouseOptions) {
    this.options = Object.freeze({ ...options });
    this.location = options.path === ':memory:' ? ':memory:' : resolve(options.path);
  }

  async open(): Promise<void> {
    if (this.instance !== null) return;
    if (this.location !== ':memory:') mkdirSync(dirname(this.location), { recursive: true });
    try {
      // DuckDB's own default memory limit is 80% of RAM, and its buffer cache grows with the data
      // it has touched; a bound keeps a long run's memory flat (it spills, it does not fail).
      // DuckDB checkpoints whenever the WAL passes 16 MB: with 25k-row commits that is after every
      // commit, and each checkpoint recompresses the row group it appends to. 256 MB cut a 1M-event
      // municipal run from 74 to 59 CPU-seconds; a crash then replays at most that much WAL.
      this.instance = await DuckDBInstance.create(this.location, {
        memory_limit: process.env.SLUICE_DUCKDB_MEMORY ?? '512MB',
        checkpoint_threshold: '256MB',
        ...this.options.settings,
      });
    } catch (error) {
      const message = String((error as Error).message ?? error);
      if (/lock/i.test(message)) {
        throw new SluiceError(
          'WAREHOUSE_LOCKED',
          `the DuckDB file ${this.location} is open in another process (DuckDB allows one writer). ` +
            `Stop that process (e.g. a running \`sluice run\`) or use another --warehouse path.`,
          { cause: error },
        );
      }
      throw new ConfigError(`cannot open DuckDB warehouse ${this.location}: ${message}`, { cause: error });
    }
    this.writer = await this.instance.connect();
    this.reader = await this.instance.connect();
    await this.writer.run(`CREATE OR REPLACE TEMP TABLE _sluice_keys (k VARCHAR)`);
  }

  private connection(): DuckDBConnection {
    if (this.writer === null) throw new SluiceError('WAREHOUSE_CLOSED', `the DuckDB warehouse ${this.location} is not open`);
    return this.writer;
  }

  /** Serialises writer work: DuckDB's appender and transactions are per connection. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async ensureTable(table: TableSpec, disposition: CreateDisposition = table.create ?? 'if-needed'): Promise<void> {
    await this.serial(async () => {
      const db = this.connection();
      const exists = await this.tableExists(table.name);
      if (!exists) {
        if (disposition === 'never') throw new TableMissingError(table.name, `the DuckDB warehouse ${this.location}`);
        const columns = table.columns.map(duckDbColumnDefinition);
        await db.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(table.name)} (${columns.join(', ')})`);
      } else {
        await this.checkColumns(table);
      }
      const [row] = (await db.runAndReadAll(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(table.name)}) AS has_rows`)).getRowObjectsJS();
      this.prepared.set(table.name, {
        spec: table,
        writer: new ChunkWriter(table.columns),
        keyIndex: table.columns.findIndex((c) => c.name === table.key),
        mayHaveRows: row?.has_rows === true,
      });
    });
  }

  private async tableExists(name: string): Promise<boolean> {
    const reader = await this.connection().runAndReadAll(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $1`,
      [name],
    );
    return reader.getRows().length > 0;
  }

  /**
   * An existing table must have the declared columns, no others, in the declared order: the
   * appender fills a table's columns by position, so a table created by hand in another order, or
   * by an older Sluice with other columns, would otherwise take values into the wrong columns.
   */
  private async checkColumns(table: TableSpec): Promise<void> {
    const reader = await this.connection().runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1 ORDER BY ordinal_position`,
      [table.name],
    );
    const present = reader.getRows().map((r) => String(r[0]));
    const declared = table.columns.map((c) => c.name);
    const missing = declared.filter((name) => !present.includes(name));
    if (missing.length > 0) {
      throw new SluiceError(
        'SCHEMA_MISMATCH',
        `table "${table.name}" in ${this.location} lacks column(s) ${missing.join(', ')} that the pipeline declares. ` +
          `Add them (ALTER TABLE … ADD COLUMN) or write to a fresh warehouse file.`,
      );
    }
    const extra = present.filter((name) => !declared.includes(name));
    if (extra.length > 0) {
      throw new SluiceError(
        'SCHEMA_MISMATCH',
        `table "${table.name}" in ${this.location} has column(s) ${extra.join(', ')} that the pipeline does not declare ` +
          `(it writes ${declared.join(', ')}, in that order). Drop them (ALTER TABLE … DROP COLUMN) or write to a fresh warehouse file.`,
      );
    }
    if (present.join('\u0000') !== declared.join('\u0000')) {
      throw new SluiceError(
        'SCHEMA_MISMATCH',
        `table "${table.name}" in ${this.location} has the declared columns in another order (${present.join(', ')}); ` +
          `rows are appended in the order ${declared.join(', ')}. Recreate the table in that order, or write to a fresh warehouse file.`,
      );
    }
  }

  async commit(batches: readonly TableBatch[]): Promise<CommitResult> {
    return this.serial(async () => {
      const db = this.connection();
      // One entry per table: two batches for the same table are one set of rows (and of keys).
      const work = new Map<string, [PreparedTable, RowFrame[]]>();
      for (const batch of batches) {
        const table = this.prepared.get(batch.table.name);
        if (table === undefined) {
          throw new SluiceError('TABLE_NOT_PREPARED', `table "${batch.table.name}" was written before ensureTable() was called for it`);
        }
        let entry = work.get(table.spec.name);
        if (entry === undefined) {
          entry = [table, []];
          work.set(table.spec.name, entry);
        }
        // Rows first, then frames: the order the runner gives warehouses that take rows only.
        if (batch.rows.length > 0) entry[1].push(encodeRows(batch.rows, table.spec.columns.length));
        for (const frame of batch.frames ?? []) entry[1].push(frame);
      }
      const results: Array<{ table: string; inserted: number; duplicates: number }> = [];
      const nowHasRows: PreparedTable[] = [];
      await db.run('BEGIN TRANSACTION');
      try {
        for (const [table, frames] of work.values()) {
          const upsert = table.spec.writeMode === 'upsert';
          const offered = frames.reduce((n, f) => n + f.rows, 0);
          const picked = pickUniqueKeys(frames, table.keyIndex, upsert);
          if (table.mayHaveRows && picked.count > 0) {
            const existing = await this.existingKeys(db, table, picked.keys);
            if (existing.size > 0) {
              if (upsert) await db.run(`DELETE FROM ${quoteIdent(table.spec.name)} WHERE ${quoteIdent(table.spec.key)} IN (SELECT k FROM ${KEYS_TABLE})`);
              else dropKeys(picked, existing);
            }
            await db.run(`DELETE FROM ${KEYS_TABLE}`);
          }
          const inserted = picked.selections.reduce((n, sel) => n + sel.length, 0);
          if (inserted > 0) {
            // Appenders join the open transaction: a ROLLBACK takes their rows back too.
            const appender = await db.createAppender(table.spec.name);
            try {
              for (let f = 0; f < frames.length; f++) {
                const selection = picked.selections[f] as Int32Array;
                if (selection.length === 0) continue;
                table.writer.append(appender, frames[f] as RowFrame, selection.length === (frames[f] as RowFrame).rows ? null : selection);
                // Appending is synchronous work (≈5 ms per 1,000 municipal rows): a frame at a time,
                // with the event loop let in between, the main thread keeps feeding the step
                // threads during a 100k-row commit instead of leaving them idle for half a second.
                await yieldToEventLoop();
              }
              appender.flushSync();
            } finally {
              appender.closeSync();
            }
            nowHasRows.push(table);
          }
          results.push({ table: table.spec.name, inserted, duplicates: offered - inserted });
        }
        await db.run('COMMIT');
      } catch (error) {
        await db.run('ROLLBACK').catch(() => undefined);
        await db.run(`DELETE FROM ${KEYS_TABLE}`).catch(() => undefined);
        throw error;
      }
      for (const table of nowHasRows) table.mayHaveRows = true;
      return { tables: results };
    });
  }

  /** Which of `keys` the table already holds: the keys go to a TEMP table, one semi-join. */
  private async existingKeys(db: DuckDBConnection, table: PreparedTable, keys: Utf8Strings): Promise<Set<string>> {
    const appender = await db.createAppender('_sluice_keys', 'main', 'temp');
    try {
      this.keyWriter.append(appender, { rows: keys.ends.length, columns: [{ kind: 'string', text: keys, nulls: null }] });
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    // An inner join lets DuckDB build its hash table on the batch's keys, not the whole table's.
    const reader = await db.runAndReadAll(
      `SELECT DISTINCT k.k FROM ${KEYS_TABLE} k JOIN ${quoteIdent(table.spec.name)} t ON t.${quoteIdent(table.spec.key)} = k.k`,
    );
    return new Set(reader.getRows().map((r) => String(r[0])));
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
    if (this.reader === null) throw new SluiceError('WAREHOUSE_CLOSED', `the DuckDB warehouse ${this.location} is not open`);
    const reader = await this.reader.runAndReadAll(sql, params.length > 0 ? (params as never) : undefined);
    return reader.getRowObjectsJS().map(plainRow);
  }

  async execute(sql: string): Promise<void> {
    await this.serial(async () => {
      await this.connection().run(sql);
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.reader?.closeSync();
    this.writer?.closeSync();
    this.instance?.closeSync();
    this.reader = null;
    this.writer = null;
    this.instance = null;
    this.prepared.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** JS values people and JSON can use: safe BIGINTs as numbers, timestamps as ISO text. */
function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainValue(v);
    return out;
  }
  return value;
}

function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) out[key] = plainValue(row[key]);
  return out;
}
