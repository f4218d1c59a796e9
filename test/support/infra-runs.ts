import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { wardsCsv } from '../../pipelines/municipal-tickets/generator/index.js';
import { generateData } from '../../src/cli/commands/generate.js';
import { watchdog } from './private-servers.js';

/**
 * Helpers of the infrastructure end-to-end tests (test/e2e/infra-*.test.ts): run the real `sluice`
 * command line as a child process, load generated municipal tickets onto a bus, and compare the
 * tables two runs left in two PostgreSQL schemas.
 */

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
/** tsx by URL: the child runs in a temporary folder, where a bare `--import tsx` would not resolve. */
const TSX = import.meta.resolve('tsx');

/** A `sluice` child process and what it printed. */
export interface SluiceProcess {
  readonly child: ChildProcess;
  /** Resolves when it exits. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Everything written on stderr so far. */
  stderr(): string;
  /** Resolves with the first stderr line `match` accepts (polls nothing: it listens). */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

/** Every `sluice` process started here and still running: killed by killSluiceProcesses and at exit. */
const running = new Set<ChildProcess>();
process.once('exit', () => killSluiceProcesses());

/** Kills every `sluice` process a test started that is still running (for `after` hooks). */
export function killSluiceProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Starts `sluice …args` with tsx, in `cwd`, with `env` added to this process's environment. */
export function sluice(args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>> }): SluiceProcess {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, SLUICE_PII_KEY: 'infra-test-key', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const guard = watchdog(`kill -9 ${child.pid}`);
  child.once('exit', () => {
    guard.cancel();
    running.delete(child);
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const watchers = new Set<(line: string) => void>();
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    const lines = (partial + c).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const w of watchers) w(line);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    stderr: () => stderr,
    waitForLine(match, timeoutMs) {
      const seen = stderr.split('\n').find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(new Error(`no matching stderr line within ${timeoutMs} ms; stderr so far:\n${stderr.slice(-3000)}`));
        }, timeoutMs);
        const watch = (line: string): void => {
          if (!match(line)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          resolve(line);
        };
        watchers.add(watch);
        void done.then(() => {
          if (!watchers.has(watch)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          reject(new Error(`sluice exited before a matching stderr line; stderr:\n${stderr.slice(-3000)}`));
        });
      });
    },
  };
}

/** What a generated data set put on the bus. */
export interface LoadedTickets {
  readonly tickets: number;
  readonly statusUpdates: number;
}

/**
 * Publishes `count` generated municipal tickets (and their status updates) to the bus at `busUrl`
 * through `sluice generate`'s own publishing path, and writes `wards.csv` into `dir` (the pipeline
 * reads it from its working directory).
 */
export async function loadTickets(busUrl: string, dir: string, count: number, seed = 'infra'): Promise<LoadedTickets> {
  writeFileSync(join(dir, 'wards.csv'), wardsCsv());
  const counts = await generateData('municipal-tickets', { count, seed, badRate: 0.05, to: busUrl }, { quiet: true });
  return { tickets: counts['tickets.new'] ?? 0, statusUpdates: counts['tickets.status'] ?? 0 };
}

/** Columns that hold processing time (when a run happened), not results: left out of comparisons. */
export { PROCESSING_TIME_COLUMNS } from '../../pipelines/municipal-tickets/tables.js';

/** The tables a run wrote in `schema`: not partitions, not Sluice's own (`_sluice_state`, key tables). */
export async function pipelineTables(client: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND c.relname NOT LIKE '\\_%' AND c.relname NOT LIKE '%\\_\\_keys' ORDER BY c.relname`,
    [schema],
  );
  return rows.map((r) => r.name);
}

/** How two schemas' copies of one table compare. */
export interface TableDiff {
  readonly table: string;
  readonly rowsA: number;
  readonly rowsB: number;
  /** Rows (whole, minus the skipped columns) in A and not in B, and the reverse. */
  readonly onlyInA: number;
  readonly onlyInB: number;
  /** Rows sharing a key with another row of the same table (0 when idempotency held). */
  readonly duplicateIdsA: number;
  readonly duplicateIdsB: number;
  /** A few differing keys, for the failure message. */
  readonly sample: readonly string[];
}

/**
 * Compares `table` in schemas `a` and `b` of one database, row by row in SQL (EXCEPT ALL both
 * ways), leaving out `skip` columns.
 */
export async function compareTable(client: pg.Client, a: string, b: string, table: string, skip: readonly string[]): Promise<TableDiff> {
  const { rows: columns } = await client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [a, table],
  );
  const names = columns.map((c) => c.column_name);
  // The key: `_id`, or the natural key a table declares instead (first, as ticket_id in raw_tickets).
  const key = `"${names.includes('_id') ? '_id' : names[0]}"`;
  const list = names
    .filter((c) => !skip.includes(c) && !c.startsWith('_sluice'))
    .map((c) => `"${c}"`)
    .join(', ');
  if (list === '') throw new Error(`table ${a}.${table} does not exist`);
  const ta = `"${a}"."${table}"`;
  const tb = `"${b}"."${table}"`;
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM ${ta})::int AS rows_a, (SELECT count(*) FROM ${tb})::int AS rows_b,
            (SELECT count(*) FROM (SELECT ${list} FROM ${ta} EXCEPT ALL SELECT ${list} FROM ${tb}) x)::int AS only_a,
            (SELECT count(*) FROM (SELECT ${list} FROM ${tb} EXCEPT ALL SELECT ${list} FROM ${ta}) y)::int AS only_b,
            (SELECT count(*) - count(DISTINCT ${key}) FROM ${ta})::int AS dup_a,
            (SELECT count(*) - count(DISTINCT ${key}) FROM ${tb})::int AS dup_b`,
  );
  const r = rows[0] as Record<string, number>;
  let sample: string[] = [];
  if (r.only_a !== 0 || r.only_b !== 0) {
    // Both ways: a row only after the outage (an extra one) is as telling as one missing.
    const only = async (x: string, y: string, label: string): Promise<string[]> =>
      (await client.query<{ k: string }>(`SELECT ${key} AS k FROM (SELECT ${list} FROM ${x} EXCEPT ALL SELECT ${list} FROM ${y}) d ORDER BY k LIMIT 5`)).rows.map((d) => `${d.k} only in ${label}`);
    sample = [...(await only(ta, tb, a)), ...(await only(tb, ta, b))];
  }
  return {
    table,
    rowsA: r.rows_a as number,
    rowsB: r.rows_b as number,
    onlyInA: r.only_a as number,
    onlyInB: r.only_b as number,
    duplicateIdsA: r.dup_a as number,
    duplicateIdsB: r.dup_b as number,
    sample,
  };
}

/** Connects to PostgreSQL; the caller ends the client. */
export async function pgClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Counts rows of a table, or null while the server or the table is not there. */
export async function countRows(url: string, schema: string, table: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`);
    return (rows[0] as { n: number }).n;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Reads the value of one Prometheus sample (`name{labels}`) from a /metrics text, or null. */
export function metricValue(text: string, sample: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return null;
}
