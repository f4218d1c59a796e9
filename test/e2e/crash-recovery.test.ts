import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { LocalBus } from '../../src/connectors/local-bus/local-bus.js';
import { writeGeneratedTickets } from '../support/generated.js';
import { tempDir } from '../support/temp-dir.js';

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const ENV = { ...process.env, SLUICE_PII_KEY: 'crash-test-key' };

function sluice(args: string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--import', 'tsx', CLI, '--quiet', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

async function snapshot(path: string): Promise<Record<string, unknown>> {
  const wh = new DuckDbWarehouse({ path });
  await wh.open();
  const out: Record<string, unknown> = {};
  const keys: ReadonlyArray<readonly [table: string, key: string]> = [
    ['raw_tickets', 'ticket_id'],
    ['cleansed_tickets', 'ticket_id'],
    ['ticket_errors', '_id'],
  ];
  for (const [table, key] of keys) {
    const [counts] = await wh.query(`SELECT count(*) AS n, count(DISTINCT ${key}) AS ids FROM ${table}`);
    out[table] = counts;
    out[`${table}_ids`] = (await wh.query(`SELECT ${key} AS k FROM ${table} ORDER BY k`)).map((r) => r.k).join(',');
  }
  out.cleansed_sample = await wh.query('SELECT ticket_id, citizen_id_hash, description_clean, sentiment_score FROM cleansed_tickets ORDER BY ticket_id LIMIT 50');
  await wh.close();
  return out;
}

describe('crash recovery', () => {
  it('SIGKILL mid-run, then a restart, ends with exactly the rows of an uninterrupted run', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const generated = writeGeneratedTickets(dir, 40_000, 'crash');
    const payloads = readFileSync(generated.path, 'utf8').trim().split('\n');
    for (const name of ['clean', 'crashed']) {
      const bus = new LocalBus({ dir: join(dir, name, 'bus') });
      await bus.open();
      await bus.publish('tickets.new', payloads.map((payload, i) => ({ id: `m${i}`, payload })));
      await bus.close();
    }
    const args = (name: string): string[] => ['run', 'municipal-tickets', '--bus', `local:${join(dir, name, 'bus')}`, '--warehouse', join(dir, name, 'w.duckdb'), '--until-idle', '1s', '--flush-rows', '250'];

    const clean = await finished(sluice(args('clean')));
    assert.equal(clean.code, 0, clean.stderr);

    // Kill once the consumer has committed part of the topic but not all of it.
    const position = join(dir, 'crashed', 'bus', 'topics', 'tickets.new', 'consumers', 'municipal-tickets.pos');
    const logSize = readFileSync(join(dir, 'crashed', 'bus', 'topics', 'tickets.new', 'log')).length;
    const victim = sluice(args('crashed'));
    const victimDone = finished(victim);
    let killedAt = 0;
    for (let i = 0; i < 20_000 && killedAt === 0; i++) {
      const acked = existsSync(position) ? Number(readFileSync(position, 'utf8')) : 0;
      if (acked > logSize * 0.2) {
        victim.kill('SIGKILL');
        killedAt = acked;
      } else {
        await delay(2); // polling a file for a condition, not waiting for time to pass
      }
    }
    const killed = await victimDone;
    assert.equal(killed.signal, 'SIGKILL', 'the run was killed, not finished');
    assert.ok(killedAt < logSize, `killed mid-way (${killedAt} of ${logSize} bytes acknowledged)`);

    const resumed = await finished(sluice(args('crashed')));
    assert.equal(resumed.code, 0, resumed.stderr);
    const expected = await snapshot(join(dir, 'clean', 'w.duckdb'));
    const actual = await snapshot(join(dir, 'crashed', 'w.duckdb'));
    assert.deepEqual(actual, expected);
    const raw = expected.raw_tickets as { n: number; ids: number };
    assert.equal(raw.n, raw.ids, 'no duplicates');
    assert.ok(raw.n > 30_000);
  });

  it('re-running the same file leaves the row counts unchanged', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const generated = writeGeneratedTickets(dir, 5000, 'rerun');
    const args = ['run', 'municipal-tickets', '--input', generated.path, '--warehouse', join(dir, 'w.duckdb'), '--json'];
    const first = sluice(args);
    let out1 = '';
    first.stdout?.on('data', (c: Buffer) => (out1 += c.toString()));
    assert.equal((await finished(first)).code, 0);
    const before = await snapshot(join(dir, 'w.duckdb'));
    const second = sluice(args);
    let out2 = '';
    second.stdout?.on('data', (c: Buffer) => (out2 += c.toString()));
    assert.equal((await finished(second)).code, 0);
    assert.deepEqual(await snapshot(join(dir, 'w.duckdb')), before);
    const tables = (JSON.parse(out2) as { accounting: { tables: Array<{ table: string; inserted: number }> } }).accounting.tables;
    assert.ok(tables.every((t) => t.inserted === 0), 'the second run inserts nothing');
    assert.ok(JSON.parse(out1).accounting.balanced);
  });
});
