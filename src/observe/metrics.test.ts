import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineTable } from '../core/schema.js';
import type { CommitResult, TableBatch, Warehouse } from '../core/warehouse.js';
import { connectorLabel, type MetricsMessage, observeRun, parseListenAddress, serveMetrics, SluiceMetrics, timeCommits } from './metrics.js';

function sample(text: string, name: string): number | null {
  for (const line of text.split('\n')) if (line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
  return null;
}

const progress = (received: number, committed: number, errored: number) => ({ received, committed, errored, elapsedMs: 1000 });

describe('connectorLabel', () => {
  it('keeps the connector kind or step name and drops locations and anything else', () => {
    assert.equal(connectorLabel('warehouse postgres://root:secret@10.0.0.1:5432/test?schema=s'), 'warehouse');
    assert.equal(connectorLabel('bus nats://127.0.0.1:4222'), 'bus');
    assert.equal(connectorLabel('source bus:tickets.new'), 'source');
    assert.equal(connectorLabel('step features'), 'step:features');
    assert.equal(connectorLabel('step some name with spaces'), 'step');
    assert.equal(connectorLabel('CIT-1234567 +91 98765 43210'), 'other');
  });
});

describe('SluiceMetrics', () => {
  it('advances record counters by the difference between cumulative progress reports, per process', async () => {
    const m = new SluiceMetrics();
    m.progress('p', progress(100, 50, 2), 'worker 1');
    m.progress('p', progress(300, 250, 5), 'worker 1');
    m.progress('p', progress(40, 40, 0), 'worker 2');
    const text = await m.render();
    assert.equal(sample(text, 'sluice_records_total{pipeline="p",outcome="received"}'), 340);
    assert.equal(sample(text, 'sluice_records_total{pipeline="p",outcome="committed"}'), 290);
    assert.equal(sample(text, 'sluice_records_total{pipeline="p",outcome="errored"}'), 5);
  });

  it('counts a restarted worker from zero again instead of going backwards', async () => {
    const m = new SluiceMetrics();
    m.progress('p', progress(500, 500, 0), 'worker 1');
    m.progress('p', progress(20, 10, 0), 'worker 1');
    const text = await m.render();
    assert.equal(sample(text, 'sluice_records_total{pipeline="p",outcome="received"}'), 520);
    assert.equal(sample(text, 'sluice_records_total{pipeline="p",outcome="committed"}'), 510);
  });

  it('counts retries and holds the connector down until it recovers', async () => {
    const m = new SluiceMetrics();
    const retrying = { kind: 'retrying', what: 'warehouse postgres://h/db', attempt: 1, delayMs: 200, error: 'connection refused' } as const;
    m.event(retrying);
    m.event({ ...retrying, attempt: 2 });
    let text = await m.render();
    assert.equal(sample(text, 'sluice_retries_total{what="warehouse"}'), 2);
    assert.equal(sample(text, 'sluice_connector_up{what="warehouse"}'), 0);
    m.event({ kind: 'recovered', what: 'warehouse postgres://h/db', afterAttempts: 3 });
    text = await m.render();
    assert.equal(sample(text, 'sluice_connector_up{what="warehouse"}'), 1);
  });

  it('never puts record data or error text into a label', async () => {
    const m = new SluiceMetrics();
    const pii = 'CIT-0012345';
    m.event({ kind: 'retrying', what: `step ${pii} +91 98765 43210`, attempt: 1, delayMs: 1, error: `bad ${pii}` });
    m.event({ kind: 'retrying', what: `bus nats://user:${pii}@host:4222`, attempt: 1, delayMs: 1, error: pii });
    m.commit('municipal-tickets', 0.02, true);
    const text = await m.render();
    assert.ok(!text.includes(pii), 'no record value in the exposition');
    assert.ok(!text.includes('98765'));
    assert.ok(!text.includes('nats://'), 'no locations either');
  });

  it('records commit durations and marks the warehouse up or down by their outcome', async () => {
    const m = new SluiceMetrics();
    m.commit('p', 0.03, true);
    m.commit('p', 2, false);
    const text = await m.render();
    assert.equal(sample(text, 'sluice_commit_seconds_count{pipeline="p"}'), 2);
    assert.equal(sample(text, 'sluice_commit_seconds_bucket{le="0.05",pipeline="p"}'), 1);
    assert.equal(sample(text, 'sluice_connector_up{what="warehouse"}'), 0);
  });
});

class FlakyWarehouse implements Warehouse {
  readonly kind = 'fake';
  readonly location = 'fake:';
  failures: number;
  constructor(failures: number) {
    this.failures = failures;
  }
  async open(): Promise<void> {}
  async ensureTable(): Promise<void> {}
  async commit(batches: readonly TableBatch[]): Promise<CommitResult> {
    if (this.failures-- > 0) throw new Error('server down');
    return { tables: batches.map((b) => ({ table: b.table.name, inserted: b.rows.length, duplicates: 0 })) };
  }
  async query(): Promise<Array<Record<string, unknown>>> {
    return [{ n: 1 }];
  }
  async close(): Promise<void> {}
}

describe('timeCommits and observeRun', () => {
  const table = defineTable({ name: 't', columns: [{ name: 'a', type: 'string' }] });

  it('reports every commit with its outcome and passes results and errors through', async () => {
    const seen: Array<[number, boolean]> = [];
    const wh = timeCommits(new FlakyWarehouse(1), (seconds, ok) => seen.push([seconds, ok]));
    await assert.rejects(wh.commit([{ table, rows: [['k', 'x']] }]), /server down/);
    const result = await wh.commit([{ table, rows: [['k', 'x']] }]);
    assert.deepEqual(result.tables, [{ table: 't', inserted: 1, duplicates: 0 }]);
    assert.deepEqual(
      seen.map(([, ok]) => ok),
      [false, true],
    );
    assert.ok(seen.every(([s]) => s >= 0 && s < 5));
    assert.deepEqual(await wh.query('SELECT 1'), [{ n: 1 }]);
    assert.equal(wh.location, 'fake:');
  });

  it('updates this process’s metrics and forwards the same messages (to a supervisor)', async () => {
    const metrics = new SluiceMetrics();
    const forwarded: MetricsMessage[] = [];
    const observer = observeRun('p', (m) => forwarded.push(m), metrics);
    const wh = observer.warehouse(new FlakyWarehouse(0));
    await wh.commit([{ table, rows: [['k', 'x']] }]);
    observer.progress(progress(10, 10, 1));
    observer.event({ kind: 'retrying', what: 'bus nats://h', attempt: 1, delayMs: 1, error: 'x' });
    assert.deepEqual(
      forwarded.map((m) => m.type),
      ['commit', 'progress', 'event'],
    );
    const text = await metrics.render();
    assert.equal(sample(text, 'sluice_records_total{pipeline="p",outcome="committed"}'), 10);
    assert.equal(sample(text, 'sluice_retries_total{what="bus"}'), 1);
    assert.equal(sample(text, 'sluice_commit_seconds_count{pipeline="p"}'), 1);
  });
});

describe('serveMetrics', () => {
  it('serves GET /metrics in the Prometheus text format, 404 elsewhere, and closes', async () => {
    const metrics = new SluiceMetrics();
    metrics.event({ kind: 'retrying', what: 'source bus:x', attempt: 1, delayMs: 1, error: 'x' });
    const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
    try {
      assert.ok(server.port > 0);
      const ok = await fetch(server.url);
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get('content-type') ?? '', /text\/plain/);
      const text = await ok.text();
      assert.match(text, /# TYPE sluice_retries_total counter/);
      assert.equal(sample(text, 'sluice_retries_total{what="source"}'), 1);
      const missing = await fetch(server.url.replace('/metrics', '/other'));
      assert.equal(missing.status, 404);
      await missing.text();
    } finally {
      await server.close();
    }
    await assert.rejects(fetch(server.url));
  });

  it('says which address is taken', async () => {
    const first = await serveMetrics(new SluiceMetrics(), { host: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(serveMetrics(new SluiceMetrics(), { host: '127.0.0.1', port: first.port }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'METRICS_LISTEN_FAILED');
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${first.port}.*EADDRINUSE.*--metrics-port`));
        return true;
      });
    } finally {
      await first.close();
    }
  });
});

describe('parseListenAddress', () => {
  it('reads PORT and HOST:PORT', () => {
    assert.deepEqual(parseListenAddress('9464'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseListenAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
    assert.deepEqual(parseListenAddress('[::1]:9464'), { host: '::1', port: 9464 });
  });

  it('refuses what is not a port, saying what to write', () => {
    assert.throws(() => parseListenAddress('metrics'), /not a metrics address: use PORT/);
    assert.throws(() => parseListenAddress('70000'), /not a metrics address/);
    assert.throws(() => parseListenAddress(':9464'), /not a metrics address/);
  });
});
