import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../src/generate/random.js';
import { fraudRiskScore, HIGH_RISK_THRESHOLD, RISK_WEIGHTS, type RiskSignals } from './fraud-score.js';
import type { RunningStats } from './history.js';

/** Statistics of n earlier claims with this mean and sample standard deviation (of ln amounts). */
function baseline(n: number, mean: number, sd: number): RunningStats {
  return { n, mean, m2: sd * sd * Math.max(0, n - 1) };
}

const LOG_VISIT = Math.log(116);
const QUIET: RiskSignals = {
  logAmount: LOG_VISIT,
  regionProcedure: baseline(200, LOG_VISIT, 0.2),
  procedure: baseline(900, LOG_VISIT, 0.25),
  providerDeviation: baseline(50, 0, 0.2),
  providerPriorClaims: 50,
  patientClaimsThatDay: 1,
  daysToSubmission: 3,
  serviceWeekday: 3,
  specialty: 'family_medicine',
};

const score = (changes: Partial<RiskSignals>) => fraudRiskScore({ ...QUIET, ...changes });

describe('fraudRiskScore', () => {
  it('scores an ordinary claim 0 with no factors', () => {
    assert.deepEqual(score({}), { score: 0, factors: [] });
  });

  it('flags an amount far above the region × procedure norm and the provider’s usual mark-up', () => {
    const fourTimes = score({ logAmount: LOG_VISIT + Math.log(4) });
    assert.deepEqual(fourTimes.factors, ['amount_outlier_region', 'amount_outlier_provider']);
    assert.equal(fourTimes.score, 1 - (1 - RISK_WEIGHTS.amount_outlier_region) * (1 - RISK_WEIGHTS.amount_outlier_provider));
    assert.ok(fourTimes.score > HIGH_RISK_THRESHOLD);
    // z = 3 against the region (σ = 0.2): half strength.
    const halfway = score({ logAmount: LOG_VISIT + 0.6, providerDeviation: undefined });
    assert.equal(halfway.score, Math.round(RISK_WEIGHTS.amount_outlier_region * 0.5 * 10_000) / 10_000);
  });

  it('ignores cheap claims and amounts within two standard deviations', () => {
    assert.equal(score({ logAmount: LOG_VISIT - 3 }).score, 0);
    assert.equal(score({ logAmount: LOG_VISIT + 0.39 }).score, 0);
  });

  it('needs history before judging amounts, and falls back to the procedure in all regions', () => {
    const huge = LOG_VISIT + Math.log(10);
    assert.deepEqual(score({ logAmount: huge, regionProcedure: undefined, procedure: undefined }).factors, []);
    assert.deepEqual(score({ logAmount: huge, regionProcedure: baseline(9, LOG_VISIT, 0.2), procedure: baseline(9, LOG_VISIT, 0.2) }).factors, []);
    assert.deepEqual(score({ logAmount: huge, regionProcedure: baseline(3, LOG_VISIT, 0.2), providerDeviation: undefined }).factors, ['amount_outlier_region']);
    assert.deepEqual(score({ logAmount: huge, providerDeviation: baseline(4, 0, 0.2) }).factors, ['amount_outlier_region'], 'provider history too short');
  });

  it('does not let a near-constant price turn cents into alarms', () => {
    assert.equal(score({ logAmount: LOG_VISIT + 0.05, regionProcedure: baseline(100, LOG_VISIT, 0.001), providerDeviation: baseline(50, 0, 0.001) }).score, 0);
  });

  it('ramps late submission from 45 to 120 days', () => {
    assert.equal(score({ daysToSubmission: 45 }).score, 0);
    assert.equal(score({ daysToSubmission: 82.5 }).score, RISK_WEIGHTS.late_submission / 2);
    assert.equal(score({ daysToSubmission: 120 }).score, RISK_WEIGHTS.late_submission);
    assert.equal(score({ daysToSubmission: 400 }).score, RISK_WEIGHTS.late_submission);
    assert.ok(score({ daysToSubmission: 400 }).score > HIGH_RISK_THRESHOLD);
  });

  it('ramps claims per patient per day from 2 to 5', () => {
    assert.equal(score({ patientClaimsThatDay: 2 }).score, 0, 'a visit and a lab draw are normal');
    assert.equal(score({ patientClaimsThatDay: 5 }).score, RISK_WEIGHTS.patient_day_volume);
    assert.deepEqual(score({ patientClaimsThatDay: 4 }).factors, ['patient_day_volume']);
  });

  it('flags weekend service only for specialties that do not work weekends', () => {
    for (const weekday of [0, 6]) assert.equal(score({ serviceWeekday: weekday }).score, RISK_WEIGHTS.weekend_service);
    for (const weekday of [1, 2, 3, 4, 5]) assert.equal(score({ serviceWeekday: weekday }).score, 0);
    for (const specialty of ['emergency_medicine', 'hospital_medicine', 'urgent_care']) assert.equal(score({ serviceWeekday: 6, specialty }).score, 0);
  });

  it('flags a provider with fewer than three earlier claims', () => {
    assert.equal(score({ providerPriorClaims: 0 }).score, RISK_WEIGHTS.new_provider);
    assert.equal(score({ providerPriorClaims: 2 }).score, RISK_WEIGHTS.new_provider);
    assert.equal(score({ providerPriorClaims: 3 }).score, 0);
  });

  it('keeps a weak signal alone below the high-risk line, but two together above it', () => {
    assert.ok(score({ serviceWeekday: 6 }).score <= HIGH_RISK_THRESHOLD);
    assert.ok(score({ providerPriorClaims: 0, serviceWeekday: 6 }).score <= HIGH_RISK_THRESHOLD);
    const both = score({ serviceWeekday: 6, daysToSubmission: 100 });
    assert.ok(both.score > HIGH_RISK_THRESHOLD, String(both.score));
    assert.deepEqual(both.factors, ['late_submission', 'weekend_service'], 'strongest first');
  });

  it('stays within [0, 1] for any signals', () => {
    const rng = new Random('scores');
    for (let i = 0; i < 20_000; i++) {
      const { score: s } = fraudRiskScore({
        logAmount: rng.uniform(-1, 20),
        regionProcedure: rng.chance(0.8) ? baseline(rng.int(0, 40), rng.uniform(0, 10), rng.uniform(0, 2)) : undefined,
        procedure: rng.chance(0.8) ? baseline(rng.int(0, 40), rng.uniform(0, 10), rng.uniform(0, 2)) : undefined,
        providerDeviation: rng.chance(0.8) ? baseline(rng.int(0, 40), rng.uniform(-2, 2), rng.uniform(0, 2)) : undefined,
        providerPriorClaims: rng.int(0, 10),
        patientClaimsThatDay: rng.int(1, 20),
        daysToSubmission: rng.int(0, 1000),
        serviceWeekday: rng.int(0, 6),
        specialty: rng.pick(['cardiology', 'urgent_care', null]),
      });
      assert.ok(s >= 0 && s <= 1, String(s));
    }
    const everything = score({
      logAmount: 30,
      providerDeviation: undefined,
      providerPriorClaims: 0,
      patientClaimsThatDay: 9,
      daysToSubmission: 999,
      serviceWeekday: 0,
    });
    const w = RISK_WEIGHTS;
    const expected = 1 - (1 - w.amount_outlier_region) * (1 - w.late_submission) * (1 - w.patient_day_volume) * (1 - w.weekend_service) * (1 - w.new_provider);
    assert.equal(everything.score, Math.round(expected * 10_000) / 10_000);
    assert.deepEqual(everything.factors, ['patient_day_volume', 'amount_outlier_region', 'late_submission', 'weekend_service', 'new_provider']);
  });
});
