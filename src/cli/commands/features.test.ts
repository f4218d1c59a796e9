import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../../test/support/temp-dir.js';

const CLI = new URL('../main.ts', import.meta.url).pathname;

/** Runs the CLI from the repository (where tsx resolves); every path passed is absolute. */
function sluice(_dir: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--quiet', ...args], {
    env: { ...process.env, SLUICE_PII_KEY: 'cli-features-key', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sluice features (CLI)', () => {
  it('runs two topic files, serves the features it wrote, and backfills the same values', { timeout: 300_000 }, () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    assert.equal(sluice(dir, ['generate', 'municipal-tickets', '-n', '3000', '--seed', 'cli', '--out-dir', data]).code, 0);
    const run = sluice(
      dir,
      ['run', 'municipal-tickets', '--warehouse', join(dir, 'w.duckdb'), '--input', join(data, 'tickets.new.jsonl'), '--input-topic', `tickets.status=${join(data, 'tickets.status.jsonl')}`],
      { SLUICE_WARDS_CSV: join(data, 'wards.csv') },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /ticket_status_updates\s+[1-9][\d,]*/);
    assert.match(run.stdout, /ward population density \(.*wards\.csv\): [\d,]+ hits, 50 misses/);
    // The two files are merged by event time, so status updates follow their tickets: almost nothing is refused.
    const refused = Number(/feature_refusals\s+([\d,]+)/.exec(run.stdout)?.[1]?.replace(/,/g, '') ?? 'NaN');
    assert.ok(refused < 50, `${refused} feature refusals`);

    const get = sluice(dir, ['features', 'get', 'ward', 'Ward 150 - Bellandur', '--warehouse', join(dir, 'w.duckdb')]);
    assert.equal(get.code, 0, get.stderr);
    const record = JSON.parse(get.stdout) as { entity: string; features: Record<string, { value: unknown; as_of: string }> };
    assert.equal(record.entity, 'ward');
    assert.deepEqual(Object.keys(record.features), ['avg_response_time', 'escalation_rate_7d', 'ward_tickets_7d']);
    assert.equal(typeof record.features.ward_tickets_7d?.value, 'number');
    assert.match(record.features.ward_tickets_7d?.as_of ?? '', /^2026-11-0\dT\d\d:00:00\.000Z$/);

    const missing = sluice(dir, ['features', 'get', 'ward', 'nowhere', '--warehouse', join(dir, 'w.duckdb')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no features for ward "nowhere" in the embedded online store/);

    const backfill = sluice(dir, ['features', 'backfill', 'municipal-tickets', '--warehouse', join(dir, 'w.duckdb'), '--json']);
    assert.equal(backfill.code, 0, backfill.stderr);
    const result = JSON.parse(backfill.stdout) as { rows: number; compared: number; differing: number };
    assert.ok(result.rows > 2500);
    assert.deepEqual(result, { table: 'ml_features_backfill', rows: result.rows, compared: result.rows, differing: 0 });
  });
});
