import { z } from 'zod';
import { parseTimestamp } from '../../src/core/timestamps.js';

/** The five event types the CQC dashboard publishes on `dashboard-events` (seed 004). */
export const EVENT_TYPES = ['inspection_update', 'rating_change', 'capacity_update', 'compliance_alert', 'dashboard_interaction'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** CQC's four ratings, best first. */
export const RATINGS = ['Outstanding', 'Good', 'Requires improvement', 'Inadequate'] as const;
export type Rating = (typeof RATINGS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The seed's "ISO 8601 string (required)", read to epoch ms once here (see parseTimestamp). A plain
 * string schema, not a union with epoch numbers, so a missing timestamp reads as missing_field.
 */
const timestamp = z.string().transform((text, ctx) => {
  const t = parseTimestamp(text);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'not a valid timestamp', params: { sluice: 'bad_timestamp' } });
    return z.NEVER;
  }
  return t;
});

/**
 * The seed's input event: `{location_id, event_type, timestamp, metrics}`; `timestamp` comes out as epoch ms. `metrics` is checked per
 * event type in the next step ({@link METRICS_SCHEMAS}), so a bad metric is reported with its own
 * path. Unknown top-level fields are dropped.
 *
 * @example
 * DashboardEvent.safeParse({ location_id: '1-101', event_type: 'dashboard_interaction', timestamp: '2026-11-20T12:00:00Z', metrics: {} })
 */
export const DashboardEvent = z.object({
  location_id: z.string().min(1),
  // A string first, so a missing event_type is reported as missing_field rather than as an invalid option.
  event_type: z.string().pipe(z.enum(EVENT_TYPES)),
  timestamp,
  metrics: z.record(z.string(), z.unknown()).nullish(),
});
export type DashboardEvent = z.infer<typeof DashboardEvent>;

const count = z.number().int().min(0);
const texts = z.array(z.string());

/** Ratings are compared case- and space-insensitively ("Requires Improvement" is common) and stored in CQC's spelling. */
const RATING_BY_TEXT = new Map<string, Rating>(RATINGS.map((r) => [r.toLowerCase(), r]));
const rating = z.string().transform((text, ctx) => {
  const found = RATING_BY_TEXT.get(text.trim().replace(/\s+/g, ' ').toLowerCase());
  if (found === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a CQC rating (expected one of ${RATINGS.join(', ')})` });
    return z.NEVER;
  }
  return found;
});

/**
 * Metrics per event type. Every field is optional except where an event would mean nothing
 * without it; unknown fields are dropped, so nothing unexpected (a user id, free text) reaches a
 * table.
 *
 * @example
 * METRICS_SCHEMAS.compliance_alert.safeParse({ severity: 'high', escalation_level: 2 })
 */
export const METRICS_SCHEMAS = {
  inspection_update: z
    .object({
      inspection_type: z.enum(['comprehensive', 'focused', 'follow_up', 'responsive']).nullish(),
      overall_rating: rating.nullish(),
      previous_rating: rating.nullish(),
      findings_count: count.nullish(),
      critical_findings: count.nullish(),
      areas_inspected: texts.nullish(),
      days_since_last_inspection: count.nullish(),
    })
    .refine((m) => m.critical_findings == null || m.findings_count == null || m.critical_findings <= m.findings_count, {
      message: 'critical_findings exceeds findings_count',
      path: ['critical_findings'],
    }),
  rating_change: z.object({
    previous_rating: rating.nullish(),
    new_rating: rating,
    change_reason: z.string().nullish(),
    enforcement_action: z.boolean().nullish(),
    specific_ratings_changed: texts.nullish(),
  }),
  capacity_update: z
    .object({
      total_beds: count,
      occupied_beds: count,
      available_beds: count.nullish(),
      agency_staff_ratio: z.number().min(0).max(1).nullish(),
      waiting_list: count.nullish(),
    })
    .refine((m) => m.occupied_beds <= m.total_beds, { message: 'occupied_beds exceeds total_beds', path: ['occupied_beds'] }),
  compliance_alert: z.object({
    severity: z.enum(SEVERITIES),
    category: z.string().nullish(),
    affected_areas: texts.nullish(),
    action_required: z.boolean().nullish(),
    safeguarding_concern: z.boolean().nullish(),
    escalation_level: z.number().int().min(0).max(5).nullish(),
  }),
  dashboard_interaction: z.object({
    user_type: z.string().nullish(),
    page_views: count.nullish(),
    interaction_type: z.string().nullish(),
    time_on_page: z.number().min(0).nullish(),
  }),
} as const;

export type InspectionMetrics = z.infer<(typeof METRICS_SCHEMAS)['inspection_update']>;
export type RatingChangeMetrics = z.infer<(typeof METRICS_SCHEMAS)['rating_change']>;
export type CapacityMetrics = z.infer<(typeof METRICS_SCHEMAS)['capacity_update']>;
export type ComplianceMetrics = z.infer<(typeof METRICS_SCHEMAS)['compliance_alert']>;
export type InteractionMetrics = z.infer<(typeof METRICS_SCHEMAS)['dashboard_interaction']>;

/** An event whose metrics passed its type's schema; `event_time` is epoch ms. */
export type ValidEvent = { readonly location_id: string; readonly event_time: number } & (
  | { readonly event_type: 'inspection_update'; readonly metrics: InspectionMetrics }
  | { readonly event_type: 'rating_change'; readonly metrics: RatingChangeMetrics }
  | { readonly event_type: 'capacity_update'; readonly metrics: CapacityMetrics }
  | { readonly event_type: 'compliance_alert'; readonly metrics: ComplianceMetrics }
  | { readonly event_type: 'dashboard_interaction'; readonly metrics: InteractionMetrics }
);

/**
 * One row of `realtime_features`: the event's identity and times, its time features, the
 * type-specific features (NULL for other types), the scores, and the validated metrics as JSON.
 */
export interface RealtimeFeatures {
  location_id: string;
  event_type: EventType;
  feature_category: string;
  event_timestamp: number;
  processing_timestamp: number;
  event_age_seconds: number;
  hour_of_day: number;
  day_of_week: number;
  is_weekend: boolean;
  is_business_hours: boolean;
  rating: Rating | null;
  previous_rating: Rating | null;
  rating_score: number | null;
  rating_change: number | null;
  enforcement_action: boolean | null;
  ratings_changed_count: number | null;
  inspection_type: string | null;
  findings_count: number | null;
  critical_findings: number | null;
  areas_inspected_count: number | null;
  days_since_last_inspection: number | null;
  total_beds: number | null;
  occupied_beds: number | null;
  available_beds: number | null;
  occupancy_rate: number | null;
  agency_staff_ratio: number | null;
  alert_severity: Severity | null;
  severity_level: number | null;
  alert_category: string | null;
  affected_areas_count: number | null;
  action_required: boolean | null;
  safeguarding_concern: boolean | null;
  escalation_level: number | null;
  user_type: string | null;
  interaction_type: string | null;
  page_views: number | null;
  time_on_page_seconds: number | null;
  real_time_risk_score: number;
  complexity_score: number;
  risk_level: 'low' | 'medium' | 'high';
  metrics: string;
}
