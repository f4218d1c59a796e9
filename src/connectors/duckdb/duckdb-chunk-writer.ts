import { endianness } from 'node:os';
import duckdb from '@duckdb/node-bindings';
import { BIGINT, BOOLEAN, DATE, type DuckDBAppender, DuckDBDataChunk, type DuckDBType, DOUBLE, INTEGER, LIST, TIMESTAMP, VARCHAR } from '@duckdb/node-api';
import { cellAt, encodeStrings, type FrameColumn, listOffsets, type RowFrame, type Utf8Strings } from '../../core/row-frame.js';
import type { ColumnSpec, ColumnType } from '../../core/schema.js';
import { parseTimestamp } from '../../core/timestamps.js';

/**
 * Appends frames (see core/row-frame.ts) straight into a table a whole data chunk (2048 rows) at
 * a time, column by column, with a handful of native calls per column and none per cell:
 * numbers, booleans, timestamps and dates are packed into typed arrays and copied in; strings are
 * laid out as DuckDB `string_t` views over one copy of their UTF-8 bytes (see packStrings).
 *
 * The row appender's `append*` calls build a DuckDB `Value` per cell, and even
 * `vector_assign_string_element` costs 230–600 ns a cell (a native call, a UTF-8 conversion and a
 * copy into the vector's heap) — before this writer, the largest single cost of a municipal run.
 * Writing the target's own types spares a staging-table copy.
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

/**
 * The range of a JavaScript Date (±10^8 days). Beyond it the microseconds of a TIMESTAMP overflow
 * int64 and would wrap into a wrong date (1e20 ms became 8319-09-05) instead of NULL.
 */
const MAX_EPOCH_MS = 8.64e15;

function toEpochMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_MS ? value : null;
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
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : typeof value === 'boolean' || typeof value === 'bigint'
          ? Number(value)
          : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const DAY_MS = 86_400_000;
const TWO_32 = 4_294_967_296;

function toEpochDay(value: unknown): number | null {
  // Strictly: '2024-02-30' is no date (Date.parse would roll it over to 1 March).
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseTimestamp(value) : toEpochMs(value);
  return ms === null ? null : Math.floor(ms / DAY_MS);
}

function toBoolean(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value === 'true' || value === 1 ? 1 : value === 'false' || value === 0 ? 0 : null;
}

/** A cell for a numeric target column: the typed value, or null (invalid values are stored as NULL). */
function numericCell(type: ColumnType, v: unknown): number | null {
  switch (type) {
    case 'boolean':
      return toBoolean(v);
    case 'date':
      return toEpochDay(v);
    case 'timestamp': {
      const ms = toEpochMs(v);
      return ms === null ? null : Math.round(ms * 1000);
    }
    case 'bigint': {
      const n = toNumber(v);
      return n !== null && Number.isSafeInteger(n) ? n : null;
    }
    case 'integer': {
      const n = toNumber(v);
      return n !== null && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : null;
    }
    default:
      return toNumber(v);
  }
}

const CHUNK_ROWS = duckdb.vector_size();

/** DuckDB keeps strings of up to 12 bytes inside the 16-byte `string_t` itself. */
const INLINE_BYTES = 12;

/** `string_t` views need little-endian pointers; on a big-endian machine strings go one call a cell. */
const PACK_STRINGS = endianness() === 'LE';

/** Which frame rows one data chunk holds: `selection[start + i]`, or `start + i` without a selection. */
interface ChunkRows {
  readonly start: number;
  readonly n: number;
  readonly selection: Int32Array | null;
}

function rowAt(rows: ChunkRows, i: number): number {
  return rows.selection === null ? rows.start + i : (rows.selection[rows.start + i] as number);
}

/** Writes frames (in the table's column order) through an appender on that table. */
export class ChunkWriter {
  private readonly columns: readonly ColumnSpec[];
  private readonly duckTypes: DuckDBType[];
  private readonly f64 = new Float64Array(CHUNK_ROWS);
  private readonly i32 = new Int32Array(CHUNK_ROWS);
  private readonly u32x2 = new Uint32Array(CHUNK_ROWS * 2);
  private readonly u8 = new Uint8Array(CHUNK_ROWS);
  private readonly validity = new Uint8Array(Math.ceil(CHUNK_ROWS / 64) * 8);
  private entries = new Uint32Array(CHUNK_ROWS * 4);
  private entryBytes = new Uint8Array(this.entries.buffer);

  constructor(columns: readonly ColumnSpec[]) {
    this.columns = columns;
    this.duckTypes = columns.map((c) => DUCK_TYPES[c.type]);
  }

  /** Appends the rows of `frame` picked by `selection` (all of them when null), in that order. */
  append(appender: DuckDBAppender, frame: RowFrame, selection: Int32Array | null = null): void {
    const raw = (appender as unknown as { appender: duckdb.Appender }).appender;
    const total = selection === null ? frame.rows : selection.length;
    if (frame.columns.length !== this.columns.length) {
      throw new Error(`a frame of ${frame.columns.length} columns cannot be written to a table of ${this.columns.length}`);
    }
    for (let start = 0; start < total; start += CHUNK_ROWS) {
      const rows: ChunkRows = { start, n: Math.min(CHUNK_ROWS, total - start), selection };
      const chunk = DuckDBDataChunk.create(this.duckTypes, rows.n).chunk as unknown as duckdb.DataChunk;
      for (let col = 0; col < this.columns.length; col++) {
        this.fillColumn(duckdb.data_chunk_get_vector(chunk, col), (this.columns[col] as ColumnSpec).type, frame.columns[col] as FrameColumn, rows);
      }
      duckdb.data_chunk_set_size(chunk, rows.n);
      duckdb.append_data_chunk(raw, chunk);
    }
  }

  private fillColumn(vector: duckdb.Vector, type: ColumnType, column: FrameColumn, rows: ChunkRows): void {
    const n = rows.n;
    this.validity.fill(0xff);
    let nulls = 0;
    const setNull = (i: number): void => {
      this.validity[i >> 3] = (this.validity[i >> 3] as number) & ~(1 << (i & 7));
      nulls++;
    };
    if (type === 'string' || type === 'json') {
      if (column.kind === 'string') {
        for (let i = 0; i < n; i++) if (column.nulls !== null && column.nulls[rowAt(rows, i)] === 1) setNull(i);
        this.writeStrings(vector, column.text, column.nulls, rows);
      } else {
        const texts: Array<string | null> = new Array(n);
        for (let i = 0; i < n; i++) {
          texts[i] = toText(cellAt(column, rowAt(rows, i)));
          if (texts[i] === null) setNull(i);
        }
        this.writeStringList(vector, texts, n);
      }
    } else if (type === 'string[]') {
      nulls = this.fillList(vector, column, rows, setNull);
    } else if (type === 'double' && column.kind === 'number' && rows.selection === null && column.nulls === null && allFinite(column.values, rows.start, n)) {
      // The common case: a frame's float64 column is already DuckDB's DOUBLE vector.
      const values = column.values;
      duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + rows.start * 8, n * 8);
    } else if (type === 'timestamp' || type === 'bigint') {
      // int64 as two uint32 halves: no BigInt per cell.
      const target = this.u32x2;
      for (let i = 0; i < n; i++) {
        const r = rowAt(rows, i);
        const value = column.kind === 'number' ? (column.nulls !== null && column.nulls[r] === 1 ? null : numericCell(type, column.values[r])) : numericCell(type, cellAt(column, r));
        if (value === null) {
          setNull(i);
          target[2 * i] = 0;
          target[2 * i + 1] = 0;
        } else {
          const hi = Math.floor(value / TWO_32);
          target[2 * i] = value - hi * TWO_32;
          target[2 * i + 1] = hi;
        }
      }
      duckdb.copy_data_to_vector(vector, 0, target.buffer as ArrayBuffer, 0, n * 8);
    } else {
      const target = type === 'double' ? this.f64 : type === 'boolean' ? this.u8 : this.i32;
      for (let i = 0; i < n; i++) {
        const r = rowAt(rows, i);
        const value = column.kind === 'number' ? (column.nulls !== null && column.nulls[r] === 1 ? null : numericCell(type, column.values[r])) : numericCell(type, cellAt(column, r));
        if (value === null) {
          setNull(i);
          target[i] = 0;
        } else target[i] = value;
      }
      duckdb.copy_data_to_vector(vector, 0, target.buffer as ArrayBuffer, target.byteOffset, n * target.BYTES_PER_ELEMENT);
    }
    if (nulls > 0) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, this.validity.buffer as ArrayBuffer, 0, Math.ceil(n / 64) * 8);
    }
  }

  /** A VARCHAR[] column: (offset, length) entries in the parent, the strings in the child vector. */
  private fillList(vector: duckdb.Vector, column: FrameColumn, rows: ChunkRows, setNull: (i: number) => void): number {
    const n = rows.n;
    let nulls = 0;
    const entries = new BigUint64Array(n * 2);
    if (column.kind === 'string-list') {
      const starts = listOffsets(column.counts);
      let total = 0;
      for (let i = 0; i < n; i++) total += column.counts[rowAt(rows, i)] as number;
      duckdb.list_vector_reserve(vector, total);
      duckdb.list_vector_set_size(vector, total);
      const child = duckdb.list_vector_get_child(vector);
      const elements = new Int32Array(total);
      let next = 0;
      for (let i = 0; i < n; i++) {
        const r = rowAt(rows, i);
        entries[2 * i] = BigInt(next);
        if (column.nulls !== null && column.nulls[r] === 1) {
          setNull(i);
          nulls++;
          continue;
        }
        const count = column.counts[r] as number;
        entries[2 * i + 1] = BigInt(count);
        for (let k = 0; k < count; k++) elements[next++] = (starts[r] as number) + k;
      }
      if (total > 0) this.writeStrings(child, column.text, null, { start: 0, n: total, selection: elements });
    } else {
      const lists: Array<string[] | null> = new Array(n);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = cellAt(column, rowAt(rows, i));
        lists[i] = Array.isArray(v) ? v.map((e) => (typeof e === 'string' ? e : String(e))) : null;
        total += lists[i]?.length ?? 0;
      }
      duckdb.list_vector_reserve(vector, total);
      duckdb.list_vector_set_size(vector, total);
      const child = duckdb.list_vector_get_child(vector);
      const flat: string[] = [];
      for (let i = 0; i < n; i++) {
        const list = lists[i] as string[] | null;
        entries[2 * i] = BigInt(flat.length);
        if (list === null) {
          setNull(i);
          nulls++;
          continue;
        }
        entries[2 * i + 1] = BigInt(list.length);
        for (const element of list) flat.push(element);
      }
      if (total > 0) this.writeStringList(child, flat, total);
    }
    duckdb.copy_data_to_vector(vector, 0, entries.buffer as ArrayBuffer, 0, n * 16);
    return nulls;
  }

  /** JavaScript strings into a VARCHAR vector (null entries are left to the caller's validity). */
  private writeStringList(vector: duckdb.Vector, texts: ReadonlyArray<string | null>, n: number): void {
    if (!PACK_STRINGS) {
      for (let i = 0; i < n; i++) if (texts[i] !== null) duckdb.vector_assign_string_element(vector, i, texts[i] as string);
      return;
    }
    const strings: string[] = new Array(n);
    const nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      strings[i] = texts[i] ?? '';
      if (texts[i] === null) nulls[i] = 1;
    }
    this.writeStrings(vector, encodeStrings(strings), nulls, { start: 0, n, selection: null });
  }

  /**
   * Lays out a VARCHAR vector from UTF-8 strings with four native calls: one copy of the chunk's
   * bytes goes into the vector's string heap as a single value, then every cell's 16-byte
   * `string_t` is written from JavaScript — `{length, 12 inline bytes}` for short values,
   * `{length, 4-byte prefix, pointer into the heap copy}` for longer ones, the same views DuckDB
   * builds for substrings — and copied in at once. The heap copy lives as long as the vector; the
   * appender copies the strings into the table. The layout is DuckDB's documented
   * `duckdb_string_t`.
   */
  private writeStrings(vector: duckdb.Vector, text: Utf8Strings, nulls: Uint8Array | null, rows: ChunkRows): void {
    const n = rows.n;
    const { bytes, ends } = text;
    const startOf = (r: number): number => (r === 0 ? 0 : (ends[r - 1] as number));
    if (!PACK_STRINGS) {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      for (let i = 0; i < n; i++) {
        const r = rowAt(rows, i);
        if (nulls === null || nulls[r] !== 1) duckdb.vector_assign_string_element(vector, i, buffer.toString('utf8', startOf(r), ends[r] as number));
      }
      return;
    }
    if (this.entries.length < n * 4) {
      this.entries = new Uint32Array(n * 4);
      this.entryBytes = new Uint8Array(this.entries.buffer);
    }
    const entries = this.entries;
    const entryBytes = this.entryBytes;
    // Zeroed: DuckDB compares and hashes an inlined string's 12 bytes whole, padding included.
    entries.fill(0, 0, n * 4);
    // Rows come in ascending order, so one byte range covers every cell of the chunk.
    const first = startOf(rowAt(rows, 0));
    const last = ends[rowAt(rows, n - 1)] as number;
    let baseLo = 0;
    let baseHi = 0;
    if (last - first > INLINE_BYTES) {
      // Row 0's entry is overwritten below with its own view.
      duckdb.vector_assign_string_element_len(vector, 0, bytes.subarray(first, last));
      const head = duckdb.vector_get_data(vector, 16);
      const words = new DataView(head.buffer, head.byteOffset, 16);
      baseLo = words.getUint32(8, true);
      baseHi = words.getUint32(12, true);
    }
    // Bytes are copied one by one into the entries' byte view: for values of a few bytes that
    // beats a native call or a subarray per cell, and needs no shifting into 32-bit words.
    for (let i = 0; i < n; i++) {
      const r = rowAt(rows, i);
      if (nulls !== null && nulls[r] === 1) continue;
      const start = startOf(r);
      const length = (ends[r] as number) - start;
      const e = i * 4;
      entries[e] = length;
      const at = e * 4 + 4;
      if (length <= INLINE_BYTES) {
        for (let k = 0; k < length; k++) entryBytes[at + k] = bytes[start + k] as number;
      } else {
        entryBytes[at] = bytes[start] as number;
        entryBytes[at + 1] = bytes[start + 1] as number;
        entryBytes[at + 2] = bytes[start + 2] as number;
        entryBytes[at + 3] = bytes[start + 3] as number;
        const lo = baseLo + (start - first);
        // A Uint32Array keeps the low 32 bits; a carry goes to the high word.
        entries[e + 2] = lo;
        entries[e + 3] = lo >= TWO_32 ? baseHi + 1 : baseHi;
      }
    }
    duckdb.copy_data_to_vector(vector, 0, entries.buffer as ArrayBuffer, 0, n * 16);
  }
}

function allFinite(values: Float64Array, start: number, n: number): boolean {
  for (let i = start; i < start + n; i++) if (!Number.isFinite(values[i] as number)) return false;
  return true;
}
