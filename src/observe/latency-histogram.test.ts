import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('reports percentiles within 2% and caps them at the largest sample', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    assert.equal(h.count, 1000);
    assert.ok(Math.abs(h.percentile(0.5) - 500) / 500 < 0.021, String(h.percentile(0.5)));
    assert.ok(Math.abs(h.percentile(0.99) - 990) / 990 < 0.021, String(h.percentile(0.99)));
    assert.equal(h.percentile(1), 1000);
  });

  it('weights a whole batch as one call, and is empty-safe', () => {
    const h = new LatencyHistogram();
    assert.equal(h.percentile(0.99), 0);
    h.record(10, 99);
    h.record(5000, 1);
    assert.ok(h.percentile(0.5) < 11);
    assert.ok(h.percentile(0.995) > 4900);
  });
});
