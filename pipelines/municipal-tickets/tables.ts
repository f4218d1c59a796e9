import { errorTable } from '../../src/core/error-row.js';
import { defineTable } from '../../src/core/schema.js';

/** Seed step 4: `municipal_data.raw_tickets` (WRITE_APPEND, CREATE_NEVER in the seed; configurable here). */
export const rawTickets = defineTable({
  name: 'raw_tickets',
  // The envelope id is the ticket_id (step 1 sets it), so ticket_id is the key: an `_id` column
  // would hold the same text again (written, compressed and stored twice; 4% of a steps 1–5 run).
  key: 'ticket_id',
  partitionBy: 'submitted_at',
  description: 'Parsed tickets with PII hashed and DLP findings recorded; descriptions masked.',
  columns: [
    { name: 'ticket_id', type: 'string', nullable: false, cardinality: 'high' },
    { name: 'citizen_id_hash', type: 'string', cardinality: 'high' },
    { name: 'phone_hash', type: 'string', cardinality: 'high' },
    { name: 'submitted_at', type: 'timestamp', nullable: false },
    { name: 'ward', type: 'string', cardinality: 'low' },
    { name: 'pincode', type: 'string', cardinality: 'low' },
    { name: 'lat', type: 'double' },
    { name: 'lon', type: 'double' },
    { name: 'category', type: 'string', cardinality: 'low' },
    { name: 'subcategory', type: 'string', cardinality: 'low' },
    { name: 'description', type: 'string', cardinality: 'high' },
    { name: 'photos', type: 'string[]' },
    { name: 'language', type: 'string', cardinality: 'low' },
    { name: 'channel', type: 'string', cardinality: 'low' },
    { name: 'ingestion_timestamp', type: 'timestamp', nullable: false },
    { name: '_dlp_scanned', type: 'boolean', nullable: false },
    { name: '_dlp_findings', type: 'string[]' },
  ],
});

/** Seed step 5: `municipal_data.cleansed_tickets`, exactly the seed's fields. */
export const cleansedTickets = defineTable({
  name: 'cleansed_tickets',
  // As raw_tickets: keyed by ticket_id, the envelope id.
  key: 'ticket_id',
  partitionBy: 'submitted_at',
  columns: [
    { name: 'ticket_id', type: 'string', nullable: false, cardinality: 'high' },
    { name: 'citizen_id_hash', type: 'string', cardinality: 'high' },
    { name: 'submitted_at', type: 'timestamp', nullable: false },
    { name: 'ward', type: 'string', cardinality: 'low' },
    { name: 'pincode', type: 'string', cardinality: 'low' },
    { name: 'lat', type: 'double' },
    { name: 'lon', type: 'double' },
    { name: 'category', type: 'string', cardinality: 'low' },
    { name: 'subcategory', type: 'string', cardinality: 'low' },
    { name: 'description_clean', type: 'string', cardinality: 'high' },
    { name: 'photo_count', type: 'integer' },
    { name: 'language', type: 'string', cardinality: 'low' },
    { name: 'channel', type: 'string', cardinality: 'low' },
    { name: 'sentiment_score', type: 'double' },
  ],
});

/** Failures of every step, one row each, with the ticket id where it could be read. */
export const ticketErrors = errorTable('ticket_errors', [{ name: 'ticket_id', type: 'string', cardinality: 'high' }]);

/** Ticket lifecycle events from `tickets.status` (the second input), keyed `ticket_id:status:updated_at`. */
export const ticketStatusUpdates = defineTable({
  name: 'ticket_status_updates',
  partitionBy: 'updated_at',
  description: 'Status updates (in_progress, escalated, resolved) of tickets; they feed the escalation and response-time features.',
  columns: [
    { name: 'ticket_id', type: 'string', nullable: false, cardinality: 'high' },
    { name: 'status', type: 'string', nullable: false, cardinality: 'low' },
    { name: 'updated_at', type: 'timestamp', nullable: false },
    { name: 'response_minutes', type: 'double' },
    { name: 'ingestion_timestamp', type: 'timestamp', nullable: false },
  ],
});

/** Seed step 6: `municipal_data.ml_features`, one row per ticket, point-in-time correct (see src/features/tiles.ts). */
export const mlFeatures = defineTable({
  name: 'ml_features',
  partitionBy: 'submitted_at',
  description: 'Features of each ticket as of features_as_of: time, ward, citizen and category history.',
  columns: [
    { name: 'ticket_id', type: 'string', nullable: false, cardinality: 'high' },
    { name: 'submitted_at', type: 'timestamp', nullable: false },
    { name: 'features_as_of', type: 'timestamp', nullable: false },
    { name: 'ward', type: 'string', cardinality: 'low' },
    { name: 'category', type: 'string', cardinality: 'low' },
    { name: 'channel', type: 'string', cardinality: 'low' },
    { name: 'hour_of_day', type: 'integer', nullable: false },
    { name: 'day_of_week', type: 'integer', nullable: false },
    { name: 'is_weekend', type: 'boolean', nullable: false },
    { name: 'population_density', type: 'double' },
    { name: 'ward_tickets_7d', type: 'bigint' },
    { name: 'ward_escalation_rate_7d', type: 'double' },
    { name: 'citizen_previous_tickets_30d', type: 'bigint' },
    { name: 'citizen_previous_escalations', type: 'bigint' },
    { name: 'category_escalation_rate_30d', type: 'double' },
    { name: 'avg_response_time', type: 'double' },
    { name: 'computed_at', type: 'timestamp', nullable: false },
  ],
});

/**
 * Events the feature tiles refused — too late (their tile was already read) or a status update of
 * a ticket not seen yet. The records themselves are stored as usual; the backfill leaves these
 * events out too, so streaming and backfill agree.
 */
export const featureRefusals = defineTable({
  name: 'feature_refusals',
  partitionBy: 'event_time',
  columns: [
    { name: 'ticket_id', type: 'string', nullable: false, cardinality: 'high' },
    { name: 'kind', type: 'string', nullable: false, cardinality: 'low' },
    { name: 'reason', type: 'string', nullable: false, cardinality: 'low' },
    { name: 'event_time', type: 'timestamp', nullable: false },
    { name: 'refused_at', type: 'timestamp', nullable: false },
  ],
});

/**
 * Per table, the columns stamped with processing time (when a run happened) rather than computed
 * from the input: two runs over the same input differ only there.
 */
export const PROCESSING_TIME_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  raw_tickets: ['ingestion_timestamp'],
  cleansed_tickets: [],
  ticket_status_updates: ['ingestion_timestamp'],
  ml_features: ['computed_at'],
  ticket_errors: ['error_timestamp'],
  feature_refusals: ['refused_at'],
};
