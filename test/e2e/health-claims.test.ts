import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BAD_REASON_ERROR_TYPES, type ClaimLine, generateClaims } from '../../pipelines/health-claims/generator/index.js';
import { healthClaimsPipeline } from '../../pipelines/health-claims/pipeline.js';
import { SEED_QUERIES } from '../../pipelines/health-claims/queries.js';
import { runDemo } from '../../src/cli/commands/demo.js';
import { exportTable } from '../../src/cli/commands/export.js';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { JsonLinesSource } from '../../src/connectors/files/jsonl-source.js';
import { LocalBus } from '../../src/connectors/local-bus/local-bus.js';
import { WELL_FORMED_KINDS } from '../../src/generate/generator.js';
import { createPiiHasher } from '../../src/privacy/hash-pii.js';
import { runBatch, runStreaming } from '../../src/runtime/runner.js';
import { stopWhenIdle } from '../../src/runtime/stop-when-idle.js';
import { KnownValueScanner } from '../support/pii-scanner.js';
import { tempDir } from '../support/temp-dir.js';

const hasher = createPiiHasher({ mode: 'hmac-sha256', key: 'test-key' });

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting half (Mann–Whitney U over mid-ranks).
 */
function auc(positives: readonly number[], negatives: readonly number[]): number {
  const all = [...positives.map((s) => [s, 1] as const), ...negatives.map((s) => [s, 0] as const)].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && (all[j] as readonly [number, number])[0] === (all[i] as readonly [number, number])[0]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if ((all[k] as readonly [number, number])[1] === 1) rankSum += midRank;
    i = j;
  }
  return (rankSum - (positives.length * (positives.length + 1)) / 2) / (positives.length * negatives.length);
}

describe('auc', () => {
  it('is 1 for a perfect ranking, 0.5 for ties, 0 for an inverted one', () => {
    assert.equal(auc([0.9, 0.8], [0.1, 0.2]), 1);
    assert.equal(auc([0.5, 0.5], [0.5]), 0.5);
    assert.equal(auc([0.1], [0.9, 0.8]), 0);
    assert.equal(auc([0.9, 0.3], [0.5, 0.1]), 0.75);
  });
});

describe('health-claims, parse → validate → hash → enrich → claims_events_stream', () => {
  const dir = tempDir();
  const lines: ClaimLine[] = [...generateClaims({ count: 20_000, seed: 'e2e-claims', badRate: 0.05 })];
  const path = join(dir, 'claims.jsonl');
  writeFileSync(path, lines.map((l) => `${l.line}\n`).join(''));

  it('accounts for every record with 5% bad ones, and classifies each failure', async () => {
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    const result = await runBatch(healthClaimsPipeline({ hash: hasher.hash }), { source: new JsonLinesSource(path), warehouse: wh, flushRows: 2000 });
    const a = result.accounting;
    const bad = lines.filter((l) => l.kind === 'bad');
    assert.ok(Math.abs(lines.filter((l) => !WELL_FORMED_KINDS.has(l.kind)).length / lines.length - 0.05) < 0.005);
    assert.equal(a.received, lines.length);
    assert.equal(a.balanced, true);
    assert.equal(a.received, a.written + a.errored + a.filtered);
    assert.equal(a.filtered, 0);
    assert.equal(a.errored, bad.length, 'every bad line, and only those, becomes an error row');
    const expectedByType: Record<string, number> = {};
    for (const l of bad) {
      const type = BAD_REASON_ERROR_TYPES[l.badReason as keyof typeof BAD_REASON_ERROR_TYPES];
      expectedByType[type] = (expectedByType[type] ?? 0) + 1;
    }
    assert.deepEqual(a.errorsByType, expectedByType);
    const steps = Object.fromEntries(a.steps.map((s) => [s.step, s]));
    assert.equal(steps.parse?.errored, expectedByType.invalid_json);
    assert.equal((steps.parse?.errored ?? 0) + (steps.validate?.errored ?? 0), bad.length);
    assert.equal(steps.enrich?.passed, a.written);
    const unique = new Set(lines.filter((l) => WELL_FORMED_KINDS.has(l.kind)).map((l) => l.key)).size;
    const [counts] = await wh.query(
      'SELECT (SELECT count(*) FROM claims_events_stream) AS claims, (SELECT count(DISTINCT claim_id) FROM claims_events_stream) AS ids, (SELECT count(*) FROM processing_errors) AS errors',
    );
    assert.deepEqual(counts, { claims: unique, ids: unique, errors: bad.length });
    const [shape] =
      await wh.query(`SELECT min(fraud_risk_score) AS lo, max(fraud_risk_score) AS hi, count(*) FILTER (WHERE high_risk_flag <> (fraud_risk_score > 0.5)) AS wrong_flags,
      count(*) FILTER (WHERE days_to_submission < 0) AS negative_days, count(*) FILTER (WHERE day <> CAST(submission_date AS DATE)) AS wrong_days FROM claims_events_stream`);
    assert.ok(Number(shape?.lo) >= 0 && Number(shape?.hi) <= 1, JSON.stringify(shape));
    assert.deepEqual([shape?.wrong_flags, shape?.negative_days, shape?.wrong_days], [0, 0, 0]);
    await wh.close();
  });

  it('ranks the generator’s planted fraud above legitimate claims (AUC > 0.8)', async (t) => {
    const wh = new DuckDbWarehouse({ path: ':memory:' });
    await wh.open();
    await runBatch(healthClaimsPipeline({ hash: hasher.hash }), { source: new JsonLinesSource(path), warehouse: wh });
    const fraud = new Map<string, boolean>();
    for (const l of lines) if (WELL_FORMED_KINDS.has(l.kind) && l.key !== undefined) fraud.set(l.key, l.fraud === true);
    const positives: number[] = [];
    const negatives: number[] = [];
    for (const row of await wh.query('SELECT claim_id, fraud_risk_score FROM claims_events_stream')) {
      const planted = fraud.get(String(row.claim_id));
      assert.ok(planted !== undefined, `claim ${String(row.claim_id)} was generated`);
      (planted ? positives : negatives).push(Number(row.fraud_risk_score));
    }
    const area = auc(positives, negatives);
    const flaggedFraud = positives.filter((s) => s > 0.5).length / positives.length;
    const flaggedLegit = negatives.filter((s) => s > 0.5).length / negatives.length;
    t.diagnostic(`fraud score AUC ${area.toFixed(4)} over ${positives.length} planted and ${negatives.length} legitimate claims`);
    t.diagnostic(`high_risk_flag: ${(flaggedFraud * 100).toFixed(1)}% of planted fraud, ${(flaggedLegit * 100).toFixed(2)}% of legitimate claims`);
    assert.ok(positives.length > 300, `${positives.length} planted fraudulent claims`);
    assert.ok(area > 0.8, `AUC ${area}`);
    assert.ok(flaggedLegit < 0.02, `false positive rate ${flaggedLegit}`);
    await wh.close();
  });

  it('lets no raw patient id reach a table, an error row, the dead-letter topic or a log', async () => {
    const work = tempDir();
    const bus = new LocalBus({ dir: join(work, 'bus') });
    await bus.open();
    await bus.publish(
      'claims-ingest',
      lines.map((l, i) => ({ id: `m${i}`, payload: l.line })),
    );
    const wh = new DuckDbWarehouse({ path: join(work, 'w.duckdb') });
    await wh.open();
    const logs: string[] = [];
    const result = await runStreaming(healthClaimsPipeline({ hash: hasher.hash }), {
      source: stopWhenIdle(bus.subscribe('claims-ingest', { consumer: 'health-claims' }), 300),
      warehouse: wh,
      bus,
      onEvent: (e) => logs.push(JSON.stringify(e)),
    });
    assert.ok(result.accounting.errored > 0);
    const planted = new Set<string>();
    for (const l of lines) for (const v of l.pii ?? []) planted.add(v);
    const scanner = new KnownValueScanner(planted);
    assert.ok(scanner.size > 10_000, `${scanner.size} distinct patient ids`);
    let tables = '';
    for (const table of ['claims_events_stream', 'processing_errors'])
      for (const row of await wh.query(`SELECT * FROM ${table}`)) tables += `${JSON.stringify(row)}\n`;
    const leaked = scanner.find(tables);
    assert.deepEqual(
      leaked
        .map((v) =>
          tables
            .split('\n')
            .find((l) => l.includes(v))
            ?.slice(0, 300),
        )
        .slice(0, 3),
      [],
      'tables',
    );
    assert.doesNotMatch(tables, /PAT-\d{7}/);
    const dlq = readFileSync(join(work, 'bus', 'topics', 'claims-dlq', 'log'), 'utf8');
    assert.ok(dlq.length > 0);
    assert.deepEqual(scanner.find(dlq), [], 'dead-letter topic');
    assert.deepEqual(scanner.find(logs.join('\n')), [], 'logs');
    // The error rows keep what is safe: the claim id, and the patient id as its hash.
    const [errors] = await wh.query(
      `SELECT count(*) FILTER (WHERE claim_id IS NOT NULL) AS with_claim_id, count(*) FILTER (WHERE raw_payload LIKE '%patient_id_hash%') AS hashed FROM processing_errors`,
    );
    assert.ok(Number(errors?.with_claim_id) > result.accounting.errored * 0.8, JSON.stringify(errors));
    assert.ok(Number(errors?.hashed) > result.accounting.errored * 0.5, JSON.stringify(errors));
    await wh.close();
    await bus.close();
  });
});

describe('sluice demo health-claims', () => {
  it('runs end to end, and the seed’s three example queries return rows', async () => {
    const dir = tempDir();
    let out = '';
    const demo = await runDemo({
      pipeline: 'health-claims',
      count: 5000,
      seed: 'demo-test',
      dir: join(dir, 'demo'),
      global: { quiet: true },
      out: (t) => (out += t),
      err: () => undefined,
    });
    assert.equal(demo.result.accounting.balanced, true);
    assert.ok(demo.result.accounting.errored > 0);
    assert.match(out, /health-claims: [\d,]+ received → [\d,]+ written \+ [\d,]+ errored \+ 0 filtered \(accounting balanced\)/);
    assert.match(out, /-- recent claims: 100 rows/);
    assert.match(out, /-- high-risk claims: [1-9][\d,]* rows/);
    assert.match(out, /-- error analysis: [1-9]\d* rows/);
    const wh = new DuckDbWarehouse({ path: demo.warehousePath });
    await wh.open();
    try {
      const recent = await wh.query(SEED_QUERIES.recentClaims);
      assert.equal(recent.length, 100);
      assert.deepEqual(Object.keys(recent[0] ?? {}), [
        'claim_id',
        'patient_id_hash',
        'provider_id',
        'claim_amount',
        'fraud_risk_score',
        'high_risk_flag',
        'processing_timestamp',
      ]);
      const highRisk = await wh.query(SEED_QUERIES.highRiskClaims);
      assert.ok(highRisk.length > 0);
      assert.ok(highRisk.every((r) => Number(r.fraud_risk_score) > 0.5));
      assert.deepEqual(
        highRisk.map((r) => Number(r.fraud_risk_score)),
        highRisk.map((r) => Number(r.fraud_risk_score)).sort((a, b) => b - a),
      );
      const errors = await wh.query(SEED_QUERIES.errorAnalysis);
      assert.ok(errors.length >= 5, `${errors.length} kinds of error`);
      assert.equal(
        errors.reduce((sum, r) => sum + Number(r.error_count), 0),
        demo.result.accounting.errored,
      );

      // Export the stream partitioned by day, and read it back as a partitioned table.
      const exported = await exportTable(wh, { table: 'claims_events_stream', format: 'parquet', out: join(dir, 'parquet'), partitionByDay: 'day' });
      const [total] = await wh.query('SELECT count(*) AS n, count(DISTINCT day) AS days FROM claims_events_stream');
      assert.equal(exported.rows, Number(total?.n));
      assert.equal(exported.partitions.length, Number(total?.days));
      const back = await wh.query(
        `SELECT CAST(day AS VARCHAR) AS day, count(*) AS n FROM read_parquet('${join(dir, 'parquet')}/*/*.parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1`,
      );
      const original = await wh.query('SELECT CAST(day AS VARCHAR) AS day, count(*) AS n FROM claims_events_stream GROUP BY 1 ORDER BY 1');
      assert.deepEqual(back, original);
    } finally {
      await wh.close();
    }
  });
});
