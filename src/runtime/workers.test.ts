import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cqcEventsDefinition } from '../../pipelines/cqc-events/definition.js';
import { healthClaimsDefinition } from '../../pipelines/health-claims/definition.js';
import { municipalTicketsDefinition } from '../../pipelines/municipal-tickets/definition.js';
import type { MetricsMessage } from '../observe/metrics.js';
import {
  checkWorkerPlan,
  combineRunResults,
  inspectPipeline,
  parseWorkers,
  superviseWorkers,
  type WorkerPlan,
  type WorkerRunResult,
  WorkersFailedError,
  WorkersRefusedError,
  workerArgs,
} from './workers.js';

const shared: Omit<WorkerPlan, 'definition'> = {
  workers: 3,
  warehouseUrl: 'postgres://root@127.0.0.1:5432/test',
  busUrl: 'nats://127.0.0.1:4222',
  onlineUrl: 'redis://127.0.0.1:6379',
};

function refusal(plan: WorkerPlan): WorkersRefusedError {
  try {
    checkWorkerPlan(plan);
  } catch (error) {
    if (error instanceof WorkersRefusedError) return error;
    throw error;
  }
  assert.fail('the plan was accepted');
}

describe('checkWorkerPlan', () => {
  it('accepts a shared warehouse, bus and online store', () => {
    checkWorkerPlan({ ...shared, definition: municipalTicketsDefinition });
    checkWorkerPlan({ ...shared, definition: healthClaimsDefinition, onlineUrl: 'embedded:/tmp/x' });
  });

  it('accepts anything for one worker', () => {
    checkWorkerPlan({ ...shared, workers: 1, definition: cqcEventsDefinition, warehouseUrl: 'duckdb:./x.duckdb', busUrl: 'local:./bus' });
  });

  it('refuses the embedded DuckDB warehouse: one writer per file', () => {
    for (const warehouseUrl of ['duckdb:./sluice.duckdb', './w.duckdb', ':memory:']) {
      const e = refusal({ ...shared, definition: healthClaimsDefinition, warehouseUrl });
      assert.equal(e.reason, 'embedded-warehouse');
      assert.equal(e.code, 'WORKERS_REFUSED');
      assert.match(e.message, /--workers 3 .*one writing process per database file.*postgres:\/\//);
    }
  });

  it('refuses the local bus: one consumer process per topic', () => {
    const e = refusal({ ...shared, definition: healthClaimsDefinition, busUrl: 'local:./.sluice/bus' });
    assert.equal(e.reason, 'local-bus');
    assert.match(e.message, /one consumer process at a time.*nats:\/\//);
  });

  it('refuses file, stdin and HTTP inputs, which every worker would read', () => {
    const e = refusal({ ...shared, definition: healthClaimsDefinition, otherInputs: ['--input'] });
    assert.equal(e.reason, 'single-process-input');
    assert.match(e.message, /with --input every worker would read the same input.*sluice publish claims-ingest FILE/);
  });

  it('refuses a pipeline whose tap checkpoints state per process, naming the tap', () => {
    const e = refusal({ ...shared, definition: cqcEventsDefinition });
    assert.equal(e.reason, 'stateful-tap');
    assert.match(e.message, /pipeline cqc-events keeps state in its tap "location_5m_windows".*_sluice_state.*--workers 1/);
  });

  it('refuses an online store the workers cannot share when the pipeline keeps features there', () => {
    const { orderedLane: _, ...withoutLanes } = municipalTicketsDefinition;
    for (const onlineUrl of ['embedded:/tmp/online', 'memory:']) {
      const e = refusal({ ...shared, definition: withoutLanes, onlineUrl });
      assert.equal(e.reason, 'per-process-online-store');
      assert.match(e.message, /municipal-tickets keeps its features in the online store.*--online redis:\/\//);
    }
  });

  it('with lanes, lets the one ordered lane keep an embedded store, but not one that forgets on restart', () => {
    assert.doesNotThrow(() => checkWorkerPlan({ ...shared, definition: municipalTicketsDefinition, onlineUrl: 'embedded:/tmp/online' }));
    assert.doesNotThrow(() => checkWorkerPlan({ ...shared, definition: municipalTicketsDefinition, onlineUrl: 'redis://127.0.0.1:6379' }));
    const e = refusal({ ...shared, definition: municipalTicketsDefinition, onlineUrl: 'memory:' });
    assert.equal(e.reason, 'per-process-online-store');
    assert.match(e.message, /memory: keeps nothing.*ordered lane/);
  });
});

describe('inspectPipeline', () => {
  it('learns from one build whether the pipeline reads the online store and which taps hold state', () => {
    assert.deepEqual(inspectPipeline(municipalTicketsDefinition, {}), { usesOnlineStore: true, statefulTaps: [] });
    assert.deepEqual(inspectPipeline(healthClaimsDefinition, {}), { usesOnlineStore: false, statefulTaps: [] });
    assert.deepEqual(inspectPipeline(cqcEventsDefinition, {}).statefulTaps, ['location_5m_windows']);
  });
});

describe('workerArgs and parseWorkers', () => {
  it('runs the same command without the supervisor’s own flags, quiet and with --json', () => {
    assert.deepEqual(
      workerArgs(['--bus', 'nats://h:4222', '-q', 'run', 'municipal-tickets', '--workers', '3', '--metrics-port=9464', '--until-idle', '2s', '--json']),
      ['--quiet', '--bus', 'nats://h:4222', 'run', 'municipal-tickets', '--until-idle', '2s', '--json'],
    );
    assert.deepEqual(workerArgs(['run', 'p', '--workers=2', '--metrics-port', '0.0.0.0:9464']), ['--quiet', 'run', 'p', '--json']);
  });

  it('takes whole numbers from 1', () => {
    assert.equal(parseWorkers('3'), 3);
    assert.throws(() => parseWorkers('0'), /whole number from 1/);
    assert.throws(() => parseWorkers('two'), /whole number from 1/);
  });
});

function result(received: number, errored: number, filtered: number, p99Ms: number): WorkerRunResult {
  const written = received - errored - filtered;
  return {
    accounting: {
      pipeline: 'p',
      received,
      written,
      errored,
      filtered,
      sideErrors: 1,
      balanced: true,
      steps: [{ step: 'parse', received, passed: received - errored, errored, filtered: 0 }],
      tables: [{ table: 't', rows: written, inserted: written - 1, duplicates: 1 }],
      topics: [{ topic: 'ready', published: written, duplicates: 0 }],
      errorsByType: { invalid_json: errored },
    },
    elapsedMs: 1000,
    eventsPerSecond: received,
    latency: { p50Ms: p99Ms / 2, p99Ms, maxMs: p99Ms * 2 },
    stoppedBy: 'end-of-input',
    lookups: [{ name: 'wards', source: 'wards.csv', hits: 5, misses: 1, notFound: 0, loads: 1 }],
  };
}

describe('combineRunResults', () => {
  it('adds every count and keeps the worst latency', () => {
    const total = combineRunResults([result(100, 5, 10, 300), result(50, 1, 0, 900)], 2000, 'signal');
    assert.equal(total.accounting.received, 150);
    assert.equal(total.accounting.written, 134);
    assert.equal(total.accounting.errored, 6);
    assert.equal(total.accounting.filtered, 10);
    assert.equal(total.accounting.sideErrors, 2);
    assert.equal(total.accounting.balanced, true);
    assert.deepEqual(total.accounting.steps, [{ step: 'parse', received: 150, passed: 144, errored: 6, filtered: 0 }]);
    assert.deepEqual(total.accounting.tables, [{ table: 't', rows: 134, inserted: 132, duplicates: 2 }]);
    assert.deepEqual(total.accounting.errorsByType, { invalid_json: 6 });
    assert.deepEqual(total.lookups, [{ name: 'wards', source: 'wards.csv', hits: 10, misses: 2, notFound: 0, loads: 2 }]);
    assert.equal(total.latency.p99Ms, 900);
    assert.equal(total.eventsPerSecond, 75);
    assert.equal(total.stoppedBy, 'signal');
  });

  it('is unbalanced when any part is', () => {
    const bad = result(10, 0, 0, 1);
    const total = combineRunResults([result(10, 0, 0, 1), { ...bad, accounting: { ...bad.accounting, balanced: false } }], 10, 'end-of-input');
    assert.equal(total.accounting.balanced, false);
  });
});

/**
 * A stand-in worker: a tiny Node script whose behaviour the test picks with FAKE_MODE, printing a
 * run result as `sluice run --json` does.
 */
const FAKE_WORKER = `
const { existsSync, writeFileSync } = require('node:fs');
const index = Number(process.env.SLUICE_WORKER_INDEX);
const result = (n) => JSON.stringify({
  accounting: { pipeline: 'p', received: n, written: n, errored: 0, filtered: 0, sideErrors: 0, balanced: true,
    steps: [], tables: [{ table: 't', rows: n, inserted: n, duplicates: 0 }], topics: [], errorsByType: {} },
  elapsedMs: 10, eventsPerSecond: 1, latency: { p50Ms: 1, p99Ms: index, maxMs: index }, stoppedBy: 'end-of-input', lookups: [] });
const mode = process.env.FAKE_MODE;
if (mode === 'finish') { process.stdout.write(result(index * 10)); process.exit(0); }
if (mode === 'config-error') { process.stderr.write('sluice: bad flag\\n'); process.exit(index === 2 ? 2 : 0); }
if (mode === 'crash-once') {
  const marker = process.env.FAKE_DIR + '/crashed-' + index;
  if (index === 1 && !existsSync(marker)) { writeFileSync(marker, ''); process.kill(process.pid, 'SIGKILL'); }
  process.stdout.write(result(100)); process.exit(0);
}
if (mode === 'lanes') {
  // The ordered lane (SLUICE_LANE=ordered) reads everything: 1000; a parallel worker its share.
  const lane = process.env.SLUICE_LANE;
  const marker = process.env.FAKE_DIR + '/lane-crashed';
  if (lane === 'ordered' && !existsSync(marker)) { writeFileSync(marker, ''); process.kill(process.pid, 'SIGKILL'); }
  if (lane !== 'ordered' && lane !== 'parallel') process.exit(3);
  process.stdout.write(result(lane === 'ordered' ? 1000 : index * 10)); process.exit(0);
}
if (mode === 'wait-signal') {
  let signals = 0;
  process.on('SIGTERM', () => {
    signals++;
    if (signals === 1) { process.stderr.write('{"level":40,"msg":"draining"}\\n'); process.stdout.write(result(7)); process.exit(0); }
  });
  setInterval(() => {}, 1000);
  process.send({ type: 'event', event: { kind: 'recovered', what: 'bus x', afterAttempts: 2 } });
}
`;

describe('superviseWorkers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const command: [string, ...string[]] = [process.execPath, '-e', FAKE_WORKER];
  const quiet = { report: () => undefined, onStderr: () => undefined };

  it('with lanes, starts the ordered lane beside the N parallel workers, restarts it like them, and keeps its books apart', async () => {
    const lines: string[] = [];
    const run = await superviseWorkers({
      workers: 2,
      command,
      env: { ...process.env, FAKE_MODE: 'lanes', FAKE_DIR: dir },
      orderedLane: { description: 'the features' },
      restartDelayMs: 10,
      onStderr: () => undefined,
      report: (l) => lines.push(l),
    });
    // The parallel workers' books only: every message once between them.
    assert.equal(run.result.accounting.received, 30);
    assert.equal(run.result.orderedLane?.accounting.received, 1000);
    assert.equal(lines.filter((l) => /^sluice: ordered lane started \(pid \d+\): the features$/.test(l)).length, 2, lines.join('\n'));
    assert.ok(lines.some((l) => /^sluice: ordered lane was killed by SIGKILL; restarting/.test(l)), lines.join('\n'));
    assert.equal(lines.filter((l) => /worker \d\/2 started/.test(l)).length, 2);
    assert.deepEqual(run.exits.map((e) => e.worker).sort(), [1, 2, 3, 3]);
  });

  it('runs N workers to the end and combines what each printed', async () => {
    const started: string[] = [];
    const run = await superviseWorkers({ workers: 3, command, env: { ...process.env, FAKE_MODE: 'finish' }, ...quiet, report: (l) => started.push(l) });
    assert.equal(run.result.accounting.received, 60);
    assert.equal(run.result.latency.p99Ms, 3);
    assert.deepEqual(
      run.exits.map((e) => e.worker).sort(),
      [1, 2, 3],
    );
    assert.equal(started.filter((l) => /worker \d\/3 started \(pid \d+\)/.test(l)).length, 3);
  });

  it('forwards one SIGTERM per worker on abort and returns their drained results', async () => {
    const controller = new AbortController();
    const messages: Array<[number, MetricsMessage]> = [];
    const lines: Array<[number, string]> = [];
    let everyoneUp: () => void = () => undefined;
    const up = new Promise<void>((resolve) => {
      everyoneUp = resolve;
    });
    const finished = superviseWorkers({
      workers: 2,
      command,
      env: { ...process.env, FAKE_MODE: 'wait-signal' },
      signal: controller.signal,
      onMessage: (worker, message) => {
        messages.push([worker, message]);
        if (messages.length === 2) everyoneUp();
      },
      report: () => undefined,
      onStderr: (worker, line) => lines.push([worker, line]),
    });
    await up;
    controller.abort();
    const run = await finished;
    assert.equal(run.result.accounting.received, 14, 'both drained once and reported');
    assert.equal(run.result.stoppedBy, 'signal');
    assert.ok(run.exits.every((e) => e.code === 0));
    assert.deepEqual(
      messages.map(([w]) => w).sort(),
      [1, 2],
    );
    assert.ok(lines.some(([w, l]) => w === 1 && l === '{"level":40,"msg":"draining"}'));
  });

  it('restarts a worker that crashed and counts the run it finished', async () => {
    const reports: string[] = [];
    const run = await superviseWorkers({
      workers: 2,
      command,
      env: { ...process.env, FAKE_MODE: 'crash-once', FAKE_DIR: dir },
      restartDelayMs: 10,
      report: (l) => reports.push(l),
      onStderr: () => undefined,
    });
    assert.equal(run.exits.length, 3);
    assert.deepEqual(
      run.exits.filter((e) => e.signal === 'SIGKILL').map((e) => e.worker),
      [1],
    );
    assert.equal(run.result.accounting.received, 200);
    assert.ok(reports.some((l) => /worker 1 was killed by SIGKILL; restarting it in 0\.0 s/.test(l)));
  });

  it('stops everything when a worker reports a configuration error', async () => {
    await assert.rejects(
      superviseWorkers({ workers: 2, command, env: { ...process.env, FAKE_MODE: 'config-error' }, ...quiet }),
      (error: unknown) => error instanceof WorkersFailedError && /worker 2 exited with code 2 \(a configuration error/.test(error.message),
    );
  });
});
