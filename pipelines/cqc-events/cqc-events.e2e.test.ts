import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { EmbeddedOnlineStore } from '../../src/connectors/online-embedded/embedded-online-store.js';
import { LocalBus } from '../../src/connectors/local-bus/local-bus.js';
import type { Source, SourceBatch } from '../../src/core/source.js';
import type { GeneratedLine } from '../../src/generate/generator.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import { ManualClock } from '../../src/time/clock.js';
import { contentId, runBatch, runStreaming } from '../../src/runtime/runner.js';
import { stopWhenIdle } from '../../src/runtime/stop-when-idle.js';
import { ArraySource } from '../../test/support/array-source.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { cqcEventsGenerator } from './generator/index.js';
import { CQC_DEAD_LETTER_TOPIC, CQC_INPUT_TOPIC, cqcEventsPipeline } from './pipeline.js';
import { CQC_VIEWS, createCqcViews, SEED_QUERIES } from './views.js';

const hasher = createPiiHasher({ mode: 'hmac-sha256', key: 'test-key' });
const fixture = readFileSync(new URL('./fixtures/seed-examples.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n');

/** What `sluice publish dashboard-events` does with each line: a message whose id is the content hash. */
async function publish(bus: LocalBus, lines: readonly string[]): Promise<void> {
  await bus.publish(
    CQC_INPUT_TOPIC,
    lines.map((payload) => ({ id: contentId(payload), payload })),
  );
}

async function runFromBus(bus: LocalBus, wh: DuckDbWarehouse) {
  return runStreaming(cqcEventsPipeline({ hash: hasher.hash }), {
    source: stopWhenIdle(bus.subscribe(CQC_INPUT_TOPIC, { consumer: 'cqc-events' }), 300),
    warehouse: wh,
    bus,
  });
}

describe('cqc-events: the seed’s three example events', () => {
  it('land in realtime_features with their features, in realtime_features_aggregated, and the seed’s queries and the views run', async () => {
    const dir = tempDir();
    const bus = new LocalBus({ dir: join(dir, 'bus') });
    await bus.open();
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    await publish(bus, fixture);
    const result = await runFromBus(bus, wh);
    assert.deepEqual([result.accounting.received, result.accounting.written, result.accounting.errored], [3, 3, 0]);

    const features = await wh.query(
      `SELECT location_id, event_type, feature_category, event_timestamp, hour_of_day, day_of_week, is_weekend, is_business_hours,
        real_time_risk_score, complexity_score, risk_level, user_type, interaction_type, page_views, time_on_page_seconds,
        alert_severity, severity_level, alert_category, affected_areas_count, action_required, safeguarding_concern, escalation_level,
        rating, previous_rating, rating_score, rating_change, enforcement_action, ratings_changed_count, metrics::VARCHAR AS metrics
       FROM realtime_features ORDER BY location_id`,
    );
    const nulls = {
      user_type: null,
      interaction_type: null,
      page_views: null,
      time_on_page_seconds: null,
      alert_severity: null,
      severity_level: null,
      alert_category: null,
      affected_areas_count: null,
      action_required: null,
      safeguarding_concern: null,
      escalation_level: null,
      rating: null,
      previous_rating: null,
      rating_score: null,
      rating_change: null,
      enforcement_action: null,
      ratings_changed_count: null,
    };
    assert.deepEqual(features, [
      {
        ...nulls,
        location_id: 'test-location-123',
        event_type: 'dashboard_interaction',
        feature_category: 'engagement',
        event_timestamp: '2026-11-20T12:00:00.000Z',
        hour_of_day: 12,
        day_of_week: 5,
        is_weekend: false,
        is_business_hours: true,
        real_time_risk_score: 0,
        complexity_score: 2,
        risk_level: 'low',
        user_type: 'public',
        interaction_type: 'search',
        page_views: 1,
        time_on_page_seconds: 45.2,
        metrics: '{"user_type":"public","page_views":1,"interaction_type":"search","time_on_page":45.2}',
      },
      {
        ...nulls,
        location_id: 'test-location-456',
        event_type: 'compliance_alert',
        feature_category: 'compliance',
        event_timestamp: '2026-11-20T12:01:30.000Z',
        hour_of_day: 12,
        day_of_week: 5,
        is_weekend: false,
        is_business_hours: true,
        real_time_risk_score: 9.5,
        complexity_score: 8,
        risk_level: 'high',
        alert_severity: 'high',
        severity_level: 3,
        alert_category: 'safeguarding',
        affected_areas_count: 2,
        action_required: true,
        safeguarding_concern: true,
        escalation_level: 2,
        metrics:
          '{"severity":"high","category":"safeguarding","affected_areas":["care_planning","medication_management"],"action_required":true,"safeguarding_concern":true,"escalation_level":2}',
      },
      {
        ...nulls,
        location_id: 'test-location-789',
        event_type: 'rating_change',
        feature_category: 'rating',
        event_timestamp: '2026-11-21T09:30:00.000Z',
        hour_of_day: 9,
        day_of_week: 6,
        is_weekend: true,
        is_business_hours: false,
        real_time_risk_score: 7.5,
        complexity_score: 6,
        risk_level: 'high',
        rating: 'Requires improvement',
        previous_rating: 'Good',
        rating_score: 2,
        rating_change: -1,
        enforcement_action: true,
        ratings_changed_count: 2,
        metrics:
          '{"previous_rating":"Good","new_rating":"Requires improvement","change_reason":"Follow-up inspection findings","enforcement_action":true,"specific_ratings_changed":["safe","well_led"]}',
      },
    ]);

    // Each location's window closed (two by the watermark, the last at the end of the input): one final ON_TIME pane each.
    const panes = await wh.query(
      `SELECT _id, location_id, window_start, window_end, window_event_count, average_risk_score, max_risk_score, high_risk_event_count, unique_event_types, event_types, pane_timing, pane_index, is_final
       FROM realtime_features_aggregated ORDER BY location_id`,
    );
    const start = (iso: string): number => Date.parse(iso);
    assert.deepEqual(panes, [
      {
        _id: `test-location-123|${start('2026-11-20T12:00:00Z')}|0`,
        location_id: 'test-location-123',
        window_start: '2026-11-20T12:00:00.000Z',
        window_end: '2026-11-20T12:05:00.000Z',
        window_event_count: 1,
        average_risk_score: 0,
        max_risk_score: 0,
        high_risk_event_count: 0,
        unique_event_types: 1,
        event_types: ['dashboard_interaction'],
        pane_timing: 'ON_TIME',
        pane_index: 0,
        is_final: true,
      },
      {
        _id: `test-location-456|${start('2026-11-20T12:00:00Z')}|0`,
        location_id: 'test-location-456',
        window_start: '2026-11-20T12:00:00.000Z',
        window_end: '2026-11-20T12:05:00.000Z',
        window_event_count: 1,
        average_risk_score: 9.5,
        max_risk_score: 9.5,
        high_risk_event_count: 1,
        unique_event_types: 1,
        event_types: ['compliance_alert'],
        pane_timing: 'ON_TIME',
        pane_index: 0,
        is_final: true,
      },
      {
        _id: `test-location-789|${start('2026-11-21T09:30:00Z')}|0`,
        location_id: 'test-location-789',
        window_start: '2026-11-21T09:30:00.000Z',
        window_end: '2026-11-21T09:35:00.000Z',
        window_event_count: 1,
        average_risk_score: 7.5,
        max_risk_score: 7.5,
        high_risk_event_count: 1,
        unique_event_types: 1,
        event_types: ['rating_change'],
        pane_timing: 'ON_TIME',
        pane_index: 0,
        is_final: true,
      },
    ]);

    await createCqcViews(wh);
    assert.deepEqual(
      await wh.query('SELECT location_id, event_count_24h, avg_risk_score_24h, high_risk_events_24h FROM location_risk_summary ORDER BY location_id'),
      [
        { location_id: 'test-location-123', event_count_24h: 1, avg_risk_score_24h: 0, high_risk_events_24h: 0 },
        { location_id: 'test-location-456', event_count_24h: 1, avg_risk_score_24h: 9.5, high_risk_events_24h: 1 },
        { location_id: 'test-location-789', event_count_24h: 1, avg_risk_score_24h: 7.5, high_risk_events_24h: 1 },
      ],
    );
    assert.deepEqual(await wh.query('SELECT hour, event_type, event_count FROM hourly_feature_stats ORDER BY hour, event_type'), [
      { hour: '2026-11-20T12:00:00.000Z', event_type: 'compliance_alert', event_count: 1 },
      { hour: '2026-11-20T12:00:00.000Z', event_type: 'dashboard_interaction', event_count: 1 },
      { hour: '2026-11-21T09:00:00.000Z', event_type: 'rating_change', event_count: 1 },
    ]);

    // The seed sends its examples stamped `$(date -Iseconds)`: do that too, so the "last hour" and
    // "today" queries have something to find. The first run's window state is restored.
    const stampedAt = Math.floor(Date.now() / 1000) * 1000;
    const stamp = new Date(stampedAt).toISOString().slice(0, 19);
    await publish(
      bus,
      fixture.map((line) => line.replace(/"timestamp":"[^"]+"/, `"timestamp":"${stamp}+00:00"`)),
    );
    const second = await runFromBus(bus, wh);
    assert.deepEqual([second.accounting.received, second.accounting.written, second.accounting.errored], [3, 3, 0]);

    assert.equal((await wh.query(SEED_QUERIES.latestFeatures)).length, 6);
    assert.equal((await wh.query(SEED_QUERIES.aggregatedFeatures)).length, 6);
    assert.deepEqual(await wh.query(SEED_QUERIES.errors), []);
    assert.deepEqual(
      (await wh.query(SEED_QUERIES.highestRiskLastHour)).map((r) => [r.location_id, r.avg_risk_score, r.event_count]),
      [
        ['test-location-456', 9.5, 1],
        ['test-location-789', 7.5, 1],
      ],
    );
    const byHour = await wh.query(SEED_QUERIES.eventTypesByHourToday);
    if (new Date().toISOString().slice(0, 10) === stamp.slice(0, 10)) {
      assert.deepEqual(
        byHour.map((r) => [r.hour, r.event_type, r.event_count]).sort(),
        [
          [new Date(stampedAt).getUTCHours(), 'compliance_alert', 1],
          [new Date(stampedAt).getUTCHours(), 'dashboard_interaction', 1],
          [new Date(stampedAt).getUTCHours(), 'rating_change', 1],
        ].sort(),
      );
    }
    for (const view of CQC_VIEWS) assert.ok((await wh.query(`SELECT * FROM ${view.name}`)).length >= 3, view.name);
    const latest = await wh.query('SELECT location_id, event_timestamp FROM latest_realtime_features ORDER BY location_id');
    assert.deepEqual(
      latest.map((r) => r.event_timestamp),
      [0, 1, 2].map(() => new Date(stampedAt).toISOString()),
    );
    await wh.close();
    await bus.close();
  });
});

describe('cqc-events: the online store', () => {
  it('serves entity `location` with each location’s latest features', async () => {
    const online = new EmbeddedOnlineStore();
    await online.open();
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const later = fixture[1]?.replace('"severity":"high"', '"severity":"low"').replace('12:01:30', '12:02:30') as string;
    const earlier = fixture[1]?.replace('"severity":"high"', '"severity":"critical"').replace('12:01:30', '12:00:30') as string;
    const result = await runBatch(cqcEventsPipeline({ hash: hasher.hash, online }), { source: new ArraySource([...fixture, later, earlier]), warehouse: wh });
    assert.equal(result.accounting.written, 5);
    const alert = await online.get('location', 'test-location-456');
    // The newest event wins even though an older one arrived after it: low (2) + safeguarding (1.5) + action (0.5) + escalation 2 (1).
    assert.deepEqual(alert?.features.last_risk_score, { value: 5, asOf: Date.parse('2026-11-20T12:02:30Z') });
    assert.deepEqual(alert?.features.last_event_type?.value, 'compliance_alert');
    const rating = await online.get('location', 'test-location-789');
    assert.deepEqual([rating?.features.current_rating?.value, rating?.features.last_risk_level?.value], ['Requires improvement', 'high']);
    await wh.close();
    await online.close();
  });
});

/** Lets the runner end without calling `finish`, like a process that stops (or crashes) after a commit. */
function unbounded(source: Source): Source {
  return {
    name: source.name,
    bounded: false,
    open: () => source.open(),
    pull: (max: number, waitMs: number): Promise<SourceBatch | null> => source.pull(max, waitMs),
    ack: (batch) => source.ack(batch),
    close: () => source.close(),
  };
}

describe('cqc-events: generated events', () => {
  const lines: readonly GeneratedLine[] = [...cqcEventsGenerator.generate({ count: 6000, seed: 'e2e', badRate: 0.06 })];
  const payloads = lines.map((l) => l.line);
  const wellFormed = new Set(lines.filter((l) => l.kind === 'valid' || l.kind === 'out_of_order' || l.kind === 'late').map((l) => contentId(l.line)));

  it('accounts for every event: bad ones as errors, each well-formed one once in realtime_features and once in a window or as a late_event', async () => {
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const clock = new ManualClock(Date.UTC(2026, 10, 22));
    const result = await runBatch(cqcEventsPipeline({ hash: hasher.hash, clock }), { source: new ArraySource(payloads), warehouse: wh, flushRows: 500, clock });
    const a = result.accounting;
    assert.equal(a.balanced, true);
    assert.equal(a.received, lines.length);
    assert.equal(a.errored, lines.filter((l) => l.kind === 'bad').length, 'every bad line, and only those, fails');
    const [counts] = await wh.query(`SELECT (SELECT count(*) FROM realtime_features) AS features,
      (SELECT count(*) FROM streaming_errors WHERE error_type = 'late_event') AS late,
      (SELECT sum(n) FROM (SELECT max(window_event_count) AS n FROM realtime_features_aggregated GROUP BY location_id, window_start)) AS windowed`);
    assert.equal(counts?.features, wellFormed.size, 'duplicates are stored once');
    assert.equal(
      Number(counts?.windowed) + Number(counts?.late),
      wellFormed.size,
      'each event is counted by one window or reported late — never both, never neither',
    );
    assert.equal(counts?.late, a.sideErrors, 'late events are side errors, outside the record books');
    const generatedLate = lines.filter((l) => l.kind === 'late').length;
    assert.ok(
      Number(counts?.late) >= generatedLate * 0.8 && Number(counts?.late) <= generatedLate,
      `late_event rows ${counts?.late} vs ${generatedLate} generated 10–60 min late`,
    );
    const types = (await wh.query('SELECT DISTINCT error_type FROM streaming_errors ORDER BY 1')).map((r) => r.error_type);
    assert.deepEqual(types, ['bad_timestamp', 'invalid_json', 'late_event', 'missing_field', 'validation_failed', 'wrong_type']);
    const [late] = await wh.query(`SELECT location_id, event_type, step, error_message FROM streaming_errors WHERE error_type = 'late_event' LIMIT 1`);
    assert.match(String(late?.location_id), /^1-\d{10}$/, 'late_event rows carry the location');
    assert.equal(late?.step, 'tap:location_5m_windows');
    const eventTypes = (await wh.query('SELECT DISTINCT event_type FROM realtime_features ORDER BY 1')).map((r) => r.event_type);
    assert.deepEqual(eventTypes, ['capacity_update', 'compliance_alert', 'dashboard_interaction', 'inspection_update', 'rating_change']);
    const [scores] = await wh.query(
      `SELECT min(real_time_risk_score) AS lo, max(real_time_risk_score) AS hi, min(complexity_score) AS clo, max(complexity_score) AS chi FROM realtime_features`,
    );
    assert.ok(Number(scores?.lo) >= 0 && Number(scores?.hi) <= 10 && Number(scores?.clo) >= 0 && Number(scores?.chi) <= 10);
    await wh.close();
  });

  it('a run stopped after a commit and restarted writes exactly the panes of one uninterrupted run', async () => {
    // Processing time stands still (no EARLY panes, no idleness) so the runs differ only by the restart.
    const clock = new ManualClock(Date.UTC(2026, 10, 22));
    const run = (source: Source, warehouse: DuckDbWarehouse) =>
      runBatch(cqcEventsPipeline({ hash: hasher.hash, clock }), { source, warehouse, flushRows: 500, clock });
    const whole = new DuckDbWarehouse({ path: ':memory:' });
    await whole.open();
    await run(new ArraySource(payloads), whole);

    const split = new DuckDbWarehouse({ path: ':memory:' });
    await split.open();
    // Cut on a batch boundary, so both runs see the same batches and the watermark moves at the same points.
    const cut = 2500;
    const first = await run(unbounded(new ArraySource(payloads.slice(0, cut))), split);
    assert.equal(first.stoppedBy, 'end-of-input');
    await run(new ArraySource(payloads.slice(cut)), split);

    const panesSql = `SELECT _id, window_event_count, average_risk_score, max_risk_score, high_risk_event_count, unique_event_types, pane_timing, is_final
      FROM realtime_features_aggregated ORDER BY _id`;
    const expected = await whole.query(panesSql);
    assert.ok(expected.length > 500, `${expected.length} panes`);
    assert.deepEqual(await split.query(panesSql), expected);
    const lateSql = `SELECT envelope_id FROM streaming_errors WHERE error_type = 'late_event' ORDER BY 1`;
    assert.deepEqual(await split.query(lateSql), await whole.query(lateSql));
    await whole.close();
    await split.close();
  });

  it('dead-letters failures with the location and event type, and no raw payload leaves unmasked', async () => {
    const dir = tempDir();
    const bus = new LocalBus({ dir: join(dir, 'bus') });
    await bus.open();
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const phone = '+44 7700 900123';
    const email = 'jane.doe@example.org';
    await publish(bus, [
      `{"location_id":"1-1000000001","event_type":"rating_change","timestamp":"2026-11-20T12:00:00Z","metrics":{"new_rating":"Very good","change_reason":"call ${phone} or ${email}"}}`,
      `{"location_id":"1-1000000002","event_type":"rating_change","timestamp":"2026-11-20T12:00:01Z","metrics":{"new_rating":"Good","change_reason":"complaint from ${email}"}}`,
    ]);
    const result = await runFromBus(bus, wh);
    assert.deepEqual([result.accounting.written, result.accounting.errored], [1, 1]);
    const [error] = await wh.query('SELECT error_type, error_message, location_id, event_type, raw_payload FROM streaming_errors');
    assert.equal(error?.error_type, 'validation_failed');
    assert.match(String(error?.error_message), /rating_change metrics\.new_rating: not a CQC rating/);
    assert.equal(error?.location_id, '1-1000000001');
    assert.equal(error?.event_type, 'rating_change');
    const stored = JSON.stringify(await wh.query('SELECT * FROM realtime_features')) + JSON.stringify(error);
    const dlq = readFileSync(join(dir, 'bus', 'topics', CQC_DEAD_LETTER_TOPIC, 'log'), 'utf8');
    assert.ok(dlq.includes('1-1000000001'));
    for (const text of [stored, dlq]) {
      assert.ok(!text.includes(email) && !text.includes(phone), 'free-text PII is masked in tables and dead letters');
    }
    await wh.close();
    await bus.close();
  });
});
