import type { OnlineStore } from '../../src/core/online-store.js';
import { pipeline } from '../../src/core/pipeline.js';
import { parseJson } from '../../src/core/steps/parse-json.js';
import { createPayloadRedactor } from '../../src/privacy/redact-payload.js';
import type { Clock } from '../../src/time/clock.js';
import { DashboardEvent } from './event-schema.js';
import { locationWindows } from './location-window.js';
import { writeLocationFeatures } from './online-features.js';
import { score, timeFeatures, typeFeatures, validateMetrics } from './steps.js';
import { realtimeFeatures, streamingErrors } from './tables.js';

export const CQC_INPUT_TOPIC = 'dashboard-events';
export const CQC_DEAD_LETTER_TOPIC = 'dashboard-events.dlq';

export interface CqcEventsOptions {
  /** The keyed PII hash; used on error-row payloads (the events themselves carry no personal fields). */
  readonly hash: (value: string) => string;
  /** Processing time for the window tap until the runner's first tick (tests pass a ManualClock). */
  readonly clock?: Clock;
  /** Where entity `location` is served from; without one the pipeline writes the warehouse only. */
  readonly online?: OnlineStore;
}

/**
 * Seeds 003/004: dashboard-events → parse → validate metrics per event type → type-specific
 * features → time features → risk and complexity scores → `realtime_features` → 5-minute windows
 * per location → `realtime_features_aggregated` → (with an online store) entity `location`.
 * Failures and late events → `streaming_errors` and `dashboard-events.dlq`.
 *
 * @example
 * const p = cqcEventsPipeline({ hash: piiHasherFromEnv().hash });
 */
export function cqcEventsPipeline(options: CqcEventsOptions) {
  // Free text in a bad payload (a change reason, a mistyped field) may hold a name or a phone
  // number: error rows and dead letters get it DLP-masked.
  const redact = createPayloadRedactor({ piiFields: [], hash: options.hash });
  const base = pipeline<string>({
    name: 'cqc-events',
    description: 'CQC dashboard events: real-time features and 5-minute location windows (seeds 003/004)',
    input: CQC_INPUT_TOPIC,
    errorTable: streamingErrors,
    deadLetterTopic: CQC_DEAD_LETTER_TOPIC,
    keyFields: ['location_id', 'event_type'],
    eventTimeField: 'timestamp',
    redactRawPayload: redact,
    redactErrorMessage: redact.maskText,
  })
    // Every step up to the feature row looks at one event at a time (step threads may run them);
    // the windows keep state and run on the main thread, in source order.
    .step('parse', parseJson(DashboardEvent), { stateless: true })
    .step('validateMetrics', validateMetrics, { stateless: true })
    .step('typeFeatures', typeFeatures, { stateless: true })
    .step('timeFeatures', timeFeatures, { stateless: true })
    .step('score', score, { stateless: true })
    .write(realtimeFeatures)
    .tap(locationWindows(options.clock !== undefined ? { clock: options.clock } : {}));
  return options.online === undefined ? base : base.step('onlineStore', writeLocationFeatures(options.online));
}
