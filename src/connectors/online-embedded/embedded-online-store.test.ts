import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { OnlineStore } from '../../core/online-store.js';
import { runOnlineStoreContract } from '../../../test/contracts/online-store-contract.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { SEP } from '../../features/tiles.js';
import { EmbeddedOnlineStore } from './embedded-online-store.js';

runOnlineStoreContract('embedded, in memory', {
  create: async () => {
    const store = new EmbeddedOnlineStore();
    await store.open();
    return store;
  },
});

let folder = 0;
const root = tempDir();
runOnlineStoreContract('embedded, persisted', {
  create: async () => {
    const store = new EmbeddedOnlineStore({ dir: join(root, `s${folder++}`) });
    await store.open();
    return store;
  },
  reopen: async (store: OnlineStore) => {
    await store.close();
    const again = new EmbeddedOnlineStore({ dir: store.location });
    await again.open();
    return again;
  },
});

describe('embedded online store: persistence details', () => {
  it('restores the same state from a compacted snapshot plus the log after it', async () => {
    const dir = join(tempDir(), 'store');
    const store = new EmbeddedOnlineStore({ dir });
    await store.open();
    await store.write([{ entity: 'ward', id: 'w', values: { a: 1 }, asOf: 1 }]);
    await store.applyTiles('g', [{ id: 'e1', tile: 0, verdict: 'applied', updates: [{ entity: 'ward', key: 'w', ops: [{ op: 'add', field: 'n', value: 1 }] }] }], { horizon: 10 });
    await store.compact();
    await store.applyTiles('g', [{ id: 'e2', tile: 0, verdict: 'applied', updates: [{ entity: 'ward', key: 'w', ops: [{ op: 'add', field: 'n', value: 1 }] }] }]);
    await store.close();
    const again = new EmbeddedOnlineStore({ dir });
    await again.open();
    const [series] = await again.readTiles('g', [{ entity: 'ward', key: 'w' }]);
    assert.deepEqual(series?.get(0), { n: 2 });
    assert.deepEqual(await again.readState('g'), { horizon: 10 });
    assert.deepEqual(await again.applyTiles('g', [{ id: 'e1', tile: 0, verdict: 'late', updates: [] }]), ['applied']);
    await again.close();
  });

  it('ignores a torn last line left by a killed writer', async () => {
    const dir = join(tempDir(), 'store');
    const store = new EmbeddedOnlineStore({ dir });
    await store.open();
    await store.write([{ entity: 'ward', id: 'w', values: { a: 1 }, asOf: 1 }]);
    await store.close();
    appendFileSync(join(dir, 'log.jsonl'), '{"w":[["ward","w",{"a":');
    const again = new EmbeddedOnlineStore({ dir });
    await again.open();
    await again.write([{ entity: 'ward', id: 'x', values: { b: 2 }, asOf: 2 }]);
    assert.deepEqual((await again.get('ward', 'w'))?.features, { a: { value: 1, asOf: 1 } });
    await again.close();
    const third = new EmbeddedOnlineStore({ dir });
    await third.open();
    assert.deepEqual((await third.get('ward', 'x'))?.features, { b: { value: 2, asOf: 2 } }, 'writes after the torn line survive too');
    await third.close();
    assert.ok(readFileSync(join(dir, 'log.jsonl'), 'utf8').length > 0);
  });

  it('lets a read-only reader in another process follow the writer', async () => {
    const dir = join(tempDir(), 'store');
    const writer = new EmbeddedOnlineStore({ dir });
    await writer.open();
    await writer.write([{ entity: 'ward', id: 'w', values: { a: 1 }, asOf: 1 }]);
    const reader = new EmbeddedOnlineStore({ dir, readOnly: true });
    await reader.open();
    assert.deepEqual((await reader.get('ward', 'w'))?.features.a, { value: 1, asOf: 1 });
    await writer.write([{ entity: 'ward', id: 'w', values: { a: 2 }, asOf: 2 }]);
    assert.deepEqual((await reader.get('ward', 'w'))?.features.a, { value: 2, asOf: 2 });
    await writer.compact();
    await writer.write([{ entity: 'ward', id: 'w', values: { a: 3 }, asOf: 3 }]);
    assert.deepEqual((await reader.get('ward', 'w'))?.features.a, { value: 3, asOf: 3 }, 'after a compaction too');
    await assert.rejects(() => reader.write([]), /read-only/);
    await writer.close();
    await reader.close();
  });

  it('replays a log written in the earlier object-per-event form', async () => {
    const dir = join(tempDir(), 'store');
    mkdirSync(dir, { recursive: true });
    const earlier = [
      { w: [['ward', 'w', { a: 1 }, 5]] },
      { g: 'g', e: [{ id: 'e1', tile: 0, verdict: 'applied', updates: [{ entity: 'ward', key: 'w', ops: [{ op: 'last', field: 'l', value: '"x"', time: 3 }] }] }, { id: 'l1', tile: 0, verdict: 'late', updates: [] }], h: 10, f: 12 },
      { p: 'g', t: -1 },
    ];
    writeFileSync(join(dir, 'log.jsonl'), earlier.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const store = new EmbeddedOnlineStore({ dir });
    await store.open();
    assert.deepEqual((await store.get('ward', 'w'))?.features, { a: { value: 1, asOf: 5 } });
    assert.deepEqual(await store.readState('g'), { horizon: 10, frontier: 12 });
    assert.deepEqual(await store.applyTiles('g', [{ id: 'l1', tile: 0, verdict: 'applied', updates: [] }]), ['late']);
    const [series] = await store.readTiles('g', [{ entity: 'ward', key: 'w' }]);
    assert.deepEqual(series?.get(0), { [`l${SEP}t`]: 3, [`l${SEP}v`]: '"x"' });
    await store.close();
  });
});
