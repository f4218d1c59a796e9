import duckdb from '@duckdb/node-bindings';
import { BIGINT, BOOLEAN, DATE, type DuckDBAppender, DuckDBDataChunk, type DuckDBType, DOUBLE, INTEGER, LIST, TIMESTAMP, VARCHAR } from '@duckdb/node-api';
import type { ColumnSpec, ColumnType, Row } from '../../core/schema.js';

/**
 * Appends rows straight into a table a whole data chunk (2048 rows) at a time, column by column:
 * numbers, booleans, timestamps and dates are packed into typed arrays and copied in with one
 * native call per column; strings and list elements go straight into the vectors. The row
 * appender's `append*` calls build a DuckDB `Value` per cell; this path builds none (measured:
 * 50k rows × 17 columns, 664 ms → ~300 ms), and writing the target's own types spares the
 * staging-table copy.
 */

const DUCK_TYPES: Readonly<Record<ColumnType, DuckDBType>> = {
  string: VARCHAR,
  integer: INTEGER,
  bigint: BIGINT,
  double: DOUBLE,
  boolean: BOOLEAN,
  timestamp: TIMESTAMP,
  date: DATE,
  json: VARCHAR,
  'string[]': LIST(VARCHAR),
};

function toEpochMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const DAY_MS = 86_400_000;

function toEpochDay(value: unknown): number | null {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(ms) ? null : ms / DAY_MS;
  }
  const ms = toEpochMs(value);
  return ms === null ? null : Math.floor(ms / DAY_MS);
}

const CHUNK_ROWS = duckdb.vector_size();

/** Writes rows (in the table's column order) through an appender on that table. */
export class ChunkWriter {
  private readonly columns: readonly ColumnSpec[];
  private readonly duckTypes: DuckDBType[];
  private readonly f64 = new Float64Array(CHUNK_ROWS);
  private readonly i32 = new Int32Array(CHUNK_ROWS);
  private readonly i64 = new BigInt64Array(CHUNK_ROWS);
  private readonly u8 = new Uint8Array(CHUNK_ROWS);
  private readonly validity = new Uint8Array(Math.ceil(CHUNK_ROWS / 64) * 8);

  constructor(columns: readonly ColumnSpec[]) {
    this.columns = columns;
    this.duckTypes = columns.map((c) => DUCK_TYPES[c.type]);
  }

  append(appender: DuckDBAppender, rows: readonly Row[]): void {
    const raw = (appender as unknown as { appender: duckdb.Appender }).appender;
    for (let offset = 0; offset < rows.length; offset += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows.length - offset);
      const chunk = DuckDBDataChunk.create(this.duckTypes, n).chunk as unknown as duckdb.DataChunk;
      for (let col = 0; col < this.columns.length; col++) this.fillColumn(duckdb.data_chunk_get_vector(chunk, col), col, rows, offset, n);
      duckdb.data_chunk_set_size(chunk, n);
      duckdb.append_data_chunk(raw, chunk);
    }
  }

  private setNull(i: number): void {
    this.validity[i >> 3] = (this.validity[i >> 3] as number) & ~(1 << (i & 7));
  }

  private fillColumn(vector: duckdb.Vector, col: number, rows: readonly Row[], offset: number, n: number): void {
    this.validity.fill(0xff);
    let nulls = 0;
    const type = (this.columns[col] as ColumnSpec).type;
    switch (type) {
      case 'string':
      case 'json':
        for (let i = 0; i < n; i++) {
          const text = toText((rows[offset + i] as Row)[col]);
          if (text === null) {
            this.setNull(i);
            nulls++;
          } else duckdb.vector_assign_string_element(vector, i, text);
        }
        break;
      case 'string[]':
        nulls = this.fillList(vector, col, rows, offset, n);
        break;
      case 'double':
      case 'integer':
      case 'boolean':
      case 'date': {
        const target = type === 'double' ? this.f64 : type === 'boolean' ? this.u8 : this.i32;
        for (let i = 0; i < n; i++) {
          const v = (rows[offset + i] as Row)[col];
          let value: number | null;
          if (type === 'boolean') value = typeof v === 'boolean' ? Number(v) : v === 'true' || v === 1 ? 1 : v === 'false' || v === 0 ? 0 : null;
          else if (type === 'date') value = toEpochDay(v);
          else {
            value = typeof v === 'boolean' ? Number(v) : toNumber(v);
            if (type === 'integer' && value !== null && !(Number.isInteger(value) && value >= -2147483648 && value <= 2147483647)) value = null;
          }
          if (value === null) {
            this.setNull(i);
            target[i] = 0;
            nulls++;
          } else target[i] = value;
        }
        duckdb.copy_data_to_vector(vector, 0, target.buffer as ArrayBuffer, target.byteOffset, n * target.BYTES_PER_ELEMENT);
        break;
      }
      case 'timestamp':
      case 'bigint': {
        const target = this.i64;
        for (let i = 0; i < n; i++) {
          const v = (rows[offset + i] as Row)[col];
          const value = type === 'timestamp' ? toEpochMs(v) : toNumber(v);
          if (value === null || (type === 'bigint' && !Number.isSafeInteger(value))) {
            this.setNull(i);
            target[i] = 0n;
            nulls++;
          } else target[i] = BigInt(type === 'timestamp' ? Math.round(value * 1000) : value);
        }
        duckdb.copy_data_to_vector(vector, 0, target.buffer as ArrayBuffer, 0, n * 8);
        break;
      }
    }
    if (nulls > 0) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, this.validity.buffer as ArrayBuffer, 0, Math.ceil(n / 64) * 8);
    }
  }

  /** A VARCHAR[] column: (offset, length) entries in the parent, the strings in the child vector. */
  private fillList(vector: duckdb.Vector, col: number, rows: readonly Row[], offset: number, n: number): number {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = (rows[offset + i] as Row)[col];
      if (Array.isArray(v)) total += v.length;
    }
    duckdb.list_vector_reserve(vector, total);
    duckdb.list_vector_set_size(vector, total);
    const child = duckdb.list_vector_get_child(vector);
    const entries = new BigUint64Array(n * 2);
    let nulls = 0;
    let next = 0;
    for (let i = 0; i < n; i++) {
      const v = (rows[offset + i] as Row)[col];
      if (!Array.isArray(v)) {
        this.setNull(i);
        nulls++;
        entries[2 * i] = BigInt(next);
        entries[2 * i + 1] = 0n;
        continue;
      }
      entries[2 * i] = BigInt(next);
      entries[2 * i + 1] = BigInt(v.length);
      for (const element of v) duckdb.vector_assign_string_element(child, next++, typeof element === 'string' ? element : String(element));
    }
    duckdb.copy_data_to_vector(vector, 0, entries.buffer as ArrayBuffer, 0, n * 16);
    return nulls;
  }
}
