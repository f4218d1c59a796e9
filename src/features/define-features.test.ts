import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { count, defineFeatures, mean, ratio } from './define-features.js';

describe('defineFeatures', () => {
  it('flattens ratios into two tile aggregations and knows the longest window', () => {
    const set = defineFeatures({
      name: 's',
      entities: { ward: { key: 'ward' } },
      features: {
        n_7d: count({ entity: 'ward', window: '7d' }),
        r_30d: ratio(count({ entity: 'ward', window: '30d', where: { kind: 'x' } }), count({ entity: 'ward', window: '30d' })),
        m_1d: mean({ entity: 'ward', window: '1d', field: 'minutes' }),
      },
    });
    assert.deepEqual(set.aggregations.map((a) => a.id), ['n_7d', 'r_30d.n', 'r_30d.d', 'm_1d']);
    assert.deepEqual(set.featureNames, ['n_7d', 'r_30d', 'm_1d']);
    assert.equal(set.maxWindow, 30 * 86_400_000);
    assert.equal(set.tile, 3_600_000);
    assert.equal(set.lateness, 120_000);
  });

  it('refuses windows that are not whole tiles, unknown entities and unsafe names, saying which', () => {
    const base = { name: 's', entities: { ward: { key: 'ward' } } };
    assert.throws(() => defineFeatures({ ...base, features: { a: count({ entity: 'ward', window: '90m' }) } }), (e: unknown) => e instanceof ConfigError && /feature a has a window of 5400000 ms/.test(e.message));
    assert.throws(() => defineFeatures({ ...base, features: { a: count({ entity: 'citizen', window: '1d' }) } }), /entity "citizen", which is not declared; declared: ward/);
    assert.throws(() => defineFeatures({ ...base, features: { 'a; drop': count({ entity: 'ward', window: '1d' }) } }), /must be a lower-case identifier/);
    assert.throws(() => defineFeatures({ ...base, features: { a: mean({ entity: 'ward', window: '1d', field: 'x"y' }) } }), /needs a field/);
  });
});
