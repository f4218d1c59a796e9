import type { Row } from './schema.js';

/**
 * Rows of one table as columns: how step worker threads hand their rows to the main thread, and
 * how a warehouse that can (DuckDB) loads them without building a JavaScript array per row.
 *
 * Structured cloning of `Row[]` cost 4–15 µs per municipal event on the receiving side, as much
 * as the steps saved by running elsewhere. A frame clones as a handful of typed arrays, which are
 * transferred rather than copied: numbers as float64, booleans as bytes, and the strings of a
 * column as one UTF-8 buffer with the end offset of each value — the bytes a warehouse loads
 * anyway, so each string is encoded once, on the thread that made it.
 *
 * @example
 * const frame = encodeRows([['a', 1], ['b', null]], 2);
 * const rows: Row[] = []; decodeRows(frame, rows); // [['a', 1], ['b', null]]
 */
export interface RowFrame {
  readonly rows: number;
  readonly columns: readonly FrameColumn[];
}

/** One column of a frame. `nulls[i] === 1` marks a null (or undefined) cell; `null` means none. */
export type FrameColumn =
  | { readonly kind: 'number'; readonly values: Float64Array; readonly nulls: Uint8Array | null }
  | { readonly kind: 'boolean'; readonly values: Uint8Array; readonly nulls: Uint8Array | null }
  | { readonly kind: 'string'; readonly text: Utf8Strings; readonly nulls: Uint8Array | null }
  | { readonly kind: 'string-list'; readonly text: Utf8Strings; readonly counts: Int32Array; readonly nulls: Uint8Array | null }
  | { readonly kind: 'any'; readonly values: unknown[] };

/** Strings one after another in UTF-8; value i is `bytes[ends[i-1] ?? 0 .. ends[i])`. */
export interface Utf8Strings {
  readonly bytes: Uint8Array;
  readonly ends: Int32Array;
  /** Every byte is below 0x80, so byte offsets are character offsets. */
  readonly ascii: boolean;
}

type Kind = FrameColumn['kind'];

function isStringArray(value: unknown[]): boolean {
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

/** The kind the first non-null value of column `col` asks for (numbers when all are null). */
function firstKind(rows: readonly Row[], col: number): Kind {
  for (let i = 0; i < rows.length; i++) {
    const v = (rows[i] as Row)[col];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') return 'string';
    if (typeof v === 'number') return 'number';
    if (typeof v === 'boolean') return 'boolean';
    return Array.isArray(v) && isStringArray(v) ? 'string-list' : 'any';
  }
  return 'number';
}

/** Where strings are encoded before being copied out at their exact size; grows as needed. */
let scratch = Buffer.allocUnsafeSlow(1 << 20);

/**
 * Encodes `strings` (nulls passed as '') into one UTF-8 run. A column of ASCII text (ids, hashes,
 * codes, names) is joined and converted in one native call and its offsets are the characters';
 * otherwise each value is written in turn (≈170 ns for a Tamil description).
 */
export function encodeStrings(strings: readonly string[], count = strings.length): Utf8Strings {
  const ends = new Int32Array(count);
  const joined = strings.length === count ? strings.join('') : strings.slice(0, count).join('');
  if (Buffer.byteLength(joined, 'utf8') === joined.length) {
    let end = 0;
    for (let i = 0; i < count; i++) {
      end += (strings[i] as string).length;
      ends[i] = end;
    }
    const bytes = new Uint8Array(joined.length);
    Buffer.from(bytes.buffer, 0, bytes.length).write(joined, 0, 'latin1');
    return { bytes, ends, ascii: true };
  }
  let used = 0;
  for (let i = 0; i < count; i++) {
    const s = strings[i] as string;
    // Three bytes per UTF-16 unit is UTF-8's worst case (a surrogate pair is 4 bytes for 2 units).
    if (used + s.length * 3 > scratch.length) {
      let size = scratch.length * 2;
      while (size < used + s.length * 3) size *= 2;
      const next = Buffer.allocUnsafeSlow(size);
      scratch.copy(next, 0, 0, used);
      scratch = next;
    }
    if (s.length > 0) used += scratch.write(s, used, 'utf8');
    ends[i] = used;
  }
  // Its own ArrayBuffer, exactly sized, so it can be transferred to another thread.
  const bytes = new Uint8Array(used);
  bytes.set(scratch.subarray(0, used));
  return { bytes, ends, ascii: used === 0 || isAscii(bytes) };
}

function isAscii(bytes: Uint8Array): boolean {
  // Eight bytes at a time where the buffer allows it.
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null;
  let from = 0;
  if (words !== null) {
    for (let i = 0; i < words.length; i++) if (((words[i] as number) & 0x80808080) !== 0) return false;
    from = words.length << 2;
  }
  for (let i = from; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

/** Marks cell `i` null, creating the mask on the first null. */
function markNull(nulls: Uint8Array | null, n: number, i: number): Uint8Array {
  const mask = nulls ?? new Uint8Array(n);
  mask[i] = 1;
  return mask;
}

/** Encodes rows (all of one table, `width` values each) into a frame. */
export function encodeRows(rows: readonly Row[], width: number): RowFrame {
  const columns: FrameColumn[] = [];
  for (let col = 0; col < width; col++) columns.push(encodeColumn(rows, col, firstKind(rows, col)) ?? anyColumn(rows, col));
  return { rows: rows.length, columns };
}

function anyColumn(rows: readonly Row[], col: number): FrameColumn {
  const values: unknown[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = (rows[i] as Row)[col] ?? null;
  return { kind: 'any', values };
}

/** Column `col` as `kind` in one pass, or null as soon as a value does not fit (then it is 'any'). */
function encodeColumn(rows: readonly Row[], col: number, kind: Kind): FrameColumn | null {
  const n = rows.length;
  let nulls: Uint8Array | null = null;
  switch (kind) {
    case 'number': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = (rows[i] as Row)[col];
        if (typeof v === 'number') values[i] = v;
        else if (v === null || v === undefined) nulls = markNull(nulls, n, i);
        else return null;
      }
      return { kind, values, nulls };
    }
    case 'boolean': {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = (rows[i] as Row)[col];
        if (typeof v === 'boolean') values[i] = v ? 1 : 0;
        else if (v === null || v === undefined) nulls = markNull(nulls, n, i);
        else return null;
      }
      return { kind, values, nulls };
    }
    case 'string': {
      const strings: string[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = (rows[i] as Row)[col];
        if (typeof v === 'string') strings[i] = v;
        else if (v === null || v === undefined) {
          nulls = markNull(nulls, n, i);
          strings[i] = '';
        } else return null;
      }
      return { kind, text: encodeStrings(strings, n), nulls };
    }
    case 'string-list': {
      const strings: string[] = [];
      const counts = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = (rows[i] as Row)[col];
        if (v === null || v === undefined) {
          nulls = markNull(nulls, n, i);
          continue;
        }
        if (!Array.isArray(v) || !isStringArray(v)) return null;
        counts[i] = v.length;
        for (let k = 0; k < v.length; k++) strings.push(v[k] as string);
      }
      return { kind, text: encodeStrings(strings, strings.length), counts, nulls };
    }
    case 'any':
      return null;
  }
}

/**
 * The buffers of a frame to transfer rather than copy when it crosses a thread: each column's
 * arrays, once each, where the array is a view over a whole buffer of its own (a slice of Node's
 * shared pool must be copied, or its neighbours would go with it).
 */
export function frameTransferables(frame: RowFrame, into: ArrayBuffer[]): void {
  // Frames never share buffers with each other, so only this frame's own need checking.
  const from = into.length;
  const add = (view: ArrayBufferView): void => {
    const buffer = view.buffer;
    if (buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength && into.indexOf(buffer, from) < 0) into.push(buffer);
  };
  for (const column of frame.columns) {
    if (column.kind === 'any') continue;
    if (column.kind === 'number' || column.kind === 'boolean') add(column.values);
    else {
      add(column.text.bytes);
      add(column.text.ends);
      if (column.kind === 'string-list') add(column.counts);
    }
    if (column.nulls !== null) add(column.nulls);
  }
}

/** String `i` of a UTF-8 run. */
export function stringAt(text: Utf8Strings, i: number): string {
  const start = i === 0 ? 0 : (text.ends[i - 1] as number);
  const end = text.ends[i] as number;
  if (start === end) return '';
  const buffer = Buffer.from(text.bytes.buffer, text.bytes.byteOffset, text.bytes.length);
  return text.ascii ? buffer.toString('latin1', start, end) : buffer.toString('utf8', start, end);
}

/** Every string of a UTF-8 run, in order. */
export function decodeStrings(text: Utf8Strings): string[] {
  const count = text.ends.length;
  const out: string[] = new Array(count);
  const buffer = Buffer.from(text.bytes.buffer, text.bytes.byteOffset, text.bytes.length);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = text.ends[i] as number;
    out[i] = start === end ? '' : text.ascii ? buffer.toString('latin1', start, end) : buffer.toString('utf8', start, end);
    start = end;
  }
  return out;
}

/** The value of one cell, as the row it came from held it (undefined comes back as null). */
export function cellAt(column: FrameColumn, i: number): unknown {
  switch (column.kind) {
    case 'number':
      return column.nulls !== null && column.nulls[i] === 1 ? null : column.values[i];
    case 'boolean':
      return column.nulls !== null && column.nulls[i] === 1 ? null : column.values[i] === 1;
    case 'string':
      return column.nulls !== null && column.nulls[i] === 1 ? null : stringAt(column.text, i);
    case 'string-list': {
      if (column.nulls !== null && column.nulls[i] === 1) return null;
      const starts = listOffsets(column.counts);
      const first = starts[i] as number;
      const list: string[] = new Array(column.counts[i] as number);
      for (let k = 0; k < list.length; k++) list[k] = stringAt(column.text, first + k);
      return list;
    }
    case 'any':
      return column.values[i];
  }
}

/** Computed once per column: reading cells one by one must not rescan the counts each time. */
const listStarts = new WeakMap<Int32Array, Int32Array>();

/** Where each row's elements start in a string-list column. */
export function listOffsets(counts: Int32Array): Int32Array {
  const known = listStarts.get(counts);
  if (known !== undefined) return known;
  const starts = new Int32Array(counts.length);
  let next = 0;
  for (let i = 0; i < counts.length; i++) {
    starts[i] = next;
    next += counts[i] as number;
  }
  listStarts.set(counts, starts);
  return starts;
}

/** Rows back from a frame, appended to `into`. Null and undefined cells both come back as null. */
export function decodeRows(frame: RowFrame, into: Row[]): void {
  const n = frame.rows;
  const width = frame.columns.length;
  const base = into.length;
  for (let i = 0; i < n; i++) into.push(new Array(width));
  for (let col = 0; col < width; col++) {
    const column = frame.columns[col] as FrameColumn;
    if (column.kind === 'string') {
      const strings = decodeStrings(column.text);
      for (let i = 0; i < n; i++) (into[base + i] as Row)[col] = column.nulls !== null && column.nulls[i] === 1 ? null : strings[i];
    } else if (column.kind === 'string-list') {
      const strings = decodeStrings(column.text);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const count = column.counts[i] as number;
        if (column.nulls !== null && column.nulls[i] === 1) {
          (into[base + i] as Row)[col] = null;
          continue;
        }
        (into[base + i] as Row)[col] = strings.slice(k, k + count);
        k += count;
      }
    } else {
      for (let i = 0; i < n; i++) (into[base + i] as Row)[col] = cellAt(column, i);
    }
  }
}
