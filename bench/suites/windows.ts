/**
 * Issue 5's figures: windowed aggregation throughput with 10k keys (the bare WindowOperator, the
 * WindowedAggregate tap around it, and the tap with the cqc-events combiner), and the cqc-events
 * pipeline from a JSONL file into DuckDB.
 *
 * The suite runs this same file as its measuring child (`--case …`), so every figure comes from a
 * fresh process. Run one case by hand: node --import tsx bench/suites/windows.ts --case aggregate --events 1000000
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cqcEventsGenerator } from '../../pipelines/cqc-events/generator/index.js';
import { locationWindows } from '../../pipelines/cqc-events/location-window.js';
import { cqcEventsPipeline } from '../../pipelines/cqc-events/pipeline.js';
import { duckDbWarehouseOnThread } from '../../src/connectors/duckdb/duckdb-on-thread.js';
import { JsonLinesSource } from '../../src/connectors/files/jsonl-source.js';
import type { EnvelopeMeta } from '../../src/core/envelope.js';
import { defineTable } from '../../src/core/schema.js';
import type { SideOutputs, StatefulOperator } from '../../src/core/stateful.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import { runBatch } from '../../src/runtime/runner.js';
import { ManualClock } from '../../src/time/clock.js';
import { type CombineFn, count } from '../../src/time/combiners.js';
import { BoundedOutOfOrdernessWatermark } from '../../src/time/watermark.js';
import { WindowOperator } from '../../src/time/window-operator.js';
import { WindowedAggregate } from '../../src/time/windowed-aggregate.js';
import { fixedWindows } from '../../src/time/windows.js';
import { median, peakRssMb, runChild, writeLines } from '../measure.js';
import type { BenchSuite } from '../run.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const MINUTE = 60_000;
const START = 1_700_000_000_000 - (1_700_000_000_000 % (5 * MINUTE));
const SPAN = 60 * MINUTE;
/** Events per simulated runner batch: the tap is ticked after each, as the runner does. */
const BATCH = 1_000;

type Case = 'operator' | 'aggregate' | 'aggregate-cqc' | 'generate' | 'pipeline';

/** 1M events (or `events`) over `keys` keys and one hour of event time, up to 5 s out of order; made before timing. */
function makeEvents(events: number, keys: number): { keyOf: Uint32Array; tsOf: Float64Array; names: string[] } {
  const names = Array.from({ length: keys }, (_, i) => `1-${1_000_000_000 + i}`);
  const keyOf = new Uint32Array(events);
  const tsOf = new Float64Array(events);
  let seed = 42;
  // mulberry32: a small deterministic PRNG, so every run times the same input.
  const rand = (m: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % m;
  };
  for (let i = 0; i < events; i++) {
    keyOf[i] = rand(keys);
    tsOf[i] = START + Math.floor((i * SPAN) / events) - rand(5_000);
  }
  return { keyOf, tsOf, names };
}

/** Processing time after event `i`: events are processed about 2 s after they happen. */
const processingTimeAt = (i: number, events: number): number => START + Math.floor((i * SPAN) / events) + 2_000;

/** Counts what the tap emits, as the runner's chunk would hold it, without keeping it. */
class CountingOutputs implements SideOutputs {
  rows = 0;
  errors = 0;
  write(): void {
    this.rows++;
  }
  publish(): void {}
  error(): void {
    this.errors++;
  }
}

function timeOperator(events: number, keys: number): Record<string, number> {
  const { keyOf, tsOf, names } = makeEvents(events, keys);
  const clock = new ManualClock(START);
  const watermark = new BoundedOutOfOrdernessWatermark(5_000, { clock });
  const op = new WindowOperator({ windowFn: fixedWindows(5 * MINUTE), combine: count(), earlyEvery: MINUTE, allowedLateness: MINUTE, clock });
  let panes = 0;
  const began = performance.now();
  for (let i = 0; i < events; i++) {
    const ts = tsOf[i] as number;
    watermark.observe('p0', ts);
    panes += op.processElement(names[keyOf[i] as number] as string, ts, null).panes.length;
    if (i % BATCH === BATCH - 1) {
      clock.set(Math.max(clock.now(), processingTimeAt(i, events)));
      panes += op.advanceProcessingTime().panes.length;
      panes += op.advanceWatermark(watermark.current()).panes.length;
    }
  }
  panes += op.advanceWatermark(Number.POSITIVE_INFINITY).panes.length;
  const seconds = (performance.now() - began) / 1000;
  return { events, seconds, eventsPerSec: events / seconds, panes, peakRssMb: peakRssMb() };
}

interface Reading {
  readonly location_id: string;
  readonly event_timestamp: number;
  readonly real_time_risk_score: number;
  readonly complexity_score: number;
  readonly event_type: string;
}

function timeAggregate(events: number, keys: number, withCqcCombiner: boolean): Record<string, number> {
  const { keyOf, tsOf, names } = makeEvents(events, keys);
  const types = ['dashboard_interaction', 'capacity_update', 'compliance_alert', 'inspection_update', 'rating_change'];
  const clock = new ManualClock(START);
  const tap: StatefulOperator<Reading> = withCqcCombiner
    ? (locationWindows({ clock }) as unknown as StatefulOperator<Reading>)
    : new WindowedAggregate<Reading, null, number, number>({
        name: 'bench',
        table: defineTable({ name: 'bench_panes', columns: [{ name: 'n', type: 'integer' }] }),
        key: (r) => r.location_id,
        eventTime: (r) => r.event_timestamp,
        value: () => null,
        windowFn: fixedWindows(5 * MINUTE),
        combine: count() as CombineFn<null, number, number>,
        trigger: { earlyEvery: MINUTE, allowedLateness: MINUTE },
        maxOutOfOrderness: 5_000,
        toRow: (pane, id, firedAt) => [id, pane.value, firedAt],
        clock,
      });
  const out = new CountingOutputs();
  const cpuBefore = process.cpuUsage();
  const records: Reading[] = new Array(BATCH);
  const envelopes: EnvelopeMeta[] = new Array(BATCH);
  let busy = 0;
  for (let from = 0; from < events; from += BATCH) {
    const n = Math.min(BATCH, events - from);
    // Each batch's records and envelopes are made outside the timed section, as the runner's
    // steps make them: the figure is the tap's own cost per event.
    for (let j = 0; j < n; j++) {
      const i = from + j;
      records[j] = {
        location_id: names[keyOf[i] as number] as string,
        event_timestamp: tsOf[i] as number,
        real_time_risk_score: (i % 100) / 10,
        complexity_score: (i % 21) / 2,
        event_type: types[i % types.length] as string,
      };
      envelopes[j] = { id: `m${i}`, attributes: {}, publishTime: 0, receivedAt: 0, source: 'bench' };
    }
    const began = performance.now();
    for (let j = 0; j < n; j++) tap.observe(records[j] as Reading, envelopes[j] as EnvelopeMeta, out);
    tap.tick(processingTimeAt(from + n - 1, events), out);
    busy += performance.now() - began;
  }
  const began = performance.now();
  tap.finish(out);
  busy += performance.now() - began;
  const seconds = busy / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const snapshotBytes = JSON.stringify(tap.snapshot()).length;
  // CPU seconds include making the batches; they tell changes apart when other processes load the machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { events, seconds, eventsPerSec: events / seconds, cpuSeconds, panes: out.rows, lateEvents: out.errors, snapshotBytes, peakRssMb: peakRssMb() };
}

async function generate(path: string, events: number): Promise<Record<string, number>> {
  const lines = await writeLines(path, (function* () {
    for (const item of cqcEventsGenerator.generate({ count: events, seed: 'bench', badRate: 0.05 })) yield item.line;
  })());
  return { lines };
}

async function timePipeline(input: string): Promise<Record<string, number>> {
  const dbPath = join(tmpdir(), `sluice-bench-cqc-${process.pid}.duckdb`);
  // As `sluice run` does for a pipeline whose main thread has steps of its own: DuckDB on its own thread.
  const warehouse = duckDbWarehouseOnThread({ path: dbPath });
  await warehouse.open();
  const began = performance.now();
  const result = await runBatch(cqcEventsPipeline({ hash: createPiiHasher({ mode: 'hmac-sha256', key: 'bench-key' }).hash }), {
    source: new JsonLinesSource(input),
    warehouse,
  });
  const seconds = (performance.now() - began) / 1000;
  const [rows] = await warehouse.query(
    'SELECT (SELECT count(*) FROM realtime_features) AS features, (SELECT count(*) FROM realtime_features_aggregated) AS panes',
  );
  await warehouse.close();
  rmSync(dbPath, { force: true });
  rmSync(`${dbPath}.wal`, { force: true });
  const events = result.accounting.received;
  return { events, seconds, eventsPerSec: events / seconds, features: Number(rows?.features), panes: Number(rows?.panes), peakRssMb: peakRssMb() };
}

async function child(args: readonly string[]): Promise<void> {
  const flags = new Map<string, string>();
  for (let i = 0; i + 1 < args.length; i += 2) flags.set(args[i] as string, args[i + 1] as string);
  const which = flags.get('--case') as Case | undefined;
  const events = Number(flags.get('--events') ?? 1_000_000);
  const keys = Number(flags.get('--keys') ?? 10_000);
  let result: Record<string, number>;
  switch (which) {
    case 'operator':
      result = timeOperator(events, keys);
      break;
    case 'aggregate':
      result = timeAggregate(events, keys, false);
      break;
    case 'aggregate-cqc':
      result = timeAggregate(events, keys, true);
      break;
    case 'generate':
      result = await generate(flags.get('--output') ?? '', events);
      break;
    case 'pipeline':
      result = await timePipeline(flags.get('--input') ?? '');
      break;
    default:
      throw new Error(
        `usage: windows.ts --case operator|aggregate|aggregate-cqc|generate|pipeline [--events N] [--keys K] [--input F] [--output F]; got ${String(which)}`,
      );
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export const windowsBenchmarks: BenchSuite = {
  name: 'windows',
  async run({ quick }) {
    const events = quick ? 200_000 : 1_000_000;
    const pipelineEvents = quick ? 50_000 : 300_000;
    const repeats = quick ? 1 : 3;
    const keys = 10_000;
    const measured: Record<'operator' | 'aggregate' | 'aggregate-cqc', number[]> = { operator: [], aggregate: [], 'aggregate-cqc': [] };
    const detail: Record<string, Record<string, number>> = {};
    for (let i = 0; i < repeats; i++) {
      for (const which of ['operator', 'aggregate', 'aggregate-cqc'] as const) {
        const r = await runChild('./suites/windows.ts', ['--case', which, '--events', String(events), '--keys', String(keys)]);
        measured[which].push(r.eventsPerSec as number);
        detail[which] = r;
        process.stderr.write(`  run ${i + 1}: ${which} ${fmt(r.eventsPerSec as number)} events/s\n`);
      }
    }
    const input = join(tmpdir(), `sluice-bench-cqc-${pipelineEvents}.jsonl`);
    await runChild('./suites/windows.ts', ['--case', 'generate', '--events', String(pipelineEvents), '--output', input]);
    const inputMb = statSync(input).size / 2 ** 20;
    const pipelineRuns: Array<Record<string, number>> = [];
    for (let i = 0; i < repeats; i++) {
      const r = await runChild('./suites/windows.ts', ['--case', 'pipeline', '--input', input]);
      pipelineRuns.push(r);
      process.stderr.write(`  run ${i + 1}: cqc-events pipeline ${fmt(r.eventsPerSec as number)} events/s\n`);
    }
    rmSync(input, { force: true });
    const pipelineRates = pipelineRuns.map((r) => r.eventsPerSec as number);
    const last = pipelineRuns[pipelineRuns.length - 1] ?? {};
    const agg = detail.aggregate ?? {};
    const cqc = detail['aggregate-cqc'] ?? {};
    return [
      '## Windowed aggregation and the cqc-events pipeline',
      '',
      `${fmt(events)} events over ${fmt(keys)} keys and one hour of event time (up to 5 s out of order), 5-minute fixed windows, EARLY panes every minute of processing time, 1 minute of allowed lateness; the tap is ticked every ${fmt(BATCH)} events as the runner does after each batch, with processing time about 2 s behind event time. Median of ${repeats} run(s), each in a fresh process.`,
      '',
      '| measure | value | target |',
      '|---|---|---|',
      `| WindowOperator alone (count) | ${fmt(median(measured.operator))} events/s | — |`,
      `| WindowedAggregate tap (count; watermark, pane rows, late-event errors) | **${fmt(median(measured.aggregate))} events/s** (${fmt(agg.panes ?? 0)} panes) | ≥ 200,000 |`,
      `| WindowedAggregate with the cqc-events combiner (dedup by envelope id, mean/max risk, distinct types) | **${fmt(median(measured['aggregate-cqc']))} events/s** (${fmt(cqc.panes ?? 0)} panes, checkpoint ${fmt((cqc.snapshotBytes ?? 0) / 1024)} KiB at the end) | ≥ 200,000 |`,
      `| cqc-events pipeline, JSONL file → DuckDB (on its warehouse thread), ${fmt(pipelineEvents)} events (${inputMb.toFixed(0)} MB, 5% bad) | **${fmt(median(pipelineRates))} events/s** (${fmt(last.features ?? 0)} feature rows, ${fmt(last.panes ?? 0)} panes; peak RSS ${fmt(last.peakRssMb ?? 0)} MiB) | — |`,
      '',
      `Runs: operator ${measured.operator.map(fmt).join(', ')}; tap ${measured.aggregate.map(fmt).join(', ')}; tap + cqc combiner ${measured['aggregate-cqc'].map(fmt).join(', ')}; pipeline ${pipelineRates.map(fmt).join(', ')} events/s.`,
      '',
    ].join('\n');
  },
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await child(process.argv.slice(2));
