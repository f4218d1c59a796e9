import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OnlineStore, TileData, TileEvent, TileOp } from '../../src/core/online-store.js';
import { applyTileOp, SEP } from '../../src/features/tiles.js';

export interface OnlineStoreContractOptions {
  /** A fresh, empty, opened store. */
  readonly create: () => Promise<OnlineStore>;
  /** Closes `store` and opens the same data again, for the persistence case; omit for stores that keep nothing. */
  readonly reopen?: (store: OnlineStore) => Promise<OnlineStore>;
}

const T = 3_600_000;

function event(id: string, tile: number, ops: TileOp[], entityKey = 'w1', verdict: TileEvent['verdict'] = 'applied'): TileEvent {
  return { id, tile, verdict, updates: [{ entity: 'ward', key: entityKey, ops }] };
}

function plainSeries(series: ReadonlyMap<number, TileData>): Array<[number, Record<string, number | string>]> {
  return [...series]
    .map(([tile, data]): [number, Record<string, number | string>] => [tile, Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)))])
    .sort((a, b) => a[0] - b[0]);
}

/**
 * The behaviour every online store must share (hono's common.case.test habit): run it against each
 * backend with a factory returning a fresh, empty, opened store.
 */
export function runOnlineStoreContract(name: string, options: OnlineStoreContractOptions): void {
  const { create } = options;
  describe(`online store contract: ${name}`, () => {
    it('serves written features with their as-of time, and null for what it does not hold', async () => {
      const store = await create();
      try {
        await store.write([
          { entity: 'ward', id: 'Ward 150 - Bellandur', values: { ward_tickets_7d: 42, escalation_rate_7d: 0.125, label: 'busy', flagged: true, missing: null }, asOf: 7 * T },
          { entity: 'ticket', id: 'T-1', values: { ward_tickets_7d: 3 }, asOf: 5 * T },
        ]);
        const ward = await store.get('ward', 'Ward 150 - Bellandur');
        assert.deepEqual(ward, {
          entity: 'ward',
          id: 'Ward 150 - Bellandur',
          features: {
            ward_tickets_7d: { value: 42, asOf: 7 * T },
            escalation_rate_7d: { value: 0.125, asOf: 7 * T },
            label: { value: 'busy', asOf: 7 * T },
            flagged: { value: true, asOf: 7 * T },
            missing: { value: null, asOf: 7 * T },
          },
        });
        assert.equal(await store.get('ward', 'nowhere'), null);
        assert.equal(await store.get('citizen', 'T-1'), null, 'entities are separate namespaces');
        const many = await store.getMany('ticket', ['T-1', 'T-2']);
        assert.deepEqual(many, [{ entity: 'ticket', id: 'T-1', features: { ward_tickets_7d: { value: 3, asOf: 5 * T } } }, null]);
      } finally {
        await store.close();
      }
    });

    it('never lets an older value overwrite a newer one, and keeps features a write does not mention', async () => {
      const store = await create();
      try {
        await store.write([{ entity: 'ward', id: 'w', values: { a: 2, b: 20 }, asOf: 2 * T }]);
        await store.write([{ entity: 'ward', id: 'w', values: { a: 1 }, asOf: 1 * T }]);
        await store.write([{ entity: 'ward', id: 'w', values: { b: 30, c: 3 }, asOf: 3 * T }]);
        assert.deepEqual((await store.get('ward', 'w'))?.features, {
          a: { value: 2, asOf: 2 * T },
          b: { value: 30, asOf: 3 * T },
          c: { value: 3, asOf: 3 * T },
        });
      } finally {
        await store.close();
      }
    });

    it('applies each event id once per group and answers a redelivery with the first verdict', async () => {
      const store = await create();
      try {
        const first = await store.applyTiles('g', [
          event('e1', 0, [{ op: 'add', field: 'n', value: 1 }]),
          event('e2', 0, [{ op: 'add', field: 'n', value: 1 }]),
          event('e1', 0, [{ op: 'add', field: 'n', value: 1 }]),
          event('late-1', 0, [{ op: 'add', field: 'n', value: 100 }], 'w1', 'late'),
          event('u-1', 0, [], 'w1', 'unmatched'),
        ]);
        assert.deepEqual(first, ['applied', 'applied', 'applied', 'late', 'unmatched']);
        const again = await store.applyTiles('g', [
          event('e2', 0, [{ op: 'add', field: 'n', value: 1 }]),
          // A redelivery is judged by its first delivery, whatever this one proposes.
          event('late-1', 0, [{ op: 'add', field: 'n', value: 100 }], 'w1', 'applied'),
          event('e1', 0, [{ op: 'add', field: 'n', value: 1 }], 'w1', 'late'),
        ]);
        assert.deepEqual(again, ['applied', 'late', 'applied']);
        const [series] = await store.readTiles('g', [{ entity: 'ward', key: 'w1' }]);
        assert.deepEqual(plainSeries(series as ReadonlyMap<number, TileData>), [[0, { n: 2 }]]);
        const [other] = await store.applyTiles('other-group', [event('e1', 0, [{ op: 'add', field: 'n', value: 5 }])]);
        assert.equal(other, 'applied', 'deduplication is per group');
      } finally {
        await store.close();
      }
    });

    it('merges add, min, max, distinct and last commutatively, matching the reference semantics', async () => {
      const ops: TileOp[][] = [
        [{ op: 'add', field: 's', value: 3 }, { op: 'min', field: 'lo', value: 7 }, { op: 'max', field: 'hi', value: 7 }, { op: 'distinct', field: 'd', value: 'a' }, { op: 'last', field: 'l', value: '"x"', time: 10 }],
        [{ op: 'add', field: 's', value: 4.5 }, { op: 'min', field: 'lo', value: -2 }, { op: 'max', field: 'hi', value: 11 }, { op: 'distinct', field: 'd', value: 'b' }, { op: 'last', field: 'l', value: '"y"', time: 30 }],
        [{ op: 'add', field: 's', value: 1 }, { op: 'min', field: 'lo', value: 5 }, { op: 'max', field: 'hi', value: 9 }, { op: 'distinct', field: 'd', value: 'a' }, { op: 'last', field: 'l', value: '"z"', time: 30 }],
        [{ op: 'add', field: 's', value: 2 }, { op: 'distinct', field: 'd', value: 'c' }, { op: 'last', field: 'l', value: '"w"', time: 20 }],
      ];
      const expected: Record<string, number | string> = {};
      for (const list of ops) for (const op of list) applyTileOp(expected, op);
      assert.equal(expected[`l${SEP}v`], '"z"', 'a tie on time goes to the greater JSON text');
      const store = await create();
      try {
        const forward = ops.map((list, i) => event(`f${i}`, T, list));
        const backward = ops.map((list, i) => event(`b${i}`, T, list, 'w2')).reverse();
        await store.applyTiles('g', forward.slice(0, 2));
        await store.applyTiles('g', [...forward.slice(2), ...backward]);
        const [a, b] = await store.readTiles('g', [
          { entity: 'ward', key: 'w1' },
          { entity: 'ward', key: 'w2' },
        ]);
        const sorted = Object.fromEntries(Object.entries(expected).sort(([x], [y]) => (x < y ? -1 : 1)));
        assert.deepEqual(plainSeries(a as ReadonlyMap<number, TileData>), [[T, sorted]]);
        assert.deepEqual(plainSeries(b as ReadonlyMap<number, TileData>), [[T, sorted]]);
        const [unknown] = await store.readTiles('g', [{ entity: 'ward', key: 'nobody' }]);
        assert.equal(unknown?.size, 0);
      } finally {
        await store.close();
      }
    });

    it('keeps the group horizon monotonic', async () => {
      const store = await create();
      try {
        assert.equal(await store.readState('g'), null);
        await store.applyTiles('g', [], { horizon: 5 * T });
        await store.applyTiles('g', [], { horizon: 3 * T });
        assert.deepEqual(await store.readState('g'), { horizon: 5 * T });
        assert.equal(await store.readState('another'), null);
      } finally {
        await store.close();
      }
    });

    it("keeps a single writer's frontier beside the horizon, monotonic too", async () => {
      const store = await create();
      try {
        await store.applyTiles('g', [], { horizon: Number.NEGATIVE_INFINITY, frontier: 7 * T + 5 });
        assert.deepEqual(await store.readState('g'), { horizon: Number.NEGATIVE_INFINITY, frontier: 7 * T + 5 });
        await store.applyTiles('g', [], { horizon: 2 * T, frontier: 4 * T });
        assert.deepEqual(await store.readState('g'), { horizon: 2 * T, frontier: 7 * T + 5 });
        await store.applyTiles('g', [], { horizon: 2 * T, frontier: 9 * T });
        assert.deepEqual(await store.readState('g'), { horizon: 2 * T, frontier: 9 * T });
      } finally {
        await store.close();
      }
    });

    it('refuses as late an applied event whose time is before the horizon, and remembers that verdict', async () => {
      const store = await create();
      try {
        await store.applyTiles('g', [], { horizon: 2 * T });
        const verdicts = await store.applyTiles('g', [
          { ...event('early', T, [{ op: 'add', field: 'n', value: 1 }]), time: T + 5 },
          { ...event('on-time', 2 * T, [{ op: 'add', field: 'n', value: 1 }]), time: 2 * T },
          event('unchecked', T, [{ op: 'add', field: 'n', value: 1 }]),
        ]);
        assert.deepEqual(verdicts, ['late', 'applied', 'applied']);
        // A redelivery gets the recorded verdict whatever its own says.
        assert.deepEqual(await store.applyTiles('g', [{ ...event('early', T, [{ op: 'add', field: 'n', value: 1 }]), time: 3 * T }]), ['late']);
        const [series] = await store.readTiles('g', [{ entity: 'ward', key: 'w1' }]);
        assert.deepEqual(plainSeries(series as ReadonlyMap<number, TileData>), [
          [T, { n: 1 }],
          [2 * T, { n: 1 }],
        ]);
      } finally {
        await store.close();
      }
    });

    it('shares worker progress: each worker sees the others, a lapsed lease drops out, a reused id takes the slot over', async () => {
      const store = await create();
      const at = (frontier: number, registered = frontier) => ({ frontier, registered });
      try {
        assert.deepEqual(await store.syncProgress('g', { worker: '1', frontier: Number.NEGATIVE_INFINITY }, 60_000), []);
        assert.deepEqual(await store.syncProgress('g', { worker: '2', frontier: 5 * T, registered: 6 * T }, 60_000), [{ worker: '1', ...at(Number.NEGATIVE_INFINITY) }]);
        assert.deepEqual(await store.syncProgress('g', { worker: '1', frontier: 3 * T }, 60_000), [{ worker: '2', ...at(5 * T, 6 * T) }]);
        assert.deepEqual(await store.syncProgress('other-group', { worker: '1', frontier: T }, 60_000), []);
        // Worker 3 reports with a short lease and stops: once it lapses, it holds nobody back.
        await store.syncProgress('g', { worker: '3', frontier: T }, 50);
        const withThree = await store.syncProgress('g', { worker: '1', frontier: 3 * T }, 60_000);
        assert.deepEqual(withThree.map((p) => p.worker).sort(), ['2', '3']);
        await new Promise((resolve) => setTimeout(resolve, 120)); // the lease is wall-clock time by design
        assert.deepEqual(await store.syncProgress('g', { worker: '1', frontier: 3 * T }, 60_000), [{ worker: '2', ...at(5 * T, 6 * T) }]);
        // A restarted worker 2 reports under the same id: its new progress replaces the old.
        await store.syncProgress('g', { worker: '2', frontier: 2 * T }, 60_000);
        assert.deepEqual(await store.syncProgress('g', { worker: '1', frontier: 3 * T }, 60_000), [{ worker: '2', ...at(2 * T) }]);
      } finally {
        await store.close();
      }
    });

    it('prunes tiles that start before a boundary and keeps the rest', async () => {
      const store = await create();
      try {
        if (store.prune === undefined) return;
        await store.applyTiles('g', [event('a', 0, [{ op: 'add', field: 'n', value: 1 }]), event('b', 2 * T, [{ op: 'add', field: 'n', value: 1 }])]);
        await store.prune('g', T);
        const [series] = await store.readTiles('g', [{ entity: 'ward', key: 'w1' }]);
        assert.deepEqual(plainSeries(series as ReadonlyMap<number, TileData>), [[2 * T, { n: 1 }]]);
      } finally {
        await store.close();
      }
    });

    if (options.reopen !== undefined) {
      const reopen = options.reopen;
      it('survives a restart: features, tiles, verdicts, horizon and frontier are all still there', async () => {
        let store = await create();
        try {
          await store.write([{ entity: 'ward', id: 'w', values: { a: 1 }, asOf: T }]);
          await store.write([{ entity: 'ward', id: 'w', values: { b: 'x', c: null }, asOf: 2 * T }]);
          const every: TileOp[] = [
            { op: 'add', field: 's', value: 1.5 },
            { op: 'min', field: 'lo', value: -3 },
            { op: 'max', field: 'hi', value: 8 },
            { op: 'distinct', field: 'd', value: 'a "quoted" key' },
            { op: 'last', field: 'l', value: '"v"', time: 7 },
          ];
          await store.applyTiles(
            'g',
            [
              event('e1', 0, [{ op: 'add', field: 'n', value: 2 }]),
              event('l1', 0, [], 'w1', 'late'),
              event('u1', 0, [], 'w1', 'unmatched'),
              { id: 'e2', tile: T, verdict: 'applied', updates: [{ entity: 'ward', key: 'w2', ops: every }, { entity: 'category', key: 'c', ops: every.slice(0, 1) }] },
            ],
            { horizon: 2 * T, frontier: 3 * T },
          );
          store = await reopen(store);
          assert.deepEqual((await store.get('ward', 'w'))?.features, { a: { value: 1, asOf: T }, b: { value: 'x', asOf: 2 * T }, c: { value: null, asOf: 2 * T } });
          assert.deepEqual(await store.readState('g'), { horizon: 2 * T, frontier: 3 * T });
          assert.deepEqual(
            await store.applyTiles('g', [event('e1', 0, [{ op: 'add', field: 'n', value: 2 }]), event('l1', 0, [], 'w1', 'applied'), event('u1', 0, [], 'w1', 'applied')]),
            ['applied', 'late', 'unmatched'],
          );
          const [series, all, category] = await store.readTiles('g', [
            { entity: 'ward', key: 'w1' },
            { entity: 'ward', key: 'w2' },
            { entity: 'category', key: 'c' },
          ]);
          assert.deepEqual(plainSeries(series as ReadonlyMap<number, TileData>), [[0, { n: 2 }]]);
          const expected: Record<string, number | string> = {};
          for (const op of every) applyTileOp(expected, op);
          assert.deepEqual(plainSeries(all as ReadonlyMap<number, TileData>), [[T, Object.fromEntries(Object.entries(expected).sort(([x], [y]) => (x < y ? -1 : 1)))]]);
          assert.deepEqual(plainSeries(category as ReadonlyMap<number, TileData>), [[T, { s: 1.5 }]]);
        } finally {
          await store.close();
        }
      });
    }
  });
}
