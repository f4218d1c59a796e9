import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_EVENTS_PER_SECOND, DEFAULT_START_TIME, resolveGeneratorOptions } from './generator.js';

describe('resolveGeneratorOptions', () => {
  it('applies the fixed defaults', () => {
    const o = resolveGeneratorOptions({ count: 10, seed: 7, badRate: 0.05 });
    assert.deepEqual(o, { count: 10, seed: '7', badRate: 0.05, startTime: DEFAULT_START_TIME, eventsPerSecond: DEFAULT_EVENTS_PER_SECOND });
    assert.equal(new Date(DEFAULT_START_TIME).toISOString(), '2026-11-01T00:00:00.000Z');
  });

  it('rejects impossible options with a ConfigError', () => {
    for (const bad of [
      { count: -1, seed: 1, badRate: 0 },
      { count: 1.5, seed: 1, badRate: 0 },
      { count: 1, seed: 1, badRate: 5 },
      { count: 1, seed: 1, badRate: Number.NaN },
      { count: 1, seed: 1, badRate: 0, eventsPerSecond: 0 },
      { count: 1, seed: 1, badRate: 0, startTime: Number.POSITIVE_INFINITY },
    ]) {
      assert.throws(() => resolveGeneratorOptions(bad), ConfigError, JSON.stringify(bad));
    }
  });
});
