import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPipeline } from '../../pipelines/index.js';
import { warehouseWantsOwnThread } from './run-job.js';

describe('warehouseWantsOwnThread', () => {
  const env = { SLUICE_PII_KEY: 'k' };

  it('gives DuckDB a thread when the main thread has steps of its own after the step threads\' head', () => {
    // municipal-tickets: features (steps 6–8) run in order on the main thread.
    assert.equal(warehouseWantsOwnThread(findPipeline('municipal-tickets'), { env }), true);
    assert.equal(warehouseWantsOwnThread(findPipeline('municipal-tickets'), { env, lane: 'ordered' }), true);
    // cqc-events: a windowed tap.
    assert.equal(warehouseWantsOwnThread(findPipeline('cqc-events'), { env }), true);
  });

  it('keeps DuckDB on the main thread when the step threads run the whole pipeline (it is half idle there)', () => {
    assert.equal(warehouseWantsOwnThread(findPipeline('municipal-tickets'), { env, lane: 'parallel' }), false);
  });

  it('gives DuckDB a thread when every step runs on the main thread (--threads 0)', () => {
    assert.equal(warehouseWantsOwnThread(findPipeline('municipal-tickets'), { env, lane: 'parallel', threads: 0 }), true);
  });
});
