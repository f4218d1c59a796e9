import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import type { ColumnSpec, Row } from '../../core/schema.js';

/**
 * Bulk loading through `COPY … FROM STDIN` in PostgreSQL's text format. Every value is encoded
 * here into text PostgreSQL is certain to accept for the column's type — anything missing or
 * unconvertible becomes NULL — so one odd value never fails the whole COPY, and with it the
 * commit (the contract: "stores null for missing or unconvertible values").
 *
 * Measured against a multi-row `INSERT … SELECT FROM unnest($1::text[], …)` of the same rows
 * (50k raw_tickets-shaped rows into a temp table, bench/suites/infra.ts `--case pg-stage`): COPY
 * loads 1.6–3× faster (≈60–100k vs ≈32–37k rows/s on a busy 2-core machine) and needs no
 * parameter arrays in memory, hence pg-copy-streams.
 */

/** Encodes one JS value as a COPY text field; `\N` is NULL. */
export type CopyEncoder = (value: unknown) => string;

export const COPY_NULL = '\\N';

const MIN_EPOCH_MS = -62135596800000; // 0001-01-01T00:00:00Z: PostgreSQL rejects year 0
const MAX_EPOCH_MS = 253402300799999; // 9999-12-31T23:59:59.999Z: toISOString() changes format past it
const DAY_MS = 86_400_000;
const INT8_MAX = 9223372036854775807n;
const INT8_MIN = -9223372036854775808n;

const COPY_SPECIAL = /[\\\n\r\t\0]/;
const COPY_SPECIAL_ALL = /[\\\n\r\t\0]/g;
const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '' };

/** Escapes a string for a COPY text field. NUL characters are dropped: PostgreSQL text cannot hold them. */
export function escapeCopyText(text: string): string {
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c] as string) : text;
}

/** Epoch milliseconds from a number, a parseable string or a Date, within PostgreSQL's range. */
export function toEpochMs(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = Date.parse(value);
  else if (value instanceof Date) ms = value.getTime();
  else return null;
  return Number.isFinite(ms) && ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : null;
}

function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;

/** Days since the epoch for a calendar date `YYYY-MM-DD…`, or null when it is no real date. */
function dateStringDay(text: string): number | null {
  const match = DATE_PREFIX.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-31 over into March; a date that does not round-trip is not a date.
  if (year < 1 || back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

/** Days since the epoch of a `date` column's value, the same way the encoder reads it. */
function dateDay(value: unknown): number | null {
  if (typeof value === 'string' && DATE_PREFIX.test(value)) return dateStringDay(value);
  const ms = toEpochMs(value);
  return ms === null ? null : Math.floor(ms / DAY_MS);
}

function dayToIsoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The UTC day (days since 1970-01-01) a value of a timestamp or date column falls on, as the
 * encoder will store it; null when it will be stored as NULL. Partitions are chosen from this.
 */
export function partitionDay(column: ColumnSpec, value: unknown): number | null {
  if (column.type === 'date') return dateDay(value);
  const ms = toEpochMs(value);
  return ms === null ? null : Math.floor(ms / DAY_MS);
}

function encodeBigint(value: unknown): string {
  if (typeof value === 'bigint') return value >= INT8_MIN && value <= INT8_MAX ? value.toString() : COPY_NULL;
  if (typeof value === 'string' && /^-?\d{16,20}$/.test(value.trim())) {
    const big = BigInt(value.trim());
    return big >= INT8_MIN && big <= INT8_MAX ? big.toString() : COPY_NULL;
  }
  const n = toNumber(value);
  if (n === null) return COPY_NULL;
  // Round half away from zero, as a SQL CAST of a double to BIGINT does.
  const rounded = Math.sign(n) * Math.round(Math.abs(n));
  if (Number.isSafeInteger(rounded)) return String(rounded);
  if (Math.abs(rounded) >= 9.223372036854776e18) return COPY_NULL;
  return BigInt(rounded).toString();
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** JSON escapes jsonb refuses: \u0000, and lone surrogates (JSON.stringify writes them escaped). */
const JSONB_REFUSED = /\\u0000|\\ud[89a-f]/i;

/** Rebuilds a parsed JSON value without the characters jsonb refuses. Only for the rare values that carry them. */
function jsonbSafe(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\0/g, '').replace(LONE_SURROGATE, '\uFFFD');
  if (Array.isArray(value)) return value.map(jsonbSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[jsonbSafe(k) as string] = jsonbSafe(v);
    return out;
  }
  return value;
}

function encodeJson(value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  let text: string;
  if (typeof value === 'string') {
    try {
      JSON.parse(value);
      text = value;
    } catch {
      // Not JSON text: keep it, as a JSON string, rather than lose it.
      text = JSON.stringify(value);
    }
  } else {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) return COPY_NULL;
    text = json;
  }
  if (JSONB_REFUSED.test(text)) text = JSON.stringify(jsonbSafe(JSON.parse(text)));
  return escapeCopyText(text);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

function encodeString(value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return escapeCopyText(text);
}

/** One encoder per declared column type, chosen once per table. Mirrors the DuckDB cell encoders. */
export function copyEncoder(column: ColumnSpec): CopyEncoder {
  switch (column.type) {
    case 'string':
      return encodeString;
    case 'integer':
      return (v) => {
        const n = typeof v === 'boolean' ? Number(v) : toNumber(v);
        return n !== null && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? String(n) : COPY_NULL;
      };
    case 'bigint':
      return encodeBigint;
    case 'double':
      return (v) => {
        const n = toNumber(v);
        return n === null ? COPY_NULL : String(n);
      };
    case 'boolean':
      return (v) => (v === true || v === 'true' || v === 1 ? 't' : v === false || v === 'false' || v === 0 ? 'f' : COPY_NULL);
    case 'timestamp':
      return (v) => {
        const ms = toEpochMs(v);
        return ms === null ? COPY_NULL : new Date(ms).toISOString();
      };
    case 'date':
      return (v) => {
        const day = dateDay(v);
        return day === null ? COPY_NULL : dayToIsoDate(day);
      };
    case 'json':
      return encodeJson;
    case 'string[]':
      return (v) => (Array.isArray(v) ? escapeCopyText(`{${v.map(arrayElement).join(',')}}`) : COPY_NULL);
  }
}

/** COPY text for rows, a chunk of ~64 KiB at a time; each line starts with the row's ordinal. */
export function* copyLines(rows: readonly Row[], encoders: readonly CopyEncoder[]): Generator<string> {
  let chunk = '';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    let line = String(i);
    for (let c = 0; c < encoders.length; c++) line += `\t${(encoders[c] as CopyEncoder)(row[c])}`;
    chunk += `${line}\n`;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** `COPY … FROM STDIN` as a writable stream: pg-copy-streams, loaded when PostgreSQL is first used. */
export type CopyFrom = (sql: string) => NodeJS.WritableStream & { readonly rowCount?: number };

let copyFromModule: Promise<CopyFrom> | null = null;

export function loadCopyFrom(): Promise<CopyFrom> {
  copyFromModule ??= import('pg-copy-streams').then((m) => m.from as unknown as CopyFrom);
  return copyFromModule;
}

/** Streams rows into `table` (columns: ordinal, then `columns`) with backpressure. */
export async function copyRows(client: PoolClient, copyFrom: CopyFrom, sql: string, rows: readonly Row[], encoders: readonly CopyEncoder[]): Promise<void> {
  const target = client.query(copyFrom(sql) as never) as unknown as NodeJS.WritableStream;
  await pipeline(Readable.from(copyLines(rows, encoders)), target);
}
