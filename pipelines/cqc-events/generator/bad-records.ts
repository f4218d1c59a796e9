import { ErrorTypes } from '../../../src/core/error-row.js';
import { type Random, WeightedChoices } from '../../../src/generate/random.js';
import type { EventType } from '../event-schema.js';

/**
 * The ways a `dashboard-events` message goes wrong, each guaranteed to fail the pipeline's parse
 * or metrics validation with the error type in {@link BAD_REASON_ERROR_TYPE} (the generator test
 * runs every one through the pipeline's steps).
 */
export type BadReason =
  | 'truncated_json'
  | 'not_json'
  | 'missing_location_id'
  | 'null_location_id'
  | 'numeric_location_id'
  | 'missing_event_type'
  | 'unknown_event_type'
  | 'missing_timestamp'
  | 'bad_timestamp'
  | 'metrics_not_object'
  | 'wrong_type_metric'
  | 'missing_required_metric'
  | 'out_of_range_metric';

/** Relative frequency of each corruption among bad lines that are not duplicates. */
export const BAD_REASON_CHOICES = new WeightedChoices<BadReason>([
  ['truncated_json', 16],
  ['not_json', 6],
  ['missing_location_id', 7],
  ['null_location_id', 3],
  ['numeric_location_id', 3],
  ['missing_event_type', 5],
  ['unknown_event_type', 8],
  ['missing_timestamp', 5],
  ['bad_timestamp', 12],
  ['metrics_not_object', 4],
  ['wrong_type_metric', 12],
  ['missing_required_metric', 7],
  ['out_of_range_metric', 12],
]);

/** The `error_type` each corruption must produce in `streaming_errors`. */
export const BAD_REASON_ERROR_TYPE: Readonly<Record<BadReason, string>> = {
  truncated_json: ErrorTypes.invalidJson,
  not_json: ErrorTypes.invalidJson,
  missing_location_id: ErrorTypes.missingField,
  null_location_id: ErrorTypes.missingField,
  numeric_location_id: ErrorTypes.wrongType,
  missing_event_type: ErrorTypes.missingField,
  unknown_event_type: ErrorTypes.validation,
  missing_timestamp: ErrorTypes.missingField,
  bad_timestamp: ErrorTypes.badTimestamp,
  metrics_not_object: ErrorTypes.wrongType,
  wrong_type_metric: ErrorTypes.wrongType,
  missing_required_metric: ErrorTypes.missingField,
  out_of_range_metric: ErrorTypes.validation,
};

/** A well-formed event before rendering, as a plain object the corruptions may change. */
export interface EventObject {
  location_id: unknown;
  event_type: unknown;
  timestamp: unknown;
  metrics: Record<string, unknown> | unknown;
}

const BAD_TIMESTAMPS = ['2026-02-30T10:00:00Z', 'yesterday', '20/11/2026 12:00', '', '2026-11-20T25:00:00Z', '1700000000'];
const UNKNOWN_TYPES = ['inspection_updated', 'ratingChange', 'bed_update', 'DASHBOARD_INTERACTION', 'provider_merge', ''];
const NOT_OBJECT_METRICS: readonly unknown[] = ['page_views=3', [1, 2], 42];

/** A metric per event type with a numeric or boolean value to send as text, and one the schema requires. */
const WRONG_TYPE: Readonly<Record<EventType, readonly [string, unknown]>> = {
  dashboard_interaction: ['page_views', '3'],
  capacity_update: ['total_beds', '40 beds'],
  compliance_alert: ['action_required', 'yes'],
  inspection_update: ['findings_count', 'several'],
  rating_change: ['new_rating', 2],
};
const REQUIRED: Readonly<Partial<Record<EventType, string>>> = {
  capacity_update: 'occupied_beds',
  compliance_alert: 'severity',
  rating_change: 'new_rating',
};

function outOfRange(type: EventType, metrics: Record<string, unknown>, rng: Random): void {
  switch (type) {
    case 'dashboard_interaction':
      metrics.page_views = -rng.int(1, 5);
      return;
    case 'capacity_update':
      if (rng.chance(0.5)) metrics.occupied_beds = (metrics.total_beds as number) + rng.int(1, 10);
      else metrics.agency_staff_ratio = 1 + rng.int(1, 9) / 10;
      return;
    case 'compliance_alert':
      if (rng.chance(0.5)) metrics.escalation_level = rng.int(6, 12);
      else metrics.severity = 'extreme';
      return;
    case 'inspection_update':
      metrics.findings_count = 1;
      metrics.critical_findings = rng.int(2, 5);
      return;
    case 'rating_change':
      metrics.new_rating = rng.pick(['Very good', 'Excellent', 'Poor']);
      return;
  }
}

/**
 * `reason`, or a mistyped metric where `reason` cannot apply to this event type (only some types
 * have a required metric to leave out).
 *
 * @example
 * const reason = applicableReason(BAD_REASON_CHOICES.at(rng.float()), 'dashboard_interaction');
 */
export function applicableReason(reason: BadReason, type: EventType): BadReason {
  return reason === 'missing_required_metric' && REQUIRED[type] === undefined ? 'wrong_type_metric' : reason;
}

/**
 * Corrupts one well-formed event into a line that fails the pipeline as `reason` says.
 *
 * @example
 * const line = corruptEvent(rng, 'bad_timestamp', event, JSON.stringify(event));
 */
export function corruptEvent(rng: Random, reason: BadReason, event: EventObject, line: string): string {
  const type = event.event_type as EventType;
  const e: EventObject = { ...event, metrics: { ...(event.metrics as Record<string, unknown>) } };
  const metrics = e.metrics as Record<string, unknown>;
  switch (reason) {
    case 'truncated_json':
      // Any proper prefix of a JSON object is unparseable: its closing brace is missing.
      return line.slice(0, rng.int(1, line.length - 2));
    case 'not_json':
      return rng.chance(0.5)
        ? `{'location_id': '${String(event.location_id)}', 'event_type': '${type}', 'timestamp': '${String(event.timestamp)}'}`
        : `location=${String(event.location_id)} event=${type} at=${String(event.timestamp)}`;
    case 'missing_location_id':
      return JSON.stringify({ event_type: e.event_type, timestamp: e.timestamp, metrics: e.metrics });
    case 'null_location_id':
      e.location_id = null;
      break;
    case 'numeric_location_id':
      e.location_id = Number(String(event.location_id).replace(/\D/g, ''));
      break;
    case 'missing_event_type':
      return JSON.stringify({ location_id: e.location_id, timestamp: e.timestamp, metrics: e.metrics });
    case 'unknown_event_type':
      e.event_type = rng.pick(UNKNOWN_TYPES);
      break;
    case 'missing_timestamp':
      return JSON.stringify({ location_id: e.location_id, event_type: e.event_type, metrics: e.metrics });
    case 'bad_timestamp':
      e.timestamp = rng.pick(BAD_TIMESTAMPS);
      break;
    case 'metrics_not_object':
      e.metrics = rng.pick(NOT_OBJECT_METRICS);
      break;
    case 'wrong_type_metric': {
      const [field, value] = WRONG_TYPE[type];
      metrics[field] = value;
      break;
    }
    case 'missing_required_metric': {
      const field = REQUIRED[type];
      if (field === undefined) throw new RangeError(`${type} events require no metric; pick another corruption (see applicableReason)`);
      delete metrics[field];
      break;
    }
    case 'out_of_range_metric':
      outOfRange(type, metrics, rng);
      break;
  }
  return JSON.stringify(e);
}
