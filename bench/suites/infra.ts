/**
 * Issue 4's connector figures: PostgreSQL commit rows/s through the COPY path (plain and
 * day-partitioned tables, streaming- and batch-sized commits, and a replay that is all
 * duplicates), COPY against a parameterised `unnest` insert for the staging load, and NATS
 * JetStream publish and consume messages/s. Needs the PostgreSQL and NATS servers of this machine;
 * a server that is down skips its rows.
 *
 * The suite runs this same file as its measuring child (`--case …`), so every figure comes from a
 * fresh process. Run one case by hand: node --import tsx bench/suites/infra.ts --case pg-commit --rows 200000 --batch 50000
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NatsBus } from '../../src/connectors/nats/nats-bus.js';
import { copyEncoder, copyRows, loadCopyFrom } from '../../src/connectors/postgres/postgres-copy.js';
import { PostgresWarehouse } from '../../src/connectors/postgres/postgres-warehouse.js';
import type { OutgoingMessage } from '../../src/core/bus.js';
import { defineTable, type Row } from '../../src/core/schema.js';
import { median, runChild } from '../measure.js';
import type { BenchSuite } from '../run.js';

const PG_URL = process.env.SLUICE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.SLUICE_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A raw_tickets-like row: 12 columns of every kind a pipeline writes. */
const tickets = (partitioned: boolean) =>
  defineTable({
    name: 'bench_tickets',
    ...(partitioned ? { partitionBy: 'submitted_at' } : {}),
    columns: [
      { name: 'ticket_id', type: 'string' },
      { name: 'citizen_hash', type: 'string' },
      { name: 'ward', type: 'integer' },
      { name: 'category', type: 'string' },
      { name: 'description', type: 'string' },
      { name: 'photos', type: 'integer' },
      { name: 'sentiment', type: 'double' },
      { name: 'escalated', type: 'boolean' },
      { name: 'submitted_at', type: 'timestamp' },
      { name: 'dlp_types', type: 'string[]' },
      { name: 'meta', type: 'json' },
    ],
  });

function ticketRows(count: number, offset = 0): Row[] {
  const rows: Row[] = new Array(count);
  const start = Date.UTC(2026, 0, 1);
  for (let j = 0; j < count; j++) {
    const i = j + offset;
    rows[j] = [
      `t-${i}`,
      `TKT-${i}`,
      randomBytes(16).toString('hex'),
      i % 150,
      ['pothole', 'streetlight', 'garbage', 'water'][i % 4],
      `Ticket ${i}: the\tstreetlight on 5th avenue has been out since monday, please fix`,
      i % 5,
      (i % 21) / 10 - 1,
      i % 7 === 0,
      start + (i % 30) * 86_400_000 + (i % 86_400) * 1000,
      i % 3 === 0 ? ['PHONE_NUMBER'] : [],
      { channel: i % 2 === 0 ? 'app' : 'phone', priority: i % 3 },
    ];
  }
  return rows;
}

async function reachable(url: string, fallbackPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: u.hostname, port: Number(u.port || fallbackPort) });
    socket.setTimeout(1500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function withSchema<T>(work: (wh: PostgresWarehouse) => Promise<T>): Promise<T> {
  const schema = `sluice_bench_${randomBytes(4).toString('hex')}`;
  const wh = new PostgresWarehouse({ url: PG_URL, schema });
  await wh.open();
  try {
    return await work(wh);
  } finally {
    await wh.execute(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await wh.close();
  }
}

/** Commits `rows` rows in commits of `batch`, then replays them (every row a duplicate). */
async function pgCommit(rows: number, batch: number, partitioned: boolean): Promise<Record<string, number>> {
  return withSchema(async (wh) => {
    const table = tickets(partitioned);
    await wh.ensureTable(table);
    const chunks: Row[][] = [];
    for (let offset = 0; offset < rows; offset += batch) chunks.push(ticketRows(Math.min(batch, rows - offset), offset));
    await wh.commit([{ table, rows: ticketRows(10, rows) }]); // warm: connection, staging table, partitions
    let started = performance.now();
    let inserted = 0;
    for (const chunk of chunks) inserted += (await wh.commit([{ table, rows: chunk }])).tables[0]?.inserted ?? 0;
    const insertMs = performance.now() - started;
    if (inserted !== rows) throw new Error(`expected ${rows} new rows, the warehouse reported ${inserted}`);
    started = performance.now();
    let duplicates = 0;
    for (const chunk of chunks) duplicates += (await wh.commit([{ table, rows: chunk }])).tables[0]?.duplicates ?? 0;
    const replayMs = performance.now() - started;
    if (duplicates !== rows) throw new Error(`expected ${rows} duplicates on replay, got ${duplicates}`);
    return { rowsPerSec: (rows / insertMs) * 1000, replayRowsPerSec: (rows / replayMs) * 1000 };
  });
}

/** The staging load alone: COPY (what the warehouse does) against INSERT … SELECT FROM unnest($1, …). */
async function pgStage(rows: number, method: 'copy' | 'unnest'): Promise<Record<string, number>> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const client = await pool.connect();
  try {
    const table = tickets(false);
    const types = ['text', 'text', 'text', 'integer', 'text', 'text', 'integer', 'double precision', 'boolean', 'timestamptz', 'text[]', 'jsonb'];
    await client.query(`CREATE TEMP TABLE stage (seq integer, ${table.columns.map((c, i) => `"${c.name}" ${types[i]}`).join(', ')})`);
    const data = ticketRows(rows);
    const encoders = table.columns.map(copyEncoder);
    const copyFrom = await loadCopyFrom();
    const started = performance.now();
    if (method === 'copy') {
      await copyRows(client, copyFrom, `COPY stage FROM STDIN`, data, encoders);
    } else {
      // Parameters as text arrays, one per column, cast in SQL: the usual bulk path without COPY.
      const slice = 10_000; // one statement's parameters stay far below the protocol's limits
      for (let offset = 0; offset < data.length; offset += slice) {
        const part = data.slice(offset, offset + slice);
        const columns: Array<Array<string | null>> = [part.map((_, i) => String(offset + i))];
        table.columns.forEach((column, c) => {
          columns.push(
            part.map((r) => {
              const v = r[c];
              if (v === null || v === undefined) return null;
              if (column.type === 'timestamp') return new Date(v as number).toISOString();
              if (column.type === 'string[]') return `{${(v as string[]).map((s) => `"${s}"`).join(',')}}`;
              if (column.type === 'json') return JSON.stringify(v);
              return String(v);
            }),
          );
        });
        const casts = ['integer', ...types].map((_, i) => `$${i + 1}::text[]`).join(', ');
        const select = ['integer', ...types].map((t, i) => `c${i}::${t}`).join(', ');
        await client.query(
          `INSERT INTO stage SELECT ${select} FROM unnest(${casts}) AS u(${['integer', ...types].map((_, i) => `c${i}`).join(', ')})`,
          columns,
        );
      }
    }
    const ms = performance.now() - started;
    const count = Number((await client.query('SELECT count(*) AS n FROM stage')).rows[0].n);
    if (count !== rows) throw new Error(`staged ${count} of ${rows} rows`);
    return { rowsPerSec: (rows / ms) * 1000 };
  } finally {
    client.release();
    await pool.end();
  }
}

function messages(count: number, size: number, tag: string): OutgoingMessage[] {
  const body = 'x'.repeat(Math.max(0, size - 40));
  return Array.from({ length: count }, (_, i) => ({ id: `${tag}-${i}`, payload: `{"i":${i},"body":"${body}"}` }));
}

async function withBus<T>(work: (bus: NatsBus, topic: string) => Promise<T>): Promise<T> {
  const prefix = `SLUICE_BENCH_${randomBytes(4).toString('hex')}_`;
  const bus = new NatsBus({ url: NATS_URL, streamPrefix: prefix });
  await bus.open();
  const topic = `bench${randomBytes(3).toString('hex')}.events`;
  try {
    return await work(bus, topic);
  } finally {
    await bus.close();
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) await jsm.streams.delete(name);
    await nc.close();
  }
}

async function natsPublish(count: number, batch: number, size: number): Promise<Record<string, number>> {
  return withBus(async (bus, topic) => {
    const all = messages(count, size, 'p');
    await bus.publish(topic, messages(10, size, 'warm'));
    const started = performance.now();
    let published = 0;
    for (let offset = 0; offset < count; offset += batch) published += (await bus.publish(topic, all.slice(offset, offset + batch))).published;
    const ms = performance.now() - started;
    if (published !== count) throw new Error(`published ${published} of ${count}`);
    return { msgsPerSec: (count / ms) * 1000 };
  });
}

/** Pull + ack until every message was consumed, batches of `batch` as the runner asks. */
async function natsConsume(count: number, batch: number, size: number): Promise<Record<string, number>> {
  return withBus(async (bus, topic) => {
    for (let offset = 0; offset < count; offset += 10_000) await bus.publish(topic, messages(Math.min(10_000, count - offset), size, `c${offset}`));
    const source = bus.subscribe(topic, { consumer: 'bench' });
    await source.open();
    const started = performance.now();
    let consumed = 0;
    while (consumed < count) {
      const b = await source.pull(batch, 1000);
      if (b === null) throw new Error('the source ended');
      consumed += b.messages.length;
      await source.ack(b);
    }
    const ms = performance.now() - started;
    await source.close();
    return { msgsPerSec: (count / ms) * 1000 };
  });
}

type Case = 'pg-commit' | 'pg-stage' | 'nats-publish' | 'nats-consume';

async function child(argv: readonly string[]): Promise<void> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) flags.set(argv[i] as string, argv[i + 1] as string);
  const n = (k: string, d: number): number => Number(flags.get(k) ?? d);
  const which = flags.get('--case') as Case | undefined;
  let result: Record<string, number>;
  switch (which) {
    case 'pg-commit':
      result = await pgCommit(n('--rows', 200_000), n('--batch', 50_000), flags.get('--partitioned') === '1');
      break;
    case 'pg-stage':
      result = await pgStage(n('--rows', 50_000), flags.get('--method') === 'unnest' ? 'unnest' : 'copy');
      break;
    case 'nats-publish':
      result = await natsPublish(n('--messages', 100_000), n('--batch', 10_000), n('--size', 600));
      break;
    case 'nats-consume':
      result = await natsConsume(n('--messages', 100_000), n('--batch', 1000), n('--size', 600));
      break;
    default:
      throw new Error(`usage: infra.ts --case pg-commit|pg-stage|nats-publish|nats-consume [--rows N] [--batch B] [--partitioned 1] [--method copy|unnest] [--messages N] [--size BYTES]; got ${String(which)}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export const infraBenchmarks: BenchSuite = {
  name: 'infra',
  async run({ quick }) {
    const repeats = quick ? 1 : 3;
    const rows = quick ? 50_000 : 200_000;
    const msgs = quick ? 20_000 : 100_000;
    const lines = ['## Connectors on real infrastructure: PostgreSQL warehouse, NATS JetStream bus', ''];
    const measure = async (label: string, args: string[], metric: string): Promise<number[]> => {
      const values: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const r = await runChild('./suites/infra.ts', args);
        values.push(r[metric] as number);
      }
      process.stderr.write(`  ${label}: ${values.map(fmt).join(', ')}\n`);
      return values;
    };
    const table: string[] = ['| measure | value | runs |', '|---|---|---|'];
    const row = (label: string, values: number[], unit: string): void => {
      table.push(`| ${label} | **${fmt(median(values))} ${unit}** | ${values.map(fmt).join(', ')} |`);
    };
    if (await reachable(PG_URL, 5432)) {
      for (const [batch, partitioned] of [[50_000, false], [50_000, true], [1000, false]] as const) {
        const args = ['--case', 'pg-commit', '--rows', String(batch === 1000 ? rows / 10 : rows), '--batch', String(batch), '--partitioned', partitioned ? '1' : '0'];
        const runs: Array<Record<string, number>> = [];
        for (let i = 0; i < repeats; i++) runs.push(await runChild('./suites/infra.ts', args));
        const label = `commit, ${partitioned ? 'day-partitioned (30 days)' : 'plain'} table, ${fmt(batch)} rows per commit`;
        process.stderr.write(`  pg ${label}: ${runs.map((r) => fmt(r.rowsPerSec as number)).join(', ')} rows/s\n`);
        row(`PostgreSQL ${label}`, runs.map((r) => r.rowsPerSec as number), 'rows/s');
        row(`PostgreSQL replay of the same rows (all duplicates), ${partitioned ? 'partitioned' : 'plain'}, ${fmt(batch)} per commit`, runs.map((r) => r.replayRowsPerSec as number), 'rows/s');
      }
      row('staging load alone, COPY FROM STDIN (pg-copy-streams)', await measure('pg stage copy', ['--case', 'pg-stage', '--rows', '50000', '--method', 'copy'], 'rowsPerSec'), 'rows/s');
      row('staging load alone, INSERT … SELECT FROM unnest($1::text[], …)', await measure('pg stage unnest', ['--case', 'pg-stage', '--rows', '50000', '--method', 'unnest'], 'rowsPerSec'), 'rows/s');
    } else {
      lines.push(`PostgreSQL at ${new URL(PG_URL).host} was not reachable: its rows were skipped.`, '');
    }
    if (await reachable(NATS_URL, 4222)) {
      row(`JetStream publish, ${fmt(msgs)} × 600 B messages in batches of 10,000 (acks awaited)`, await measure('nats publish', ['--case', 'nats-publish', '--messages', String(msgs)], 'msgsPerSec'), 'msgs/s');
      row(`JetStream consume (pull 1,000 + ack per batch), ${fmt(msgs)} × 600 B`, await measure('nats consume', ['--case', 'nats-consume', '--messages', String(msgs)], 'msgsPerSec'), 'msgs/s');
    } else {
      lines.push(`NATS at ${new URL(NATS_URL).host} was not reachable: its rows were skipped.`, '');
    }
    lines.push(
      `Rows are raw_tickets-shaped (11 columns: text, integer, double, boolean, timestamptz, text[], jsonb); servers on this machine, file-backed JetStream stream. Median of ${repeats} run(s), each in a fresh process.`,
      '',
      ...table,
      '',
    );
    return lines.join('\n');
  },
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await child(process.argv.slice(2));
