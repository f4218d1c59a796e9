import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { municipalIngestDefinition, municipalTicketsDefinition } from '../../../pipelines/municipal-tickets/definition.js';
import { municipalTicketsGenerator, STATUS_TOPIC, TICKETS_TOPIC, wardsCsv } from '../../../pipelines/municipal-tickets/generator/index.js';
import { ArraySource } from '../../../test/support/array-source.js';
import { envelopeEchoDefinition, exitingOnThread } from '../../../test/support/thread-test-pipelines.js';
import { writeGeneratedTickets } from '../../../test/support/generated.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { runJob } from '../../cli/run-job.js';
import { DuckDbWarehouse } from '../../connectors/duckdb/duckdb-warehouse.js';
import { JsonLinesSource } from '../../connectors/files/jsonl-source.js';
import { LocalBus } from '../../connectors/local-bus/local-bus.js';
import type { Source, SourceMessage } from '../../core/source.js';
import { mergeByEventTime } from '../../features/merge-by-event-time.js';
import { piiHasherFromEnv } from '../../privacy/hash-pii.js';
import { type PipelineRecipe, type RunResult, runBatch } from '../runner.js';

const env = Object.freeze({ SLUICE_PII_KEY: 'threads-test-key' });
const hasher = piiHasherFromEnv(env);
/** From source (under tsx) a worker imports the .ts file itself. */
const DEFINITION_MODULE = new URL('../../../pipelines/municipal-tickets/definition.ts', import.meta.url).href;
const THREAD_PIPELINES = new URL('../../../test/support/thread-test-pipelines.ts', import.meta.url).href;
const ingestRecipe: PipelineRecipe = { module: DEFINITION_MODULE, exportName: 'municipalIngestDefinition', env };
/** Small commits: many batches, many commits, and workers that each see several batches. */
const FLUSH_ROWS = 700;

/** Processing-time columns, the only ones allowed to differ between two runs of the same input. */
const TABLES: ReadonlyArray<readonly [table: string, processingTime: readonly string[]]> = [
  ['raw_tickets', ['ingestion_timestamp']],
  ['cleansed_tickets', []],
  ['ticket_errors', ['error_timestamp']],
];

async function openMemoryWarehouse(): Promise<DuckDbWarehouse> {
  const wh = new DuckDbWarehouse({ path: ':memory:' });
  await wh.open();
  return wh;
}

function ingest(wh: DuckDbWarehouse, input: string, recipe?: PipelineRecipe, count = 2): Promise<RunResult> {
  const pipeline = municipalIngestDefinition.build({ hash: hasher.hash, env });
  return runBatch(pipeline, {
    source: new JsonLinesSource(input),
    warehouse: wh,
    flushRows: FLUSH_ROWS,
    ...(recipe !== undefined ? { threads: { count, recipe } } : {}),
  });
}

/** A table's rows in a fixed order (by every column, the key first), without the columns that hold processing time. */
async function contents(wh: DuckDbWarehouse, table: string, processingTime: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const exclude = processingTime.length > 0 ? ` EXCLUDE (${processingTime.join(', ')})` : '';
  return wh.query(`SELECT *${exclude} FROM ${table} ORDER BY ALL`);
}

async function rowCounts(wh: DuckDbWarehouse, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await wh.query(`SELECT count(*) AS n FROM ${table}`);
    counts[table] = Number(row?.n);
  }
  return counts;
}

const echoRecipe: PipelineRecipe = { module: THREAD_PIPELINES, exportName: 'envelopeEchoDefinition', env };

/** The envelope-echo pipeline over `source` on `threads` step threads (0: the main thread alone). */
async function runEcho(source: Source, threads: number, maxDeliveries?: number): Promise<{ wh: DuckDbWarehouse; result: RunResult }> {
  const wh = await openMemoryWarehouse();
  const result = await runBatch(envelopeEchoDefinition.build({ hash: hasher.hash, env }), {
    source,
    warehouse: wh,
    flushRows: FLUSH_ROWS,
    ...(maxDeliveries !== undefined ? { maxDeliveries } : {}),
    ...(threads > 0 ? { threads: { count: threads, recipe: echoRecipe } } : {}),
  });
  return { wh, result };
}

/** Every echo table the same in both warehouses (error timestamps aside), each with more than `minRows` rows. */
async function assertSameEchoTables(threaded: DuckDbWarehouse, single: DuckDbWarehouse, minRows: number): Promise<void> {
  for (const [table, processingTime] of [
    ['echo_head', []],
    ['echo_tail', []],
    ['envelope_echo_errors', ['error_timestamp']],
  ] as const) {
    const want = await contents(single, table, processingTime);
    assert.ok(want.length > minRows, `${table}: ${want.length} rows`);
    assert.deepEqual(await contents(threaded, table, processingTime), want, table);
  }
}

describe('step worker threads: municipal-tickets steps 1–5', () => {
  const dir = tempDir();
  const generated = writeGeneratedTickets(dir, 4000, 'threads', 0.08);

  it('write the same tables and the same accounting as one thread', { timeout: 60_000 }, async () => {
    const single = await openMemoryWarehouse();
    const threaded = await openMemoryWarehouse();
    try {
      const one = await ingest(single, generated.path);
      const two = await ingest(threaded, generated.path, ingestRecipe);
      assert.equal(one.threads, 0);
      assert.equal(two.threads, 2, 'two step threads ran the head');

      const a = one.accounting;
      assert.equal(a.received, generated.lines.length);
      assert.equal(a.balanced, true);
      const bad = generated.lines.filter((l) => l.kind === 'bad').length;
      assert.ok(bad > 100, `${bad} bad lines`);
      assert.equal(a.errored, bad, 'every bad line is an error row');
      assert.ok(Object.keys(a.errorsByType).length >= 3, `several error types: ${JSON.stringify(a.errorsByType)}`);
      const dupes = generated.lines.filter((l) => l.kind === 'duplicate').length;
      assert.ok(dupes > 0, 'the input redelivers some tickets');
      // Everything: received/written/errored/filtered, per step, per table (inserted and duplicates), by error type.
      assert.deepEqual(two.accounting, one.accounting);
      assert.ok(a.steps.length === 4 && a.steps.every((s) => s.received > 0), JSON.stringify(a.steps));

      for (const [table, processingTime] of TABLES) {
        const want = await contents(single, table, processingTime);
        const got = await contents(threaded, table, processingTime);
        assert.ok(want.length > (table === 'ticket_errors' ? 100 : 3000), `${table}: ${want.length} rows`);
        assert.equal(got.length, want.length, `${table}: row count`);
        assert.deepEqual(got, want, `${table}: the same rows`);
      }
      // The comparison covers what threads could get wrong: hashed PII, DLP masks, unicode text.
      const [shape] = await threaded.query(
        `SELECT count(*) FILTER (WHERE citizen_id_hash IS NOT NULL) AS hashed, count(*) FILTER (WHERE len(_dlp_findings) > 0) AS findings,
           count(*) FILTER (WHERE octet_length(encode(description)) > length(description)) AS non_ascii FROM raw_tickets`,
      );
      for (const [key, n] of Object.entries(shape ?? {})) assert.ok(Number(n) > 100, `${key}: ${n}`);
    } finally {
      await single.close();
      await threaded.close();
    }
  });

  it('leave row counts unchanged when the same input runs again into the same warehouse', { timeout: 60_000 }, async () => {
    const wh = await openMemoryWarehouse();
    try {
      const first = await ingest(wh, generated.path, ingestRecipe);
      const tables = TABLES.map(([t]) => t);
      const before = await rowCounts(wh, tables);
      assert.ok(
        Object.values(before).every((n) => n > 0),
        JSON.stringify(before),
      );
      const again = await ingest(wh, generated.path, ingestRecipe);
      assert.equal(again.threads, 2);
      assert.deepEqual(await rowCounts(wh, tables), before);
      assert.equal(again.accounting.received, first.accounting.received);
      for (const t of again.accounting.tables) {
        assert.equal(t.inserted, 0, `${t.table}: nothing new the second time`);
        assert.equal(t.duplicates, t.rows, `${t.table}: every row already there`);
      }
    } finally {
      await wh.close();
    }
  });

  it('stop on a signal: what the threads hold is committed and acknowledged, nothing after it is read', { timeout: 60_000 }, async () => {
    const wh = await openMemoryWarehouse();
    try {
      const inner = new ArraySource(readFileSync(generated.path, 'utf8').trimEnd().split('\n'));
      const stop = new AbortController();
      let pulls = 0;
      // The stop comes with the fourth pull, while the threads still hold earlier batches.
      const source: Source = {
        name: inner.name,
        bounded: true,
        open: () => inner.open(),
        pull: (max) => {
          if (++pulls === 4) stop.abort();
          return inner.pull(max);
        },
        ack: (batch) => inner.ack(batch),
        close: () => inner.close(),
      };
      const result = await runBatch(municipalIngestDefinition.build({ hash: hasher.hash, env }), {
        source,
        warehouse: wh,
        flushRows: FLUSH_ROWS,
        signal: stop.signal,
        threads: { count: 2, recipe: ingestRecipe },
      });
      assert.equal(result.stoppedBy, 'signal');
      assert.equal(result.threads, 2);
      const a = result.accounting;
      assert.equal(a.balanced, true);
      assert.equal(pulls, 4, 'nothing is read after the stop');
      assert.equal(a.received, 4 * FLUSH_ROWS, 'the four batches pulled, the last one included, are processed');
      assert.deepEqual(inner.acked, [FLUSH_ROWS, 2 * FLUSH_ROWS, 3 * FLUSH_ROWS, 4 * FLUSH_ROWS], 'each acknowledged, in order');
      const raw = a.tables.find((t) => t.table === 'raw_tickets');
      assert.ok((raw?.inserted ?? 0) > 0);
      assert.deepEqual(await rowCounts(wh, ['raw_tickets']), { raw_tickets: raw?.inserted });
    } finally {
      await wh.close();
    }
  });

  it('report progress while the threads run, as one thread does', { timeout: 60_000 }, async () => {
    const calls: number[] = [];
    for (const recipe of [undefined, ingestRecipe]) {
      const wh = await openMemoryWarehouse();
      try {
        calls.length = 0;
        await runBatch(municipalIngestDefinition.build({ hash: hasher.hash, env }), {
          source: new JsonLinesSource(generated.path),
          warehouse: wh,
          flushRows: FLUSH_ROWS,
          progressEveryMs: 0,
          onProgress: (p) => calls.push(p.received),
          ...(recipe !== undefined ? { threads: { count: 2, recipe } } : {}),
        });
        const during = calls.filter((received) => received < generated.lines.length).length;
        assert.ok(during >= 3, `${recipe === undefined ? 'one thread' : 'two threads'}: ${during} progress reports before the end (${calls.length} in all)`);
      } finally {
        await wh.close();
      }
    }
  });

  it('fail the run with THREADS_MISMATCH when the recipe builds a pipeline with another head', { timeout: 30_000 }, async () => {
    const wh = await openMemoryWarehouse();
    try {
      // Steps 1–8 stop their head before the features; steps 1–5 run all of theirs on threads.
      const otherEnv = { ...env, SLUICE_WARDS_CSV: join(dir, 'wards.csv') };
      const other: PipelineRecipe = { module: DEFINITION_MODULE, exportName: 'municipalTicketsDefinition', env: otherEnv };
      const headOf = (definition: typeof municipalIngestDefinition, context: Record<string, string>): string =>
        `[${definition
          .build({ hash: hasher.hash, env: context })
          .statelessHead()
          .map((n) => n.name)
          .join(', ')}]`;
      const [mainHead, workerHead] = [headOf(municipalIngestDefinition, env), headOf(municipalTicketsDefinition, otherEnv)];
      assert.notEqual(mainHead, workerHead);
      await assert.rejects(ingest(wh, generated.path, other), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'THREADS_MISMATCH');
        assert.ok(error.message.includes(`with head ${workerHead} but the main thread has ${mainHead}`), error.message);
        assert.match(error.message, /--threads 0/);
        return true;
      });
      assert.deepEqual(await rowCounts(wh, ['raw_tickets']), { raw_tickets: 0 }, 'nothing ran');
    } finally {
      await wh.close();
    }
  });

  it('fail the run with a clear error when the recipe names an export or a module that does not exist', { timeout: 30_000 }, async () => {
    const wh = await openMemoryWarehouse();
    try {
      await assert.rejects(ingest(wh, generated.path, { ...ingestRecipe, exportName: 'noSuchDefinition' }), (error: Error) => {
        assert.match(error.message, /export "noSuchDefinition" is not a pipeline definition/);
        assert.ok(error.message.includes(DEFINITION_MODULE), error.message);
        return true;
      });
      const missing = new URL('./no-such-module.ts', import.meta.url).href;
      await assert.rejects(ingest(wh, generated.path, { ...ingestRecipe, module: missing }, 1), (error: Error) => {
        assert.match(error.message, /no-such-module/);
        return true;
      });
    } finally {
      await wh.close();
    }
  });
});

describe('step worker threads through runJob: municipal-tickets steps 1–8', () => {
  const dir = tempDir();
  const tickets = join(dir, 'tickets.jsonl');
  const statuses = join(dir, 'status.jsonl');
  const wards = join(dir, 'wards.csv');
  const lines = [...municipalTicketsGenerator.generate({ count: 3000, seed: 'threads-job', badRate: 0.05 })];
  writeFileSync(
    tickets,
    lines
      .filter((l) => l.topic === TICKETS_TOPIC)
      .map((l) => `${l.line}\n`)
      .join(''),
  );
  writeFileSync(
    statuses,
    lines
      .filter((l) => l.topic === STATUS_TOPIC)
      .map((l) => `${l.line}\n`)
      .join(''),
  );
  writeFileSync(wards, wardsCsv());
  const jobEnv = { ...env, SLUICE_WARDS_CSV: wards };

  async function job(threads: number): Promise<{ wh: DuckDbWarehouse; result: Awaited<ReturnType<typeof runJob>> }> {
    const wh = await openMemoryWarehouse();
    const bus = new LocalBus({ dir: join(tempDir(), 'bus') });
    await bus.open();
    try {
      const result = await runJob({
        definition: municipalTicketsDefinition,
        warehouse: wh,
        bus,
        input: tickets,
        inputTopics: [[STATUS_TOPIC, statuses]],
        progress: false,
        signal: new AbortController().signal,
        env: jobEnv,
        flushRows: FLUSH_ROWS,
        threads,
      });
      return { wh, result };
    } finally {
      await bus.close();
    }
  }

  it('with --threads 2 writes the same ml_features (and every other table) as with --threads 0', { timeout: 120_000 }, async () => {
    const single = await job(0);
    const threaded = await job(2);
    try {
      assert.equal(single.result.threads, 0);
      assert.equal(threaded.result.threads, 2);
      const a = single.result.accounting;
      assert.equal(a.received, lines.length);
      assert.ok(a.errored > 0 && a.filtered > 0, `errors ${a.errored}, status updates ${a.filtered}`);
      assert.deepEqual(threaded.result.accounting, a);
      const tables: ReadonlyArray<readonly [string, readonly string[]]> = [
        ['ml_features', ['computed_at']],
        ...TABLES,
        ['ticket_status_updates', ['ingestion_timestamp']],
        ['feature_refusals', ['refused_at']],
      ];
      for (const [table, processingTime] of tables) {
        const want = await contents(single.wh, table, processingTime);
        const got = await contents(threaded.wh, table, processingTime);
        if (table === 'ml_features') assert.ok(want.length > 2000, `ml_features: ${want.length} rows`);
        assert.equal(got.length, want.length, `${table}: row count`);
        assert.deepEqual(got, want, `${table}: the same rows`);
      }
      const [features] = await threaded.wh.query(
        'SELECT count(*) FILTER (WHERE ward_tickets_7d > 0) AS with_history, count(population_density) AS with_density FROM ml_features',
      );
      assert.ok(Number(features?.with_history) > 1000 && Number(features?.with_density) > 1000, JSON.stringify(features));
    } finally {
      await single.wh.close();
      await threaded.wh.close();
    }
  });
});

describe('step worker threads: envelopes and frames', () => {
  const TEXTS = ['plain', '', 'சாலையில் பெரிய குழி', 'पानी नहीं', '😀 emoji', '123456789012', '1234567890123', 'a\uD800b', null];
  /** Message i: some with ids, attributes, publish times and delivery counts, some bad, filtered or failing. */
  function message(i: number): SourceMessage {
    const text = TEXTS[i % TEXTS.length] ?? null;
    const value = {
      k: `key${i}`,
      text,
      n: i,
      score: i % 9 === 0 ? null : i / 3,
      flag: i % 4 === 0 ? null : i % 2 === 0,
      tags: i % 6 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => TEXTS[(i + k) % (TEXTS.length - 1)] as string),
      doc: i % 5 === 0 ? { i, s: 'தமிழ்' } : i % 5 === 1 ? [String(i)] : i,
      ...(i % 40 === 3 ? { filter: true } : {}),
      ...(i % 97 === 5 ? { transient: true } : {}),
    };
    const deliveryCount = i === 1234 || i === 2345 ? 5 : i === 1500 ? 2 : i % 7 === 0 ? 1 : undefined;
    return {
      payload: i % 50 === 7 ? `{"k": "key${i}", broken` : JSON.stringify(value),
      ...(i % 2 === 0 ? { id: `m${i}` } : {}),
      ...(i % 3 === 0 ? { attributes: { topic: 'echo.in', n: String(i) } } : {}),
      ...(i % 5 === 0 ? { publishTime: Date.UTC(2026, 0, 1) + i } : {}),
      ...(deliveryCount !== undefined ? { deliveryCount } : {}),
    };
  }
  const messages = Array.from({ length: 3000 }, (_, i) => message(i));
  const echo = (threads: number) => runEcho(new ArraySource(messages), threads, 3);

  it('carry ids, attributes, publish times and delivery counts to the threads, and rows of every kind back', { timeout: 60_000 }, async () => {
    const single = await echo(0);
    const threaded = await echo(3);
    try {
      assert.equal(threaded.result.threads, 3);
      const a = single.result.accounting;
      assert.equal(a.received, messages.length);
      assert.ok(a.filtered > 50, `${a.filtered} filtered`);
      assert.deepEqual(Object.keys(a.errorsByType).sort(), ['invalid_json', 'max_deliveries_exceeded', 'retries_exhausted', 'tail_rejected']);
      assert.equal(a.errorsByType.max_deliveries_exceeded, 2);
      assert.deepEqual(threaded.result.accounting, a);
      await assertSameEchoTables(threaded.wh, single.wh, 80);
      // The tail, on the main thread, sees the envelope the head saw on its thread.
      const [seen] = await threaded.wh.query(
        `SELECT count(*) AS tail, count(h._id) AS matched,
           count(*) FILTER (WHERE t.topic IS DISTINCT FROM h.topic OR t.attr_n IS DISTINCT FROM h.attr_n OR t.published IS DISTINCT FROM h.published OR t.n IS DISTINCT FROM h.n) AS differing,
           count(t.published) AS published, count(t.topic) AS with_attributes, count(*) FILTER (WHERE t._id LIKE 'm%') AS given_ids
         FROM echo_tail t LEFT JOIN echo_head h ON h._id = t._id`,
      );
      assert.equal(seen?.matched, seen?.tail);
      assert.equal(seen?.differing, 0);
      for (const key of ['published', 'with_attributes', 'given_ids']) assert.ok(Number(seen?.[key]) > 300, `${key}: ${JSON.stringify(seen)}`);
      const [lone] = await threaded.wh.query(`SELECT DISTINCT text FROM echo_head WHERE text LIKE 'a%b'`);
      assert.equal(lone?.text, 'a\uFFFDb');
    } finally {
      await single.wh.close();
      await threaded.wh.close();
    }
  });
});

describe('step worker threads: merged files as blocks of bytes', () => {
  const dir = tempDir();
  /** Two files in event-time order; lines with non-ASCII text, some broken, some failing on the main thread. */
  const line = (file: string, i: number): string =>
    i % 61 === 9
      ? `{"k": "${file}${i}", broken`
      : JSON.stringify({ k: `${file}${i}`, text: i % 4 === 0 ? 'சாலையில் பெரிய குழி' : `plain ${i}`, n: i, score: i / 7, flag: i % 2 === 0, tags: [], doc: { i }, sent_at: new Date(Date.UTC(2026, 10, 1) + i * (file === 'a' ? 60_000 : 97_000)).toISOString() });
  const files = (['a', 'b'] as const).map((file) => {
    const path = join(dir, `${file}.jsonl`);
    writeFileSync(path, `${Array.from({ length: 1500 }, (_, i) => line(file, i)).join('\n')}\n`);
    return path;
  });

  const echo = (threads: number) => runEcho(mergeByEventTime(files.map((f) => new JsonLinesSource(f)), ['echo.a', 'echo.b']), threads);

  it('carry each line\'s topic to the threads, and its raw text to error rows written after them', { timeout: 60_000 }, async () => {
    const single = await echo(0);
    const threaded = await echo(2);
    try {
      const a = single.result.accounting;
      assert.equal(a.received, 3000);
      assert.ok((a.errorsByType.tail_rejected ?? 0) > 100 && (a.errorsByType.invalid_json ?? 0) > 40, JSON.stringify(a.errorsByType));
      assert.deepEqual(threaded.result.accounting, a);
      await assertSameEchoTables(threaded.wh, single.wh, 100);
      const topics = await threaded.wh.query('SELECT topic, count(*) AS n FROM echo_tail GROUP BY topic ORDER BY topic');
      assert.deepEqual(topics.map((t) => t.topic), ['echo.a', 'echo.b']);
      const rejected = await threaded.wh.query(`SELECT raw_payload FROM envelope_echo_errors WHERE error_type = 'tail_rejected' ORDER BY raw_payload`);
      const want = new Set(['a', 'b'].flatMap((file) => Array.from({ length: 1500 }, (_, i) => i).filter((i) => i % 23 === 4 && i % 61 !== 9).map((i) => line(file, i))));
      assert.equal(rejected.length, want.size);
      for (const row of rejected) assert.ok(want.has(row.raw_payload as string), `raw payload of a rejected record: ${String(row.raw_payload).slice(0, 80)}`);
    } finally {
      await single.wh.close();
      await threaded.wh.close();
    }
  });
});

describe('step worker threads that exit', () => {
  for (const code of [0, 1]) {
    it(`fail the run, acknowledging nothing, when a step thread exits with code ${code} mid-run`, { timeout: 30_000 }, async () => {
      const wh = await openMemoryWarehouse();
      const source = new ArraySource(['a', 'b', 'exit', 'c']);
      try {
        const recipe: PipelineRecipe = { module: THREAD_PIPELINES, exportName: 'exitingOnThread', args: [code], env };
        await assert.rejects(
          runBatch(exitingOnThread(code).build({ hash: hasher.hash, env }), { source, warehouse: wh, threads: { count: 2, recipe } }),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'STEP_WORKER_FAILED');
            assert.match(error.message, new RegExp(`exited with code ${code}`));
            return true;
          },
        );
        assert.deepEqual(source.acked, [], 'nothing acknowledged: the input is delivered again on restart');
        assert.deepEqual(await rowCounts(wh, ['exit_rows']), { exit_rows: 0 });
      } finally {
        await wh.close();
      }
    });

    it(`fail to start, not hang, when a step thread exits with code ${code} while it builds the pipeline`, { timeout: 30_000 }, async () => {
      const wh = await openMemoryWarehouse();
      try {
        const recipe: PipelineRecipe = { module: THREAD_PIPELINES, exportName: 'exitingOnBuild', args: [code], env };
        await assert.rejects(
          runBatch(exitingOnThread(code).build({ hash: hasher.hash, env }), { source: new ArraySource(['a']), warehouse: wh, threads: { count: 2, recipe } }),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'STEP_WORKER_FAILED');
            assert.match(error.message, new RegExp(`exited with code ${code}`));
            return true;
          },
        );
      } finally {
        await wh.close();
      }
    });
  }
});
