/**
 * Issue 4's scale-out figures: NATS JetStream → PostgreSQL events/s with `sluice run --workers N`
 * (1 and 2 workers), and the ingest-to-commit latency at a steady 10,000 events/s published by
 * `sluice generate --rate`. Pipelines: health-claims (parse, validate, hash, enrich, one
 * day-partitioned table — the target's pipeline) and municipal-tickets (DLP, text cleansing and
 * rolling features in Redis — the heavy one), both through the real command line.
 *
 * Each case runs in a fresh process that starts its own NATS (and Redis) server on a free port
 * (test/support/private-servers.ts), because the CLI's NATS URL takes no stream prefix: the shared
 * server's `claims-ingest` stream belongs to other tests. PostgreSQL is the shared server on this
 * machine (SLUICE_BENCH_POSTGRES_URL), a fresh schema per case.
 *
 * Run one case by hand:
 *   node --import tsx bench/suites/scale.ts --case throughput --pipeline health-claims --workers 2 --events 200000
 *   node --import tsx bench/suites/scale.ts --case latency --workers 2 --rate 10000 --seconds 30
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { wardsCsv } from '../../pipelines/municipal-tickets/generator/index.js';
import { generateData } from '../../src/cli/commands/generate.js';
import { NatsBus } from '../../src/connectors/nats/nats-bus.js';
import type { WorkerRunResult } from '../../src/runtime/workers.js';
import { type PrivateServer, startPrivateNats, startPrivateRedis } from '../../test/support/private-servers.js';
import { median, productNodeFlags, runChild } from '../measure.js';
import type { BenchSuite } from '../run.js';

const PG_URL = process.env.SLUICE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The CLI the worker processes run: compiled beside this file when it is compiled, through tsx when not. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const CLI = fileURLToPath(new URL(`../../src/cli/main.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
const LOADER = FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** What each pipeline reads and writes, for counting and timing in PostgreSQL. */
const PIPELINES = {
  'health-claims': { topics: ['claims-ingest'], table: 'claims_events_stream', processedAt: 'processing_timestamp', errors: 'processing_errors' },
  'municipal-tickets': {
    topics: ['tickets.new', 'tickets.status'],
    table: 'raw_tickets',
    processedAt: 'ingestion_timestamp',
    errors: 'ticket_errors',
    // With N workers the ordered lane writes these, and may finish after the workers: the span runs to its end.
    alsoWritten: [
      ['ml_features', 'computed_at'],
      ['ticket_status_updates', 'ingestion_timestamp'],
    ],
  },
} as const;
type PipelineName = keyof typeof PIPELINES;

async function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: u.hostname, port: Number(u.port || 5432) });
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

interface Setup {
  readonly nats: PrivateServer;
  readonly redis: PrivateServer | null;
  readonly dir: string;
  readonly schema: string;
  readonly warehouse: string;
  close(): Promise<void>;
}

async function setup(pipeline: PipelineName): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-scale-'));
  writeFileSync(join(dir, 'wards.csv'), wardsCsv());
  const [nats, redis] = await Promise.all([startPrivateNats(), pipeline === 'municipal-tickets' ? startPrivateRedis() : Promise.resolve(null)]);
  const schema = `sluice_bench_scale_${randomBytes(4).toString('hex')}`;
  return {
    nats,
    redis,
    dir,
    schema,
    warehouse: `${PG_URL}?schema=${schema}`,
    async close() {
      await Promise.all([nats.destroy(), redis?.destroy()]);
      rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** `sluice run <pipeline> [--workers N]` in the setup's folder; resolves with its --json result. */
function sluiceRun(s: Setup, pipeline: PipelineName, workers: number, extra: readonly string[]): { done: Promise<WorkerRunResult>; stop(): void } {
  const args = ['--warehouse', s.warehouse, '--bus', s.nats.url, ...(s.redis !== null ? ['--online', s.redis.url] : []), 'run', pipeline, '--json', ...extra];
  if (workers > 1) args.push('--workers', String(workers));
  const child = spawn(process.execPath, [...productNodeFlags(), ...LOADER, CLI, '--quiet', ...args], {
    cwd: s.dir,
    env: { ...process.env, SLUICE_PII_KEY: 'bench-key' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<WorkerRunResult>((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`sluice run ${pipeline} exited with ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout) as WorkerRunResult);
    }),
  );
  return { done, stop: () => child.kill('SIGTERM') };
}

/** First and last processing time of the run's rows and error rows: the span work was done in. */
async function processingSpan(s: Setup, pipeline: PipelineName): Promise<{ rows: number; spanMs: number }> {
  const p = PIPELINES[pipeline];
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const also = 'alsoWritten' in p ? p.alsoWritten.map(([table, column]) => ` UNION ALL SELECT 0, min(${column}), max(${column}) FROM "${s.schema}".${table}`).join('') : '';
    const { rows } = await client.query(
      `SELECT sum(n)::bigint AS n, extract(epoch FROM max(last) - min(first)) * 1000 AS span FROM (
         SELECT count(*) AS n, min(${p.processedAt}) AS first, max(${p.processedAt}) AS last FROM "${s.schema}".${p.table}
         UNION ALL SELECT count(*), min(error_timestamp), max(error_timestamp) FROM "${s.schema}".${p.errors}${also}) t`,
    );
    return { rows: Number(rows[0].n), spanMs: Number(rows[0].span) };
  } finally {
    await client.end();
  }
}

/**
 * Publishes the events first (not timed), then runs N workers until the topics are drained.
 * Events/s is what the workers received over the span between the first and the last record they
 * processed — process start-up and the idle wait at the end are left out; the commit of the last
 * chunk (milliseconds) is not.
 */
async function throughput(pipeline: PipelineName, workers: number, events: number): Promise<Record<string, number>> {
  const s = await setup(pipeline);
  try {
    const count = pipeline === 'municipal-tickets' ? Math.round(events / 2.12) : events; // ~1.12 status updates per ticket
    await generateData(pipeline, { count, seed: 'bench', badRate: 0.05, to: s.nats.url }, { quiet: true });
    const result = await sluiceRun(s, pipeline, workers, ['--until-idle', '2s']).done;
    const span = await processingSpan(s, pipeline);
    return { received: result.accounting.received, spanMs: span.spanMs, eventsPerSec: (result.accounting.received / Math.max(1, span.spanMs)) * 1000 };
  } finally {
    await s.close();
  }
}

/**
 * N workers stream while `sluice generate --rate` publishes at a steady rate. Reports the p99 of
 * the runner's receive → commit latency (worst worker), the consumer's largest backlog while
 * publishing (sampled every 250 ms) and what that backlog adds at most: backlog / rate. Their sum
 * bounds the p99 publish → commit latency.
 */
async function latency(workers: number, rate: number, seconds: number): Promise<Record<string, number>> {
  const pipeline: PipelineName = 'health-claims';
  const s = await setup(pipeline);
  const bus = new NatsBus({ url: s.nats.url });
  try {
    await bus.open();
    const run = sluiceRun(s, pipeline, workers, []);
    // The consumer exists once the workers subscribed: publishing starts then, not before.
    for (let i = 0; (await bus.stats('claims-ingest')).consumers['health-claims'] === undefined; i++) {
      if (i > 600) throw new Error('the workers never subscribed');
      await new Promise((r) => setTimeout(r, 50));
    }
    let maxBacklog = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pending = (await bus.stats('claims-ingest')).consumers['health-claims']?.pending ?? 0;
        maxBacklog = Math.max(maxBacklog, pending);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const started = performance.now();
    const counts = await generateData(pipeline, { count: rate * seconds * 2, seed: 'latency', badRate: 0.05, to: s.nats.url, rate, duration: seconds * 1000 }, { quiet: true });
    const publishMs = performance.now() - started;
    const published = Object.values(counts).reduce((a, b) => a + b, 0);
    for (let i = 0; ((await bus.stats('claims-ingest')).consumers['health-claims']?.pending ?? 1) > 0; i++) {
      if (i > 1200) throw new Error('the workers never caught up');
      await new Promise((r) => setTimeout(r, 50));
    }
    sampling = false;
    await sampler;
    run.stop();
    const result = await run.done;
    return {
      publishedPerSec: (published / publishMs) * 1000,
      received: result.accounting.received,
      p50Ms: result.latency.p50Ms,
      p99Ms: result.latency.p99Ms,
      maxBacklog,
      backlogMs: (maxBacklog / rate) * 1000,
    };
  } finally {
    await bus.close();
    await s.close();
  }
}

async function child(argv: readonly string[]): Promise<void> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) flags.set(argv[i] as string, argv[i + 1] as string);
  const n = (k: string, d: number): number => Number(flags.get(k) ?? d);
  let result: Record<string, number>;
  if (flags.get('--case') === 'throughput') {
    const pipeline = (flags.get('--pipeline') ?? 'health-claims') as PipelineName;
    if (!(pipeline in PIPELINES)) throw new Error(`--pipeline must be one of ${Object.keys(PIPELINES).join(', ')}`);
    result = await throughput(pipeline, n('--workers', 1), n('--events', 200_000));
  } else if (flags.get('--case') === 'latency') {
    result = await latency(n('--workers', 2), n('--rate', 10_000), n('--seconds', 30));
  } else {
    throw new Error(`usage: scale.ts --case throughput|latency [--pipeline health-claims|municipal-tickets] [--workers N] [--events N] [--rate R --seconds S]; got ${String(flags.get('--case'))}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export const scaleBenchmarks: BenchSuite = {
  name: 'scale',
  async run({ quick }) {
    const lines = ['## Scale-out: NATS JetStream → PostgreSQL with N worker processes', ''];
    if (!(await reachable(PG_URL))) {
      lines.push(`PostgreSQL at ${new URL(PG_URL).host} was not reachable: the scale-out figures were skipped.`, '');
      return lines.join('\n');
    }
    const repeats = quick ? 1 : 3;
    const claims = quick ? 50_000 : 200_000;
    const tickets = quick ? 20_000 : 60_000;
    const seconds = quick ? 10 : 30;
    const table = ['| measure | value | runs | target |', '|---|---|---|---|'];
    const measure = async (label: string, args: string[], metric: string): Promise<Array<Record<string, number>>> => {
      const runs: Array<Record<string, number>> = [];
      for (let i = 0; i < repeats; i++) runs.push(await runChild('./suites/scale.ts', args));
      process.stderr.write(`  ${label}: ${runs.map((r) => fmt(r[metric] as number)).join(', ')}\n`);
      return runs;
    };
    for (const workers of [1, 2]) {
      const runs = await measure(`health-claims, ${workers} worker(s)`, ['--case', 'throughput', '--pipeline', 'health-claims', '--workers', String(workers), '--events', String(claims)], 'eventsPerSec');
      const values = runs.map((r) => r.eventsPerSec as number);
      table.push(`| health-claims, ${fmt(claims)} events, ${workers} worker${workers > 1 ? 's' : ''} | **${fmt(median(values))} events/s** | ${values.map(fmt).join(', ')} | ${workers === 2 ? '≥ 25,000' : '—'} |`);
    }
    for (const workers of [1, 2]) {
      const runs = await measure(`municipal-tickets, ${workers} worker(s)`, ['--case', 'throughput', '--pipeline', 'municipal-tickets', '--workers', String(workers), '--events', String(tickets)], 'eventsPerSec');
      const values = runs.map((r) => r.eventsPerSec as number);
      table.push(`| municipal-tickets (features in Redis), ~${fmt(tickets)} events, ${workers} worker${workers > 1 ? 's' : ''} | **${fmt(median(values))} events/s** | ${values.map(fmt).join(', ')} | — |`);
    }
    const latencyRuns = await measure('latency at 10,000/s, 2 workers', ['--case', 'latency', '--workers', '2', '--rate', '10000', '--seconds', String(seconds)], 'p99Ms');
    const p99 = latencyRuns.map((r) => r.p99Ms as number);
    const bound = latencyRuns.map((r) => (r.p99Ms as number) + (r.backlogMs as number));
    table.push(
      `| health-claims at a steady 10,000 events/s (achieved ${latencyRuns.map((r) => fmt(r.publishedPerSec as number)).join(', ')}/s), 2 workers: p99 receive → commit | **${fmt(median(p99))} ms** | ${p99.map(fmt).join(', ')} | — |`,
      `| same: largest consumer backlog while publishing | ${fmt(median(latencyRuns.map((r) => r.maxBacklog as number)))} messages | ${latencyRuns.map((r) => fmt(r.maxBacklog as number)).join(', ')} | — |`,
      `| same: p99 publish → commit, at most (p99 receive → commit + largest backlog / rate) | **${fmt(median(bound))} ms** | ${bound.map(fmt).join(', ')} | < 2,000 |`,
    );
    lines.push(
      `\`sluice run <pipeline> --workers N\` (a supervisor and N worker processes on one durable JetStream consumer) against a private nats-server and the PostgreSQL server of this machine; events published beforehand with \`sluice generate … --to nats://…\` (5% bad records), except for the latency rows, published during the run at 10,000/s by \`sluice generate --rate 10000/s --duration ${seconds}s\`. Events/s counts from the first to the last record processed (process start-up and the idle wait at the end left out). With N > 1, municipal-tickets also runs its ordered lane (steps 6–8 over every message, in one more process, so the features equal one process's): the features do not scale with N, and the lane shares the two cores with the workers. Median of ${repeats} run(s), each in a fresh process; every process — servers, publisher, workers — shares this machine's CPUs.`,
      '',
      ...table,
      '',
    );
    return lines.join('\n');
  },
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await child(process.argv.slice(2));
