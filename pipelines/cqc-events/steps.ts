import type { z } from 'zod';
import { ErrorTypes } from '../../src/core/error-row.js';
import type { StepFn } from '../../src/core/step.js';
import { dlpScan, maskFindings } from '../../src/privacy/dlp.js';
import { type DashboardEvent, type EventType, METRICS_SCHEMAS, type RealtimeFeatures, type ValidEvent } from './event-schema.js';
import { londonTime } from './london-time.js';
import { complexityScore, RATING_SCORE, riskLevel, riskScore, SEVERITY_LEVEL } from './scores.js';

/** The feature group each event type feeds (the seed's "feature groups by event category"). */
export const FEATURE_CATEGORY: Readonly<Record<EventType, string>> = {
  inspection_update: 'inspection',
  rating_change: 'rating',
  capacity_update: 'capacity',
  compliance_alert: 'compliance',
  dashboard_interaction: 'engagement',
};

/** A feature row in the making: the validated event rides along for the scoring step and is not a column. */
export type FeatureRecord = RealtimeFeatures & { readonly event: ValidEvent };

const EMPTY_METRICS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Names the first metrics issue the way `parseJson` names schema issues: by path, never by value. */
function classifyMetricsIssue(issue: z.core.$ZodIssue, metrics: Readonly<Record<string, unknown>>): { type: string; message: string } {
  const path = ['metrics', ...issue.path.map(String)].join('.');
  let value: unknown = metrics;
  for (const key of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  // Whatever the check (a type, an enum), an absent value is a missing field.
  if (value === undefined || value === null) return { type: ErrorTypes.missingField, message: `${path}: required field is missing` };
  if (issue.code === 'invalid_type') {
    return { type: ErrorTypes.wrongType, message: `${path}: expected ${issue.expected}, got ${Array.isArray(value) ? 'array' : typeof value}` };
  }
  return { type: ErrorTypes.validation, message: `${path}: ${issue.message}` };
}

/**
 * Checks `metrics` against its event type's schema and resolves the event time. Unknown metric
 * fields are dropped here.
 *
 * @example
 * pipeline.step('validateMetrics', validateMetrics)
 */
export const validateMetrics: StepFn<DashboardEvent, ValidEvent> = (e, ctx) => {
  const metrics = e.metrics ?? EMPTY_METRICS;
  const result = METRICS_SCHEMAS[e.event_type].safeParse(metrics);
  if (!result.success) {
    const first = result.error.issues[0];
    const { type, message } = first === undefined ? { type: ErrorTypes.validation, message: 'metrics: invalid' } : classifyMetricsIssue(first, metrics);
    const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more)` : '';
    return ctx.reject(type, `${e.event_type} ${message}${more}`);
  }
  return { location_id: e.location_id, event_time: e.timestamp, event_type: e.event_type, metrics: result.data } as ValidEvent;
};

/** Free text may carry names or phone numbers: masked before the metrics are stored as JSON. */
function maskText(text: string): string {
  const findings = dlpScan(text);
  return findings.length === 0 ? text : maskFindings(text, findings);
}

function blankRecord(e: ValidEvent): FeatureRecord {
  return {
    event: e,
    location_id: e.location_id,
    event_type: e.event_type,
    feature_category: FEATURE_CATEGORY[e.event_type],
    event_timestamp: e.event_time,
    // Doubles from the start (not the small integer 0): a field that later changes representation
    // makes V8 migrate every record's hidden class.
    processing_timestamp: e.event_time,
    event_age_seconds: Number.NaN,
    hour_of_day: 0,
    day_of_week: 0,
    is_weekend: false,
    is_business_hours: false,
    rating: null,
    previous_rating: null,
    rating_score: null,
    rating_change: null,
    enforcement_action: null,
    ratings_changed_count: null,
    inspection_type: null,
    findings_count: null,
    critical_findings: null,
    areas_inspected_count: null,
    days_since_last_inspection: null,
    total_beds: null,
    occupied_beds: null,
    available_beds: null,
    occupancy_rate: null,
    agency_staff_ratio: null,
    alert_severity: null,
    severity_level: null,
    alert_category: null,
    affected_areas_count: null,
    action_required: null,
    safeguarding_concern: null,
    escalation_level: null,
    user_type: null,
    interaction_type: null,
    page_views: null,
    time_on_page_seconds: null,
    real_time_risk_score: Number.NaN,
    complexity_score: Number.NaN,
    risk_level: 'low',
    metrics: '{}',
  };
}

/**
 * Type-specific feature extraction (the seed's DashboardMetricsTransformer): each event type fills
 * its own columns; the others stay NULL.
 *
 * @example
 * pipeline.step('typeFeatures', typeFeatures)
 */
export const typeFeatures: StepFn<ValidEvent, FeatureRecord> = (e) => {
  const r = blankRecord(e);
  switch (e.event_type) {
    case 'inspection_update': {
      const m = e.metrics;
      r.inspection_type = m.inspection_type ?? null;
      r.rating = m.overall_rating ?? null;
      r.previous_rating = m.previous_rating ?? null;
      r.rating_score = m.overall_rating == null ? null : RATING_SCORE[m.overall_rating];
      r.rating_change = m.overall_rating == null || m.previous_rating == null ? null : RATING_SCORE[m.overall_rating] - RATING_SCORE[m.previous_rating];
      r.findings_count = m.findings_count ?? null;
      r.critical_findings = m.critical_findings ?? null;
      r.areas_inspected_count = m.areas_inspected?.length ?? null;
      r.days_since_last_inspection = m.days_since_last_inspection ?? null;
      r.metrics = JSON.stringify(m);
      break;
    }
    case 'rating_change': {
      const m = e.metrics;
      r.rating = m.new_rating;
      r.previous_rating = m.previous_rating ?? null;
      r.rating_score = RATING_SCORE[m.new_rating];
      r.rating_change = m.previous_rating == null ? null : RATING_SCORE[m.new_rating] - RATING_SCORE[m.previous_rating];
      r.enforcement_action = m.enforcement_action ?? null;
      r.ratings_changed_count = m.specific_ratings_changed?.length ?? null;
      r.metrics = JSON.stringify(m.change_reason == null ? m : { ...m, change_reason: maskText(m.change_reason) });
      break;
    }
    case 'capacity_update': {
      const m = e.metrics;
      r.total_beds = m.total_beds;
      r.occupied_beds = m.occupied_beds;
      r.available_beds = m.available_beds ?? m.total_beds - m.occupied_beds;
      r.occupancy_rate = m.total_beds === 0 ? null : Math.round((m.occupied_beds / m.total_beds) * 10_000) / 10_000;
      r.agency_staff_ratio = m.agency_staff_ratio ?? null;
      r.metrics = JSON.stringify(m);
      break;
    }
    case 'compliance_alert': {
      const m = e.metrics;
      r.alert_severity = m.severity;
      r.severity_level = SEVERITY_LEVEL[m.severity];
      r.alert_category = m.category ?? null;
      r.affected_areas_count = m.affected_areas?.length ?? null;
      r.action_required = m.action_required ?? null;
      r.safeguarding_concern = m.safeguarding_concern ?? null;
      r.escalation_level = m.escalation_level ?? null;
      r.metrics = JSON.stringify(m);
      break;
    }
    case 'dashboard_interaction': {
      const m = e.metrics;
      r.user_type = m.user_type ?? null;
      r.interaction_type = m.interaction_type ?? null;
      r.page_views = m.page_views ?? null;
      r.time_on_page_seconds = m.time_on_page ?? null;
      r.metrics = JSON.stringify(m);
      break;
    }
  }
  return r;
};

/**
 * Time features in England's local time (the dashboards are English): hour, ISO weekday, weekend,
 * business hours (Monday–Friday 09:00–17:00; bank holidays are not modelled), plus the processing
 * time and how old the event was when processed.
 *
 * @example
 * pipeline.step('timeFeatures', timeFeatures)
 */
export const timeFeatures: StepFn<FeatureRecord, FeatureRecord> = (r, ctx) => {
  const { hour, dayOfWeek } = londonTime(r.event_timestamp);
  r.hour_of_day = hour;
  r.day_of_week = dayOfWeek;
  r.is_weekend = dayOfWeek >= 6;
  r.is_business_hours = dayOfWeek <= 5 && hour >= 9 && hour < 17;
  r.processing_timestamp = ctx.now;
  r.event_age_seconds = Math.round(ctx.now - r.event_timestamp) / 1000;
  return r;
};

/**
 * The real-time risk score, its level, and the complexity score (formulas in `scores.ts` and the README).
 *
 * @example
 * pipeline.step('score', score)
 */
export const score: StepFn<FeatureRecord, FeatureRecord> = (r) => {
  r.real_time_risk_score = riskScore(r.event);
  r.risk_level = riskLevel(r.real_time_risk_score);
  r.complexity_score = complexityScore(r.event.metrics);
  return r;
};
