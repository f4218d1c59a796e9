import type { FeatureScalar, FeatureWrite, OnlineStore } from '../../src/core/online-store.js';
import type { StepFn } from '../../src/core/step.js';
import { type BatchItem, batchedStep } from '../../src/features/batched-step.js';
import type { RealtimeFeatures } from './event-schema.js';
import type { LocationWindowValue } from './location-window.js';

/** The seed's Vertex AI Feature Store entity type. */
export const ONLINE_ENTITY = 'location';

/**
 * The latest-event features of a location, for the online store.
 *
 * @example
 * locationOnlineFeatures(record).values.last_risk_score; // 9.5
 */
export function locationOnlineFeatures(r: RealtimeFeatures): FeatureWrite {
  const values: Record<string, FeatureScalar> = {
    last_event_type: r.event_type,
    last_risk_score: r.real_time_risk_score,
    last_risk_level: r.risk_level,
    last_complexity_score: r.complexity_score,
  };
  if (r.rating !== null) values.current_rating = r.rating;
  if (r.occupancy_rate !== null) values.occupancy_rate = r.occupancy_rate;
  return { entity: ONLINE_ENTITY, id: r.location_id, values, asOf: r.event_timestamp };
}

/**
 * The 5-minute window features of a location, from a pane of `realtime_features_aggregated`.
 *
 * HOOK: not written yet. A stateful tap emits through `SideOutputs` (rows, topics, errors), which
 * has no online-store output; once it has one (or a pane tap gets the store), write this per pane.
 *
 * @example
 * locationWindowOnlineFeatures('1-101', windowEnd, pane.value).values.window_5m_event_count;
 */
export function locationWindowOnlineFeatures(locationId: string, windowEnd: number, v: LocationWindowValue): FeatureWrite {
  return {
    entity: ONLINE_ENTITY,
    id: locationId,
    asOf: windowEnd,
    values: {
      window_5m_event_count: v.window_event_count,
      window_5m_avg_risk_score: v.average_risk_score,
      window_5m_max_risk_score: v.max_risk_score,
      window_5m_high_risk_events: v.high_risk_event_count,
      window_5m_unique_event_types: v.unique_event_types,
    },
  };
}

/**
 * Writes each location's latest features to the online store: one write per batch, the newest
 * event per location only (a late event never rolls a location back within a batch; across
 * batches the store keeps the newest as-of).
 *
 * @example
 * pipeline.step('onlineStore', writeLocationFeatures(store))
 */
export function writeLocationFeatures<T extends RealtimeFeatures>(store: OnlineStore): StepFn<T, T> {
  return batchedStep(async (items: readonly BatchItem<T>[]) => {
    const latest = new Map<string, RealtimeFeatures>();
    for (const { value } of items) {
      const seen = latest.get(value.location_id);
      if (seen === undefined || seen.event_timestamp <= value.event_timestamp) latest.set(value.location_id, value);
    }
    await store.write([...latest.values()].map(locationOnlineFeatures));
    return items.map((i) => i.value);
  });
}
