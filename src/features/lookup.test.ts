import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Filtered, Rejection, type StepContext } from '../core/step.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { csvReferenceLoader, formatLookupStats, lookupStatsOf, lookupStep } from './lookup.js';

function ctx(now: number): StepContext {
  return {
    envelope: { id: 'e', attributes: {}, publishTime: 0, receivedAt: 0, source: 'test' },
    now,
    pipeline: 'p',
    reject: (t, m) => new Rejection(t, m),
    filter: (r) => new Filtered(r ?? 'filtered'),
    setId: () => undefined,
  };
}

describe('lookupStep', () => {
  it('loads the misses of a batch once, answers cached keys synchronously, and expires them after the TTL', async () => {
    const loads: string[][] = [];
    const step = lookupStep<{ ward: string }, number, { ward: string; density: number | null }>({
      name: 'wards',
      source: 'test',
      key: (v) => v.ward,
      load: async (keys) => {
        loads.push([...keys]);
        return new Map([['a', 1], ['b', 2]]);
      },
      apply: (v, ref) => ({ ...v, density: ref ?? null }),
      ttlMs: 1000,
    });
    const batch = ['a', 'b', 'a', 'zz'].map((ward) => step({ ward }, ctx(0)));
    assert.ok(batch.every((r) => r instanceof Promise), 'misses are answered with the batch load');
    assert.deepEqual(await Promise.all(batch), [
      { ward: 'a', density: 1 },
      { ward: 'b', density: 2 },
      { ward: 'a', density: 1 },
      { ward: 'zz', density: null },
    ]);
    assert.deepEqual(loads, [['a', 'b', 'zz']]);
    assert.deepEqual(step({ ward: 'b' }, ctx(500)), { ward: 'b', density: 2 }, 'a cached key is answered synchronously');
    assert.deepEqual(step({ ward: 'zz' }, ctx(500)), { ward: 'zz', density: null }, 'absence is cached too');
    const expired = step({ ward: 'a' }, ctx(1500));
    assert.ok(expired instanceof Promise);
    await expired;
    assert.equal(loads.length, 2, 'an expired key is loaded again');
    const stats = lookupStatsOf(step);
    assert.deepEqual({ ...stats }, { name: 'wards', source: 'test', hits: 3, misses: 4, notFound: 1, loads: 2 });
    assert.match(formatLookupStats([stats as NonNullable<typeof stats>]), /wards \(test\): 3 hits, 4 misses \(42\.9% hit rate\), 1 keys not in the reference data, 2 loads/);
  });

  it('reads a CSV reference table and treats a missing file as empty', async () => {
    const dir = tempDir();
    const path = join(dir, 'wards.csv');
    writeFileSync(path, 'ward,population_density\n"Ward 1 - A, B",1200\nWard 2,900\n');
    const rows = await csvReferenceLoader(path, 'ward')([]);
    assert.deepEqual(rows.get('Ward 1 - A, B'), { ward: 'Ward 1 - A, B', population_density: '1200' });
    assert.equal(rows.size, 2);
    assert.equal((await csvReferenceLoader(join(dir, 'none.csv'), 'ward')([])).size, 0);
  });
});
