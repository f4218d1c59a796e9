import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateTickets } from './tickets.js';

/** A full collection, so heap samples measure what is live rather than what is not yet collected. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function heapMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('municipal tickets generator memory', () => {
  it('runs in constant memory: a million lines grow the heap by a few MB at most', () => {
    // Pending status updates fill up over the first 14 simulated days (~400k tickets at the default
    // rate) and then stay level; after that, more tickets must not mean more memory.
    const count = 1_000_000;
    const samples = new Map<number, number>();
    let tickets = 0;
    for (const item of generateTickets({ count, seed: 'memory', badRate: 0.05 })) {
      if (item.topic !== 'tickets.new') continue;
      tickets++;
      if (tickets === 500_000 || tickets === count) samples.set(tickets, heapMb());
    }
    const atHalf = samples.get(500_000) ?? Number.NaN;
    const atEnd = samples.get(count) ?? Number.NaN;
    assert.ok(atEnd - atHalf < 8, `heap ${atHalf.toFixed(1)} MB after 500k tickets, ${atEnd.toFixed(1)} MB after 1M`);
    assert.ok(atEnd < 100, `heap ${atEnd.toFixed(1)} MB`);
  });
});
