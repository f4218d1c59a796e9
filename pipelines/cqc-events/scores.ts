import type { Rating, Severity, ValidEvent } from './event-schema.js';

/**
 * The real-time risk and complexity scores. The seed names them ("risk assessment based on event
 * content", "multi-dimensional event analysis") but its formulas were never published, so these
 * are ours, written down here and in the README; both are on a 0–10 scale (the seed's sample query
 * treats `avg_risk_score > 5` as high), clamped, and rounded to 2 decimals.
 *
 * real_time_risk_score, by event type:
 *
 * | event type            | formula                                                                                           |
 * |-----------------------|---------------------------------------------------------------------------------------------------|
 * | inspection_update     | RATING_RISK[overall_rating] (2.5 if absent) + 1.0 × min(critical_findings, 3) + 0.1 × min(findings_count, 10) |
 * | rating_change         | RATING_RISK[new_rating] + 1.0 × max(0, score(previous) − score(new)) + 2.0 × enforcement_action     |
 * | capacity_update       | 8 × clamp((occupied/total − 0.80) / 0.20, 0, 1) + 2 × clamp(agency_staff_ratio / 0.4, 0, 1)         |
 * | compliance_alert      | SEVERITY_RISK[severity] + 1.5 × safeguarding_concern + 0.5 × action_required + 0.5 × min(escalation_level, 3) |
 * | dashboard_interaction | 3.0 when interaction_type is `report_concern`, else 0                                             |
 *
 * RATING_RISK: Outstanding 0.5, Good 1.5, Requires improvement 4.5, Inadequate 7.0.
 * score(rating): Outstanding 4, Good 3, Requires improvement 2, Inadequate 1.
 * SEVERITY_RISK: low 2.0, medium 4.0, high 6.5, critical 8.5. Booleans count 1 when true.
 * risk_level: low below 3.5, medium below 7, high from 7.
 *
 * complexity_score = 0.5 × (metric fields present) + 1.0 × (items in list fields) + 1.5 × (true flags),
 * over the validated metrics (unknown fields are dropped before, so they cannot inflate it).
 *
 * The seed's examples: the compliance alert (high, safeguarding, action required, escalation 2)
 * scores risk 6.5 + 1.5 + 0.5 + 1.0 = 9.5 and complexity 0.5×6 + 1×2 + 1.5×2 = 8; the rating change
 * Good → Requires improvement with enforcement scores 4.5 + 1 + 2 = 7.5 and 0.5×5 + 2 + 1.5 = 6;
 * the dashboard search scores 0 and 0.5×4 = 2.
 */

export const RATING_RISK: Readonly<Record<Rating, number>> = { Outstanding: 0.5, Good: 1.5, 'Requires improvement': 4.5, Inadequate: 7 };
export const RATING_SCORE: Readonly<Record<Rating, number>> = { Outstanding: 4, Good: 3, 'Requires improvement': 2, Inadequate: 1 };
export const SEVERITY_RISK: Readonly<Record<Severity, number>> = { low: 2, medium: 4, high: 6.5, critical: 8.5 };
export const SEVERITY_LEVEL: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3, critical: 4 };
/** Risk when an inspection update carries no rating yet. */
const UNRATED_INSPECTION_RISK = 2.5;
/** `real_time_risk_score` from which an event counts as high risk (also `high_risk_event_count` in windows). */
export const HIGH_RISK = 7;
const MEDIUM_RISK = 3.5;

const clamp01 = (x: number): number => Math.max(0, Math.min(x, 1));
const round2 = (x: number): number => Math.round(x * 100) / 100;
const toScore = (x: number): number => round2(Math.max(0, Math.min(x, 10)));
const flag = (b: boolean | null | undefined): number => (b === true ? 1 : 0);

/**
 * The event's real-time risk score, 0–10 (see the table above).
 *
 * @example
 * riskScore({ location_id: 'l', event_time: 0, event_type: 'compliance_alert', metrics: { severity: 'critical' } }); // 8.5
 */
export function riskScore(e: ValidEvent): number {
  switch (e.event_type) {
    case 'inspection_update': {
      const m = e.metrics;
      const base = m.overall_rating == null ? UNRATED_INSPECTION_RISK : RATING_RISK[m.overall_rating];
      return toScore(base + Math.min(m.critical_findings ?? 0, 3) + 0.1 * Math.min(m.findings_count ?? 0, 10));
    }
    case 'rating_change': {
      const m = e.metrics;
      const drop = m.previous_rating == null ? 0 : Math.max(0, RATING_SCORE[m.previous_rating] - RATING_SCORE[m.new_rating]);
      return toScore(RATING_RISK[m.new_rating] + drop + 2 * flag(m.enforcement_action));
    }
    case 'capacity_update': {
      const m = e.metrics;
      const occupancy = m.total_beds === 0 ? 0 : m.occupied_beds / m.total_beds;
      return toScore(8 * clamp01((occupancy - 0.8) / 0.2) + 2 * clamp01((m.agency_staff_ratio ?? 0) / 0.4));
    }
    case 'compliance_alert': {
      const m = e.metrics;
      return toScore(
        SEVERITY_RISK[m.severity] + 1.5 * flag(m.safeguarding_concern) + 0.5 * flag(m.action_required) + 0.5 * Math.min(m.escalation_level ?? 0, 3),
      );
    }
    case 'dashboard_interaction':
      return e.metrics.interaction_type === 'report_concern' ? 3 : 0;
  }
}

/**
 * The event's complexity score, 0–10: how many dimensions it carries.
 *
 * @example
 * complexityScore({ severity: 'high', affected_areas: ['a', 'b'], action_required: true }); // 0.5×3 + 2 + 1.5 = 5
 */
export function complexityScore(metrics: Readonly<Record<string, unknown>>): number {
  let fields = 0;
  let items = 0;
  let flags = 0;
  for (const key in metrics) {
    const v = metrics[key];
    if (v === null || v === undefined) continue;
    fields++;
    if (Array.isArray(v)) items += v.length;
    else if (v === true) flags++;
  }
  return toScore(0.5 * fields + items + 1.5 * flags);
}

/**
 * Buckets a risk score for dashboards.
 *
 * @example
 * riskLevel(7.5); // 'high'
 */
export function riskLevel(score: number): 'low' | 'medium' | 'high' {
  return score >= HIGH_RISK ? 'high' : score >= MEDIUM_RISK ? 'medium' : 'low';
}
