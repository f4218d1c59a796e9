/**
 * Issue 3's figures: municipal-tickets steps 1–8 events/s (JSONL tickets + status updates →
 * DuckDB + embedded online store), feature tile updates/s, and online read latency p50/p99 for the
 * embedded and Redis stores. The suite runs this same file as child processes (`--case …`), one
 * per measurement, so each has its own heap.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUNICIPAL_FEATURES } from '../../pipelines/municipal-tickets/features.js';
import { municipalTicketsGenerator, wardsCsv } from '../../pipelines/municipal-tickets/generator/index.js';
import { municipalTicketsPipeline } from '../../pipelines/municipal-tickets/pipeline.js';
import { duckDbWarehouseOnThread } from '../../src/connectors/duckdb/duckdb-on-thread.js';
import { JsonLinesSource } from '../../src/connectors/files/jsonl-source.js';
import { EmbeddedOnlineStore } from '../../src/connectors/online-embedded/embedded-online-store.js';
import type { OnlineStore } from '../../src/core/online-store.js';
import { mergeByEventTime } from '../../src/features/merge-by-event-time.js';
import { openOnlineStore } from '../../src/features/open-online-store.js';
import { FeatureUpdater, type UpdaterItem } from '../../src/features/streaming.js';
import { Random } from '../../src/generate/random.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import { runBatch } from '../../src/runtime/runner.js';
import { median, peakRssMb, runChild } from '../measure.js';
import type { BenchSuite } from '../run.js';

const REDIS_URL = process.env.SLUICE_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n < 0.1 ? n.toFixed(3) : n.toFixed(2));

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Generated lines, written to `<dir>/tickets.new.jsonl` and `<dir>/tickets.status.jsonl`. */
function writeInput(dir: string, tickets: number): { events: number } {
  const files: Record<string, string[]> = { 'tickets.new': [], 'tickets.status': [] };
  for (const item of municipalTicketsGenerator.generate({ count: tickets, seed: 'bench-features', badRate: 0.05 })) files[item.topic]?.push(item.line);
  for (const [topic, lines] of Object.entries(files)) writeFileSync(join(dir, `${topic}.jsonl`), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'wards.csv'), wardsCsv());
  return { events: (files['tickets.new']?.length ?? 0) + (files['tickets.status']?.length ?? 0) };
}

async function casePipeline(tickets: number, flushRows: number | undefined): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-features-'));
  try {
    writeInput(dir, tickets);
    // As `sluice run` does for a pipeline whose main thread has steps of its own: DuckDB on its own thread.
    const warehouse = duckDbWarehouseOnThread({ path: join(dir, 'w.duckdb') });
    await warehouse.open();
    const online = new EmbeddedOnlineStore({ dir: join(dir, 'online') });
    await online.open();
    const p = municipalTicketsPipeline({ hash: createPiiHasher({ mode: 'hmac-sha256', key: 'bench-key' }).hash, steps: '1-8', online, wardsCsv: join(dir, 'wards.csv') });
    const source = mergeByEventTime([new JsonLinesSource(join(dir, 'tickets.new.jsonl')), new JsonLinesSource(join(dir, 'tickets.status.jsonl'))], ['tickets.new', 'tickets.status']);
    const started = performance.now();
    // As `sluice run` does: the stateless steps on step threads, which rebuild the pipeline from its definition.
    const recipe = {
      module: new URL(`../../pipelines/municipal-tickets/definition.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href,
      exportName: 'municipalTicketsDefinition',
      env: { SLUICE_PII_KEY: 'bench-key', SLUICE_WARDS_CSV: join(dir, 'wards.csv') },
    };
    const result = await runBatch(p, { source, warehouse, threads: { count: 'auto', recipe }, ...(flushRows !== undefined ? { flushRows } : {}) });
    const seconds = (performance.now() - started) / 1000;
    await online.close();
    await warehouse.close();
    return { events: result.accounting.received, seconds, eventsPerSec: result.accounting.received / seconds, peakRssMb: peakRssMb() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Feature events as the municipal step makes them: tickets (scored) and escalations/resolutions. */
function updaterItems(n: number): UpdaterItem[] {
  const rng = new Random('bench-updates');
  const items: UpdaterItem[] = [];
  let t = Date.UTC(2026, 10, 1);
  for (let i = 0; i < n; i++) {
    t += Math.floor(rng.exponential(3000));
    const ward = `Ward ${rng.int(1, 50)}`;
    const category = `c${rng.int(1, 12)}`;
    const citizen = `h${rng.int(1, Math.max(10, n / 4))}`;
    const r = rng.float();
    if (r < 0.55) {
      const event = { time: t, fields: { kind: 'ticket', ward, category, citizen_id_hash: citizen } };
      items.push({ id: `t${i}`, event, target: event });
    } else {
      const kind = r < 0.65 ? 'escalated' : 'resolved';
      items.push({ id: `s${i}`, event: { time: t - rng.int(60_000, 3_600_000), fields: { kind, ward, category, citizen_id_hash: citizen, response_minutes: rng.int(5, 5000) } } });
    }
  }
  return items;
}

async function caseUpdates(store: OnlineStore, n: number): Promise<Record<string, number>> {
  const items = updaterItems(n);
  const updater = new FeatureUpdater({ ...MUNICIPAL_FEATURES, name: `bench_${process.pid}` }, store);
  const started = performance.now();
  for (let i = 0; i < items.length; i += 1000) await updater.process(items.slice(i, i + 1000));
  const seconds = (performance.now() - started) / 1000;
  return { updates: items.length, seconds, updatesPerSec: items.length / seconds, scored: updater.stats.scored };
}

async function caseReads(store: OnlineStore, ids: number, reads: number): Promise<Record<string, number>> {
  const values = { ward_tickets_7d: 412, escalation_rate_7d: 0.118, avg_response_time: 1834.5 };
  for (let i = 0; i < ids; i += 5000) {
    const batch = [];
    for (let k = i; k < Math.min(ids, i + 5000); k++) batch.push({ entity: 'ticket', id: `TKT-2026-${String(k).padStart(6, '0')}`, values, asOf: 1_793_520_000_000 });
    await store.write(batch);
  }
  const rng = new Random('bench-reads');
  const latencies = new Float64Array(reads);
  for (let i = 0; i < reads; i++) {
    const id = `TKT-2026-${String(rng.int(0, ids - 1)).padStart(6, '0')}`;
    const started = process.hrtime.bigint();
    const record = await store.get('ticket', id);
    latencies[i] = Number(process.hrtime.bigint() - started) / 1e6;
    if (record === null) throw new Error(`bench: ${id} was written but not read back`);
  }
  latencies.sort();
  return { reads, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), maxMs: latencies[latencies.length - 1] ?? 0 };
}

async function child(args: readonly string[]): Promise<void> {
  const get = (name: string): string => args[args.indexOf(name) + 1] ?? '';
  const kind = get('--case');
  const n = Number(get('--n'));
  let result: Record<string, number>;
  if (kind === 'pipeline') result = await casePipeline(n, args.includes('--flush') ? Number(get('--flush')) : undefined);
  else {
    const url = get('--store');
    // A key prefix of its own, removed afterwards, so a bench never touches other Redis data.
    const redis = url.startsWith('redis') ? new (await import('../../src/connectors/redis/redis-online-store.js')).RedisOnlineStore({ url, prefix: `sluice-bench-${process.pid}` }) : null;
    const store: OnlineStore = redis ?? new EmbeddedOnlineStore();
    await store.open();
    try {
      result = kind === 'updates' ? await caseUpdates(store, n) : await caseReads(store, Number(get('--ids')), n);
    } finally {
      await redis?.clear();
      await store.close();
    }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function redisUp(): Promise<boolean> {
  try {
    const store = await openOnlineStore(REDIS_URL);
    await store.close();
    return true;
  } catch {
    return false;
  }
}

export const featuresBenchmarks: BenchSuite = {
  name: 'features',
  async run({ quick }) {
    const tickets = quick ? 30_000 : 125_000;
    const repeats = quick ? 1 : 3;
    const script = './suites/features.ts';
    const pipeline: number[] = [];
    let events = 0;
    let rss = 0;
    for (let i = 0; i < repeats; i++) {
      const r = await runChild(script, ['--case', 'pipeline', '--n', String(tickets)]);
      pipeline.push(r.eventsPerSec as number);
      events = r.events as number;
      rss = Math.max(rss, r.peakRssMb as number);
      process.stderr.write(`  steps 1–8 run ${i + 1}: ${fmt(r.eventsPerSec as number)} events/s\n`);
    }
    const small = await runChild(script, ['--case', 'pipeline', '--n', String(tickets), '--flush', '10000']);
    const updateN = quick ? 100_000 : 400_000;
    const embeddedUpdates = await runChild(script, ['--case', 'updates', '--store', 'embedded', '--n', String(updateN)]);
    const reads = quick ? 50_000 : 200_000;
    const embeddedReads = await runChild(script, ['--case', 'reads', '--store', 'embedded', '--ids', '100000', '--n', String(reads)]);
    const up = await redisUp();
    const redisUpdates = up ? await runChild(script, ['--case', 'updates', '--store', REDIS_URL, '--n', String(quick ? 20_000 : 100_000)]) : null;
    const redisReads = up ? await runChild(script, ['--case', 'reads', '--store', REDIS_URL, '--ids', '20000', '--n', String(quick ? 5_000 : 20_000)]) : null;
    const p = median(pipeline);
    return [
      '## municipal-tickets steps 1–8 and the online feature store',
      '',
      `Steps 1–8 read tickets.new + tickets.status JSONL files (merged by event time; 5% bad records) into a fresh DuckDB file (on its own warehouse thread, as \`sluice run\` does when the main thread has steps of its own) and a persisted embedded online store: parse → hash PII → DLP → raw_tickets → cleanse → cleansed_tickets (these on step threads, as \`sluice run\` does) → ward lookup (TTL cache) → rolling features (tiles, dedup by envelope id) → ml_features → online store → tickets.ready_for_scoring (counted; no bus). Median of ${repeats} run(s), each in a fresh process. Feature updates are \`FeatureUpdater.process\` in batches of 1,000 (55% tickets, scored; 45% status events). Reads are sequential \`get('ticket', id)\` of random ids, one at a time, from this process.`,
      '',
      '| measure | value | target |',
      '|---|---|---|',
      `| steps 1–8, ${fmt(events)} events, batch default (commits of 25,000 records, up to 100,000 while one runs) | **${fmt(p)} events/s** (peak RSS ${fmt(rss)} MiB) | ≥ 40,000 |`,
      `| same, \`--flush-rows 10000\` | ${fmt(small.eventsPerSec as number)} events/s (peak RSS ${fmt(small.peakRssMb as number)} MiB) | — |`,
      `| feature updates, embedded store | ${fmt(embeddedUpdates.updatesPerSec as number)} updates/s | — |`,
      redisUpdates !== null ? `| feature updates, Redis (${REDIS_URL}) | ${fmt(redisUpdates.updatesPerSec as number)} updates/s | — |` : `| feature updates, Redis | not measured: no Redis at ${REDIS_URL} | — |`,
      `| online read, embedded: p50 / p99 | ${ms(embeddedReads.p50Ms as number)} / **${ms(embeddedReads.p99Ms as number)} ms** (${fmt(embeddedReads.reads as number)} reads) | p99 < 0.2 ms |`,
      redisReads !== null
        ? `| online read, Redis: p50 / p99 | ${ms(redisReads.p50Ms as number)} / **${ms(redisReads.p99Ms as number)} ms** (${fmt(redisReads.reads as number)} reads) | p99 < 2 ms |`
        : `| online read, Redis | not measured: no Redis at ${REDIS_URL} | p99 < 2 ms |`,
      '',
      `Runs (steps 1–8): ${pipeline.map(fmt).join(', ')} events/s.`,
      '',
    ].join('\n');
  },
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await child(process.argv.slice(2));
