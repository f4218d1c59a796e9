import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../connectors/duckdb/duckdb-warehouse.js';
import { EmbeddedOnlineStore } from '../connectors/online-embedded/embedded-online-store.js';
import type { FeatureScalar } from '../core/online-store.js';
import { defineTable } from '../core/schema.js';
import { Random } from '../generate/random.js';
import { backfillSql } from './backfill-sql.js';
import { count, defineFeatures, distinctCount, last, max, mean, min, rate, ratio, sum } from './define-features.js';
import { FeatureUpdater, type UpdaterItem } from './streaming.js';
import { asOfTime } from './tiles.js';

const H = 3_600_000;
const features = defineFeatures({
  name: 'synthetic',
  tile: '1h',
  lateness: '2m',
  entities: { shop: { key: 'shop' }, user: { key: 'user' } },
  features: {
    shop_orders_1d: count({ entity: 'shop', window: '1d', where: { kind: 'order' } }),
    shop_refunds_3d: count({ entity: 'shop', window: '3d', where: { kind: 'refund' } }),
    shop_refund_rate_3d: ratio(count({ entity: 'shop', window: '3d', where: { kind: 'refund' } }), count({ entity: 'shop', window: '3d', where: { kind: 'order' } })),
    shop_amount_1d: sum({ entity: 'shop', window: '1d', field: 'amount' }),
    shop_mean_amount_2d: mean({ entity: 'shop', window: '2d', field: 'amount', where: { kind: 'order' } }),
    shop_gift_share_1d: rate({ entity: 'shop', window: '1d', field: 'gift' }),
    user_min_amount_7d: min({ entity: 'user', window: '7d', field: 'amount' }),
    user_max_amount_7d: max({ entity: 'user', window: '7d', field: 'amount' }),
    user_shops_7d: distinctCount({ entity: 'user', window: '7d', field: 'shop' }),
    user_last_label_7d: last({ entity: 'user', window: '7d', field: 'label' }),
  },
});

interface Ev {
  id: string;
  time: number;
  fields: Record<string, unknown>;
}

function makeEvents(n: number, seed: string): Ev[] {
  const rng = new Random(seed);
  const events: Ev[] = [];
  let t = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    t += Math.floor(rng.exponential(90_000) / 1000) * 1000;
    const kind = rng.chance(0.2) ? 'refund' : 'order';
    events.push({
      id: `e${i}`,
      time: t,
      fields: {
        kind,
        shop: `s${rng.int(1, 5)}`,
        user: rng.chance(0.1) ? null : `u${rng.int(1, 40)}`,
        amount: rng.chance(0.1) ? null : rng.int(1, 500),
        gift: rng.chance(0.2) ? null : rng.chance(0.3),
        label: rng.chance(0.5) ? `l${rng.int(1, 3)}` : null,
      },
    });
  }
  return events;
}

/** Arrival order: each event displaced by up to `lateness`, a few far behind, every one twice. */
function deliveries(events: readonly Ev[], seed: string): Ev[] {
  const rng = new Random(seed);
  const keyed = events.flatMap((e) => {
    const late = rng.chance(0.01) ? rng.uniform(10 * 60_000, 3 * H) : 0;
    return [
      { e, at: e.time + rng.uniform(0, 120_000) + late },
      { e, at: e.time + rng.uniform(0, 120_000) + late + (rng.chance(0.5) ? rng.uniform(0, 4 * H) : 0) },
    ];
  });
  keyed.sort((a, b) => a.at - b.at);
  return keyed.map((k) => k.e);
}

describe('features: streaming equals backfill SQL', () => {
  it('gives identical values for every aggregation kind, with shuffling, late events and every event twice', async () => {
    const events = makeEvents(6000, 'syn');
    const order = deliveries(events, 'order');
    const store = new EmbeddedOnlineStore();
    await store.open();
    const updater = new FeatureUpdater(features, store);
    const streamed = new Map<string, { asOf: number; values: Readonly<Record<string, FeatureScalar>> }>();
    const refused = new Set<string>();
    for (let i = 0; i < order.length; i += 97) {
      const batch = order.slice(i, i + 97);
      const items: UpdaterItem[] = batch.map((e) => ({ id: e.id, event: { time: e.time, fields: e.fields }, target: { time: e.time, fields: e.fields } }));
      const results = await updater.process(items);
      results.forEach((r, k) => {
        const e = batch[k] as Ev;
        if (r.verdict !== 'applied') refused.add(e.id);
        const previous = streamed.get(e.id);
        const now = { asOf: r.asOf as number, values: r.values as Record<string, FeatureScalar> };
        if (previous !== undefined) assert.deepEqual(now, previous, `a redelivery of ${e.id} is scored the same`);
        streamed.set(e.id, now);
      });
    }
    assert.ok(refused.size > 5 && refused.size < 200, `some events arrived too late (${refused.size})`);
    assert.equal(updater.stats.scored, order.length);

    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const table = defineTable({
      name: 'syn_events',
      columns: [
        { name: 'happened_at', type: 'timestamp' },
        { name: 'kind', type: 'string' },
        { name: 'shop', type: 'string' },
        { name: 'user', type: 'string' },
        { name: 'amount', type: 'double' },
        { name: 'gift', type: 'boolean' },
        { name: 'label', type: 'string' },
      ],
    });
    const refusedTable = defineTable({ name: 'syn_refused', columns: [] });
    await wh.ensureTable(table);
    await wh.ensureTable(refusedTable);
    await wh.commit([
      { table, rows: events.map((e) => [e.id, e.time, e.fields.kind, e.fields.shop, e.fields.user, e.fields.amount, e.fields.gift, e.fields.label]) },
      { table: refusedTable, rows: [...refused].map((id) => [id]) },
    ]);
    const sql = backfillSql(features, {
      eventsSql: 'SELECT _id, epoch_ms(happened_at) AS event_time, kind, shop, "user", amount, gift, label FROM syn_events',
      targetsSql: 'SELECT _id AS target_id, epoch_ms(happened_at) AS target_time, shop, "user" FROM syn_events',
      excludedIdsSql: 'SELECT _id FROM syn_refused',
    });
    const rows = await wh.query(`${sql} ORDER BY target_id`);
    assert.equal(rows.length, events.length);
    let compared = 0;
    let nonZero = 0;
    for (const row of rows) {
      const s = streamed.get(String(row.target_id));
      assert.ok(s !== undefined);
      assert.equal(row.as_of, s.asOf);
      assert.equal(row.as_of, asOfTime(Number(row.target_time), features));
      for (const name of features.featureNames) {
        const sqlValue = name === 'user_last_label_7d' && typeof row[name] === 'string' ? JSON.parse(row[name] as string) : (row[name] ?? null);
        assert.deepEqual(sqlValue, s.values[name], `${name} of ${row.target_id} as of ${new Date(s.asOf).toISOString()}`);
        compared++;
        if (s.values[name] !== null && s.values[name] !== 0) nonZero++;
      }
    }
    assert.equal(compared, events.length * features.featureNames.length);
    assert.ok(nonZero > compared * 0.5, 'most values are non-trivial, so the comparison means something');
    await wh.close();
    await store.close();
  });

  it('never counts the event itself or anything after its as-of boundary', async () => {
    const store = new EmbeddedOnlineStore();
    await store.open();
    const updater = new FeatureUpdater(features, store);
    const t0 = Date.UTC(2026, 0, 1, 10);
    const ev = (id: string, time: number): UpdaterItem => ({ id, event: { time, fields: { kind: 'order', shop: 's1' } }, target: { time, fields: { kind: 'order', shop: 's1' } } });
    const r = await updater.process([ev('a', t0 + 5 * 60_000), ev('b', t0 + 30 * 60_000), ev('c', t0 + H + 1_000), ev('d', t0 + H + 10 * 60_000)]);
    assert.deepEqual(
      r.map((x) => x.values?.shop_orders_1d),
      [0, 0, 0, 2],
      'c (10 s past the boundary, within lateness) is scored as of 10:00; d sees a and b, not c or itself',
    );
    assert.deepEqual(
      r.map((x) => x.asOf),
      [t0, t0, t0, t0 + H],
    );
    await store.close();
  });
});
