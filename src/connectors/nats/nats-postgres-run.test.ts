import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { serviceSkipReason } from '../../../test/contracts/services.js';
import { pipeline } from '../../core/pipeline.js';
import { defineTable } from '../../core/schema.js';
import { parseJson } from '../../core/steps/parse-json.js';
import { runPipeline } from '../../runtime/runner.js';
import { stopWhenIdle } from '../../runtime/stop-when-idle.js';
import { PostgresWarehouse } from '../postgres/postgres-warehouse.js';
import { NatsBus } from './nats-bus.js';

/**
 * Issue 4's promise in one test: the same runner and pipeline that run embedded run against NATS
 * JetStream and PostgreSQL chosen by URL, with the same delivery guarantees.
 */

const PG_URL = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.SLUICE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const pgDown = await serviceSkipReason('PostgreSQL', new URL(PG_URL).hostname, Number(new URL(PG_URL).port || 5432));
const natsDown = await serviceSkipReason('NATS', new URL(NATS_URL).hostname, Number(new URL(NATS_URL).port || 4222));
const skip = pgDown ?? natsDown;

const tag = randomBytes(4).toString('hex');
const PREFIX = `SLUICE_TEST_RUN_${tag}_`;
const SCHEMA = `sluice_test_run_${tag}`;

after(async () => {
  if (skip !== undefined) return;
  const admin = new PostgresWarehouse({ url: PG_URL });
  await admin.open();
  await admin.execute(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.close();
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names()) if (name.startsWith(PREFIX)) await jsm.streams.delete(name);
  await nc.close();
});

const Reading = z.object({ reading_id: z.string(), value: z.number(), at: z.string() });
const readings = defineTable({
  name: 'readings',
  partitionBy: 'at',
  columns: [
    { name: 'reading_id', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'at', type: 'timestamp' },
  ],
});

describe('a pipeline on NATS JetStream and PostgreSQL', { ...(skip !== undefined ? { skip } : {}) }, () => {
  it('commits, publishes and dead-letters exactly once, and a replay adds nothing', async () => {
    const input = `readings.${tag}.in`;
    const ready = `readings.${tag}.ready`;
    const dlq = `readings.${tag}.dlq`;
    const p = pipeline<string>({ name: 'readings', input, deadLetterTopic: dlq, keyFields: ['reading_id'] })
      .step('parse', parseJson(Reading, { idField: 'reading_id' }))
      .write(readings)
      .publish(ready, (r) => JSON.stringify({ reading_id: r.reading_id, ready: true }));
    const bus = new NatsBus({ url: NATS_URL, streamPrefix: PREFIX });
    const warehouse = new PostgresWarehouse({ url: `${PG_URL}?schema=${SCHEMA}` });
    await bus.open();
    await warehouse.open();
    try {
      const good = Array.from({ length: 300 }, (_, i) => ({
        id: `msg-${i}`,
        payload: JSON.stringify({ reading_id: `r${i}`, value: i / 2, at: new Date(Date.UTC(2026, 10, 1 + (i % 3), 12, i % 60)).toISOString() }),
      }));
      // The same readings again under new message ids (a producer retry): the natural key dedups them.
      const resent = good.slice(0, 50).map((m, i) => ({ ...m, id: `resent-${i}` }));
      const bad = Array.from({ length: 10 }, (_, i) => ({ id: `bad-${i}`, payload: `{"reading_id": "b${i}", "value": ` }));
      await bus.publish(input, [...good, ...resent, ...bad]);

      const first = await runPipeline(p, { source: stopWhenIdle(bus.subscribe(input, { consumer: 'readings' }), 1500), warehouse, bus, flushRows: 100 });
      assert.equal(first.accounting.received, 360);
      assert.equal(first.accounting.errored, 10);
      assert.deepEqual(await warehouse.query('SELECT count(*) AS n, count(DISTINCT reading_id) AS k FROM readings'), [{ n: 300, k: 300 }]);
      assert.deepEqual(await warehouse.query('SELECT count(*) AS n FROM readings_errors'), [{ n: 10 }]);
      assert.deepEqual(await bus.stats(ready), { messages: 300, consumers: {} });
      assert.equal((await bus.stats(dlq)).messages, 10);
      assert.deepEqual((await bus.stats(input)).consumers, { readings: { pending: 0 } });

      // Another consumer replays the whole topic, as a crash before the acks would: nothing doubles.
      const replay = await runPipeline(p, { source: stopWhenIdle(bus.subscribe(input, { consumer: 'replay' }), 1500), warehouse, bus });
      assert.equal(replay.accounting.received, 360);
      assert.deepEqual(await warehouse.query('SELECT count(*) AS n FROM readings'), [{ n: 300 }]);
      assert.equal((await bus.stats(ready)).messages, 300, 'republished messages are recognised by id');
    } finally {
      await bus.close();
      await warehouse.close();
    }
  });
});
