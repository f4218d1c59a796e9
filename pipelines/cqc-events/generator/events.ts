import { type GeneratedLine, type GeneratorOptions, resolveGeneratorOptions } from '../../../src/generate/generator.js';
import { isoUtc } from '../../../src/generate/iso-time.js';
import { Random, WeightedChoices } from '../../../src/generate/random.js';
import { type EventType, RATINGS, type Rating, type Severity } from '../event-schema.js';
import { londonOffsetMs } from '../london-time.js';
import { applicableReason, BAD_REASON_CHOICES, corruptEvent, type EventObject } from './bad-records.js';
import { type CqcLocation, LocationPool } from './locations.js';

/**
 * The cqc-events stream: dashboard events of the five types for a pool of CQC locations, with bad
 * records at `badRate` and a share of late and out-of-order events.
 *
 * Shares (of lines):
 * - bad: `badRate`, of which a fifth are byte-exact duplicates of a recent valid line;
 * - of the rest, 0.5% late (10–60 min behind) and 2% out of order (≤ 2 min behind).
 * Event types: dashboard_interaction 55%, capacity_update 18% (locations with beds), compliance_alert 12%,
 * inspection_update 9%, rating_change 6%. Ratings and bed occupancy evolve per location.
 */

export const CQC_TOPIC = 'dashboard-events';
/** Dashboards are busier than complaint desks: 5 events per second on average unless told otherwise. */
export const CQC_DEFAULT_EVENTS_PER_SECOND = 5;
export const DUPLICATE_SHARE_OF_BAD = 0.2;
export const LATE_SHARE = 0.005;
export const OUT_OF_ORDER_SHARE = 0.02;
/** Duplicates copy one of the last valid lines: redeliveries come within seconds. */
const DUPLICATE_CANDIDATES = 64;
/** Share of timestamps written like `date -Iseconds` on an English machine (local time with offset), as the seed's examples are. */
const LOCAL_OFFSET_SHARE = 0.15;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Relative event rate by hour of day in England, mean 1: office hours dominate dashboard use. */
const HOURLY_RATE: readonly number[] = (() => {
  const raw = [0.2, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 1.2, 1.8, 1.9, 1.8, 1.5, 1.7, 1.8, 1.7, 1.5, 1.1, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3];
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((r) => r / mean);
})();

const TYPE_CHOICES = new WeightedChoices<EventType>([
  ['dashboard_interaction', 55],
  ['capacity_update', 18],
  ['compliance_alert', 12],
  ['inspection_update', 9],
  ['rating_change', 6],
]);
const USER_TYPES = new WeightedChoices<string>([
  ['public', 60],
  ['provider', 18],
  ['commissioner', 8],
  ['inspector', 6],
  ['internal', 8],
]);
const INTERACTIONS = new WeightedChoices<string>([
  ['search', 34],
  ['view_profile', 30],
  ['download_report', 12],
  ['compare', 9],
  ['filter', 10],
  ['report_concern', 5],
]);
const SEVERITY_BY_RATING: Readonly<Record<Rating, WeightedChoices<Severity>>> = (() => {
  const make = (w: readonly [number, number, number, number]) =>
    new WeightedChoices<Severity>([
      ['low', w[0]],
      ['medium', w[1]],
      ['high', w[2]],
      ['critical', w[3]],
    ]);
  return { Outstanding: make([55, 35, 9, 1]), Good: make([40, 38, 18, 4]), 'Requires improvement': make([20, 35, 32, 13]), Inadequate: make([10, 25, 40, 25]) };
})();
const ALERT_CATEGORIES = ['safeguarding', 'medication_management', 'staffing', 'infection_control', 'premises_safety', 'governance', 'care_planning'] as const;
const AREAS = [
  'care_planning',
  'medication_management',
  'staff_training',
  'record_keeping',
  'nutrition',
  'falls_prevention',
  'consent',
  'complaints_handling',
] as const;
const KEY_QUESTIONS = ['safe', 'effective', 'caring', 'responsive', 'well_led'] as const;
const INSPECTION_TYPES = new WeightedChoices<string>([
  ['comprehensive', 40],
  ['focused', 35],
  ['follow_up', 15],
  ['responsive', 10],
]);
const CHANGE_REASONS = [
  'Follow-up inspection findings',
  'Comprehensive inspection',
  'Focused inspection after concerns raised',
  'Improvements verified on re-inspection',
  'Enforcement action taken',
  'Review of monitoring information',
] as const;

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** `k` distinct items in list order (a draw per item, so output is stable). */
function subset<T>(rng: Random, items: readonly T[], k: number): T[] {
  const out: T[] = [];
  let need = Math.min(k, items.length);
  for (let i = 0; i < items.length && need > 0; i++) {
    if (rng.float() * (items.length - i) < need) {
      out.push(items[i] as T);
      need--;
    }
  }
  return out;
}

/** One rating step better (−1) or worse (+1), within the scale. */
function shiftRating(rating: Rating, step: -1 | 1): Rating {
  const i = Math.min(RATINGS.length - 1, Math.max(0, RATINGS.indexOf(rating) + step));
  return RATINGS[i] as Rating;
}

/** `2026-11-20T12:00:00+00:00`: what `date -Iseconds` prints on a machine in England. */
function isoLocalSeconds(t: number): string {
  const offset = londonOffsetMs(t);
  return `${isoUtc(t + offset).slice(0, 19)}${offset === 0 ? '+00:00' : '+01:00'}`;
}

function metricsFor(type: EventType, location: CqcLocation, rng: Random): Record<string, unknown> {
  switch (type) {
    case 'dashboard_interaction': {
      const m: Record<string, unknown> = {
        user_type: USER_TYPES.at(rng.float()),
        page_views: Math.min(200, 1 + Math.floor(rng.logNormal(1.5, 0.8))),
        interaction_type: INTERACTIONS.at(rng.float()),
      };
      if (rng.chance(0.9)) m.time_on_page = round1(rng.logNormal(35, 0.9));
      return m;
    }
    case 'capacity_update': {
      // A random walk of occupancy, with the odd surge to full.
      location.occupied = rng.chance(0.03) ? location.beds : Math.min(location.beds, Math.max(0, location.occupied + rng.int(-2, 2)));
      const m: Record<string, unknown> = {
        total_beds: location.beds,
        occupied_beds: location.occupied,
        available_beds: location.beds - location.occupied,
        agency_staff_ratio: round2(rng.uniform(0, location.rating === 'Good' || location.rating === 'Outstanding' ? 0.25 : 0.5)),
      };
      if (rng.chance(0.5)) m.waiting_list = rng.int(0, 8);
      return m;
    }
    case 'compliance_alert': {
      const severity = SEVERITY_BY_RATING[location.rating].at(rng.float());
      const category = rng.pick(ALERT_CATEGORIES);
      const level = severity === 'low' ? rng.int(0, 1) : severity === 'medium' ? rng.int(0, 2) : severity === 'high' ? rng.int(1, 3) : rng.int(2, 4);
      return {
        severity,
        category,
        affected_areas: subset(rng, AREAS, rng.int(1, 3)),
        action_required: severity === 'high' || severity === 'critical' ? rng.chance(0.9) : rng.chance(0.35),
        safeguarding_concern: category === 'safeguarding' || rng.chance(0.08),
        escalation_level: level,
      };
    }
    case 'inspection_update': {
      const inspectionType = INSPECTION_TYPES.at(rng.float());
      const previous = location.rating;
      const m: Record<string, unknown> = { inspection_type: inspectionType, previous_rating: previous };
      if (rng.chance(0.7)) {
        const u = rng.float();
        location.rating = u < 0.1 ? shiftRating(previous, -1) : u < 0.25 ? shiftRating(previous, 1) : previous;
        m.overall_rating = location.rating;
      }
      const severity = RATINGS.indexOf(location.rating);
      const findings = rng.int(0, 4 + 5 * severity);
      m.findings_count = findings;
      m.critical_findings = Math.min(findings, severity >= 2 ? rng.int(0, 3) : rng.chance(0.1) ? 1 : 0);
      m.areas_inspected = inspectionType === 'comprehensive' ? [...KEY_QUESTIONS] : subset(rng, KEY_QUESTIONS, rng.int(1, 3));
      m.days_since_last_inspection = rng.int(60, 1500);
      return m;
    }
    case 'rating_change': {
      const previous = location.rating;
      let next = shiftRating(previous, rng.chance(0.4) ? -1 : 1);
      if (next === previous) next = shiftRating(previous, previous === 'Outstanding' ? 1 : -1);
      location.rating = next;
      const worse = RATINGS.indexOf(next) > RATINGS.indexOf(previous);
      return {
        previous_rating: previous,
        new_rating: next,
        change_reason: rng.pick(CHANGE_REASONS),
        enforcement_action: worse && (next === 'Inadequate' || next === 'Requires improvement') ? rng.chance(0.5) : false,
        specific_ratings_changed: subset(rng, KEY_QUESTIONS, rng.int(1, 3)),
      };
    }
  }
}

/**
 * Generates the stream lazily. Memory is constant in `count` apart from the location pool (at most
 * 5,000 small objects): the PRNG streams and a ring of recent lines for duplicates.
 *
 * @example
 * for (const { line } of generateCqcEvents({ count: 1000, seed: 1, badRate: 0.05 })) out(line);
 */
export function* generateCqcEvents(options: GeneratorOptions): Generator<GeneratedLine, void, undefined> {
  const o = resolveGeneratorOptions({ ...options, eventsPerSecond: options.eventsPerSecond ?? CQC_DEFAULT_EVENTS_PER_SECOND });
  // Separate streams per concern, so e.g. corruptions never shift which events come next.
  const rng = new Random(o.seed);
  const metricsRng = rng.derive('metrics');
  const badRng = rng.derive('bad');
  const pool = new LocationPool(o.seed, LocationPool.sizeFor(o.count));
  const recent: Array<{ line: string; eventTime: number }> = [];
  let recentNext = 0;
  const meanGapMs = SECOND / o.eventsPerSecond;
  let clock = o.startTime;

  const draft = (eventTime: number): EventObject => {
    const location = pool.pick(rng);
    let type = TYPE_CHOICES.at(rng.float());
    if (type === 'capacity_update' && location.beds === 0) type = 'dashboard_interaction';
    return {
      location_id: location.id,
      event_type: type,
      timestamp: rng.chance(LOCAL_OFFSET_SHARE) ? isoLocalSeconds(eventTime) : isoUtc(eventTime),
      metrics: metricsFor(type, location, metricsRng),
    };
  };

  for (let i = 0; i < o.count; i++) {
    const hour = Math.floor((clock + londonOffsetMs(clock)) / HOUR) % 24;
    clock += rng.exponential(meanGapMs / (HOURLY_RATE[hour] as number));
    const now = Math.floor(clock / SECOND) * SECOND;

    if (rng.chance(o.badRate)) {
      if (recent.length > 0 && badRng.chance(DUPLICATE_SHARE_OF_BAD)) {
        const copy = recent[badRng.int(0, recent.length - 1)] as { line: string; eventTime: number };
        yield { topic: CQC_TOPIC, line: copy.line, kind: 'duplicate', badReason: 'duplicate', eventTime: copy.eventTime };
        continue;
      }
      const event = draft(now);
      const reason = applicableReason(BAD_REASON_CHOICES.at(badRng.float()), event.event_type as EventType);
      yield { topic: CQC_TOPIC, line: corruptEvent(badRng, reason, event, JSON.stringify(event)), kind: 'bad', badReason: reason };
      continue;
    }

    const lag = rng.float();
    let eventTime = now;
    let kind: 'valid' | 'late' | 'out_of_order' = 'valid';
    if (lag < LATE_SHARE) {
      kind = 'late';
      eventTime = now - Math.floor(rng.uniform(10 * MINUTE, 60 * MINUTE) / SECOND) * SECOND;
    } else if (lag < LATE_SHARE + OUT_OF_ORDER_SHARE) {
      kind = 'out_of_order';
      eventTime = now - rng.int(1, 120) * SECOND;
    }
    const line = JSON.stringify(draft(eventTime));
    if (kind === 'valid') {
      if (recent.length < DUPLICATE_CANDIDATES) recent.push({ line, eventTime });
      else recent[recentNext] = { line, eventTime };
      recentNext = (recentNext + 1) % DUPLICATE_CANDIDATES;
    }
    yield { topic: CQC_TOPIC, line, kind, eventTime };
  }
}
