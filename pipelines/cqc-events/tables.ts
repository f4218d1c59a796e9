import { errorTable } from '../../src/core/error-row.js';
import { defineTable } from '../../src/core/schema.js';

/** `cqc_dataset.realtime_features`: one row per event with its full feature set, keyed by the envelope id. */
export const realtimeFeatures = defineTable({
  name: 'realtime_features',
  partitionBy: 'event_timestamp',
  description: 'Dashboard events with type-specific, time and score features (seed 003/004).',
  columns: [
    { name: 'location_id', type: 'string', nullable: false },
    { name: 'event_type', type: 'string', nullable: false, cardinality: 'low' },
    { name: 'feature_category', type: 'string', nullable: false, cardinality: 'low' },
    { name: 'event_timestamp', type: 'timestamp', nullable: false },
    { name: 'processing_timestamp', type: 'timestamp', nullable: false },
    { name: 'event_age_seconds', type: 'double', description: 'processing_timestamp − event_timestamp' },
    { name: 'hour_of_day', type: 'integer', description: '0–23, Europe/London' },
    { name: 'day_of_week', type: 'integer', description: 'ISO: 1 = Monday … 7 = Sunday, Europe/London' },
    { name: 'is_weekend', type: 'boolean' },
    { name: 'is_business_hours', type: 'boolean', description: 'Monday–Friday 09:00–17:00 Europe/London' },
    { name: 'rating', type: 'string', cardinality: 'low', description: 'inspection overall_rating or rating_change new_rating' },
    { name: 'previous_rating', type: 'string', cardinality: 'low' },
    { name: 'rating_score', type: 'integer', description: 'Outstanding 4, Good 3, Requires improvement 2, Inadequate 1' },
    { name: 'rating_change', type: 'integer', description: 'rating_score − score(previous_rating); negative = downgrade' },
    { name: 'enforcement_action', type: 'boolean' },
    { name: 'ratings_changed_count', type: 'integer' },
    { name: 'inspection_type', type: 'string', cardinality: 'low' },
    { name: 'findings_count', type: 'integer' },
    { name: 'critical_findings', type: 'integer' },
    { name: 'areas_inspected_count', type: 'integer' },
    { name: 'days_since_last_inspection', type: 'integer' },
    { name: 'total_beds', type: 'integer' },
    { name: 'occupied_beds', type: 'integer' },
    { name: 'available_beds', type: 'integer' },
    { name: 'occupancy_rate', type: 'double' },
    { name: 'agency_staff_ratio', type: 'double' },
    { name: 'alert_severity', type: 'string', cardinality: 'low' },
    { name: 'severity_level', type: 'integer', description: 'low 1, medium 2, high 3, critical 4' },
    { name: 'alert_category', type: 'string', cardinality: 'low' },
    { name: 'affected_areas_count', type: 'integer' },
    { name: 'action_required', type: 'boolean' },
    { name: 'safeguarding_concern', type: 'boolean' },
    { name: 'escalation_level', type: 'integer' },
    { name: 'user_type', type: 'string', cardinality: 'low' },
    { name: 'interaction_type', type: 'string', cardinality: 'low' },
    { name: 'page_views', type: 'integer' },
    { name: 'time_on_page_seconds', type: 'double' },
    { name: 'real_time_risk_score', type: 'double', nullable: false, description: '0–10, see pipelines/cqc-events/README.md' },
    { name: 'complexity_score', type: 'double', nullable: false, description: '0–10, see pipelines/cqc-events/README.md' },
    { name: 'risk_level', type: 'string', nullable: false, cardinality: 'low', description: 'low < 3.5 ≤ medium < 7 ≤ high' },
    { name: 'metrics', type: 'json', description: 'the validated metrics (unknown fields dropped, free text DLP-masked)' },
  ],
});

/**
 * `cqc_dataset.realtime_features_aggregated`: one row per pane of each location's 5-minute window.
 * Panes accumulate, so a window's latest pane (highest `pane_index`) holds its whole aggregate.
 * `_id` is `<location_id>|<window start ms>|<pane_index>`.
 */
export const realtimeFeaturesAggregated = defineTable({
  name: 'realtime_features_aggregated',
  partitionBy: 'window_start',
  description: 'Per-location 5-minute windows: early panes every minute, on time at the watermark, late panes for 1 minute.',
  columns: [
    { name: 'location_id', type: 'string', nullable: false },
    { name: 'window_start', type: 'timestamp', nullable: false },
    { name: 'window_end', type: 'timestamp', nullable: false },
    { name: 'window_event_count', type: 'integer', nullable: false },
    { name: 'average_risk_score', type: 'double' },
    { name: 'max_risk_score', type: 'double' },
    { name: 'high_risk_event_count', type: 'integer', nullable: false },
    { name: 'average_complexity_score', type: 'double' },
    { name: 'unique_event_types', type: 'integer', nullable: false },
    { name: 'event_types', type: 'string[]' },
    { name: 'pane_timing', type: 'string', nullable: false, cardinality: 'low', description: 'EARLY, ON_TIME or LATE' },
    { name: 'pane_index', type: 'integer', nullable: false },
    { name: 'is_final', type: 'boolean', nullable: false, description: 'the pane fired as the window closed (its lateness ended, or the input ended)' },
    { name: 'aggregation_timestamp', type: 'timestamp', nullable: false, description: 'processing time the pane fired' },
  ],
});

/** `cqc_dataset.streaming_errors`: every failure, with the location and event type where they could be read. */
export const streamingErrors = errorTable('streaming_errors', [
  { name: 'location_id', type: 'string' },
  { name: 'event_type', type: 'string', cardinality: 'low' },
]);
