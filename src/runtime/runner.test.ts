import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { DuckDbWarehouse } from '../connectors/duckdb/duckdb-warehouse.js';
import { errorTable } from '../core/error-row.js';
import { ConnectorUnavailableError, DependencyUnavailableError, TransientError } from '../core/errors.js';
import { pipeline } from '../core/pipeline.js';
import { defineTable } from '../core/schema.js';
import type { Source, SourceMessage } from '../core/source.js';
import { parseJson } from '../core/steps/parse-json.js';
import type { CommitResult, TableBatch } from '../core/warehouse.js';
import { ArraySource } from '../../test/support/array-source.js';
import { runBatch, runPipeline } from './runner.js';

const Reading = z.object({ id: z.string(), value: z.number(), at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), { params: { sluice: 'bad_timestamp' } }) });
const readings = defineTable({ name: 'readings', columns: [{ name: 'id', type: 'string' }, { name: 'value', type: 'double' }, { name: 'at', type: 'timestamp' }] });
const doubled = defineTable({ name: 'doubled', columns: [{ name: 'id', type: 'string' }, { name: 'value', type: 'double' }] });

function readingsPipeline() {
  return pipeline<string>({ name: 'readings', input: 'readings', keyFields: ['id'], errorTable: errorTable('reading_errors', [{ name: 'id', type: 'string' }]) })
    .step('parse', parseJson(Reading, { idField: 'id' }))
    .step('dropNegative', (r, ctx) => (r.value < 0 ? ctx.filter('negative') : r))
    .write(readings)
    .step('double', (r) => ({ id: r.id, value: r.value * 2 }))
    .write(doubled);
}

const good = (i: number, value = i): string => JSON.stringify({ id: `r${i}`, value, at: '2026-01-01T00:00:00Z' });

async function memoryWarehouse(): Promise<DuckDbWarehouse> {
  const wh = new DuckDbWarehouse({ path: ':memory:' });
  await wh.open();
  return wh;
}

describe('runner', () => {
  it('keeps the books: received = written + errored + filtered, per run and per step', async () => {
    const wh = await memoryWarehouse();
    const lines = [good(1), good(2), '{not json', JSON.stringify({ id: 'r3' }), good(4, -1), JSON.stringify({ id: 'r5', value: 1, at: 'yesterday' }), good(6)];
    const result = await runBatch(readingsPipeline(), { source: new ArraySource(lines), warehouse: wh, flushRows: 2 });
    const a = result.accounting;
    assert.equal(a.received, 7);
    assert.equal(a.written, 3);
    assert.equal(a.errored, 3);
    assert.equal(a.filtered, 1);
    assert.equal(a.balanced, true);
    assert.deepEqual(a.errorsByType, { invalid_json: 1, missing_field: 1, bad_timestamp: 1 });
    const parse = a.steps.find((s) => s.step === 'parse');
    assert.deepEqual({ ...parse }, { step: 'parse', received: 7, passed: 4, errored: 3, filtered: 0 });
    const rows = await wh.query('SELECT id, value FROM doubled ORDER BY id');
    assert.deepEqual(rows, [{ id: 'r1', value: 2 }, { id: 'r2', value: 4 }, { id: 'r6', value: 12 }]);
    const errors = await wh.query('SELECT id, error_type, step, raw_payload FROM reading_errors ORDER BY error_type');
    assert.equal(errors.length, 3);
    assert.deepEqual(errors.map((e) => e.error_type), ['bad_timestamp', 'invalid_json', 'missing_field']);
    assert.equal(errors.find((e) => e.error_type === 'missing_field')?.id, 'r3', 'key field read from the parsed record');
    assert.equal(errors.find((e) => e.error_type === 'invalid_json')?.raw_payload, '{not json');
    await wh.close();
  });

  it('is idempotent: the same input twice leaves the tables unchanged and reports duplicates', async () => {
    const wh = await memoryWarehouse();
    const lines = Array.from({ length: 50 }, (_, i) => good(i));
    lines.push('garbage');
    await runBatch(readingsPipeline(), { source: new ArraySource(lines), warehouse: wh, flushRows: 7 });
    const second = await runBatch(readingsPipeline(), { source: new ArraySource(lines), warehouse: wh, flushRows: 13 });
    const [counts] = await wh.query('SELECT (SELECT count(*) FROM readings) AS r, (SELECT count(*) FROM reading_errors) AS e');
    assert.deepEqual(counts, { r: 50, e: 1 });
    const table = second.accounting.tables.find((t) => t.table === 'readings');
    assert.equal(table?.inserted, 0);
    assert.equal(table?.duplicates, 50);
    await wh.close();
  });

  it('acknowledges a batch only after the warehouse committed it', async () => {
    const wh = await memoryWarehouse();
    const source = new ArraySource(Array.from({ length: 10 }, (_, i) => good(i)));
    let committedRows = 0;
    const spy = Object.create(wh) as DuckDbWarehouse;
    spy.commit = async (batches: readonly TableBatch[]): Promise<CommitResult> => {
      assert.equal(source.acked.length * 4 <= committedRows, true, 'no batch acked before its rows committed');
      const result = await wh.commit(batches);
      committedRows += batches.find((b) => b.table.name === 'readings')?.rows.length ?? 0;
      return result;
    };
    await runPipeline(readingsPipeline(), { source, warehouse: spy, flushRows: 4, pollMs: 0 });
    assert.deepEqual(source.acked, [4, 8, 10]);
    assert.equal(committedRows, 10);
    await wh.close();
  });

  it('retries a transient step failure with backoff, then dead-letters with the attempt count', async () => {
    const wh = await memoryWarehouse();
    let calls = 0;
    const flaky = pipeline<string>({ name: 'flaky', input: 'x' })
      .step(
        'lookup',
        (line) => {
          calls++;
          if (line === 'never') throw new TransientError('lookup service down');
          if (line === 'once' && calls < 3) throw new TransientError('blip');
          return { line };
        },
        { retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 2 } },
      )
      .write(defineTable({ name: 'lines', columns: [{ name: 'line', type: 'string' }] }));
    const events: string[] = [];
    const result = await runBatch(flaky, { source: new ArraySource(['once', 'never']), warehouse: wh, onEvent: (e) => events.push(e.kind) });
    assert.equal(result.accounting.written, 1);
    assert.deepEqual(result.accounting.errorsByType, { retries_exhausted: 1 });
    const [row] = await wh.query('SELECT attempt, error_type FROM flaky_errors');
    assert.deepEqual(row, { attempt: 3, error_type: 'retries_exhausted' });
    assert.ok(events.includes('retrying'));
    await wh.close();
  });

  it('retries the failed records of a batch together, so a batched step makes one call per attempt', async () => {
    const wh = await memoryWarehouse();
    const batchSizes: number[] = [];
    let pendingBatch: string[] | null = null;
    let failuresLeft = 2;
    // A step that collects one batch's calls per microtask, like batchedStep over a store.
    const perBatch = (line: string): Promise<{ line: string }> => {
      if (pendingBatch === null) {
        const batch: string[] = [];
        pendingBatch = batch;
        queueMicrotask(() => {
          pendingBatch = null;
          batchSizes.push(batch.length);
        });
      }
      pendingBatch.push(line);
      return Promise.resolve().then(() => {
        if (line.startsWith('f') && failuresLeft > 0) throw new TransientError('store busy');
        return { line };
      });
    };
    const p = pipeline<string>({ name: 'batched', input: 'x' })
      .step('lookup', (line) => perBatch(line).finally(() => (line === 'f2' ? failuresLeft-- : undefined)), { retry: { attempts: 5, initialDelayMs: 1, maxDelayMs: 2 } })
      .write(defineTable({ name: 'batched_lines', columns: [{ name: 'line', type: 'string' }] }));
    const result = await runBatch(p, { source: new ArraySource(['a', 'f1', 'b', 'f2', 'c']), warehouse: wh });
    assert.equal(result.accounting.written, 5);
    assert.deepEqual(batchSizes, [5, 2, 2], 'first pass, then the two failed records together on each retry');
    await wh.close();
  });

  it('waits for an unreachable dependency instead of dead-lettering, and stops the run if it stays away', async () => {
    const wh = await memoryWarehouse();
    let down = 4;
    const table = defineTable({ name: 'dep_lines', columns: [{ name: 'line', type: 'string' }] });
    const outage = pipeline<string>({ name: 'outage', input: 'x' })
      .step(
        'online',
        (line) => {
          if (line === 'x' && down-- > 0) throw new DependencyUnavailableError('store unreachable');
          return { line };
        },
        { retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 2 } },
      )
      .write(table);
    const events: string[] = [];
    const sinkRetry = { attempts: 8, initialDelayMs: 1, maxDelayMs: 2 };
    const recovered = await runBatch(outage, { source: new ArraySource(['x', 'y']), warehouse: wh, sinkRetry, onEvent: (e) => events.push(`${e.kind} ${e.what}`) });
    assert.equal(recovered.accounting.written, 2, 'more failures than the step policy allows, yet nothing dead-lettered');
    assert.equal(recovered.accounting.errored, 0);
    assert.ok(events.includes('retrying step online') && events.includes('recovered step online'), events.join(', '));

    down = Number.POSITIVE_INFINITY;
    const source = new ArraySource(['x', 'z']);
    await assert.rejects(runBatch(outage, { source, warehouse: wh, sinkRetry }), (error: unknown) => error instanceof ConnectorUnavailableError && /step online/.test(error.message));
    assert.deepEqual(source.acked, [], 'nothing acknowledged: the records come again on restart');
    const [errors] = await wh.query('SELECT count(*)::INTEGER AS n FROM outage_errors');
    assert.equal(errors?.n, 0);
    await wh.close();
  });

  it('turns a thrown step error into an error row and keeps going', async () => {
    const wh = await memoryWarehouse();
    const p = pipeline<string>({ name: 'thrower', input: 'x' })
      .step('boom', (line) => {
        if (line === 'bad') throw new RangeError('cannot handle');
        return { line };
      })
      .write(defineTable({ name: 'ok_lines', columns: [{ name: 'line', type: 'string' }] }));
    const result = await runBatch(p, { source: new ArraySource(['a', 'bad', 'b']), warehouse: wh });
    assert.equal(result.accounting.written, 2);
    const [row] = await wh.query('SELECT error_type, error_message FROM thrower_errors');
    assert.deepEqual(row, { error_type: 'step_exception', error_message: 'cannot handle' });
    await wh.close();
  });

  it('awaits asynchronous steps once per batch and keeps record order', async () => {
    const wh = await memoryWarehouse();
    const p = pipeline<string>({ name: 'async', input: 'x' })
      .step('slowUpper', async (line) => ({ line: line.toUpperCase() }))
      .write(defineTable({ name: 'upper', columns: [{ name: 'line', type: 'string' }] }));
    const result = await runBatch(p, { source: new ArraySource(['a', 'b', 'c']), warehouse: wh });
    assert.equal(result.accounting.written, 3);
    assert.deepEqual((await wh.query('SELECT line FROM upper ORDER BY line')).map((r) => r.line), ['A', 'B', 'C']);
    await wh.close();
  });
});

describe('runner with a stateful tap', () => {
  /** Counts records per key and emits the running count when it sees the input end. */
  class CountPerKey {
    readonly name = 'countPerKey';
    readonly table = defineTable({ name: 'key_counts', writeMode: 'upsert', columns: [{ name: 'n', type: 'integer' }] });
    readonly tables = [this.table];
    counts = new Map<string, number>();
    observe(value: { id: string }, envelope: { id: string }, out: import('../core/stateful.js').SideOutputs): void {
      const key = value.id.slice(0, 2);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      if (value.id === 'r13') out.error(envelope as never, 'late_event', 'too late for its window');
    }
    tick(): void {}
    finish(out: import('../core/stateful.js').SideOutputs): void {
      for (const [key, n] of this.counts) out.write(this.table, [key, n]);
    }
    snapshot(): unknown {
      return [...this.counts];
    }
    restore(state: unknown): void {
      this.counts = new Map(state as Array<[string, number]>);
    }
  }

  it('checkpoints state with each commit and restores it on the next run', async () => {
    const wh = await memoryWarehouse();
    const build = (tap: CountPerKey) =>
      pipeline<string>({ name: 'tapped', input: 'x', keyFields: ['id'] })
        .step('parse', parseJson(Reading, { idField: 'id' }))
        .tap(tap as never)
        .write(readings);
    const first = new CountPerKey();
    const result = await runBatch(build(first), { source: new ArraySource(Array.from({ length: 20 }, (_, i) => good(i))), warehouse: wh, flushRows: 6 });
    assert.equal(result.accounting.written, 20);
    assert.equal(result.accounting.sideErrors, 1, 'a side error is counted outside the invariant');
    assert.equal(result.accounting.balanced, true);
    assert.deepEqual(await wh.query('SELECT error_type, step FROM tapped_errors'), [{ error_type: 'late_event', step: 'tap:countPerKey' }]);
    assert.deepEqual(await wh.query('SELECT _id, n FROM key_counts ORDER BY _id'), [
      { _id: 'r0', n: 1 }, { _id: 'r1', n: 11 }, { _id: 'r2', n: 1 }, { _id: 'r3', n: 1 }, { _id: 'r4', n: 1 }, { _id: 'r5', n: 1 }, { _id: 'r6', n: 1 }, { _id: 'r7', n: 1 }, { _id: 'r8', n: 1 }, { _id: 'r9', n: 1 },
    ]);
    const second = new CountPerKey();
    await runBatch(build(second), { source: new ArraySource([good(100), good(101)]), warehouse: wh });
    assert.equal(second.counts.get('r1'), 13, 'the restored state continues from the first run');
    assert.deepEqual(await wh.query(`SELECT n FROM key_counts WHERE _id = 'r1'`), [{ n: 13 }], 'upsert replaces the row');
    await wh.close();
  });
});

describe('runner and poison messages', () => {
  it('dead-letters a message delivered more than maxDeliveries times without running the steps', async () => {
    const wh = await memoryWarehouse();
    let stepCalls = 0;
    const p = pipeline<string>({ name: 'poison', input: 'x' })
      .step('count', (line) => {
        stepCalls++;
        return { line };
      })
      .write(defineTable({ name: 'poison_ok', columns: [{ name: 'line', type: 'string' }] }));
    const source = new ArraySource([{ payload: 'fine', deliveryCount: 1 }, { payload: 'crashes workers', deliveryCount: 6 }, { payload: 'also fine' }]);
    const result = await runBatch(p, { source, warehouse: wh, maxDeliveries: 5 });
    assert.equal(stepCalls, 2);
    assert.equal(result.accounting.received, 3);
    assert.equal(result.accounting.errored, 1);
    assert.equal(result.accounting.balanced, true);
    assert.deepEqual(await wh.query('SELECT step, error_type, attempt, raw_payload FROM poison_errors'), [
      { step: 'source', error_type: 'max_deliveries_exceeded', attempt: 6, raw_payload: 'crashes workers' },
    ]);
    await wh.close();
  });

  it('processes each redelivery apart: earlier work is acknowledged before its step runs, and it is acknowledged before the next pull', async () => {
    const wh = await memoryWarehouse();
    const log: string[] = [];
    // What the NATS source hands out after a crash: first deliveries in batches, redeliveries one per batch.
    const script: SourceMessage[][] = [
      [{ id: 'f1', payload: 'f1' }, { id: 'f2', payload: 'f2', deliveryCount: 1 }],
      [{ id: 'r1', payload: 'r1', deliveryCount: 2 }],
      [{ id: 'poison', payload: 'poison', deliveryCount: 3 }],
      [{ id: 'f3', payload: 'f3' }, { id: 'f4', payload: 'f4' }],
    ];
    let next = 0;
    const source: Source = {
      name: 'test:scripted',
      bounded: true,
      async open() {},
      async pull() {
        const messages = script[next++];
        if (messages === undefined) return null;
        const token = messages.map((m) => m.id).join('+');
        log.push(`pull ${token}`);
        return { messages, token };
      },
      async ack(batch) {
        log.push(`ack ${String(batch.token)}`);
      },
      async close() {},
    };
    const spy = Object.create(wh) as DuckDbWarehouse;
    spy.commit = async (batches: readonly TableBatch[]): Promise<CommitResult> => {
      log.push(`commit ${batches.map((b) => `${b.table.name}:${b.rows.map((r) => String(r[0]).split(':')[0]).join(',')}`).join(' ')}`);
      return wh.commit(batches);
    };
    const p = pipeline<string>({ name: 'apart', input: 'x' })
      .step('run', (line, ctx) => {
        log.push(`step ${line}`);
        ctx.setId(line);
        return { line };
      })
      .write(defineTable({ name: 'apart_ok', columns: [{ name: 'line', type: 'string' }] }));
    // Large chunks: without the isolation all four batches would share one commit.
    const result = await runPipeline(p, { source, warehouse: spy, flushRows: 1000, flushMs: 60_000, pollMs: 0, maxDeliveries: 2 });
    assert.deepEqual(log, [
      'pull f1+f2',
      'step f1',
      'step f2',
      'pull r1',
      'commit apart_ok:f1,f2',
      'ack f1+f2',
      'step r1',
      'commit apart_ok:r1',
      'ack r1',
      'pull poison',
      'commit apart_errors:poison',
      'ack poison',
      'pull f3+f4',
      'step f3',
      'step f4',
      'commit apart_ok:f3,f4',
      'ack f3+f4',
    ]);
    assert.equal(result.accounting.written, 5);
    assert.deepEqual(result.accounting.errorsByType, { max_deliveries_exceeded: 1 });
    await wh.close();
  });
});

describe('runner progress', () => {
  it('reports every record received, those of a commit in flight included', async () => {
    const wh = await memoryWarehouse();
    const slow = Object.create(wh) as DuckDbWarehouse;
    slow.commit = async (batches: readonly TableBatch[]): Promise<CommitResult> => {
      // Held for a few turns of the event loop: the run reads on meanwhile, as under a slow commit.
      for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      return wh.commit(batches);
    };
    const source = new ArraySource(Array.from({ length: 40 }, (_, i) => good(i)));
    let pulled = 0;
    const counting: Source = Object.create(source);
    counting.pull = async (max) => {
      const batch = await source.pull(max);
      pulled += batch?.messages.length ?? 0;
      return batch;
    };
    let now = 0;
    const reports: Array<{ received: number; pulled: number; committed: number }> = [];
    await runPipeline(readingsPipeline(), {
      source: counting,
      warehouse: slow,
      flushRows: 4,
      pollMs: 0,
      clock: { now: () => (now += 1000) },
      progressEveryMs: 1,
      onProgress: (p) => reports.push({ received: p.received, pulled, committed: p.committed }),
    });
    assert.ok(reports.some((r) => r.received > r.committed), 'some report was taken while rows were in flight');
    for (const r of reports) assert.equal(r.received, r.pulled, JSON.stringify(r));
    assert.deepEqual(reports.at(-1), { received: 40, pulled: 40, committed: 40 });
    await wh.close();
  });
});
