import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbeddedOnlineStore } from '../connectors/online-embedded/embedded-online-store.js';
import { DependencyUnavailableError } from '../core/errors.js';
import type { OnlineStore } from '../core/online-store.js';
import { count, defineFeatures } from './define-features.js';
import { FeatureUpdater, type UpdaterItem } from './streaming.js';

const features = defineFeatures({
  name: 'orders',
  tile: '1h',
  lateness: '2m',
  entities: { shop: { key: 'shop' } },
  features: { shop_orders_1d: count({ entity: 'shop', window: '1d' }) },
});

const H = 3_600_000;
const start = Date.UTC(2026, 0, 1);

/** A batch spanning three hours, in time order: nothing in it is late. */
function batch(from: number, n: number): UpdaterItem[] {
  return Array.from({ length: n }, (_, i) => {
    const event = { time: from + Math.floor((i * 3 * H) / n), fields: { shop: `s${i % 3}` } };
    return { id: `e${from}-${i}`, event, target: event };
  });
}

/**
 * The store going away is a fault the test causes on purpose (the real-server version is the Redis
 * outage in test/e2e/infra-outages.test.ts): the first `applyTiles` after `failNext` throws what
 * the Redis store throws while its server is down.
 */
function flakyStore(inner: OnlineStore): OnlineStore & { failNext: boolean } {
  const store = Object.create(inner) as OnlineStore & { failNext: boolean };
  store.failNext = false;
  store.applyTiles = async (group, events, state) => {
    if (store.failNext) {
      store.failNext = false;
      throw new DependencyUnavailableError('the online store is unreachable');
    }
    return inner.applyTiles(group, events, state);
  };
  return store;
}

describe('FeatureUpdater', () => {
  it('judges a batch retried after the store was unreachable as it would have the first time', async () => {
    const clean = new EmbeddedOnlineStore();
    await clean.open();
    const inner = new EmbeddedOnlineStore();
    await inner.open();
    const flaky = flakyStore(inner);
    const reference = new FeatureUpdater(features, clean);
    const updater = new FeatureUpdater(features, flaky);
    const first = batch(start, 300);
    const second = batch(start + 3 * H, 300);

    const expectedFirst = await reference.process(first);
    const expectedSecond = await reference.process(second);
    assert.ok(expectedSecond.every((r) => r.verdict === 'applied'), 'in order, nothing is late');

    assert.deepEqual(await updater.process(first), expectedFirst);
    flaky.failNext = true;
    await assert.rejects(updater.process(second), DependencyUnavailableError);
    // The runner retries the same records once the store is back.
    const retried = await updater.process(second);
    assert.deepEqual(
      retried.map((r) => r.verdict),
      expectedSecond.map((r) => r.verdict),
      'no event of the retried batch is late because of the failed attempt',
    );
    assert.deepEqual(retried, expectedSecond, 'and the values are the same');
    assert.equal(updater.stats.late, 0);
  });

  it('after a restart, judges lateness against the frontier the stopped updater had reached', async () => {
    const reference = new EmbeddedOnlineStore();
    await reference.open();
    const shared = new EmbeddedOnlineStore();
    await shared.open();
    // The first batch's events end just before start + 3h; a status-like event (no target) then
    // moves the frontier to start + 5h without scoring anything, so the horizon stays behind it.
    const first = batch(start, 300);
    const ahead: UpdaterItem = { id: 'ahead', event: { time: start + 5 * H, fields: { shop: 's0' } } };
    // 40 minutes behind the frontier, across the start + 4h boundary: late only against the frontier.
    const straggler: UpdaterItem = { id: 'straggler', event: { time: start + 3 * H + 50 * 60_000, fields: { shop: 's1' } } };

    const uninterrupted = new FeatureUpdater(features, reference);
    await uninterrupted.process([...first, ahead]);
    const [expected] = await uninterrupted.process([straggler]);
    assert.equal(expected?.verdict, 'late', 'the case is one the frontier decides');

    await new FeatureUpdater(features, shared).process([...first, ahead]);
    // A new process on the same store: the frontier comes back with the horizon.
    const [after] = await new FeatureUpdater(features, shared).process([straggler]);
    assert.equal(after?.verdict, expected?.verdict);
  });
});
