import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../../src/connectors/duckdb/duckdb-warehouse.js';
import { WELL_FORMED_KINDS } from '../../../src/generate/generator.js';
import { parseTimestamp } from '../../../src/core/timestamps.js';
import { runBatch } from '../../../src/runtime/runner.js';
import { ArraySource } from '../../../test/support/array-source.js';
import { EVENT_TYPES } from '../event-schema.js';
import { cqcEventsPipeline } from '../pipeline.js';
import { BAD_REASON_CHOICES, BAD_REASON_ERROR_TYPE, type BadReason } from './bad-records.js';
import { CQC_TOPIC, cqcEventsGenerator } from './index.js';

const digest = (options: { count: number; seed: string; badRate: number }): string => {
  const h = createHash('sha256');
  for (const item of cqcEventsGenerator.generate(options)) h.update(`${item.line}\n`);
  return h.digest('hex');
};

describe('cqc-events generator', () => {
  it('is a pure function of its options', () => {
    assert.equal(digest({ count: 3000, seed: 'a', badRate: 0.05 }), digest({ count: 3000, seed: 'a', badRate: 0.05 }));
    assert.notEqual(digest({ count: 3000, seed: 'a', badRate: 0.05 }), digest({ count: 3000, seed: 'b', badRate: 0.05 }));
  });

  it('makes all five event types, both timestamp styles, late and out-of-order events in time order otherwise', () => {
    const lines = [...cqcEventsGenerator.generate({ count: 20_000, seed: 'shape', badRate: 0.05 })];
    assert.equal(lines.length, 20_000);
    assert.ok(lines.every((l) => l.topic === CQC_TOPIC));
    const valid = lines.filter((l) => l.kind === 'valid');
    const types = new Set(valid.map((l) => (JSON.parse(l.line) as { event_type: string }).event_type));
    assert.deepEqual([...types].sort(), [...EVENT_TYPES].sort());
    assert.ok(valid.some((l) => l.line.includes('+00:00"')) && valid.some((l) => l.line.includes('.000Z"')));
    for (const l of valid) assert.equal(parseTimestamp((JSON.parse(l.line) as { timestamp: string }).timestamp), l.eventTime);
    let last = Number.NEGATIVE_INFINITY;
    for (const l of valid) {
      assert.ok((l.eventTime as number) >= last, 'valid lines are in event-time order');
      last = l.eventTime as number;
    }
    const share = (kind: string): number => lines.filter((l) => l.kind === kind).length / lines.length;
    assert.ok(share('bad') > 0.03 && share('bad') < 0.05, `bad ${share('bad')}`);
    assert.ok(share('duplicate') > 0.005 && share('duplicate') < 0.015, `duplicate ${share('duplicate')}`);
    assert.ok(share('late') > 0.002 && share('late') < 0.009, `late ${share('late')}`);
    assert.ok(share('out_of_order') > 0.012 && share('out_of_order') < 0.03, `out of order ${share('out_of_order')}`);
    const locations = new Set(valid.map((l) => (JSON.parse(l.line) as { location_id: string }).location_id));
    assert.ok(locations.size > 100 && locations.size <= 600, `${locations.size} locations`);
  });

  it('every bad line fails the pipeline with the error type its corruption promises; every well-formed line passes', async () => {
    const lines = [...cqcEventsGenerator.generate({ count: 12_000, seed: 'bad', badRate: 0.3 })].filter((l) => l.kind !== 'duplicate');
    const reasons = new Set(lines.map((l) => l.badReason).filter((r) => r !== undefined));
    assert.deepEqual([...reasons].sort(), [...BAD_REASON_CHOICES.items].sort(), 'every corruption occurs');
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const result = await runBatch(cqcEventsPipeline({ hash: (v) => v }), {
      source: new ArraySource(lines.map((l, i) => ({ id: `l${i}`, payload: l.line }))),
      warehouse: wh,
    });
    const failed = new Map<string, string>();
    for (const row of await wh.query(`SELECT envelope_id, error_type FROM streaming_errors WHERE error_type <> 'late_event'`)) {
      failed.set(String(row.envelope_id), String(row.error_type));
    }
    const wrong: string[] = [];
    lines.forEach((l, i) => {
      const got = failed.get(`l${i}`);
      if (l.kind === 'bad') {
        const want = BAD_REASON_ERROR_TYPE[l.badReason as BadReason];
        if (got !== want) wrong.push(`${l.badReason}: got ${got ?? 'no error'}, want ${want}: ${l.line.slice(0, 200)}`);
      } else if (WELL_FORMED_KINDS.has(l.kind) && got !== undefined) {
        wrong.push(`${l.kind} line failed with ${got}: ${l.line.slice(0, 200)}`);
      }
    });
    assert.deepEqual(wrong.slice(0, 5), []);
    assert.equal(result.accounting.errored, lines.filter((l) => l.kind === 'bad').length);
    await wh.close();
  });
});
