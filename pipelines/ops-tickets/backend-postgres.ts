import { createReadStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CsvError, parse } from 'csv-parse';
import { checkSchemaName, parsePostgresUrl } from '../../src/connectors/postgres/postgres-pool.js';
import { ConnectorUnavailableError } from '../../src/core/errors.js';
import type { OpsBackend, StageFile } from './backend.js';
import { OPS_CSV_COLUMNS } from './columns.js';
import { createStageTablesSql } from './sql/models.js';
import { postgresDialect } from './sql/postgres.js';

/** The part of a `pg.Client` the ops jobs use. */
export interface PostgresSession {
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  /** Starts `COPY … FROM STDIN` and returns the stream to write its data to (pg-copy-streams). */
  copyFrom(sql: string): Writable;
  end(): Promise<void>;
}

interface Reject {
  readonly line: number;
  readonly raw: string;
  readonly reason: string;
}

/** A value as a field of COPY's CSV format: empty = NULL, anything else quoted. */
function copyField(value: string): string {
  return value === '' ? '' : `"${value.replace(/"/g, '""')}"`;
}

/** Lines of COPY data for one day file, collecting the rows that are not 15 fields into `rejects`. */
async function* copyLinesOf(file: StageFile, rejects: Reject[]): AsyncGenerator<string> {
  const parser = createReadStream(file.path).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, raw: true, info: true }),
  );
  parser.on('skip', (error: CsvError & { lines?: number; raw?: string }) => {
    rejects.push({ line: error.lines ?? 0, raw: String(error.raw ?? ''), reason: `${error.code}: ${error.message}` });
  });
  let first = true;
  let row = 0;
  let chunk = '';
  for await (const item of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
    if (first) {
      first = false; // the header, checked before staging
      continue;
    }
    const fields = item.record;
    if (fields.length !== OPS_CSV_COLUMNS.length) {
      const reason = fields.length > OPS_CSV_COLUMNS.length ? 'TOO MANY COLUMNS' : 'MISSING COLUMNS';
      rejects.push({ line: item.info.lines, raw: item.raw.replace(/\r?\n$/, ''), reason: `${reason}: Expected Number of Columns: ${OPS_CSV_COLUMNS.length} Found: ${fields.length}` });
      continue;
    }
    row++;
    chunk += `${file.date},${row},${fields.map(copyField).join(',')}\n`;
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * The ops jobs on PostgreSQL, on one connection so a transaction spans calls. Day files are parsed
 * here and sent by COPY FROM STDIN (the server cannot read the client's files); rows that do not
 * split into the 15 columns go to `ops_rejects` with their line, as DuckDB's rejects table does.
 *
 * @example
 * const backend = postgresOpsBackend(session, 'postgres://127.0.0.1:5432/test');
 */
export function postgresOpsBackend(session: PostgresSession, location: string): OpsBackend {
  const run = async (statements: readonly string[]): Promise<void> => {
    for (const sql of statements) await session.query(sql);
  };
  return {
    kind: 'postgres',
    location,
    dialect: postgresDialect,
    run,
    query: async (sql) => (await session.query(sql)).rows,
    async stage(files: readonly StageFile[]): Promise<void> {
      await run(['DROP TABLE IF EXISTS ops_stage', 'DROP TABLE IF EXISTS ops_rejects', ...createStageTablesSql(postgresDialect)]);
      const rejects: Array<Reject & { date: string }> = [];
      for (const file of files) {
        const mine: Reject[] = [];
        await pipeline(Readable.from(copyLinesOf(file, mine)), session.copyFrom(`COPY ops_stage (_file_date, _row, ${OPS_CSV_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT csv)`));
        for (const r of mine) rejects.push({ ...r, date: file.date });
      }
      await run(['ANALYZE ops_stage']);
      if (rejects.length > 0) {
        const lines = rejects.map((r) => `${r.date},${r.line},${copyField(r.raw) || '""'},${copyField(r.reason)}\n`);
        await pipeline(Readable.from(lines), session.copyFrom('COPY ops_rejects (_file_date, _line, raw_line, reason) FROM STDIN WITH (FORMAT csv)'));
      }
    },
    unstage: () => run(['DROP TABLE IF EXISTS ops_stage', 'DROP TABLE IF EXISTS ops_rejects']),
    close: () => session.end(),
  };
}

/**
 * Connects to `postgres://…[?schema=NAME]` with one client: `search_path` set to the schema
 * (created if missing), TimeZone UTC, int8/numeric read as numbers and dates as `YYYY-MM-DD`.
 *
 * @example
 * const backend = await connectPostgresOps('postgres://postgres@127.0.0.1:5432/test?schema=ops');
 */
export async function connectPostgresOps(url: string): Promise<OpsBackend> {
  const target = parsePostgresUrl(url);
  const schema = checkSchemaName(target.schema ?? 'public');
  const pg = (await import('pg')).default;
  const copyStreams = await import('pg-copy-streams');
  const asText = (text: string): string => text;
  const asNumber = (text: string): number | string => {
    const n = Number(text);
    return Number.isSafeInteger(n) || (!/^-?\d+$/.test(text) && Number.isFinite(n)) ? n : text;
  };
  const client = new pg.Client({
    connectionString: target.connectionString,
    application_name: 'sluice ops-tickets',
    options: `-c TimeZone=UTC`,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 || oid === 1700 ? asNumber : oid === 1082 || oid === 1114 ? asText : pg.types.getTypeParser(oid, format as 'text')) as never,
    },
  });
  try {
    await client.connect();
  } catch (error) {
    throw new ConnectorUnavailableError(`cannot connect to PostgreSQL at ${target.location}: ${(error as Error).message}. Is the server running?`, { cause: error });
  }
  const quoted = `"${schema}"`;
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  await client.query(`SET search_path TO ${quoted}`);
  const session: PostgresSession = {
    query: async (sql) => ({ rows: (await client.query(sql)).rows as Array<Record<string, unknown>> }),
    copyFrom: (sql) => client.query(copyStreams.from(sql)),
    end: () => client.end(),
  };
  return postgresOpsBackend(session, target.location);
}
