import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineTable } from '../../core/schema.js';
import { COPY_NULL, copyEncoder, copyLines, escapeCopyText, partitionDay } from './postgres-copy.js';
import { boundedName, createTableStatements, insertStatements, parsePartitionDay, partitionName } from './postgres-ddl.js';
import { parseDate, parseInt8, parseNumeric, parsePostgresUrl, parseTimestamp } from './postgres-pool.js';

const col = (type: Parameters<typeof copyEncoder>[0]['type']) => copyEncoder({ name: 'c', type });

describe('PostgreSQL COPY encoding', () => {
  it('escapes the characters COPY text format gives meaning to, and drops NUL', () => {
    assert.equal(escapeCopyText('a\tb\nc\rd\\e\0f'), 'a\\tb\\nc\\rd\\\\ef');
    assert.equal(escapeCopyText('plain'), 'plain');
  });

  it('stores NULL for what a column type cannot hold instead of failing the COPY', () => {
    assert.equal(col('integer')('12'), '12');
    assert.equal(col('integer')(2 ** 31), COPY_NULL);
    assert.equal(col('integer')(1.5), COPY_NULL);
    assert.equal(col('bigint')('9223372036854775807'), '9223372036854775807');
    assert.equal(col('bigint')('9223372036854775808'), COPY_NULL);
    assert.equal(col('bigint')(2.5), '3');
    assert.equal(col('bigint')(-2.5), '-3');
    assert.equal(col('bigint')(1e300), COPY_NULL);
    assert.equal(col('double')('NaN'), COPY_NULL);
    assert.equal(col('double')(1e21), '1e+21');
    assert.equal(col('boolean')('yes'), COPY_NULL);
    assert.equal(col('boolean')(0), 'f');
    assert.equal(col('timestamp')(Date.UTC(2026, 10, 1, 8, 2)), '2026-11-01T08:02:00.000Z');
    assert.equal(col('timestamp')(1e16), COPY_NULL, 'past year 9999');
    assert.equal(col('timestamp')('not a time'), COPY_NULL);
    assert.equal(col('date')('2026-02-28T23:00:00Z'), '2026-02-28');
    assert.equal(col('date')('2026-02-31'), COPY_NULL, 'no such day');
    assert.equal(col('date')('0000-01-01'), COPY_NULL, 'PostgreSQL has no year 0');
    assert.equal(col('string[]')('a,b'), COPY_NULL);
  });

  it('writes text[] literals PostgreSQL parses back to the same strings', () => {
    assert.equal(col('string[]')(['a "q"', 'b\\c', null, 'NULL', 7]), '{"a \\\\"q\\\\"","b\\\\\\\\c",NULL,"NULL","7"}');
  });

  it('keeps JSON text, wraps a non-JSON string as a JSON string, and removes what jsonb refuses', () => {
    assert.equal(col('json')('{"a":1}'), '{"a":1}');
    assert.equal(col('json')('plain words'), '"plain words"');
    assert.equal(col('json')({ s: 'x\u0000y', lone: '\udc00' }), '{"s":"xy","lone":"\ufffd"}');
    assert.equal(col('json')({ path: 'C:\\u0000' }), '{"path":"C:\\\\\\\\u0000"}', 'an escaped backslash before u0000 is text, kept');
  });

  it('numbers each COPY line with the row ordinal, so the first occurrence of a key can win', () => {
    const text = [...copyLines([['a', 1], ['b', null]], [col('string'), col('integer')])].join('');
    assert.equal(text, '0\ta\t1\n1\tb\t\\N\n');
  });

  it('puts a value on the UTC day the stored value has', () => {
    assert.equal(partitionDay({ name: 'at', type: 'timestamp' }, Date.UTC(2026, 10, 1, 23, 59)), partitionDay({ name: 'd', type: 'date' }, '2026-11-01'));
    assert.equal(partitionDay({ name: 'at', type: 'timestamp' }, 'garbage'), null);
  });
});

describe('PostgreSQL DDL', () => {
  const events = defineTable({ name: 'events', partitionBy: 'at', columns: [{ name: 'at', type: 'timestamp' }] });

  it('keeps generated names within 63 bytes and distinct', () => {
    const long = 'x'.repeat(70);
    const a = boundedName(`${long}a`, '__keys');
    const b = boundedName(`${long}b`, '__keys');
    assert.ok(Buffer.byteLength(a) <= 63 && Buffer.byteLength(b) <= 63);
    assert.notEqual(a, b);
    assert.equal(parsePartitionDay(long, partitionName(long, 20758)), 20758);
    assert.equal(parsePartitionDay('events', 'events__p20261301'), null);
  });

  it('partitions by range with a key table, and writes only rows whose key was new', () => {
    const [create] = createTableStatements('s', events);
    assert.match(create ?? '', /PARTITION BY RANGE \("at"\)$/);
    const [insert] = insertStatements('s', events, true);
    assert.match(insert ?? '', /INSERT INTO "s"\."events__keys".*ON CONFLICT \("_id"\) DO NOTHING RETURNING "_id"\) INSERT INTO "s"\."events"/);
  });
});

describe('PostgreSQL connection settings', () => {
  it('hides the password and takes ?schema= out of what pg sees', () => {
    const url = parsePostgresUrl('postgres://me:s3cret@db:5432/app?schema=sluice&sslmode=disable');
    assert.equal(url.location, 'postgres://me@db:5432/app?sslmode=disable&schema=sluice');
    assert.equal(url.connectionString, 'postgres://me:s3cret@db:5432/app?sslmode=disable');
    assert.equal(url.schema, 'sluice');
    assert.throws(() => parsePostgresUrl('mysql://x:pw@h/d'), /must start with postgres:\/\//);
  });

  it('reads int8, numeric, date and timestamps back the way the DuckDB warehouse does', () => {
    assert.equal(parseInt8('42'), 42);
    assert.equal(parseInt8('9007199254740993'), '9007199254740993');
    assert.equal(parseNumeric('2.50'), 2.5);
    assert.equal(parseDate('2026-11-01'), '2026-11-01T00:00:00.000Z');
    assert.equal(parseTimestamp('2026-11-01 08:02:00.123456+00'), '2026-11-01T08:02:00.123Z');
    assert.equal(parseTimestamp('2026-11-01 08:02:00+05:30'), '2026-11-01T02:32:00.000Z');
    assert.equal(parseTimestamp('infinity'), 'infinity');
  });
});
