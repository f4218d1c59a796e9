import { hash } from 'node:crypto';
import type { ColumnSpec, TableSpec } from '../../core/schema.js';
import { MAX_IDENTIFIER_BYTES, POSTGRES_COLUMN_TYPES, qualified, quoteIdent, quoteLiteral } from './postgres-types.js';

/**
 * SQL text for one declared table: its DDL, its staging table and the statements that move staged
 * rows in. Pure functions of the TableSpec, so they are built once per table and tested without
 * a server.
 *
 * Idempotency on the key of a day-partitioned table: PostgreSQL only allows a unique index on a
 * partitioned table if it contains the partition column, and the partition column may be NULL
 * (bad or missing event times go to the DEFAULT partition) or not a function of the key (a
 * processing timestamp differs on redelivery). So the key lives in a small non-partitioned key
 * table `<table>__keys (key PRIMARY KEY, partition value)`: a commit inserts the batch's keys
 * there with ON CONFLICT DO NOTHING and writes only the rows whose key was new, in the same
 * transaction. Its primary key is also what two racing writers serialise on. The partition value
 * is kept beside the key so that dropping old partitions can delete their keys with a range
 * predicate (`DELETE FROM t__keys WHERE day < …`).
 */

/** Staged rows carry their position in the batch, so "first occurrence wins" is exact. */
export const SEQ_COLUMN = '_sluice_seq';

/** `base` + `suffix` within PostgreSQL's 63-byte identifier limit, kept distinct by a hash when cut. */
export function boundedName(base: string, suffix: string): string {
  const name = `${base}${suffix}`;
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const digest = hash('sha1', base, 'hex').slice(0, 8);
  let cut = base;
  while (Buffer.byteLength(`${cut}_${digest}${suffix}`) > MAX_IDENTIFIER_BYTES) cut = cut.slice(0, -1);
  return `${cut}_${digest}${suffix}`;
}

export const keyTableName = (table: string): string => boundedName(table, '__keys');
export const defaultPartitionName = (table: string): string => boundedName(table, '__default');
export const stagingTableName = (table: string): string => boundedName(`_sluice_stage_${table}`, '');

/** `20261101` for day 20758 (days since 1970-01-01, UTC). */
export function dayLabel(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export const partitionName = (table: string, day: number): string => boundedName(table, `__p${dayLabel(day)}`);

/** Recognises the day partitions Sluice created, e.g. `events__p20261101` → its day. */
export function parsePartitionDay(table: string, relname: string): number | null {
  const prefix = boundedName(table, '__p00000000').slice(0, -8);
  if (!relname.startsWith(prefix)) return null;
  const label = relname.slice(prefix.length);
  if (!/^\d{8}$/.test(label)) return null;
  const ms = Date.UTC(Number(label.slice(0, 4)), Number(label.slice(4, 6)) - 1, Number(label.slice(6, 8)));
  return Number.isNaN(ms) || dayLabel(ms / 86_400_000) !== label ? null : ms / 86_400_000;
}

function columnDefinition(column: ColumnSpec, key: string): string {
  const notNull = column.nullable === false || column.name === key ? ' NOT NULL' : '';
  return `${quoteIdent(column.name)} ${POSTGRES_COLUMN_TYPES[column.type]}${notNull}`;
}

function partitionColumn(table: TableSpec): ColumnSpec | undefined {
  return table.partitionBy === undefined ? undefined : table.columns.find((c) => c.name === table.partitionBy);
}

function keyColumn(table: TableSpec): ColumnSpec {
  const column = table.columns.find((c) => c.name === table.key);
  if (column === undefined) throw new Error(`table ${table.name}: key column "${table.key}" is not declared`);
  return column;
}

/** Whether the table is created day-partitioned: a declared timestamp or date partition column. */
export function isDayPartitioned(table: TableSpec): boolean {
  const column = partitionColumn(table);
  return column !== undefined && (column.type === 'timestamp' || column.type === 'date');
}

function commentStatements(schema: string, table: TableSpec): string[] {
  const out: string[] = [];
  if (table.description !== undefined) out.push(`COMMENT ON TABLE ${qualified(schema, table.name)} IS ${quoteLiteral(table.description)}`);
  for (const c of table.columns) {
    if (c.description !== undefined) out.push(`COMMENT ON COLUMN ${qualified(schema, table.name)}.${quoteIdent(c.name)} IS ${quoteLiteral(c.description)}`);
  }
  return out;
}

/** The key table of a partitioned table: one row per key ever written. */
export function keyTableStatement(schema: string, table: TableSpec): string {
  const key = keyColumn(table);
  const part = partitionColumn(table) as ColumnSpec;
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, keyTableName(table.name))} ` +
    `(${quoteIdent(key.name)} ${POSTGRES_COLUMN_TYPES[key.type]} PRIMARY KEY, ${quoteIdent(part.name)} ${POSTGRES_COLUMN_TYPES[part.type]})`
  );
}

/** Fills a new key table from rows already in the table, so they keep counting as present. */
export function keyBackfillStatement(schema: string, table: TableSpec): string {
  const key = quoteIdent(table.key);
  const part = quoteIdent(table.partitionBy as string);
  return `INSERT INTO ${qualified(schema, keyTableName(table.name))} (${key}, ${part}) SELECT ${key}, ${part} FROM ${qualified(schema, table.name)} WHERE ${key} IS NOT NULL ON CONFLICT DO NOTHING`;
}

/** Everything `ensureTable` runs to create the table, in order. Idempotent (IF NOT EXISTS). */
export function createTableStatements(schema: string, table: TableSpec): string[] {
  const columns = table.columns.map((c) => columnDefinition(c, table.key));
  const target = qualified(schema, table.name);
  if (!isDayPartitioned(table)) {
    return [`CREATE TABLE IF NOT EXISTS ${target} (${columns.join(', ')}, PRIMARY KEY (${quoteIdent(table.key)}))`, ...commentStatements(schema, table)];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${target} (${columns.join(', ')}) PARTITION BY RANGE (${quoteIdent(table.partitionBy as string)})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, defaultPartitionName(table.name))} PARTITION OF ${target} DEFAULT`,
    keyTableStatement(schema, table),
    ...commentStatements(schema, table),
  ];
}

/** The bounds of one UTC day as literals of the partition column's type. */
export function dayBounds(column: ColumnSpec, day: number): { from: string; to: string } {
  const iso = (d: number): string => new Date(d * 86_400_000).toISOString();
  return column.type === 'date'
    ? { from: quoteLiteral(iso(day).slice(0, 10)), to: quoteLiteral(iso(day + 1).slice(0, 10)) }
    : { from: quoteLiteral(iso(day)), to: quoteLiteral(iso(day + 1)) };
}

export function createPartitionStatement(schema: string, table: TableSpec, day: number): string {
  const { from, to } = dayBounds(partitionColumn(table) as ColumnSpec, day);
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, partitionName(table.name, day))} PARTITION OF ${qualified(schema, table.name)} FOR VALUES FROM (${from}) TO (${to})`;
}

/**
 * Moves the DEFAULT partition's rows of one day out of the way, creates the day's partition, and
 * puts them back (now routed into it). Needed only when rows for that day reached the safety net
 * — PostgreSQL refuses to create a partition whose range the DEFAULT partition already holds.
 */
export function moveOutOfDefaultStatements(schema: string, table: TableSpec, day: number, defaultPartition: string): string[] {
  const { from, to } = dayBounds(partitionColumn(table) as ColumnSpec, day);
  const part = quoteIdent(table.partitionBy as string);
  const parked = quoteIdent('_sluice_parked');
  return [
    `CREATE TEMP TABLE ${parked} (LIKE ${qualified(schema, table.name)}) ON COMMIT DROP`,
    `WITH moved AS (DELETE FROM ${qualified(schema, defaultPartition)} WHERE ${part} >= ${from} AND ${part} < ${to} RETURNING *) INSERT INTO ${parked} SELECT * FROM moved`,
    createPartitionStatement(schema, table, day),
    `INSERT INTO ${qualified(schema, table.name)} SELECT * FROM ${parked}`,
    `DROP TABLE ${parked}`,
  ];
}

/** The per-connection temporary table COPY writes into; emptied by every COMMIT or ROLLBACK. */
export function stagingStatement(table: TableSpec): string {
  const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${POSTGRES_COLUMN_TYPES[c.type]}`);
  return `CREATE TEMP TABLE ${quoteIdent(stagingTableName(table.name))} (${quoteIdent(SEQ_COLUMN)} integer, ${columns.join(', ')}) ON COMMIT DELETE ROWS`;
}

export function copyStatement(table: TableSpec): string {
  const columns = [SEQ_COLUMN, ...table.columns.map((c) => c.name)].map(quoteIdent);
  return `COPY pg_temp.${quoteIdent(stagingTableName(table.name))} (${columns.join(', ')}) FROM STDIN`;
}

/**
 * The statements that move the staged batch into the table, in order; the row count of the last
 * one is the number of rows written. Rows are deduplicated within the batch (first occurrence
 * wins; last for upsert tables) and written in key order, so two writers racing on the same keys
 * take their row locks in the same order and never deadlock.
 */
export function insertStatements(schema: string, table: TableSpec, partitioned: boolean): string[] {
  const names = table.columns.map((c) => quoteIdent(c.name));
  const list = names.join(', ');
  const key = quoteIdent(table.key);
  const stage = `pg_temp.${quoteIdent(stagingTableName(table.name))}`;
  const target = qualified(schema, table.name);
  const upsert = table.writeMode === 'upsert';
  const pick = `SELECT DISTINCT ON (${key}) ${list} FROM ${stage} ORDER BY ${key}, ${quoteIdent(SEQ_COLUMN)}${upsert ? ' DESC' : ''}`;
  if (!partitioned) {
    const others = names.filter((n) => n !== key);
    const onConflict = upsert && others.length > 0 ? `DO UPDATE SET ${others.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}` : 'DO NOTHING';
    return [`INSERT INTO ${target} (${list}) ${pick} ON CONFLICT (${key}) ${onConflict}`];
  }
  const keys = qualified(schema, keyTableName(table.name));
  const part = quoteIdent(table.partitionBy as string);
  if (!upsert) {
    return [
      `WITH firsts AS (${pick}), ` +
        `fresh AS (INSERT INTO ${keys} (${key}, ${part}) SELECT ${key}, ${part} FROM firsts ORDER BY ${key} ON CONFLICT (${key}) DO NOTHING RETURNING ${key}) ` +
        `INSERT INTO ${target} (${list}) SELECT ${names.map((n) => `firsts.${n}`).join(', ')} FROM firsts JOIN fresh USING (${key})`,
    ];
  }
  // Three statements, not one: each takes a fresh snapshot after the key locks are held, so the
  // DELETE sees a row a racing writer committed while this one waited.
  return [
    `INSERT INTO ${keys} (${key}, ${part}) SELECT ${key}, ${part} FROM (${pick}) lasts ORDER BY ${key} ON CONFLICT (${key}) DO UPDATE SET ${part} = EXCLUDED.${part}`,
    `DELETE FROM ${target} WHERE ${key} IN (SELECT ${key} FROM ${stage})`,
    `INSERT INTO ${target} (${list}) ${pick}`,
  ];
}
