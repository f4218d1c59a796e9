import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoUtc } from './iso-time.js';
import { Random } from './random.js';

describe('isoUtc', () => {
  it('is Date.prototype.toISOString, including jumps back and forth across days', () => {
    const rng = new Random('iso');
    const samples = [0, -1, -1.5, 1.5, 86_399_999, 86_400_000, Date.UTC(2026, 10, 1), Date.UTC(1969, 11, 31, 23, 59, 59, 999), 8.64e15, -8.64e15];
    for (let i = 0; i < 20_000; i++) samples.push(rng.uniform(-4e12, 4e12), Date.UTC(2026, 10, 1) + rng.int(-200_000_000, 200_000_000));
    for (const ms of samples) assert.equal(isoUtc(ms), new Date(ms).toISOString(), String(ms));
  });

  it('throws on an invalid time, as toISOString does', () => {
    assert.throws(() => isoUtc(Number.NaN), RangeError);
    assert.throws(() => isoUtc(8.64e15 + 1), RangeError);
  });
});
