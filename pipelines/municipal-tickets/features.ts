import type { FeatureBackfill } from '../../src/features/backfill-sql.js';
import type { FeatureScalar } from '../../src/core/online-store.js';
import { count, defineFeatures, mean, ratio } from '../../src/features/define-features.js';

/**
 * Seed 000, step 6: the rolling features of a ticket, declared once. Streaming computes them in
 * the `features` step; `sluice features backfill municipal-tickets` computes the same values with
 * `backfillSql(MUNICIPAL_FEATURES, municipalBackfillSources())`.
 *
 * Events are tickets (`kind: 'ticket'`, at `submitted_at`) and status updates (`kind` = the status,
 * at `updated_at`), each attributed to its ticket's ward, category and citizen. Rates are
 * escalations per ticket within the same window (not the share of the window's tickets that were
 * escalated later, which would need their future).
 */
export const MUNICIPAL_FEATURES = defineFeatures({
  name: 'municipal_tickets_v1',
  tile: '1h',
  // The generator's out-of-order tickets are at most 2 minutes behind.
  lateness: '2m',
  entities: {
    ward: { key: 'ward' },
    category: { key: 'category' },
    citizen: { key: 'citizen_id_hash' },
  },
  features: {
    ward_tickets_7d: count({ entity: 'ward', window: '7d', where: { kind: 'ticket' } }),
    ward_escalation_rate_7d: ratio(
      count({ entity: 'ward', window: '7d', where: { kind: 'escalated' } }),
      count({ entity: 'ward', window: '7d', where: { kind: 'ticket' } }),
    ),
    citizen_previous_tickets_30d: count({ entity: 'citizen', window: '30d', where: { kind: 'ticket' } }),
    citizen_previous_escalations: count({ entity: 'citizen', window: '30d', where: { kind: 'escalated' } }),
    category_escalation_rate_30d: ratio(
      count({ entity: 'category', window: '30d', where: { kind: 'escalated' } }),
      count({ entity: 'category', window: '30d', where: { kind: 'ticket' } }),
    ),
    avg_response_time: mean({ entity: 'ward', window: '30d', field: 'response_minutes', where: { kind: 'resolved' } }),
  },
});

/** The rolling feature values of one ticket, in declaration order. */
export type MunicipalFeatureValues = Readonly<Record<(typeof MUNICIPAL_FEATURES.featureNames)[number], FeatureScalar>>;

/** Seed step 7: the feature ids written to the online store, for entity `ticket` and for its `ward`. */
export const ONLINE_FEATURE_IDS = ['ward_tickets_7d', 'escalation_rate_7d', 'avg_response_time'] as const;

/** Where status updates find the ticket they belong to (ward, category, citizen hash). */
export const TICKET_REF_ENTITY = 'ticket_ref';

/** The tap that stores status updates and records refused feature events (`feature_refusals`). */
export const FEATURES_TAP = 'features';

/** India Standard Time, UTC+05:30 all year: the seed's city is Bengaluru. */
export const IST_OFFSET_MINUTES = 330;

/** The seed's time features in the city's local time: hour 0–23, weekday Monday=0 (Python's `weekday()`), weekend = Sat/Sun. */
export function timeFeatures(epochMs: number, offsetMinutes = IST_OFFSET_MINUTES): { hour_of_day: number; day_of_week: number; is_weekend: boolean } {
  const local = epochMs + offsetMinutes * 60_000;
  const hour = Math.floor(local / 3_600_000) % 24;
  // 1970-01-01 was a Thursday (weekday 3).
  const day = (((Math.floor(local / 86_400_000) + 3) % 7) + 7) % 7;
  return { hour_of_day: (hour + 24) % 24, day_of_week: day, is_weekend: day >= 5 };
}

/**
 * The warehouse relations the backfill reads, over the raw tables: events (tickets, and status
 * updates joined to their ticket), targets (every raw ticket, optionally in `[from, to)`), and the
 * events streaming refused (`feature_refusals`).
 *
 * @example
 * const sql = backfillSql(MUNICIPAL_FEATURES, municipalBackfillSources({ from: Date.UTC(2026, 10, 1) }));
 */
export function municipalBackfillSources(range: { from?: number; to?: number } = {}): { eventsSql: string; targetsSql: string; excludedIdsSql: string } {
  const where: string[] = [];
  if (range.from !== undefined) where.push(`submitted_at >= epoch_ms(CAST(${Math.trunc(range.from)} AS BIGINT))`);
  if (range.to !== undefined) where.push(`submitted_at < epoch_ms(CAST(${Math.trunc(range.to)} AS BIGINT))`);
  return {
    eventsSql: `SELECT ticket_id AS _id, epoch_ms(submitted_at) AS event_time, 'ticket' AS kind, ward, category, citizen_id_hash, CAST(NULL AS DOUBLE) AS response_minutes FROM raw_tickets
      UNION ALL
      SELECT s._id, epoch_ms(s.updated_at) AS event_time, s.status AS kind, t.ward, t.category, t.citizen_id_hash, s.response_minutes
      FROM ticket_status_updates s JOIN raw_tickets t ON t.ticket_id = s.ticket_id`,
    targetsSql: `SELECT ticket_id AS _id, ticket_id, submitted_at, epoch_ms(submitted_at) AS target_time, ward, category, citizen_id_hash FROM raw_tickets${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`,
    excludedIdsSql: 'SELECT _id FROM feature_refusals',
  };
}

/** `sluice features backfill municipal-tickets`: recomputes ml_features' rolling features from the raw tables. */
export const municipalFeatureBackfill: FeatureBackfill = {
  pipeline: 'municipal-tickets',
  set: MUNICIPAL_FEATURES,
  sources: municipalBackfillSources,
  streamingTable: 'ml_features',
  timeColumn: 'submitted_at',
};
