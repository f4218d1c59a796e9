import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MUNICIPAL_FEATURES } from '../../pipelines/municipal-tickets/features.js';
import { NatsBus } from '../../src/connectors/nats/nats-bus.js';
import { PostgresWarehouse } from '../../src/connectors/postgres/postgres-warehouse.js';
import { generateData } from '../../src/cli/commands/generate.js';
import { pipeline } from '../../src/core/pipeline.js';
import { defineTable } from '../../src/core/schema.js';
import { parseJson } from '../../src/core/steps/parse-json.js';
import { runPipeline } from '../../src/runtime/runner.js';
import { stopWhenIdle } from '../../src/runtime/stop-when-idle.js';
import type { WorkerRunResult } from '../../src/runtime/workers.js';
import { serviceSkipReason } from '../contracts/services.js';
import { compareTable, countRows, killSluiceProcesses, loadTickets, PROCESSING_TIME_COLUMNS, pgClient, pipelineTables, sluice } from '../support/infra-runs.js';
import { type PrivateServer, privateServerSkipReason, startPrivateNats, startPrivateRedis } from '../support/private-servers.js';

/**
 * Issue 4: N workers on NATS JetStream + PostgreSQL (+ Redis for the rolling features).
 *
 * - 3 workers produce exactly the tables and feature values of 1 worker (steps 1–5 on the three,
 *   steps 6–8 on the ordered lane, one more process reading every message in order);
 * - SIGKILL of one of 3 workers and of the ordered lane mid-run: the supervisor restarts both, no
 *   row is lost or doubled, and the feature values are still those of 1 worker;
 * - a message that crashes its worker reaches the dead-letter topic after --max-deliveries.
 *
 * PostgreSQL is the shared server (a schema per run, dropped afterwards); NATS and Redis are
 * private servers started by the test (test/support/private-servers.ts), because the CLI's NATS
 * URL has no stream prefix and the Redis URL no key prefix: the municipal topics and feature keys
 * would otherwise mix with other tests' on the shared servers.
 *
 * The acceptance size is 300k tickets (+ ~337k status updates); `npm test` runs 20k so it stays
 * within a few minutes on 2 cores. The full size:
 *
 *   SLUICE_INFRA_FULL=1 node scripts/run-tests.mjs test/e2e/infra-workers.test.ts
 */

const POISON_WORKER = process.env.SLUICE_TEST_POISON_WORKER === '1';
const FULL = process.env.SLUICE_INFRA_FULL === '1';
const TICKETS = FULL ? 300_000 : 20_000;
const PG_URL = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const FEATURE_COLUMNS: readonly string[] = ['features_as_of', ...MUNICIPAL_FEATURES.featureNames];

// ---------------------------------------------------------------------------------------------
// The poison test's worker: this same file, started as a child process with
// SLUICE_TEST_POISON_WORKER=1. It runs a tiny pipeline through the real runner and NatsBus whose
// step kills its own process on the poison payload — a crash, not an error row.
// ---------------------------------------------------------------------------------------------

const PoisonInput = z.object({ id: z.string(), n: z.number(), crash: z.boolean().optional() });
const poisonEvents = defineTable({
  name: 'poison_events',
  columns: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'integer' },
  ],
});

function poisonPipeline() {
  return pipeline<string>({ name: 'poison-test', input: 'poison.in', deadLetterTopic: 'poison.dlq', keyFields: ['id'] })
    .step('parse', parseJson(PoisonInput, { idField: 'id' }))
    .step('crashOnPoison', (event) => {
      // Test-only: a payload that takes its worker down, as a native crash or an OOM would.
      if (event.crash === true) process.kill(process.pid, 'SIGKILL');
      return event;
    })
    .write(poisonEvents);
}

async function poisonWorker(): Promise<void> {
  const env = process.env as Record<string, string>;
  // A short ack wait so a crashed worker's messages come back in a second, not in 30.
  const bus = new NatsBus({ url: env.POISON_NATS_URL as string, ackWaitMs: 1000 });
  const warehouse = new PostgresWarehouse({ url: env.POISON_PG_URL as string });
  await bus.open();
  await warehouse.open();
  try {
    const maxDeliveries = Number(env.POISON_MAX_DELIVERIES);
    const source = stopWhenIdle(bus.subscribe('poison.in', { consumer: 'poison', maxDeliveries }), 3000);
    const result = await runPipeline(poisonPipeline(), { source, warehouse, bus, flushRows: 200, maxDeliveries });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await bus.close();
    await warehouse.close();
  }
}

if (POISON_WORKER) {
  await poisonWorker();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------

const pgUrl = new URL(PG_URL);
const skip = (await serviceSkipReason('PostgreSQL', pgUrl.hostname, Number(pgUrl.port || 5432))) ?? privateServerSkipReason(['nats', 'redis']);
const tag = randomBytes(4).toString('hex');
const schema = (run: string): string => `sluice_t_${tag}_${run}`;
const RUNS = { one: 1, three: 2, killed: 3 } as const;

describe('N workers on NATS JetStream + PostgreSQL + Redis', { ...(skip !== undefined ? { skip } : {}), timeout: FULL ? 3_600_000 : 900_000 }, () => {
  let nats: PrivateServer;
  let redis: PrivateServer;
  let dir = '';
  let tickets = 0;
  const results = new Map<string, WorkerRunResult>();
  /** Each run's stderr, for the message of a later comparison that fails. */
  const stderrOf = new Map<string, string>();
  let innocentDeadLetters = -1;
  let written = -1;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-infra-workers-'));
    [nats, redis] = await Promise.all([startPrivateNats(), startPrivateRedis()]);
    const loaded = await loadTickets(nats.url, dir, TICKETS);
    tickets = loaded.tickets;
    process.stderr.write(`infra-workers: ${loaded.tickets} tickets + ${loaded.statusUpdates} status updates on ${nats.url}\n`);
  });

  after(async () => {
    killSluiceProcesses();
    await Promise.all([nats?.destroy(), redis?.destroy()]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    const client = await pgClient(PG_URL);
    for (const run of [...Object.keys(RUNS), 'poison', 'drain']) await client.query(`DROP SCHEMA IF EXISTS "${schema(run)}" CASCADE`);
    await client.end();
  });

  /** `sluice run municipal-tickets` for one run: its own schema, consumer and Redis database. */
  const runArgs = (run: keyof typeof RUNS, extra: readonly string[]): string[] => [
    '--warehouse',
    `${PG_URL}?schema=${schema(run)}`,
    '--bus',
    nats.url,
    '--online',
    `${redis.url}/${RUNS[run]}`,
    'run',
    'municipal-tickets',
    '--consumer',
    `c_${run}`,
    '--json',
    ...extra,
  ];

  async function assertSameTables(a: string, b: string): Promise<void> {
    const client = await pgClient(PG_URL);
    try {
      // Feature results (ml_features' values, feature_refusals) are compared by featureDifferences.
      const tables = (await pipelineTables(client, schema(a))).filter((t) => t !== 'ml_features' && t !== 'feature_refusals');
      assert.ok(tables.includes('raw_tickets') && tables.includes('ticket_errors'), `run ${a} wrote its tables: ${tables.join(', ')}`);
      for (const table of tables) {
        const diff = await compareTable(client, schema(a), schema(b), table, PROCESSING_TIME_COLUMNS[table] ?? []);
        assert.ok(diff.rowsA > 0, `${table} of run ${a} is empty`);
        assert.deepEqual(
          { rows: diff.rowsB, onlyInA: diff.onlyInA, onlyInB: diff.onlyInB, duplicateIds: diff.duplicateIdsB },
          { rows: diff.rowsA, onlyInA: 0, onlyInB: 0, duplicateIds: 0 },
          `${table}: run ${b} differs from run ${a} (e.g. ${diff.sample.join(', ')})`,
        );
      }
      // ml_features without the feature values: which tickets got a row, their time features, ward, category…
      const features = await compareTable(client, schema(a), schema(b), 'ml_features', [...(PROCESSING_TIME_COLUMNS.ml_features ?? []), ...FEATURE_COLUMNS]);
      assert.deepEqual({ rows: features.rowsB, onlyInA: features.onlyInA, onlyInB: features.onlyInB }, { rows: features.rowsA, onlyInA: 0, onlyInB: 0 }, 'ml_features rows');
    } finally {
      await client.end();
    }
  }

  /**
   * How two runs' features differ. When they do, the refusals one run made and the other did not
   * say which events each saw out of order — the first thing to know about such a failure.
   */
  async function featureDifferences(a: string, b: string): Promise<{ rows: number; differing: number; refusals: [number, number]; sample: readonly string[]; refusedApart: readonly string[] }> {
    const client = await pgClient(PG_URL);
    try {
      const diff = await compareTable(client, schema(a), schema(b), 'ml_features', PROCESSING_TIME_COLUMNS.ml_features ?? []);
      const refused = await compareTable(client, schema(a), schema(b), 'feature_refusals', PROCESSING_TIME_COLUMNS.feature_refusals ?? []);
      const apart = async (x: string, y: string): Promise<string[]> =>
        (
          await client.query<{ row: string }>(
            `SELECT concat_ws(' ', ticket_id, kind, reason, event_time) AS row FROM (SELECT ticket_id, kind, reason, event_time FROM "${schema(x)}".feature_refusals
             EXCEPT ALL SELECT ticket_id, kind, reason, event_time FROM "${schema(y)}".feature_refusals) d ORDER BY event_time LIMIT 8`,
          )
        ).rows.map((r) => `only in ${x}: ${r.row}`);
      const refusedApart = refused.onlyInA + refused.onlyInB > 0 ? [...(await apart(a, b)), ...(await apart(b, a))] : [];
      return { rows: diff.rowsA, differing: diff.onlyInB, refusals: [refused.rowsA, refused.rowsB], sample: diff.sample, refusedApart };
    } finally {
      await client.end();
    }
  }

  it('1 worker drains the topics: the reference run', async () => {
    const run = sluice(runArgs('one', ['--until-idle', '3s']), { cwd: dir });
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr.slice(-3000));
    const result = JSON.parse(done.stdout) as WorkerRunResult;
    results.set('one', result);
    stderrOf.set('one', done.stderr);
    assert.equal(result.accounting.balanced, true);
    assert.ok(result.accounting.received >= tickets, `received ${result.accounting.received} of at least ${tickets}`);
    process.stderr.write(`infra-workers: 1 worker: ${result.accounting.received} events in ${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round(result.eventsPerSecond)}/s)\n`);
  });

  it('3 workers on the same consumer produce exactly the tables of 1 worker, with balanced combined accounting', async () => {
    const run = sluice(runArgs('three', ['--until-idle', '3s', '--workers', '3']), { cwd: dir });
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr.slice(-3000));
    const started = done.stderr.split('\n').filter((l) => /worker \d\/3 started/.test(l));
    assert.equal(started.length, 3, `three workers started:\n${done.stderr.slice(-2000)}`);
    const combined = JSON.parse(done.stdout) as WorkerRunResult;
    results.set('three', combined);
    const one = results.get('one');
    assert.ok(one !== undefined, 'the 1-worker run ran first');
    assert.equal(combined.accounting.balanced, true);
    // Every message once, split between the workers: the same books as one worker.
    assert.equal(combined.accounting.received, one.accounting.received);
    assert.equal(combined.accounting.errored, one.accounting.errored);
    assert.equal(combined.accounting.filtered, one.accounting.filtered);
    assert.equal(combined.accounting.written, one.accounting.written);
    process.stderr.write(`infra-workers: 3 workers: ${combined.accounting.received} events in ${(combined.elapsedMs / 1000).toFixed(1)} s (${Math.round(combined.eventsPerSecond)}/s)\n`);
    await assertSameTables('one', 'three');
  });

  it('3 workers compute the same feature values as 1 worker', async () => {
    const diff = await featureDifferences('one', 'three');
    assert.deepEqual(
      { differing: diff.differing, refusals: diff.refusals[1] },
      { differing: 0, refusals: diff.refusals[0] },
      `${diff.differing} of ${diff.rows} ml_features rows differ between 1 and 3 workers (e.g. ${diff.sample.join(', ')}); events refused by the tiles: ${diff.refusals.join(' vs ')}` +
        `\n${diff.refusedApart.join('\n')}\n1 worker's stderr (end):\n${stderrOf.get('one')?.slice(-1500) ?? ''}`,
    );
  });

  it('SIGKILL of one of 3 workers and of the ordered lane mid-run: the supervisor restarts both and no row is lost or duplicated', async () => {
    const reference = await countRows(PG_URL, schema('one'), 'raw_tickets');
    assert.ok(reference !== null && reference > 0);
    // The killed worker's unacknowledged messages come back once JetStream's ack wait (30 s) lapses:
    // the workers wait longer than that for messages before they call the topics drained.
    const run = sluice(runArgs('killed', ['--until-idle', '45s', '--workers', '3']), { cwd: dir });
    const victimLine = await run.waitForLine((l) => /worker 2\/3 started \(pid \d+\)/.test(l), 60_000);
    const victim = Number(/pid (\d+)/.exec(victimLine)?.[1]);
    for (let polls = 0; ; polls++) {
      const n = (await countRows(PG_URL, schema('killed'), 'raw_tickets')) ?? 0;
      if (n > reference * 0.3) break;
      assert.ok(polls < 3000, 'the run never got 30% in');
      await delay(100); // polling for a row count, not waiting for time to pass
    }
    process.kill(victim, 'SIGKILL');
    await run.waitForLine((l) => /worker 2 was killed by SIGKILL; restarting/.test(l), 30_000);
    // And the ordered lane, the one process computing the features, once it is 30% in.
    const laneLine = await run.waitForLine((l) => /ordered lane started \(pid \d+\)/.test(l), 10_000);
    const lane = Number(/pid (\d+)/.exec(laneLine)?.[1]);
    const featureRows = (await countRows(PG_URL, schema('one'), 'ml_features')) ?? 0;
    for (let polls = 0; ; polls++) {
      const n = (await countRows(PG_URL, schema('killed'), 'ml_features')) ?? 0;
      if (n > featureRows * 0.3) break;
      assert.ok(n < featureRows && polls < 3000, `the ordered lane ended (${n} rows) or never got 30% in before it could be killed`);
      await delay(100); // polling for a row count, not waiting for time to pass
    }
    process.kill(lane, 'SIGKILL');
    await run.waitForLine((l) => /ordered lane was killed by SIGKILL; restarting/.test(l), 30_000);
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr.slice(-3000));
    const combined = JSON.parse(done.stdout) as WorkerRunResult;
    assert.equal(combined.accounting.balanced, true);
    // The killed worker's books died with it; the others (and its restart) redid its uncommitted work.
    assert.ok(done.stderr.includes('worker 2/3 started'), 'the slot was filled again');
    assert.equal(done.stderr.split('\n').filter((l) => /ordered lane started/.test(l)).length, 2, 'the ordered lane was started again');
    const bus = new NatsBus({ url: nats.url });
    await bus.open();
    try {
      for (const topic of ['tickets.new', 'tickets.status']) {
        const consumers = (await bus.stats(topic)).consumers;
        assert.equal(consumers.c_killed?.pending, 0, `all of ${topic} acknowledged`);
        assert.equal(consumers['c_killed-ordered']?.pending, 0, `all of ${topic} acknowledged by the ordered lane`);
      }
    } finally {
      await bus.close();
    }
    await assertSameTables('one', 'killed');
  });

  it('after the SIGKILL and restart, the feature values equal those of 1 worker', async () => {
    const diff = await featureDifferences('one', 'killed');
    assert.deepEqual(
      { differing: diff.differing, refusals: diff.refusals[1] },
      { differing: 0, refusals: diff.refusals[0] },
      `${diff.differing} of ${diff.rows} ml_features rows differ between 1 worker and the killed run (e.g. ${diff.sample.join(', ')}); events refused by the tiles: ${diff.refusals.join(' vs ')}\n${diff.refusedApart.join('\n')}`,
    );
  });

  it('SIGTERM to the supervisor drains every worker: all it acknowledged is committed, the rest stays on the bus', async () => {
    const run = sluice(
      [
        '--warehouse',
        `${PG_URL}?schema=${schema('drain')}`,
        '--bus',
        nats.url,
        '--online',
        `${redis.url}/5`,
        'run',
        'health-claims',
        '--consumer',
        'c_drain',
        '--json',
        '--workers',
        '2',
      ],
      { cwd: dir },
    );
    const bus = new NatsBus({ url: nats.url });
    await bus.open();
    try {
      const counts = await generateData('health-claims', { count: 40_000, seed: 'drain', badRate: 0.05, to: nats.url }, { quiet: true });
      const claims = (await bus.stats('claims-ingest')).messages;
      assert.ok(claims > 0 && claims <= (counts['claims-ingest'] ?? 0), `${claims} claims on the bus`);
      for (let polls = 0; ; polls++) {
        const pending = (await bus.stats('claims-ingest')).consumers.c_drain?.pending ?? claims;
        if (pending < claims * 0.8) break;
        assert.ok(polls < 3000, 'the workers never got going');
        await delay(50); // polling the consumer's progress
      }
      run.child.kill('SIGTERM');
      const done = await run.done;
      assert.equal(done.code, 0, done.stderr.slice(-3000));
      const combined = JSON.parse(done.stdout) as WorkerRunResult;
      assert.equal(combined.stoppedBy, 'signal');
      assert.equal(combined.accounting.balanced, true);
      const pending = (await bus.stats('claims-ingest')).consumers.c_drain?.pending ?? -1;
      // Every message was either committed and acknowledged by a worker, or is still on the bus.
      assert.ok(pending > 0, 'stopped before the end: some claims stay on the bus');
      assert.equal(combined.accounting.received + pending, claims);
      const inserted = (table: string): number => combined.accounting.tables.find((t) => t.table === table)?.inserted ?? 0;
      const client = await pgClient(PG_URL);
      try {
        const { rows } = await client.query(
          `SELECT (SELECT count(*) FROM "${schema('drain')}".claims_events_stream)::int AS ok, (SELECT count(*) FROM "${schema('drain')}".processing_errors)::int AS bad`,
        );
        // The workers' combined books are what PostgreSQL holds: nothing committed went unreported.
        assert.deepEqual(rows[0], { ok: inserted('claims_events_stream'), bad: inserted('processing_errors') });
      } finally {
        await client.end();
      }
    } finally {
      await bus.close();
    }
  });

  it('a message that crashes its worker reaches the dead-letter topic after --max-deliveries; the rest flows on', async () => {
    const maxDeliveries = 3;
    const url = `${PG_URL}?schema=${schema('poison')}`;
    const bus = new NatsBus({ url: nats.url });
    await bus.open();
    const good = 3000;
    const messages = Array.from({ length: good }, (_, i) => ({ id: `e${i}`, payload: JSON.stringify({ id: `e${i}`, n: i }) }));
    messages.splice(good / 2, 0, { id: 'poison', payload: JSON.stringify({ id: 'poison', n: -1, crash: true }) });
    await bus.publish('poison.in', messages);
    const env = { SLUICE_TEST_POISON_WORKER: '1', POISON_NATS_URL: nats.url, POISON_PG_URL: url, POISON_MAX_DELIVERIES: String(maxDeliveries) };
    let crashes = 0;
    let last = { code: null as number | null, signal: null as NodeJS.Signals | null, stdout: '', stderr: '' };
    // What a supervisor does: restart the worker until it finishes its run.
    for (let starts = 0; starts < maxDeliveries + 3; starts++) {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      last = await new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
      if (last.signal === 'SIGKILL') crashes++;
      else break;
    }
    assert.equal(last.code, 0, `the worker finished after the crashes: ${last.stderr.slice(-2000)}`);
    assert.equal(crashes, maxDeliveries, 'the poison took down one worker per delivery, up to the limit');
    const wh = new PostgresWarehouse({ url });
    await wh.open();
    try {
      const errors = await wh.query('SELECT envelope_id, error_type, attempt FROM poison_test_errors ORDER BY envelope_id');
      assert.ok(
        errors.some((e) => e.envelope_id === 'poison' && e.error_type === 'max_deliveries_exceeded'),
        `the poison is an error row: ${JSON.stringify(errors.slice(0, 5))}`,
      );
      const dlq = await bus.stats('poison.dlq');
      assert.ok(dlq.messages >= 1, 'and a message on the dead-letter topic');
      const [row] = await wh.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM poison_events');
      innocentDeadLetters = errors.filter((e) => e.envelope_id !== 'poison').length;
      assert.equal(Number(row?.n) + innocentDeadLetters, good, 'every other message was written or dead-lettered, none lost');
      assert.equal(Number(row?.ids), Number(row?.n), 'none written twice');
      written = Number(row?.n);
      process.stderr.write(`infra-workers: poison: ${crashes} crashes, ${written} of ${good} written, ${innocentDeadLetters} innocent dead-lettered\n`);
    } finally {
      await wh.close();
      await bus.close();
    }
  });

  it('no message but the poison is dead-lettered', () => {
    // Redeliveries are processed apart (runner.ts, processApart; nats-source.ts), so the messages
    // held with the poison when it crashed a worker are written on their next delivery.
    assert.equal(innocentDeadLetters, 0, `${innocentDeadLetters} innocent messages were dead-lettered with the poison; ${written} written`);
  });
});
