import type { CustomTypesConfig, Pool } from 'pg';
import { ConfigError } from '../../core/errors.js';
import { SCHEMA_NAME } from './postgres-types.js';

/**
 * Connection settings and the pg pool. `pg` is imported here, on first use, so a Sluice that runs
 * embedded never loads it.
 */

export interface PostgresUrl {
  /** What pg connects with: the URL minus Sluice's own parameters. */
  readonly connectionString: string;
  /** The URL for people: no password. */
  readonly location: string;
  /** `?schema=` from the URL, if given. */
  readonly schema?: string;
}

/** Splits `postgres://user:pw@host:5432/db?schema=sluice` into what pg needs and what people see. */
export function parsePostgresUrl(url: string): PostgresUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`"${redactPassword(url)}" is not a PostgreSQL URL. Use postgres://USER@HOST:5432/DATABASE (e.g. postgres://postgres@127.0.0.1:5432/test).`, { cause: error });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`"${redactPassword(url)}" is not a PostgreSQL URL: it must start with postgres:// or postgresql://.`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  const shown = new URL(parsed.href);
  if (shown.password !== '') shown.password = '';
  if (schema !== undefined) shown.searchParams.set('schema', schema);
  return { connectionString: parsed.href, location: shown.href, ...(schema !== undefined ? { schema } : {}) };
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(`"${schema}" is not a schema name Sluice accepts: use letters, digits and _ (at most 63), starting with a letter or _ (e.g. sluice).`);
  }
  return schema;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** int8 as a number when it fits, else its digits — what the DuckDB warehouse returns. */
export function parseInt8(text: string): number | string {
  const big = BigInt(text);
  return big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : text;
}

/** numeric as a number when that loses nothing an integer needs, else its digits. */
export function parseNumeric(text: string): number | string {
  if (/^-?\d+$/.test(text)) return parseInt8(text);
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** `2026-11-01` → `2026-11-01T00:00:00.000Z`: a date is its UTC midnight, as DuckDB's DATE reads back. */
export function parseDate(text: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text;
}

/** A timestamp PostgreSQL wrote in UTC (the session's TimeZone) → ISO 8601 with milliseconds. */
export function parseTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?([+-]\d{2}(?::?\d{2})?)?$/.exec(text);
  if (m === null) return text; // infinity, BC dates: as PostgreSQL wrote them
  const fraction = (m[3] ?? '.000').slice(0, 4).padEnd(4, '0');
  const zone = m[4] === undefined ? 'Z' : m[4].length === 3 ? `${m[4]}:00` : m[4];
  const ms = Date.parse(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/** OIDs of the types whose text form Sluice parses itself. */
const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184, json: 114, jsonb: 3802, int8Array: 1016, textArray: 1009, dateArray: 1182, timestampArray: 1115, timestamptzArray: 1185 } as const;

type TextParser = (text: string) => unknown;

/** Per-pool type parsers (never pg's global ones, which other code in the process may rely on). */
function typeParsers(pg: typeof import('pg')): CustomTypesConfig {
  const fallback = pg.types.getTypeParser.bind(pg.types) as (oid: number, format?: string) => TextParser;
  const textArray = fallback(OID.textArray);
  const arrayOf = (element: (text: string) => unknown): TextParser => (text) =>
    (textArray(text) as Array<string | null>).map((v) => (v === null ? null : element(v)));
  const own: Record<number, TextParser> = {
    [OID.int8]: parseInt8,
    [OID.numeric]: parseNumeric,
    [OID.date]: parseDate,
    [OID.timestamp]: (t) => parseTimestamp(`${t}+00`),
    [OID.timestamptz]: parseTimestamp,
    // JSON comes back as its text, as DuckDB's JSON does; callers JSON.parse when they want objects.
    [OID.json]: (t) => t,
    [OID.jsonb]: (t) => t,
    [OID.int8Array]: arrayOf(parseInt8),
    [OID.dateArray]: arrayOf(parseDate),
    [OID.timestampArray]: arrayOf((t) => parseTimestamp(`${t}+00`)),
    [OID.timestamptzArray]: arrayOf(parseTimestamp),
  };
  return {
    getTypeParser: ((oid: number, format?: string) => (format === 'binary' ? fallback(oid, format) : (own[oid] ?? fallback(oid)))) as CustomTypesConfig['getTypeParser'],
  };
}

export interface PoolSettings {
  readonly connectionString: string;
  readonly schema: string;
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly applicationName: string;
}

let pgModule: Promise<typeof import('pg')> | null = null;

function loadPg(): Promise<typeof import('pg')> {
  pgModule ??= import('pg').then((m) => (m.default ?? m) as typeof import('pg'));
  return pgModule;
}

/**
 * A pool whose every connection has `search_path` set to the warehouse's schema (so unqualified
 * names in `query()` resolve there) and `TimeZone=UTC` (so timestamps print, and `date_trunc`
 * cuts days, the way Sluice's day partitions do).
 */
export async function createPool(settings: PoolSettings): Promise<Pool> {
  const pg = await loadPg();
  const searchPath = settings.schema === 'public' ? 'public' : `${settings.schema},public`;
  return new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.max,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: settings.applicationName,
    options: `-c search_path=${searchPath} -c TimeZone=UTC -c temp_buffers=64MB -c work_mem=64MB`,
    types: typeParsers(pg),
  });
}
