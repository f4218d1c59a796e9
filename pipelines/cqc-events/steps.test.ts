import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvelopeMeta } from '../../src/core/envelope.js';
import { Filtered, Rejection, type StepContext } from '../../src/core/step.js';
import { parseTimestamp } from '../../src/core/timestamps.js';
import type { DashboardEvent, ValidEvent } from './event-schema.js';
import { locationWindowStats } from './location-window.js';
import { londonOffsetMs, londonTime } from './london-time.js';
import { complexityScore, riskLevel, riskScore } from './scores.js';
import { type FeatureRecord, score, timeFeatures, typeFeatures, validateMetrics } from './steps.js';

const NOW = Date.UTC(2026, 10, 20, 12, 5);

const ctx: StepContext = {
  envelope: { id: 'm1', attributes: {}, publishTime: 0, receivedAt: 0, source: 'test' } satisfies EnvelopeMeta,
  now: NOW,
  pipeline: 'cqc-events',
  reject: (type, message) => new Rejection(type, message),
  filter: (reason) => new Filtered(reason ?? 'filtered'),
  setId: () => undefined,
};

function validate(event: DashboardEvent): ValidEvent | Rejection {
  return validateMetrics(event, ctx) as ValidEvent | Rejection;
}

function features(event: DashboardEvent): FeatureRecord {
  const valid = validate(event);
  if (valid instanceof Rejection) assert.fail(`rejected: ${valid.message}`);
  return score(timeFeatures(typeFeatures(valid, ctx) as FeatureRecord, ctx) as FeatureRecord, ctx) as FeatureRecord;
}

const event = (event_type: DashboardEvent['event_type'], metrics: Record<string, unknown>, timestamp = '2026-11-20T12:00:00Z'): DashboardEvent => ({
  location_id: '1-101',
  event_type,
  timestamp: parseTimestamp(timestamp) as number,
  metrics,
});

describe('cqc-events steps', () => {
  it('rejects bad metrics with an error type and a message naming the field, never its value', () => {
    const cases: Array<[DashboardEvent, string, RegExp]> = [
      [event('compliance_alert', { category: 'staffing' }), 'missing_field', /^compliance_alert metrics\.severity: required field is missing$/],
      [event('dashboard_interaction', { page_views: '3' }), 'wrong_type', /^dashboard_interaction metrics\.page_views: expected number, got string$/],
      [event('compliance_alert', { severity: 'high', escalation_level: 9 }), 'validation_failed', /metrics\.escalation_level: Too big/],
      [event('capacity_update', { total_beds: 10, occupied_beds: 12 }), 'validation_failed', /metrics\.occupied_beds: occupied_beds exceeds total_beds/],
      [event('rating_change', { new_rating: 'Very good' }), 'validation_failed', /metrics\.new_rating: not a CQC rating/],
      [event('capacity_update', {}), 'missing_field', /metrics\.total_beds: required field is missing \(\+1 more\)/],
    ];
    for (const [input, type, message] of cases) {
      const result = validate(input);
      assert.ok(result instanceof Rejection, JSON.stringify(input));
      assert.equal(result.errorType, type, JSON.stringify(input));
      assert.match(result.message, message);
      assert.ok(!result.message.includes('Very good') && !result.message.includes('"3"'));
    }
  });

  it('drops unknown metric fields and reads ratings in any case', () => {
    const r = features(event('rating_change', { previous_rating: 'good', new_rating: 'requires  Improvement', user_id: 'U-123456' }));
    assert.equal(r.rating, 'Requires improvement');
    assert.equal(r.previous_rating, 'Good');
    assert.equal(r.rating_change, -1);
    assert.equal(r.metrics, '{"previous_rating":"Good","new_rating":"Requires improvement"}');
  });

  it('masks personal data in free text before it is stored', () => {
    const r = features(event('rating_change', { new_rating: 'Good', change_reason: 'Raised by jane.doe@example.org on 07700 900123' }));
    assert.ok(!r.metrics.includes('jane.doe@example.org'), r.metrics);
    assert.match(r.metrics, /\[EMAIL_ADDRESS\]/);
  });

  it('computes type-specific features for every event type', () => {
    const capacity = features(event('capacity_update', { total_beds: 40, occupied_beds: 38, agency_staff_ratio: 0.2 }));
    assert.deepEqual([capacity.total_beds, capacity.occupied_beds, capacity.available_beds, capacity.occupancy_rate], [40, 38, 2, 0.95]);
    // 8 × (0.95 − 0.8)/0.2 + 2 × 0.2/0.4 = 6 + 1
    assert.equal(capacity.real_time_risk_score, 7);
    assert.equal(capacity.risk_level, 'high');
    const inspection = features(
      event('inspection_update', {
        inspection_type: 'focused',
        overall_rating: 'Inadequate',
        previous_rating: 'Good',
        findings_count: 12,
        critical_findings: 2,
        areas_inspected: ['safe', 'well_led'],
      }),
    );
    assert.deepEqual(
      [
        inspection.rating,
        inspection.rating_score,
        inspection.rating_change,
        inspection.findings_count,
        inspection.critical_findings,
        inspection.areas_inspected_count,
      ],
      ['Inadequate', 1, -2, 12, 2, 2],
    );
    // 7 + 2 + 0.1 × 10 = 10
    assert.equal(inspection.real_time_risk_score, 10);
    const concern = features(event('dashboard_interaction', { interaction_type: 'report_concern', page_views: 2 }));
    assert.equal(concern.real_time_risk_score, 3);
    assert.equal(concern.feature_category, 'engagement');
    assert.equal(concern.total_beds, null);
  });

  it('computes time features in England’s local time, with the processing time and event age', () => {
    const summer = features(event('dashboard_interaction', {}, '2026-07-03T16:30:00Z')); // Friday 17:30 BST
    assert.deepEqual([summer.hour_of_day, summer.day_of_week, summer.is_weekend, summer.is_business_hours], [17, 5, false, false]);
    const winter = features(event('dashboard_interaction', {}, '2026-11-20T16:30:00Z')); // Friday 16:30 GMT
    assert.deepEqual([winter.hour_of_day, winter.day_of_week, winter.is_weekend, winter.is_business_hours], [16, 5, false, true]);
    const sunday = features(event('dashboard_interaction', {}, '2026-11-22T10:00:00+00:00'));
    assert.deepEqual([sunday.day_of_week, sunday.is_weekend, sunday.is_business_hours], [7, true, false]);
    assert.equal(winter.processing_timestamp, NOW);
    assert.equal(features(event('dashboard_interaction', {}, '2026-11-20T12:04:30Z')).event_age_seconds, 30);
  });

  it('scores by the documented formulas', () => {
    const alert: ValidEvent = {
      location_id: 'l',
      event_time: 0,
      event_type: 'compliance_alert',
      metrics: { severity: 'critical', safeguarding_concern: true, action_required: true, escalation_level: 4 },
    };
    // 8.5 + 1.5 + 0.5 + 0.5 × 3 = 12 → clamped to 10
    assert.equal(riskScore(alert), 10);
    assert.equal(
      complexityScore({ severity: 'high', affected_areas: ['a', 'b', 'c'], action_required: true, safeguarding_concern: false, escalation_level: null }),
      0.5 * 4 + 3 + 1.5,
    );
    assert.equal(complexityScore({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }), 10, 'clamped');
    assert.deepEqual([riskLevel(3.49), riskLevel(3.5), riskLevel(6.99), riskLevel(7)], ['low', 'medium', 'medium', 'high']);
  });
});

describe('londonTime', () => {
  it('switches to BST at 01:00 UTC on the last Sunday of March and back on the last Sunday of October', () => {
    assert.equal(londonOffsetMs(Date.UTC(2026, 2, 29, 0, 59, 59)), 0);
    assert.equal(londonOffsetMs(Date.UTC(2026, 2, 29, 1, 0, 0)), 3_600_000);
    assert.equal(londonOffsetMs(Date.UTC(2026, 9, 25, 0, 59, 59)), 3_600_000);
    assert.equal(londonOffsetMs(Date.UTC(2026, 9, 25, 1, 0, 0)), 0);
  });

  it('agrees with Intl’s Europe/London on 5,000 instants between 2000 and 2040', () => {
    const format = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    let seed = 1;
    for (let i = 0; i < 5000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const t = Date.UTC(2000, 0, 1) + Math.floor((seed / 2 ** 32) * 40 * 365.25 * 86_400_000);
      const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
      assert.deepEqual(londonTime(t), { hour: Number(parts.hour), dayOfWeek: weekdays.indexOf(parts.weekday as string) + 1 }, new Date(t).toISOString());
    }
  });
});

describe('locationWindowStats', () => {
  it('aggregates a window and counts a redelivered event once', () => {
    const c = locationWindowStats();
    let acc = c.create();
    acc = c.add(acc, { id: 'a', risk: 9.5, complexity: 8, type: 'compliance_alert' });
    acc = c.add(acc, { id: 'b', risk: 0, complexity: 2, type: 'dashboard_interaction' });
    acc = c.add(acc, { id: 'a', risk: 9.5, complexity: 8, type: 'compliance_alert' });
    const expected = {
      window_event_count: 2,
      average_risk_score: 4.75,
      max_risk_score: 9.5,
      high_risk_event_count: 1,
      average_complexity_score: 5,
      unique_event_types: 2,
      event_types: ['compliance_alert', 'dashboard_interaction'],
    };
    assert.deepEqual(c.extract(acc), expected);
    const decoded = c.decode?.(JSON.parse(JSON.stringify(c.encode?.(acc))));
    assert.ok(decoded !== undefined);
    assert.deepEqual(c.extract(c.add(decoded, { id: 'a', risk: 9.5, complexity: 8, type: 'compliance_alert' })), expected, 'dedup survives a checkpoint');
  });
});
