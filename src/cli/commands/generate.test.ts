import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateClaims } from '../../../pipelines/health-claims/generator/index.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { LocalBus } from '../../connectors/local-bus/local-bus.js';
import { ConfigError } from '../../core/errors.js';
import { ManualClock } from '../../time/clock.js';
import { generateData } from './generate.js';

/** A fake clock whose sleeps advance it; `onSleep` may look at the time after each one. */
function fakeTime(onSleep?: (now: number) => void): { clock: ManualClock; sleep: (ms: number, signal?: AbortSignal) => Promise<void> } {
  const clock = new ManualClock(Date.UTC(2026, 10, 22));
  return {
    clock,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      clock.advance(ms);
      onSleep?.(clock.now());
    },
  };
}

async function messagesOn(url: string, topic: string): Promise<number> {
  const bus = new LocalBus({ dir: url.slice('local:'.length) });
  await bus.open();
  const stats = await bus.stats(topic);
  await bus.close();
  return stats.messages;
}

/** How many distinct lines the first `n` of `count` generated lines hold: the bus drops byte-exact duplicates. */
function distinctLines(n: number, count: number, seed: string): number {
  return new Set([...generateClaims({ count, seed, badRate: 0.05 })].slice(0, n).map((l) => l.line)).size;
}

const FLAGS = { seed: 'rate', badRate: 0.05 } as const;

describe('generate --rate', () => {
  it('publishes at the rate until the duration ends, reporting the rate achieved', async () => {
    const dir = tempDir();
    const to = `local:${join(dir, 'bus')}`;
    const time = fakeTime();
    const start = time.clock.now();
    const reports: string[] = [];
    const counts = await generateData(
      'health-claims',
      { ...FLAGS, count: 50_000, rate: 1000, duration: 10_000, to },
      { quiet: true },
      { ...time, report: (l) => reports.push(l) },
    );
    const sent = counts['claims-ingest'] ?? 0;
    // One batch (50 lines) goes out at once, then one every 50 ms up to the 10 s mark.
    assert.equal(sent, 10_050);
    assert.equal(time.clock.now() - start, 10_000);
    assert.equal(await messagesOn(to, 'claims-ingest'), distinctLines(sent, 50_000, FLAGS.seed));
    assert.deepEqual(reports, [
      'generate health-claims: 5,050 lines sent in 5.0 s, 1010/s (target 1,000/s)',
      'generate health-claims: 10,050 lines sent in 10.0 s, 1005/s (target 1,000/s)',
      'generate health-claims: 10,050 lines sent in 10.0 s, 1005/s (target 1,000/s)',
    ]);
  });

  it('stops at --count when that comes first', async () => {
    const dir = tempDir();
    const time = fakeTime();
    const counts = await generateData(
      'health-claims',
      { ...FLAGS, count: 1234, rate: 500, duration: 60_000, to: `local:${join(dir, 'bus')}` },
      { quiet: true },
      time,
    );
    assert.deepEqual(counts, { 'claims-ingest': 1234 });
    // 1234 lines at 500/s after a first batch of 25: (1234 − 25) / 500 s.
    assert.ok(Math.abs(time.clock.now() - Date.UTC(2026, 10, 22) - 2418) <= 1, String(time.clock.now() - Date.UTC(2026, 10, 22)));
  });

  it('stops when the signal aborts, keeping what was published', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const start = Date.UTC(2026, 10, 22);
    const time = fakeTime((now) => {
      if (now - start >= 3000) controller.abort(new Error('SIGINT'));
    });
    const counts = await generateData(
      'health-claims',
      { ...FLAGS, count: 100_000, rate: 2000, to: `local:${join(dir, 'bus')}` },
      { quiet: true },
      { ...time, signal: controller.signal },
    );
    const sent = counts['claims-ingest'] ?? 0;
    assert.ok(sent >= 6000 && sent <= 6100, String(sent));
  });

  it('without --rate, --to publishes everything as fast as it can', async () => {
    const dir = tempDir();
    const to = `local:${join(dir, 'bus')}`;
    const counts = await generateData('health-claims', { ...FLAGS, count: 3000, to }, { quiet: true });
    assert.deepEqual(counts, { 'claims-ingest': 3000 });
    assert.equal(await messagesOn(to, 'claims-ingest'), distinctLines(3000, 3000, FLAGS.seed));
  });

  it('refuses flags that contradict each other', async () => {
    await assert.rejects(generateData('health-claims', { ...FLAGS, count: 10, rate: 10, out: 'x.jsonl' }, { quiet: true }), ConfigError);
    await assert.rejects(generateData('health-claims', { ...FLAGS, count: 10, duration: 1000 }, { quiet: true }), /needs --rate/);
  });
});
