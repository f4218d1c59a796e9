import { amountBaseline, MIN_BASELINE_CLAIMS, type RunningStats, sampleStdDev } from './history.js';

/**
 * The fraud risk score: a transparent, rule-based 0–1 score from six heuristics, each giving a
 * strength in [0, 1] and carrying a weight (the score it alone reaches at full strength). They are
 * combined as a noisy-OR, `score = 1 − Π (1 − weightᵢ · strengthᵢ)`, which stays in [0, 1], grows
 * with every signal that fires, and lets two moderate signals together cross the 0.5 line that no
 * weak one crosses alone.
 *
 * | factor                    | strength                                                          | weight |
 * |---------------------------|-------------------------------------------------------------------|--------|
 * | `amount_outlier_region`   | z of ln(amount) against earlier claims for the same procedure in  | 0.55   |
 * |                           | the same region (or in all regions, while the region has fewer    |        |
 * |                           | than 10): 0 at z ≤ 2, rising linearly to 1 at z ≥ 4               |        |
 * | `amount_outlier_provider` | z of the claim's mark-up over that baseline mean against the      | 0.45   |
 * |                           | provider's own usual mark-up: 0 at z ≤ 2, 1 at z ≥ 4               |        |
 * | `late_submission`         | days from service to submission: 0 at ≤ 45 days, 1 at ≥ 120        | 0.55   |
 * | `patient_day_volume`      | claims for the patient on the service day so far: 0 at ≤ 2, 1 at 5 | 0.7    |
 * | `weekend_service`         | 1 when the service was on a Saturday or Sunday and the specialty  | 0.3    |
 * |                           | is not one that works weekends (emergency, hospital, urgent care) |        |
 * | `new_provider`            | 1 while the provider has fewer than 3 earlier claims               | 0.25   |
 *
 * Amount outliers count upward only (a cheap claim is not suspicious) and need history: at least
 * 10 earlier claims for the baseline and 5 of the provider's measured against one. Standard deviations are floored (0.1 and 0.15 in ln units) so a cell of near-identical
 * prices does not turn cents into alarms. Thresholds were chosen from the claims generator's
 * legitimate spread (ln-amount σ ≈ 0.2–0.3 within a cell; 97% of claims submitted within 3 weeks)
 * and are constants here, not learned.
 */

/** `high_risk_flag` is set for scores above this (the seed's rule). */
export const HIGH_RISK_THRESHOLD = 0.5;

/** Each factor's weight: the score it reaches alone at full strength (see the table above). */
export const RISK_WEIGHTS = Object.freeze({
  amount_outlier_region: 0.55,
  amount_outlier_provider: 0.45,
  late_submission: 0.55,
  patient_day_volume: 0.7,
  weekend_service: 0.3,
  new_provider: 0.25,
});

export type RiskFactor = keyof typeof RISK_WEIGHTS;

/** Specialties whose weekend work is routine. */
export const WEEKEND_SPECIALTIES: ReadonlySet<string> = new Set(['emergency_medicine', 'hospital_medicine', 'urgent_care']);

const MIN_PROVIDER_HISTORY = 5;
const MIN_REGION_SD = 0.1;
const MIN_PROVIDER_SD = 0.15;
const NEW_PROVIDER_CLAIMS = 3;

/** Everything the score looks at for one claim. */
export interface RiskSignals {
  /** ln(claim_amount + 1). */
  readonly logAmount: number;
  readonly regionProcedure: RunningStats | undefined;
  /** The same procedure in every region: the baseline while the region's history is short. */
  readonly procedure: RunningStats | undefined;
  readonly providerDeviation: RunningStats | undefined;
  readonly providerPriorClaims: number;
  readonly patientClaimsThatDay: number;
  readonly daysToSubmission: number;
  /** 0 = Sunday … 6 = Saturday, of the service date. */
  readonly serviceWeekday: number;
  readonly specialty: string | null;
}

export interface RiskScore {
  /** 0–1, rounded to 4 decimals. */
  readonly score: number;
  /** Factors with a non-zero contribution, strongest first. */
  readonly factors: RiskFactor[];
}

/** 0 at or below `from`, 1 at or above `to`, linear between. */
function ramp(x: number, from: number, to: number): number {
  if (!(x > from)) return 0;
  return x >= to ? 1 : (x - from) / (to - from);
}

/**
 * Scores one claim from its signals (pure: the history is read by the caller).
 *
 * @example
 * const { score, factors } = fraudRiskScore({ logAmount: Math.log(5000), regionProcedure, providerDeviation, providerPriorClaims: 40, patientClaimsThatDay: 1, daysToSubmission: 3, serviceWeekday: 2, specialty: 'cardiology' });
 */
export function fraudRiskScore(signals: RiskSignals): RiskScore {
  const strengths: Array<[RiskFactor, number]> = [];
  const region = amountBaseline(signals.regionProcedure, signals.procedure);
  if (region !== undefined && region.n >= MIN_BASELINE_CLAIMS) {
    const z = (signals.logAmount - region.mean) / Math.max(MIN_REGION_SD, sampleStdDev(region));
    strengths.push(['amount_outlier_region', ramp(z, 2, 4)]);
    const provider = signals.providerDeviation;
    if (provider !== undefined && provider.n >= MIN_PROVIDER_HISTORY) {
      const deviation = signals.logAmount - region.mean;
      const zp = (deviation - provider.mean) / Math.max(MIN_PROVIDER_SD, sampleStdDev(provider));
      strengths.push(['amount_outlier_provider', ramp(zp, 2, 4)]);
    }
  }
  strengths.push(['late_submission', ramp(signals.daysToSubmission, 45, 120)]);
  strengths.push(['patient_day_volume', ramp(signals.patientClaimsThatDay, 2, 5)]);
  const weekend = signals.serviceWeekday === 0 || signals.serviceWeekday === 6;
  strengths.push(['weekend_service', weekend && !WEEKEND_SPECIALTIES.has(signals.specialty ?? '') ? 1 : 0]);
  strengths.push(['new_provider', signals.providerPriorClaims < NEW_PROVIDER_CLAIMS ? 1 : 0]);

  let keep = 1;
  const contributions: Array<[RiskFactor, number]> = [];
  for (const [factor, strength] of strengths) {
    if (strength <= 0) continue;
    const contribution = RISK_WEIGHTS[factor] * strength;
    keep *= 1 - contribution;
    contributions.push([factor, contribution]);
  }
  contributions.sort((a, b) => b[1] - a[1]);
  return { score: Math.round((1 - keep) * 10_000) / 10_000, factors: contributions.map(([factor]) => factor) };
}
