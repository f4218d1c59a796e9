import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { parseDuration, parseTime } from './duration.js';
import { WindowOptionError } from './errors.js';

describe('parseDuration', () => {
  it('reads integer milliseconds with optional ms, s, m, h, d suffixes', () => {
    assert.equal(parseDuration('250'), 250);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration(' 0 '), 0);
    assert.equal(parseDuration(42), 42);
  });

  it('refuses fractions, negatives, units it does not know and garbage, with a typed error', () => {
    for (const bad of ['1.5s', '-1', '5 minutes', '5min', '', 's', '1e3', '10w']) {
      assert.throws(
        () => parseDuration(bad),
        (e: unknown) => e instanceof WindowOptionError && e instanceof ConfigError && e.code === 'CONFIG_INVALID' && /not a valid duration/.test(e.message),
        bad,
      );
    }
    assert.throws(() => parseDuration(1.5), WindowOptionError);
    assert.throws(() => parseDuration(-3), WindowOptionError);
    assert.throws(() => parseDuration('99999999999999999d'), /too large/);
  });
});

describe('parseTime', () => {
  it('allows negative instants', () => {
    assert.equal(parseTime('-10s'), -10_000);
    assert.equal(parseTime(-5), -5);
    assert.equal(parseTime('-0'), 0);
    assert.throws(() => parseTime('--1'), WindowOptionError);
  });
});
