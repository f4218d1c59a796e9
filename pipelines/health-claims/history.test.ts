import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../src/generate/random.js';
import { amountBaseline, type ClaimHistoryKeys, InMemoryClaimHistory, MIN_BASELINE_CLAIMS, type RunningStats, sampleStdDev, welfordAdd } from './history.js';

const keys = (overrides: Partial<ClaimHistoryKeys> = {}): ClaimHistoryKeys => ({
  claimId: 'C1',
  providerId: 'P1',
  procedure: '99213',
  regionProcedure: 'west|99213',
  patientKey: 'aaaa',
  serviceDay: 20_000,
  logAmount: Math.log(116),
  ...overrides,
});

describe('Welford running statistics', () => {
  it('match the two-pass mean and sample standard deviation', () => {
    const rng = new Random('welford');
    const xs = Array.from({ length: 5000 }, () => rng.logNormal(100, 0.8));
    let stats: RunningStats | undefined;
    for (const x of xs) stats = welfordAdd(stats, Math.log(x));
    const logs = xs.map((x) => Math.log(x));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1));
    assert.ok(stats !== undefined);
    assert.equal(stats.n, 5000);
    assert.ok(Math.abs(stats.mean - mean) < 1e-12, `${stats.mean} vs ${mean}`);
    assert.ok(Math.abs(sampleStdDev(stats) - sd) < 1e-12, `${sampleStdDev(stats)} vs ${sd}`);
  });

  it('stays exact where the naive sum of squares cancels catastrophically', () => {
    let stats: RunningStats | undefined;
    for (const x of [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]) stats = welfordAdd(stats, x);
    assert.ok(stats !== undefined);
    assert.equal(stats.mean, 1e9 + 10);
    assert.equal(sampleStdDev(stats), Math.sqrt(30));
  });

  it('gives 0 spread below two observations and is plain JSON', () => {
    const one = welfordAdd(undefined, 5);
    assert.equal(sampleStdDev(one), 0);
    assert.deepEqual(JSON.parse(JSON.stringify(welfordAdd(one, 7))), { n: 2, mean: 6, m2: 2 });
  });
});

describe('amountBaseline', () => {
  it('uses the region × procedure cell once it has enough claims, the procedure overall before', () => {
    const short = { n: MIN_BASELINE_CLAIMS - 1, mean: 1, m2: 0 };
    const enough = { n: MIN_BASELINE_CLAIMS, mean: 2, m2: 0 };
    const national = { n: 500, mean: 3, m2: 1 };
    assert.equal(amountBaseline(enough, national), enough);
    assert.equal(amountBaseline(short, national), national);
    assert.equal(amountBaseline(undefined, national), national);
    assert.equal(amountBaseline(undefined, undefined), undefined);
  });
});

describe('InMemoryClaimHistory', () => {
  it('reads the history as it was before the claim, then records it', () => {
    const history = new InMemoryClaimHistory();
    const first = history.observe(keys());
    assert.equal(first.regionProcedure, undefined);
    assert.equal(first.procedure, undefined);
    assert.equal(first.providerPriorClaims, 0);
    assert.equal(first.patientClaimsThatDay, 1);
    assert.equal(first.repeated, false);
    const second = history.observe(keys({ claimId: 'C2', logAmount: Math.log(120) }));
    assert.equal(second.regionProcedure?.n, 1);
    assert.equal(second.regionProcedure?.mean, Math.log(116));
    assert.equal(second.procedure?.n, 1);
    assert.equal(second.providerPriorClaims, 1);
    assert.equal(second.patientClaimsThatDay, 2);
  });

  it('keeps the same procedure in two regions apart, but pools them for the procedure baseline', () => {
    const history = new InMemoryClaimHistory();
    history.observe(keys({ claimId: 'a', regionProcedure: 'west|99213' }));
    const east = history.observe(keys({ claimId: 'b', regionProcedure: 'northeast|99213' }));
    assert.equal(east.regionProcedure, undefined);
    assert.equal(east.procedure?.n, 1);
  });

  it('counts claims per patient per service day, not per patient', () => {
    const history = new InMemoryClaimHistory();
    history.observe(keys({ claimId: 'a' }));
    history.observe(keys({ claimId: 'b' }));
    assert.equal(history.observe(keys({ claimId: 'c' })).patientClaimsThatDay, 3);
    assert.equal(history.observe(keys({ claimId: 'd', serviceDay: 20_001 })).patientClaimsThatDay, 1);
    assert.equal(history.observe(keys({ claimId: 'e', patientKey: 'bbbb' })).patientClaimsThatDay, 1);
  });

  it('does not count a redelivered claim twice', () => {
    const history = new InMemoryClaimHistory();
    history.observe(keys({ claimId: 'a' }));
    const again = history.observe(keys({ claimId: 'a' }));
    assert.equal(again.repeated, true);
    assert.equal(again.patientClaimsThatDay, 1);
    const next = history.observe(keys({ claimId: 'b' }));
    assert.equal(next.patientClaimsThatDay, 2);
    assert.equal(next.providerPriorClaims, 1);
    assert.equal(next.regionProcedure?.n, 1);
  });

  it('measures provider mark-ups against a baseline only once the baseline has enough claims', () => {
    const history = new InMemoryClaimHistory();
    for (let i = 0; i < MIN_BASELINE_CLAIMS; i++) history.observe(keys({ claimId: `base${i}`, providerId: `other${i}`, logAmount: 5 }));
    assert.equal(history.observe(keys({ claimId: 'p1', providerId: 'P', logAmount: 5.5 })).providerDeviation, undefined);
    const reading = history.observe(keys({ claimId: 'p2', providerId: 'P', logAmount: 5.5 }));
    assert.equal(reading.providerDeviation?.n, 1);
    assert.equal(reading.providerDeviation?.mean, 0.5);
  });

  it('forgets patient-days beyond the retention window, driven by the data, not the clock', () => {
    const history = new InMemoryClaimHistory({ patientDayRetentionDays: 10 });
    for (let day = 0; day < 100; day++) history.observe(keys({ claimId: `c${day}`, serviceDay: 20_000 + day }));
    assert.equal(history.patientDaysHeld, 11);
    // A day that fell out of the window starts counting afresh.
    assert.equal(history.observe(keys({ claimId: 'old', serviceDay: 20_000 })).patientClaimsThatDay, 1);
  });

  it('gives the same readings for the same input order', () => {
    const rng = new Random('order');
    const input = Array.from({ length: 2000 }, (_, i) =>
      keys({
        claimId: `c${rng.int(0, 1500)}-${i % 7}`,
        providerId: `P${rng.int(0, 20)}`,
        patientKey: `k${rng.int(0, 50)}`,
        serviceDay: 20_000 + rng.int(0, 30),
        logAmount: rng.uniform(3, 8),
      }),
    );
    const run = (): string => {
      const history = new InMemoryClaimHistory({ recentClaimIds: 100 });
      return JSON.stringify(input.map((k) => history.observe(k)));
    };
    assert.equal(run(), run());
  });
});
